"""The catalog: programs, plans, measures, indicators and their targets."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regions.models import FieldConstraintErrorsMixin, Region
from regions.validators import validate_code, validate_one_line, validate_text

from ..choices import (
    Comparator,
    Direction,
    IndicatorKind,
    MilestoneState,
    RollupRule,
    TimeNature,
    Unit,
)

VALUE_FIELD = {"max_digits": 18, "decimal_places": 4}

# What an indicator's stored figures and targets mean: fixed once any uses it (Indicator.clean).
MEANING_FIELDS = ("kind", "unit", "direction", "time_nature", "rollup")


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

    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_one_line])
    category = models.CharField(
        _("category"),
        max_length=100,
        blank=True,
        validators=[validate_one_line],
        help_text=_("Groups tags, e.g. the three teams."),
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
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    source_title = models.CharField(
        _("source document"), max_length=300, blank=True, validators=[validate_one_line]
    )
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), blank=True, validators=[validate_text])

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
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True, validators=[validate_text])
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
    name = models.CharField(_("measure"), max_length=300, validators=[validate_one_line])
    owner_office = models.CharField(
        _("owner office"), max_length=100, blank=True, validators=[validate_one_line]
    )
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

    code = models.CharField(_("code"), max_length=40, validators=[validate_code])
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
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
    description = models.TextField(_("description"), blank=True, validators=[validate_text])

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

    def usage(self) -> tuple[int, int]:
        """How many figures (of any state) and targets use this indicator."""
        return self.reports.count(), self.targets.count()

    def clean(self):
        super().clean()
        if self.pk is None:
            return  # a new indicator: nothing is stored to compare with
        stored = Indicator.objects.filter(pk=self.pk).values(*MEANING_FIELDS, "capped_at_100")
        stored = stored.first()
        if stored:
            self.check_meaning_kept(stored)
            self.check_cap_fits_stored(stored)

    def check_meaning_kept(self, stored: dict) -> None:
        """Refuse, at each field, a change of what the stored figures and targets mean.

        Every region's figures and targets of a shared indicator are read through its kind, unit,
        direction, time nature and roll-up rule: once any is stored, those are fixed (a different
        meaning is a new indicator). Name and description stay editable.
        """
        changed = [key for key in MEANING_FIELDS if stored[key] != getattr(self, key)]
        if not changed:
            return
        figures, targets = self.usage()
        if not (figures or targets):
            return
        raise ValidationError(
            {
                key: ValidationError(
                    _(
                        "This indicator is in use (figures: %(figures)s, targets: %(targets)s): "
                        "its %(field)s can no longer change, or what is stored would no longer "
                        "mean what it says. Add a new indicator instead."
                    ),
                    code="indicator_in_use",
                    params={
                        "figures": figures,
                        "targets": targets,
                        "field": Indicator._meta.get_field(key).verbose_name,
                    },
                )
                for key in changed
            }
        )

    def check_cap_fits_stored(self, stored: dict) -> None:
        """A percentage capped at 100 after the fact would make its stored figures above 100
        invalid (check_value_fits): refused while any figure or target is above it."""
        if self.kind != IndicatorKind.PERCENTAGE or not self.capped_at_100:
            return
        if stored["capped_at_100"]:
            return
        above = self.reports.filter(value__gt=100).count()
        above += self.targets.filter(Q(value__gt=100) | Q(baseline__gt=100)).count()
        if above:
            raise ValidationError(
                {
                    "capped_at_100": ValidationError(
                        _(
                            "This indicator has figures or targets above 100 (%(count)s): it "
                            "cannot be capped at 100 now."
                        ),
                        code="indicator_above_cap",
                        params={"count": above},
                    )
                }
            )


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


class Target(FieldConstraintErrorsMixin, models.Model):
    """What a plan promised: indicator × region × period → value with comparator."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="targets"
    )
    period = models.ForeignKey(
        "programs.ReportingPeriod",
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
