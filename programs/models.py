"""The catalog (program, plan, measure, indicator, target), periods and progress reports."""

import calendar
import uuid
from datetime import date
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regions.models import FieldConstraintErrorsMixin, Region

from .choices import (
    PERIOD_NOTICES,
    PERIODS_PER_YEAR,
    Comparator,
    Direction,
    IndicatorKind,
    JobKind,
    JobState,
    MilestoneState,
    NotificationKind,
    PeriodKind,
    ReportState,
    RollupRule,
    TimeNature,
    Unit,
)

VALUE_FIELD = {"max_digits": 18, "decimal_places": 4}


def check_value_fits(indicator: "Indicator", value: Decimal | None, *, field: str = "value"):
    """Raise a ValidationError at `field` when `value` cannot be a figure of `indicator`'s kind."""
    if value is None:
        return
    whole = value == value.to_integral_value()
    kind = indicator.kind
    message = None
    if value < 0:
        message = _("The value cannot be negative.")
    elif kind == IndicatorKind.COUNT and not whole:
        message = _("A count must be a whole number.")
    elif kind == IndicatorKind.PERCENTAGE and indicator.capped_at_100 and value > 100:
        message = _("This percentage cannot be above 100.")
    elif kind == IndicatorKind.RANK and (not whole or value < 1):
        message = _("A rank must be a whole number of 1 or more.")
    elif kind == IndicatorKind.MILESTONE and value not in (0, 1):
        message = _("A milestone is 1 (done) or 0 (not done).")
    if message:
        raise ValidationError({field: message})


class PlanTag(models.Model):
    """A category a plan serves, such as one of the 三支队伍 talent teams."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.CharField(
        _("category"), max_length=100, blank=True, help_text=_("Groups tags, e.g. the three teams.")
    )

    class Meta:
        verbose_name = _("plan tag")
        verbose_name_plural = _("plan tags")
        ordering = ["category", "name"]

    def __str__(self):
        return self.name


class Program(FieldConstraintErrorsMixin, models.Model):
    """A region's set of plans over a span of years, with its source document."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    source_title = models.CharField(_("source document"), max_length=300, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["region__path", "-start_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="program_unique_per_region",
                violation_error_code="program_unique_per_region",
                violation_error_message=_("This region already has a program with this name."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="program_years_ordered",
                violation_error_code="program_years_ordered",
                violation_error_message=_("The end year cannot be before the start year."),
            ),
        ]

    constraint_error_fields = {
        "program_unique_per_region": "name",
        "program_years_ordered": "end_year",
    }

    def __str__(self):
        return self.name


class Plan(FieldConstraintErrorsMixin, models.Model):
    """One pillar of a program, ordered inside it."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="plans"
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField(PlanTag, verbose_name=_("tags"), blank=True, related_name="plans")
    indicators = models.ManyToManyField(
        "Indicator",
        verbose_name=_("indicators"),
        through="PlanIndicator",
        related_name="plans",
        blank=True,
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["program", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="plan_unique_per_program",
                violation_error_code="plan_unique_per_program",
                violation_error_message=_("This program already has a plan with this name."),
            )
        ]

    constraint_error_fields = {"plan_unique_per_program": "name"}

    def __str__(self):
        return self.name


class Measure(models.Model):
    """A concrete action under a plan, optionally with a milestone state."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="measures"
    )
    name = models.CharField(_("measure"), max_length=300)
    owner_office = models.CharField(_("owner office"), max_length=100, blank=True)
    milestone_state = models.CharField(
        _("milestone state"), max_length=20, choices=MilestoneState.choices, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords(verbose_name=_("history of measure"))

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["plan", "order", "pk"]

    def __str__(self):
        return self.name


class Indicator(FieldConstraintErrorsMixin, models.Model):
    """A shared library entry, defined once and used by any plan of any region."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER_BETTER
    )
    time_nature = models.CharField(
        _("time nature"), max_length=10, choices=TimeNature.choices, default=TimeNature.FLOW
    )
    rollup = models.CharField(
        _("roll-up rule"), max_length=10, choices=RollupRule.choices, default=RollupRule.SUM
    )
    capped_at_100 = models.BooleanField(
        _("capped at 100"),
        default=True,
        help_text=_("For a percentage that cannot exceed 100 (a share, a rate of coverage)."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="indicator_code_unique",
                violation_error_code="indicator_code_unique",
                violation_error_message=_("An indicator with this code exists already."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=IndicatorKind.MILESTONE) | Q(unit=""),
                name="indicator_milestone_has_no_unit",
                violation_error_code="indicator_milestone_has_no_unit",
                violation_error_message=_("A milestone is done or not done: it has no unit."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[IndicatorKind.RANK, IndicatorKind.PERCENTAGE])
                | ~Q(rollup__in=[RollupRule.SUM]),
                name="indicator_rank_or_percentage_not_summed",
                violation_error_code="indicator_rank_or_percentage_not_summed",
                violation_error_message=_(
                    "Ranks and percentages cannot be summed up the region tree: "
                    "choose mean, maximum, minimum or no roll-up."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind=IndicatorKind.RANK) | Q(direction=Direction.LOWER_BETTER),
                name="indicator_rank_lower_is_better",
                violation_error_code="indicator_rank_lower_is_better",
                violation_error_message=_("For a rank, lower is better (1st is the best)."),
            ),
        ]

    constraint_error_fields = {
        "indicator_code_unique": "code",
        "indicator_milestone_has_no_unit": "unit",
        "indicator_rank_or_percentage_not_summed": "rollup",
        "indicator_rank_lower_is_better": "direction",
    }

    def __str__(self):
        return f"{self.name}" + (f" ({self.unit})" if self.unit else "")


class PlanIndicator(FieldConstraintErrorsMixin, models.Model):
    """A plan tracks an indicator, under the plan itself or one of its measures."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="plan_indicators"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="plan_indicators",
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_indicators",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator of a plan")
        verbose_name_plural = _("indicators of plans")
        ordering = ["plan", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                name="plan_indicator_unique",
                violation_error_code="plan_indicator_unique",
                violation_error_message=_("This plan already tracks this indicator."),
            )
        ]

    constraint_error_fields = {"plan_indicator_unique": "indicator"}

    def __str__(self):
        return f"{self.plan} · {self.indicator}"

    def clean(self):
        super().clean()
        if self.measure_id and self.plan_id and self.measure.plan_id != self.plan_id:
            raise ValidationError({"measure": _("The measure must belong to the same plan.")})


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


class Target(FieldConstraintErrorsMixin, models.Model):
    """What a plan promised: indicator × region × period → value with comparator."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="targets"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    comparator = models.CharField(
        _("comparator"), max_length=5, choices=Comparator.choices, default=Comparator.GTE
    )
    value = models.DecimalField(_("target value"), **VALUE_FIELD)
    baseline = models.DecimalField(_("baseline"), null=True, blank=True, **VALUE_FIELD)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
        help_text=_("The plan that set this target."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords(verbose_name=_("history of target"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["region__path", "period__year", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period"],
                name="target_unique",
                violation_error_code="target_unique",
                violation_error_message=_(
                    "This region already has a target for this indicator and period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="target_value_not_negative",
                violation_error_code="target_value_not_negative",
                violation_error_message=_("The value cannot be negative."),
            ),
        ]

    constraint_error_fields = {
        "target_unique": "period",
        "target_value_not_negative": "value",
    }

    def __str__(self):
        return f"{self.region.name} · {self.indicator.name} · {self.period}"

    def clean(self):
        super().clean()
        if not self.indicator_id:
            return
        indicator = self.indicator
        check_value_fits(indicator, self.value)
        check_value_fits(indicator, self.baseline, field="baseline")
        if indicator.kind == IndicatorKind.RANK and self.comparator == Comparator.GTE:
            raise ValidationError(
                {"comparator": _("A rank target is a place to reach: use ≤ (e.g. top 3) or =.")}
            )
        if indicator.kind == IndicatorKind.MILESTONE and (
            self.comparator != Comparator.EQ or self.value != 1
        ):
            raise ValidationError(
                {"comparator": _("A milestone target is “done”: use = with the value 1.")}
            )
        against_direction = (
            Comparator.LTE if indicator.direction == Direction.HIGHER_BETTER else Comparator.GTE
        )
        if self.comparator == against_direction:
            raise ValidationError(
                {"comparator": _("This comparator goes against the indicator's direction.")}
            )
        if self.plan_id and self.region_id:
            plan_region = self.plan.program.region
            if not self.region.path.startswith(plan_region.path):
                raise ValidationError(
                    {"plan": _("The plan's program must belong to this region or one above it.")}
                )
            if not self.plan.plan_indicators.filter(indicator=indicator).exists():
                raise ValidationError({"plan": _("This plan does not track this indicator.")})


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


class Job(models.Model):
    """Slow work a user started (report, export, import), run by a worker, shown on 我的任务.

    A job is run by `programs.jobs.run`; its result file lives at a name fixed by the job's id, so a
    rerun after a crash or a duplicate delivery replaces the file instead of adding one.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    params = models.JSONField(_("parameters"), default=dict)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    result = models.FileField(_("result"), upload_to="jobs/", max_length=255, blank=True)
    result_name = models.CharField(_("file name"), max_length=255, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_percent")
        ]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    def summary_text(self) -> str:
        """What an import did, in counts of catalog rows (empty for jobs that make a file)."""
        if not self.summary:
            return ""
        return _("%(created)s created, %(updated)s changed, %(unchanged)s unchanged") % {
            "created": self.summary.get("created", 0),
            "updated": self.summary.get("updated", 0),
            "unchanged": self.summary.get("unchanged", 0),
        }


class RegionFigure(models.Model):
    """A region's approved figure for one indicator and year, precomputed for the dashboards.

    `value` is what the region itself reported (its year report, else the year-to-date of its
    sub-periods); `rollup` combines its children's values by the indicator's rule. Rows are
    derived data: `programs.rollups` rebuilds them from approved progress reports, in the same
    transaction as each approval or reopening, and in full every night.

    Being rebuilt wholesale, the table carries no foreign-key constraints (their deferred checks
    cost a third of a rebuild; deleting a region or indicator still cascades, in Django) and one
    index, its key (region, indicator, year), which the region page reads by.
    """

    pk = models.CompositePrimaryKey("region", "indicator", "year")
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    year = models.PositiveSmallIntegerField()
    value = models.DecimalField(null=True, **VALUE_FIELD)
    is_lower_bound = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True)
    rollup = models.DecimalField(null=True, **VALUE_FIELD)

    def __str__(self):
        return f"{self.region_id}/{self.indicator_id}/{self.year}"
