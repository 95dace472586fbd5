"""A region's figures for a year as the open-data API answers them (`/regions/{code}/summary/`):
the region page's numbers (`dashboard.region_summary`), each with its target, completion,
growth, roll-up, coverage of the year and 环比, as plain data and the serializers that document it.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import dashboard, figures, periods
from ..choices import Comparator, PeriodKind, Status
from .serializers import FIGURE, PERCENT, RATIO, unit_field


class SummaryTargetSerializer(serializers.Serializer):
    comparator = serializers.ChoiceField(choices=Comparator.choices, read_only=True)
    value = serializers.DecimalField(read_only=True, **FIGURE)


class SummaryCompletionSerializer(serializers.Serializer):
    ratio = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_("Actual against target (1.2 is 120%); null for ranks and milestones."),
        **RATIO,
    )
    percent = serializers.DecimalField(read_only=True, allow_null=True, **PERCENT)
    met = serializers.BooleanField(read_only=True, allow_null=True)


class SummaryPeriodChangeSerializer(serializers.Serializer):
    """环比: the latest period of a figure that stands on sub-year reports, against the one
    before it in the same year."""

    kind = serializers.ChoiceField(
        choices=[c for c in PeriodKind.choices if c[0] != PeriodKind.YEAR],
        read_only=True,
        help_text=_("The kind of period the region reported: half, quarter or month."),
    )
    number = serializers.IntegerField(
        read_only=True, help_text=_("The latest period reported (3 for the third quarter).")
    )
    value = serializers.DecimalField(
        read_only=True,
        help_text=_("That period's own value (for a flow, not the year so far)."),
        **FIGURE,
    )
    is_lower_bound = serializers.BooleanField(read_only=True)
    previous_number = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("The period before it in the same year; null for the first of the year."),
    )
    previous_value = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_("The previous period's own value; null when it has no approved figure."),
        **FIGURE,
    )
    previous_is_lower_bound = serializers.BooleanField(read_only=True)
    change = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_("The change against the previous period as a fraction (0.12 is +12%)."),
        **RATIO,
    )
    change_percent = serializers.DecimalField(read_only=True, allow_null=True, **PERCENT)
    change_bound = serializers.CharField(
        read_only=True,
        help_text=_(
            "“≥” / “≤” when the change is computed from a lower bound this period / the "
            "previous one, “≈” when from both, empty when exact."
        ),
    )


class SummaryFigureSerializer(serializers.Serializer):
    indicator = serializers.CharField(read_only=True, help_text=_("Indicator code."))
    name = serializers.CharField(read_only=True)
    unit = unit_field()
    value = serializers.DecimalField(read_only=True, allow_null=True, **FIGURE)
    is_lower_bound = serializers.BooleanField(read_only=True)
    target = SummaryTargetSerializer(read_only=True, allow_null=True)
    completion = SummaryCompletionSerializer(read_only=True)
    status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        help_text=_(
            "met / not_met once the year is over, on_track / behind during it; no_target: a "
            "value without a target; no_data: no approved value."
        ),
    )
    growth = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_("Year-over-year growth as a fraction (0.6102 is +61.02%)."),
        **RATIO,
    )
    growth_percent = serializers.DecimalField(read_only=True, allow_null=True, **PERCENT)
    last_year = serializers.DecimalField(read_only=True, allow_null=True, **FIGURE)
    through = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The last month the value covers: 12 for the whole year, 6 when it stands on the "
            "first half-year's reports, 9 on quarters 1–3; null without a value."
        ),
    )
    period = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_("The period the value stands for, in the request's language (“2026 H1”)."),
    )
    period_change = SummaryPeriodChangeSerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Against the previous period of the same year, for a value that stands on sub-year "
            "reports; null for a year report."
        ),
    )
    rollup = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_("The figure rolled up from the sub-regions by the indicator's rule."),
        **FIGURE,
    )
    rollup_is_lower_bound = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "The roll-up is a lower bound: a sum, mean or maximum including a lower-bound "
            "figure, or a minimum whose least figures are all lower bounds."
        ),
    )
    rollup_through = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The last month the roll-up covers: the least among the sub-regions' figures; null "
            "without a roll-up."
        ),
    )
    rollup_period = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_("The period the roll-up stands for, in the request's language."),
    )
    rollup_mixed = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "The sub-regions rolled up cover different parts of the year (some only through "
            "`rollup_through`)."
        ),
    )
    completion_bound = serializers.CharField(
        read_only=True,
        help_text=_(
            "“≥” when the completion is computed from a lower bound and the truth is at least "
            "it, “≤” when at most it (a ceiling), empty when exact."
        ),
    )
    growth_bound = serializers.CharField(
        read_only=True,
        help_text=_(
            "“≥” / “≤” when the growth is computed from a lower bound this year / last year, "
            "“≈” when from both, empty when exact."
        ),
    )
    rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Place among the sibling regions.")
    )
    ranked = serializers.IntegerField(
        read_only=True, help_text=_("How many sibling regions have a figure to rank.")
    )


def summary_data(summary: dashboard.RegionSummary, *, today) -> dict:
    """The region page's figures as plain data; every number is computed by dashboard/figures."""

    def period(figure: dashboard.Figure, value, through: int | None) -> str | None:
        if value is None:
            return None
        nature = figure.indicator.time_nature
        return periods.period_label(summary.year, through, time_nature=nature)

    def figure_data(figure: dashboard.Figure) -> dict:
        completion = figure.completion
        target = figure.target
        step = figure.period_step
        return {
            "indicator": figure.indicator.code,
            "name": figure.indicator.name,
            "unit": figure.indicator.unit,
            "value": figure.value,
            "is_lower_bound": figure.is_lower_bound,
            "target": (
                {"comparator": target.comparator, "value": target.value} if target else None
            ),
            "completion": {
                "ratio": completion.ratio,
                "percent": figures.as_percent(completion.ratio),
                "met": completion.met,
            },
            "status": figure.status(summary.year, today),
            "growth": figure.growth,
            "growth_percent": figures.as_percent(figure.growth),
            "last_year": figure.last_year,
            "through": figure.through,
            "period": period(figure, figure.value, figure.through),
            "period_change": step_data(step) if step else None,
            "rollup": figure.rollup,
            "rollup_is_lower_bound": figure.rollup_is_lower_bound,
            "rollup_through": figure.rollup_through,
            "rollup_period": period(figure, figure.rollup, figure.rollup_through),
            "rollup_mixed": figure.rollup_mixed,
            "completion_bound": figure.completion_bound,
            "growth_bound": figure.growth_bound,
            "rank": figure.rank,
            "ranked": figure.ranked,
        }

    def step_data(step: dashboard.PeriodStep) -> dict:
        return {
            "kind": step.kind,
            "number": step.number,
            "value": step.value,
            "is_lower_bound": step.is_lower_bound,
            "previous_number": step.previous_number,
            "previous_value": step.previous_value,
            "previous_is_lower_bound": step.previous_is_lower_bound,
            "change": step.change,
            "change_percent": figures.as_percent(step.change),
            "change_bound": step.change_bound,
        }

    ordered = sorted(summary.figures.values(), key=lambda f: f.indicator.code)
    return {
        "region": summary.region,
        "year": summary.year,
        "years": summary.years,
        "data_as_of": summary.data_as_of,
        "figures": [figure_data(f) for f in ordered],
    }
