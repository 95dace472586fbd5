"""A region's figures for a year as the open-data API answers them (`/regions/{code}/summary/`):
the region page's numbers (`dashboard.region_summary`), each with its target, completion,
growth, roll-up, coverage of the year and 环比, as plain data and the serializers that document it.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import dashboard, figures, periods
from ..choices import Comparator, IndicatorKind, PeriodKind, Status
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
        help_text=_(
            "The change against the previous period in the measure the figure's "
            "`change_measure` names: growth as a fraction (0.12 is +12%), percentage points, "
            "or places up."
        ),
        **RATIO,
    )
    change_percent = serializers.DecimalField(read_only=True, allow_null=True, **PERCENT)
    change_text = serializers.CharField(
        read_only=True, help_text=_("The change as the page words it (“+12.0%”, “上升1位”).")
    )
    change_bound = serializers.CharField(
        read_only=True,
        help_text=_(
            "“≥” / “≤” when the change is computed from a lower bound this period / the "
            "previous one, “≈” when from both, empty when exact."
        ),
    )


class SummaryCascadeSerializer(serializers.Serializer):
    children = serializers.DecimalField(
        read_only=True,
        help_text=_("The sub-regions' targets combined by the indicator's roll-up rule."),
        **FIGURE,
    )
    count = serializers.IntegerField(
        read_only=True, help_text=_("How many sub-regions' targets were combined.")
    )
    message = serializers.CharField(read_only=True)


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
        read_only=True,
        allow_null=True,
        help_text=_(
            "Place among the sibling regions; null where fewer than three have a figure, and "
            "for rank and milestone indicators."
        ),
    )
    ranked = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "How many sibling regions have a place: 0 where fewer than three have a figure, and "
            "for rank and milestone indicators (no place is given then)."
        ),
    )
    kind = serializers.ChoiceField(
        choices=IndicatorKind.choices, read_only=True, help_text=_("The indicator's kind.")
    )
    basis = serializers.ChoiceField(
        choices=["own", "rollup"],
        read_only=True,
        allow_null=True,
        help_text=_(
            "What completion, status and change are computed from: own — the region's own "
            "figure; rollup — it has none, so its sub-regions' combined figure (those reported "
            "so far); null — neither."
        ),
    )
    change = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The change on last year in the measure `change_measure` names: growth as a fraction "
            "for counts and amounts, percentage points for a percentage, places moved up for a "
            "rank (5th → 3rd is 2); null for a milestone or without both years."
        ),
        **RATIO,
    )
    change_measure = serializers.ChoiceField(
        choices=["growth", "points", "places"], read_only=True, allow_null=True
    )
    change_text = serializers.CharField(
        read_only=True, help_text=_("The change as the page words it (“+15.4%”, “上升2位”).")
    )
    value_text = serializers.CharField(
        read_only=True,
        help_text=_("The figure as the page words it (“1,200余 人”, “第3位”, “已完成”, “—”)."),
    )
    target_cascade = SummaryCascadeSerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Where the sub-regions' year targets, combined by the indicator's rule, fall short of "
            "this region's target; null when they cover it or there are none."
        ),
    )


class SummaryPlanSerializer(serializers.Serializer):
    program = serializers.IntegerField(read_only=True, help_text=_("Program id."))
    program_name = serializers.CharField(read_only=True)
    plan = serializers.IntegerField(read_only=True, help_text=_("Plan id."))
    name = serializers.CharField(read_only=True)
    indicators = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The codes of every indicator of the plan, each in `figures`."),
    )
    targets_met = serializers.IntegerField(read_only=True)
    targets = serializers.IntegerField(
        read_only=True, help_text=_("How many of the plan's indicators have a target.")
    )
    progress = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "达标进度: the mean completion of the plan's indicators with a ratio, each counted "
            "at most 1 (100%); each indicator's own completion is in `figures`."
        ),
        **RATIO,
    )
    progress_percent = serializers.DecimalField(read_only=True, allow_null=True, **PERCENT)
    progress_bound = serializers.CharField(
        read_only=True, help_text=_("“≥” / “≤” / “≈” when lower bounds move it, else empty.")
    )


# What `change` measures, by indicator kind (a milestone has none).
CHANGE_MEASURES = {
    IndicatorKind.COUNT: "growth",
    IndicatorKind.AMOUNT: "growth",
    IndicatorKind.PERCENTAGE: "points",
    IndicatorKind.RANK: "places",
}


def summary_data(summary: dashboard.RegionSummary, *, today) -> dict:
    """The region page's figures as plain data; every number is computed by dashboard/figures."""
    ordered = sorted(summary.figures.values(), key=lambda f: f.indicator.code)
    return {
        "region": summary.region,
        "year": summary.year,
        "years": summary.years,
        "data_as_of": summary.data_as_of,
        "figures": [figure_data(f, year=summary.year, today=today) for f in ordered],
        "plans": [
            plan_data(program, plan) for program, plans in summary.programs for plan in plans
        ],
    }


def period(figure: dashboard.Figure, value, through: int | None, year: int) -> str | None:
    if value is None:
        return None
    return periods.period_label(year, through, time_nature=figure.indicator.time_nature)


def figure_data(figure: dashboard.Figure, *, year: int, today) -> dict:
    completion = figure.completion
    target = figure.target
    return {
        "indicator": figure.indicator.code,
        "name": figure.indicator.name,
        "unit": figure.indicator.unit,
        "value": figure.value,
        "is_lower_bound": figure.is_lower_bound,
        "target": ({"comparator": target.comparator, "value": target.value} if target else None),
        "completion": {
            "ratio": completion.ratio,
            "percent": figures.as_percent(completion.ratio),
            "met": completion.met,
        },
        "status": figure.status(year, today),
        "growth": figure.growth,
        "growth_percent": figures.as_percent(figure.growth),
        "last_year": figure.last_year,
        "through": figure.through,
        "period": period(figure, figure.value, figure.through, year),
        "period_change": step_data(figure) if figure.period_step else None,
        "rollup": figure.rollup,
        "rollup_is_lower_bound": figure.rollup_is_lower_bound,
        "rollup_through": figure.rollup_through,
        "rollup_period": period(figure, figure.rollup, figure.rollup_through, year),
        "rollup_mixed": figure.rollup_mixed,
        "completion_bound": figure.completion_bound,
        "growth_bound": figure.growth_bound,
        "rank": figure.rank,
        "ranked": figure.ranked,
        "kind": figure.indicator.kind,
        "basis": figure.basis,
        "change": figure.change,
        "change_measure": CHANGE_MEASURES.get(figure.indicator.kind),
        "change_text": figure.change_text,
        "value_text": figure.value_text,
        "target_cascade": (
            {
                "children": figure.cascade.children,
                "count": figure.cascade.count,
                "message": figure.cascade.message,
            }
            if figure.cascade
            else None
        ),
    }


def plan_data(program, plan: dashboard.PlanSummary) -> dict:
    return {
        "program": program.pk,
        "program_name": program.name,
        "plan": plan.plan.pk,
        "name": plan.plan.name,
        "indicators": [f.indicator.code for f in plan.figures],
        "targets_met": plan.met,
        "targets": len(plan.with_target),
        "progress": plan.completion,
        "progress_percent": figures.as_percent(plan.completion),
        "progress_bound": plan.completion_bound,
    }


def step_data(figure: dashboard.Figure) -> dict:
    """环比: the latest sub-year period against the one before, its change in the measure the
    indicator's kind allows (as `change`)."""
    step = figure.period_step
    change = figure.period_change
    return {
        "kind": step.kind,
        "number": step.number,
        "value": step.value,
        "is_lower_bound": step.is_lower_bound,
        "previous_number": step.previous_number,
        "previous_value": step.previous_value,
        "previous_is_lower_bound": step.previous_is_lower_bound,
        "change": change,
        "change_percent": (
            figures.as_percent(change)
            if CHANGE_MEASURES.get(figure.indicator.kind) == "growth"
            else None
        ),
        "change_bound": step.change_bound,
        "change_text": figure.period_change_text,
    }
