"""The figures of the report: one region's year from dashboard.region_summary, by plan."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from regions.models import Region

from ... import dashboard
from ...dashboard import Figure, PlanSummary, RegionSummary
from ...models import Measure, Plan, Program
from ...selectors import programs_for

# --- The figures ----------------------------------------------------------------------------------


@dataclass
class PlanSection:
    plan: Plan
    measures: list[Measure]
    summary: PlanSummary | None  # None for a plan that tracks no indicator

    @property
    def figures(self) -> list[Figure]:
        return self.summary.figures if self.summary else []


@dataclass
class ReportData:
    summary: RegionSummary
    programs: list[tuple[Program, list[PlanSection]]]
    # the figures no plan of these programs tracks, as the region page lists them after the
    # plans (`RegionSummary.unplanned`): an approved figure, a roll-up from below or a target
    untracked: list[Figure]

    @property
    def has_figures(self) -> bool:
        """An approved figure of the region's own, or one rolled up from the regions below it."""
        return any(
            f.value is not None or f.rollup is not None for f in self.summary.figures.values()
        )

    @property
    def with_rollup(self) -> bool:
        """The indicator tables give the sub-regions combined, as the region page's do."""
        return bool(self.summary.children)

    @property
    def headline(self) -> list[Figure]:
        """The summary's headline indicators, in the order the plans list them."""
        place: dict[int, int] = {}
        for _program, sections in self.programs:
            for figure in (f for s in sections for f in s.figures):
                place.setdefault(figure.indicator.pk, len(place))
        return sorted(self.summary.headline, key=lambda f: place.get(f.indicator.pk, len(place)))


def report_data(region: Region, year: int) -> ReportData:
    """The summary plus every plan and measure of the programs running that year (3 queries more:
    a plan without indicators has no place in the summary but still has a section)."""
    summary = dashboard.region_summary(region, year)
    plan_summaries = {s.plan.pk: s for _program, plans in summary.programs for s in plans}
    programs = list(programs_for(region, year))
    plans = (
        Plan.objects.filter(program__in=programs)
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("order", "pk")))
        .order_by("order", "pk")
    )
    sections = defaultdict(list)
    for plan in plans:
        sections[plan.program_id].append(
            PlanSection(plan, list(plan.measures.all()), plan_summaries.get(plan.pk))
        )
    return ReportData(summary, [(p, sections[p.pk]) for p in programs], summary.unplanned)
