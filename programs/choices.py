"""Enumerations of the catalog and of progress reporting (DESIGN.md's terms)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    COUNT = "count", _("Count")
    AMOUNT = "amount", _("Amount")
    PERCENTAGE = "percentage", _("Percentage")
    RANK = "rank", _("Rank")
    MILESTONE = "milestone", _("Milestone")


class Direction(models.TextChoices):
    HIGHER_BETTER = "higher", _("Higher is better")
    LOWER_BETTER = "lower", _("Lower is better")


class TimeNature(models.TextChoices):
    FLOW = "flow", _("Flow per period")
    STOCK = "stock", _("Stock at period end")


class RollupRule(models.TextChoices):
    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    MAX = "max", _("Maximum")
    MIN = "min", _("Minimum")
    NONE = "none", _("No roll-up")


class Comparator(models.TextChoices):
    GTE = "gte", _("≥ (at least)")
    LTE = "lte", _("≤ (at most)")
    EQ = "eq", _("= (exactly)")


class Unit(models.TextChoices):
    PERSON = "人", _("persons")
    PERSON_TIME = "人次", _("person-times")
    PEOPLE = "名", _("people")
    ITEM = "个", _("items")
    PROJECT = "项", _("projects")
    SESSION = "场次", _("sessions")
    ENTERPRISE = "家", _("enterprises")
    TEN_THOUSAND_YUAN = "万元", _("10k yuan")
    HUNDRED_MILLION_YUAN = "亿元", _("100M yuan")
    PERCENT = "%", _("percent")
    PLACE = "位", _("place")


class MilestoneState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    HALF = "half", _("Half-year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


# How many periods of each kind a year holds.
PERIODS_PER_YEAR = {
    PeriodKind.YEAR: 1,
    PeriodKind.HALF: 2,
    PeriodKind.QUARTER: 4,
    PeriodKind.MONTH: 12,
}


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Status(models.TextChoices):
    """The badge a derived figure earns on dashboards."""

    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    NO_TARGET = "no_target", _("No target")  # a value, but no target to hold it against
    NO_DATA = "no_data", _("No data")  # no approved value


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")
    REOPENED = "reopened", _("Reopened")
    DEADLINE_SOON = "deadline_soon", _("Deadline soon")
    DEADLINE_TODAY = "deadline_today", _("Deadline today")
    OVERDUE = "overdue", _("Not submitted by the deadline")


# Notices about a period rather than one figure: each is sent once per recipient and period.
PERIOD_NOTICES = [
    NotificationKind.DEADLINE_SOON,
    NotificationKind.DEADLINE_TODAY,
    NotificationKind.OVERDUE,
]


class JobKind(models.TextChoices):
    YEAR_REPORT = "year_report", _("Year-end report")
    EXPORT = "export", _("Data export")
    CATALOG_IMPORT = "catalog_import", _("Catalog import")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
