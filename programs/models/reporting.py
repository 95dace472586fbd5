"""Reporting: periods, reopenings, progress reports, their evidence and the notices about them."""

import calendar
import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regions.models import FieldConstraintErrorsMixin, Region

from ..choices import (
    PERIOD_NOTICES,
    PERIODS_PER_YEAR,
    NotificationKind,
    PeriodKind,
    ReportState,
)
from .catalog import VALUE_FIELD, Indicator, check_value_fits


class ReportingPeriod(FieldConstraintErrorsMixin, models.Model):
    """A year, half-year, quarter or month, with its entry window."""

    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(
        _("number"), default=1, help_text=_("1 for a year; 1–2, 1–4 or 1–12 inside the year.")
    )
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(_("deadline"))
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("A locked period takes no edits.")
    )

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-year", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"],
                name="period_unique",
                violation_error_code="period_unique",
                violation_error_message=_("This reporting period exists already."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1)
                & (
                    Q(kind=PeriodKind.YEAR, number=1)
                    | Q(kind=PeriodKind.HALF, number__lte=2)
                    | Q(kind=PeriodKind.QUARTER, number__lte=4)
                    | Q(kind=PeriodKind.MONTH, number__lte=12)
                ),
                name="period_number_in_year",
                violation_error_code="period_number_in_year",
                violation_error_message=_(
                    "The number must be 1 for a year, 1–2 for a half-year, "
                    "1–4 for a quarter, 1–12 for a month."
                ),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opens_at")),
                name="period_deadline_after_opening",
                violation_error_code="period_deadline_after_opening",
                violation_error_message=_("The deadline must be after the opening."),
            ),
        ]

    constraint_error_fields = {
        "period_unique": "number",
        "period_number_in_year": "number",
        "period_deadline_after_opening": "deadline",
    }

    def __str__(self):
        return str(self.label)

    @property
    def label(self) -> str:
        values = {"year": self.year, "number": self.number}
        if self.kind == PeriodKind.HALF:
            return (_("%(year)s H1") if self.number == 1 else _("%(year)s H2")) % values
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)s Q%(number)s") % values
        if self.kind == PeriodKind.MONTH:
            return _("%(year)s-%(number)02d") % values
        return _("%(year)s") % values

    @property
    def start_date(self) -> date:
        months = 12 // PERIODS_PER_YEAR[PeriodKind(self.kind)]
        return date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def end_date(self) -> date:
        months = 12 // PERIODS_PER_YEAR[PeriodKind(self.kind)]
        last_month = self.number * months
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def is_open(self, at=None) -> bool:
        """Entry is possible inside the window, unless the period is locked."""
        at = at or timezone.now()
        return not self.locked and self.opens_at <= at < self.deadline


class ProgressReport(FieldConstraintErrorsMixin, models.Model):
    """One figure per indicator, region and period, whichever plans track it."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="reports"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    value = models.DecimalField(_("value"), **VALUE_FIELD)
    is_lower_bound = models.BooleanField(
        _("lower bound"),
        default=False,
        help_text=_("The value is a lower bound (“1600余名”, “100多个”, “以上”)."),
    )
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    # Optimistic locking: a save must name the version it started from.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("history of progress report"))

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["region__path", "period__year", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period"],
                name="report_unique",
                violation_error_code="report_unique",
                violation_error_message=_(
                    "This region already has a figure for this indicator and period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="report_value_not_negative",
                violation_error_code="report_value_not_negative",
                violation_error_message=_("The value cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="report_version_positive",
                violation_error_code="report_version_positive",
                violation_error_message=_("The version starts at 1."),
            ),
        ]
        indexes = [
            models.Index(fields=["region", "period"]),
            models.Index(fields=["indicator", "period", "state"]),
            # The reviewers' queues count what waits for review; a few rows among millions.
            models.Index(
                fields=["period"], condition=Q(state="submitted"), name="report_submitted_by_period"
            ),
            # The home page's "recently updated" reads the latest approvals backwards.
            models.Index(
                F("reviewed_at").desc(), condition=Q(state="approved"), name="report_approved_at"
            ),
        ]

    constraint_error_fields = {
        "report_unique": "period",
        "report_value_not_negative": "value",
    }

    def __str__(self):
        return f"{self.region.name} · {self.indicator.name} · {self.period}"

    def clean(self):
        super().clean()
        if self.indicator_id:
            check_value_fits(self.indicator, self.value)


class PeriodReopening(models.Model):
    """A catalog admin lets one region enter a closed period again, until a date, for a reason."""

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="reopenings",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="reopenings"
    )
    reason = models.TextField(_("reason"))
    until = models.DateTimeField(_("open until"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("period reopening")
        verbose_name_plural = _("period reopenings")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["period", "region", "until"])]

    def __str__(self):
        return f"{self.period} · {self.region.name}"


def evidence_path(evidence: "Evidence", filename: str) -> str:
    """A random name per report: uploads can neither collide nor climb out of MEDIA_ROOT."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{evidence.report_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file backing a reported value; private to officials unless marked public."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    is_public = models.BooleanField(_("public"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["report", "uploaded_at"]

    def __str__(self):
        return self.original_name


class Notification(models.Model):
    """An in-app notice to one official about one progress report."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "kind"],
                condition=Q(kind__in=PERIOD_NOTICES),
                name="period_notice_once",
                violation_error_message=_("This notice was sent already."),
            ),
            models.CheckConstraint(
                condition=Q(report__isnull=False) | Q(period__isnull=False),
                name="notice_about_report_or_period",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"
