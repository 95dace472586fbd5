"""The public figures: every number a dashboard, download or open-data answer shows.

Figures are read from the precomputed `RegionFigure` rows (kept by `rollups` from approved
reports only: a region's own year figure and the roll-up of its children); reads of the reports
themselves go through `approved_reports()`, the one filter that keeps unapproved values out.
Each selector runs a fixed number of queries whatever the data size, over the bounded rows of one
region and its neighbours; the arithmetic is in `figures` and the sub-region ranking in
`rank_regions`, so the region page, the indicator page, the API, the downloads and the Word
report show the same numbers.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from regions.models import Region

from .. import figures, periods
from ..choices import (
    Comparator,
    IndicatorKind,
    PeriodKind,
    RollupRule,
    Status,
    TimeNature,
)
from ..models import Indicator, PlanIndicator, Program, RegionFigure, Target
from ..selectors import programs_for
from .neighbours import NOT_RANKED_KINDS, CascadeGap, Place, Ranking, cascade_gaps, rank_regions
from .periods import PeriodStep, previous_periods

HEADLINE_CARDS = 6  # the region page's cards; its figure table lists every figure


@dataclass
class Figure:
    """One indicator of one region for one year, with everything derived from it."""

    indicator: Indicator
    value: Decimal | None
    is_lower_bound: bool = False
    target: Target | None = None
    last_year: Decimal | None = None
    last_year_is_lower_bound: bool = False
    rollup: Decimal | None = None
    rollup_is_lower_bound: bool = False
    last_year_rollup: Decimal | None = None
    last_year_rollup_is_lower_bound: bool = False
    rank: int | None = None
    ranked: int = 0
    history: list[tuple[int, Decimal]] = field(default_factory=list)
    lower_bound_years: frozenset[int] = frozenset()  # the years of `history` that are lower bounds
    badge: Status = Status.NO_DATA  # status() as of the day the summary was made
    cascade: CascadeGap | None = None  # the sub-regions' targets, where they fall short
    position: int | None = None  # best first among the regions compared (`Ranking.order`)
    through: int | None = None  # the last month `value` covers (12: the year; None: unknown)
    rollup_through: int | None = None  # the least coverage among the sub-regions rolled up
    rollup_mixed: bool = False  # the sub-regions rolled up cover different parts of the year
    period_step: PeriodStep | None = None  # 环比 of `value`'s latest sub-year period
    previous_partial: bool = False  # last year's figure on the same basis covers part of it

    @property
    def basis(self) -> str | None:
        """What the completion, status and change of the year are computed from: "own" (the
        region's own approved figure), "rollup" (no own figure: its sub-regions' combined, as
        reported so far), None (neither)."""
        if self.value is not None:
            return "own"
        return "rollup" if self.rollup is not None else None

    @property
    def from_rollup(self) -> bool:
        return self.basis == "rollup"

    @property
    def actual(self) -> Decimal | None:
        """The region's figure for its target: its own, else its sub-regions' combined."""
        return self.rollup if self.from_rollup else self.value

    @property
    def actual_is_lower_bound(self) -> bool:
        return self.rollup_is_lower_bound if self.from_rollup else self.is_lower_bound

    @property
    def previous(self) -> Decimal | None:
        """Last year's figure on the same basis as this year's (own with own, roll-up with
        roll-up), so a change never compares a region's own figure with its sub-regions' sum."""
        return self.last_year_rollup if self.from_rollup else self.last_year

    @property
    def previous_is_lower_bound(self) -> bool:
        if self.from_rollup:
            return self.last_year_rollup_is_lower_bound
        return self.last_year_is_lower_bound

    @property
    def period_suffix(self) -> str:
        """What part of the year `value` covers ("上半年", "6月末"; "" for the whole year)."""
        return periods.period_suffix(self.through, time_nature=self.indicator.time_nature)

    @property
    def rollup_period_suffix(self) -> str:
        """What part of the year the roll-up covers, at least ("" for the whole year)."""
        return periods.period_suffix(self.rollup_through, time_nature=self.indicator.time_nature)

    @property
    def period_change(self) -> Decimal | None:
        """环比: the latest sub-year period against the one before, in the measure the kind
        allows (`figures.change`); None without both periods."""
        step = self.period_step
        if step is None:
            return None
        return figures.change(
            kind=self.indicator.kind, current=step.value, previous=step.previous_value
        )

    @property
    def period_change_text(self) -> str:
        """ "+12.0%", "+1.5个百分点", "上升1位"; "" without a sub-year step."""
        step = self.period_step
        if step is None:
            return ""
        bound = "" if self.indicator.kind == IndicatorKind.RANK else step.change_bound
        return figures.change_text(self.period_change, kind=self.indicator.kind, bound=bound)

    @property
    def rollup_mixed_note(self) -> str:
        """ "部分下级仅报至上半年" under a roll-up of sub-regions covering different parts of the
        year; "" otherwise."""
        if not self.rollup_mixed:
            return ""
        return periods.mixed_note(self.rollup_through, time_nature=self.indicator.time_nature)

    @property
    def completion(self) -> figures.Completion:
        target = self.target
        return figures.completion(
            actual=self.actual,
            target=target.value if target else None,
            comparator=target.comparator if target else Comparator.GTE,
            kind=self.indicator.kind,
        )

    @property
    def shows_something(self) -> bool:
        """A value, a roll-up of the regions below or a target: a card has something to say."""
        return self.value is not None or self.rollup is not None or self.target is not None

    @property
    def growth(self) -> Decimal | None:
        return figures.growth(current=self.actual, previous=self.previous)

    @property
    def is_quantity(self) -> bool:
        """A count, amount or percentage (not a rank's place, not a milestone's done / not)."""
        return self.indicator.kind not in NOT_RANKED_KINDS

    @property
    def change(self) -> Decimal | None:
        """The change against last year in the measure the kind allows (`figures.change`):
        growth, percentage points, places moved up; None for a milestone, and for a flow where
        either year covers only part of it (the first half against a whole year is no growth)."""
        if self.indicator.time_nature == TimeNature.FLOW and (
            self.partial or self.previous_partial
        ):
            return None
        return figures.change(kind=self.indicator.kind, current=self.actual, previous=self.previous)

    @property
    def partial(self) -> bool:
        """This year's figure (own, else the roll-up) covers only part of the year."""
        through = self.rollup_through if self.from_rollup else self.through
        return (through or 12) < 12 or (self.from_rollup and self.rollup_mixed)

    @property
    def change_text(self) -> str:
        """ "+15.4%", "≥+20.0%", "+2.1个百分点", "上升2位", "—"."""
        bound = "" if self.indicator.kind == IndicatorKind.RANK else self.growth_bound
        return figures.change_text(self.change, kind=self.indicator.kind, bound=bound)

    @property
    def value_text(self) -> str:
        """The region's own figure with its unit, as its kind reads (`figures.value_text`)."""
        return self._text(self.value, self.is_lower_bound)

    @property
    def rollup_text(self) -> str:
        return self._text(self.rollup, self.rollup_is_lower_bound)

    @property
    def target_text(self) -> str:
        """ "≥ 1,000 人", "前3位", "完成", "—" (`figures.target_text`)."""
        target, indicator = self.target, self.indicator
        if target is None:
            return "—"
        return figures.target_text(
            target.comparator, target.value, kind=indicator.kind, unit=indicator.unit
        )

    @property
    def last_year_text(self) -> str:
        return self._text(self.last_year, self.last_year_is_lower_bound)

    def _text(self, value: Decimal | None, lower_bound: bool) -> str:
        indicator = self.indicator
        return figures.value_text(
            value, kind=indicator.kind, lower_bound=lower_bound, unit=indicator.unit
        )

    @property
    def completion_bound(self) -> str:
        """ "≥" / "≤" before a completion computed from a lower bound ("" when exact)."""
        comparator = self.target.comparator if self.target else None
        return figures.completion_bound(
            is_lower_bound=self.actual_is_lower_bound, comparator=comparator
        )

    @property
    def growth_bound(self) -> str:
        """ "≥" / "≤" / "≈" before a growth computed from a lower bound ("" when exact)."""
        return figures.growth_bound(
            is_lower_bound=self.actual_is_lower_bound,
            last_year_is_lower_bound=self.previous_is_lower_bound,
        )

    def status(self, year: int, today: date) -> Status:
        """Met / not met once the year is over; on track / behind for a flow during the year;
        no target for a value without one, no data without a value."""
        completion = self.completion
        if completion.status in (Status.NO_DATA, Status.NO_TARGET):
            return completion.status
        in_year = today.year == year
        ceiling = self.target.comparator == "lte"  # a ceiling can still be broken until Dec 31
        if (
            in_year
            and self.indicator.time_nature == TimeNature.FLOW
            and (ceiling or not completion.met)
        ):
            return figures.pace(
                year_to_date=self.actual,
                annual_target=self.target.value,
                comparator=self.target.comparator,
                year=year,
                as_of=today,
            ).status
        return completion.status


@dataclass
class PlanSummary:
    plan: object
    figures: list[Figure]

    @property
    def with_target(self) -> list[Figure]:
        return [f for f in self.figures if f.target is not None]

    @property
    def met(self) -> int:
        return sum(1 for f in self.with_target if f.completion.met)

    @property
    def completion(self) -> Decimal | None:
        """达标进度 (progress to targets): the mean of the completion ratios of the plan's
        indicators with a target and a ratio, each counted at most 100% — so one overachiever
        does not hide a miss, and the plan never reads above an indicator that is short. The
        uncapped ratios are shown beside it (`ratios`)."""
        ratios = [
            min(f.completion.ratio, Decimal(1))
            for f in self.with_target
            if f.completion.ratio is not None
        ]
        return sum(ratios) / len(ratios) if ratios else None

    @property
    def ratios(self) -> list[Figure]:
        """The plan's figures with a completion ratio, uncapped: shown beside `completion`."""
        return [f for f in self.with_target if f.completion.ratio is not None]

    @property
    def completion_bound(self) -> str:
        """ "≥" / "≤" / "≈" when lower bounds move the plan's completion; "" when exact."""
        return figures.plan_completion_bound(
            [(f.completion.ratio, f.completion_bound) for f in self.with_target]
        )


# --- Figures from the precomputed rows ------------------------------------------------------------

FIGURE_FIELDS = (
    "region_id",
    "indicator_id",
    "year",
    "value",
    "is_lower_bound",
    "approved_at",
    "rollup",
    "rollup_is_lower_bound",
    "through",
    "rollup_through",
    "rollup_mixed",
)


def figure_from_rows(
    indicator: Indicator,
    rows: Mapping[int, dict],
    year: int,
    *,
    target: Target | None,
    today: date,
) -> Figure:
    """One region's figure in `year` from its `RegionFigure` rows by year (the region's own
    value, its lower-bound mark, last year's value for growth, the roll-up of its children and
    the years so far), with its status as of `today`."""
    this_year, last_year = rows.get(year), rows.get(year - 1)
    figure = Figure(
        indicator=indicator,
        value=this_year["value"] if this_year else None,
        is_lower_bound=bool(this_year and this_year["is_lower_bound"]),
        target=target,
        last_year=last_year["value"] if last_year else None,
        last_year_is_lower_bound=bool(last_year and last_year["is_lower_bound"]),
        last_year_rollup=last_year["rollup"] if last_year else None,
        last_year_rollup_is_lower_bound=bool(last_year and last_year["rollup_is_lower_bound"]),
        rollup=this_year["rollup"] if this_year else None,
        rollup_is_lower_bound=bool(this_year and this_year["rollup_is_lower_bound"]),
        through=this_year["through"] if this_year and this_year["value"] is not None else None,
        rollup_through=this_year["rollup_through"] if this_year else None,
        rollup_mixed=bool(this_year and this_year["rollup_mixed"]),
        previous_partial=_partial(
            last_year, own=bool(this_year and this_year["value"] is not None)
        ),
        history=sorted((y, row["value"]) for y, row in rows.items() if row["value"] is not None),
        lower_bound_years=frozenset(
            y for y, row in rows.items() if row["value"] is not None and row["is_lower_bound"]
        ),
    )
    figure.badge = figure.status(year, today)
    return figure


# --- A region in one year: the region page, the API summary, the Word report ----------------------


@dataclass
class RegionSummary:
    region: Region
    year: int
    ancestors: list[Region]
    children: list[Region]
    siblings: list[Region]
    programs: list[tuple[Program, list[PlanSummary]]]
    figures: dict[int, Figure]
    rankings: dict[int, Ranking]  # indicator → the children ranked on it
    years: list[int]  # with approved data of the region's own or rolled up from below it
    data_as_of: datetime | None

    @cached_property
    def comparison(self) -> dict[int, dict[int, Decimal]]:
        """Indicator → child region id → value, for the children with a figure."""
        return {indicator_id: r.values for indicator_id, r in self.rankings.items()}

    @property
    def headline(self) -> list[Figure]:
        """Indicators with a target first (as the texts lead with them), then the rest: the
        region's own figures, then those only rolled up from below it."""
        return self.shown[:HEADLINE_CARDS]

    @cached_property
    def shown(self) -> list[Figure]:
        """Every figure with something to say, in the headline's order: the headline cards are
        the first six, the figure table below lists them all."""
        return [
            f
            for f in sorted(
                self.figures.values(),
                key=lambda f: (f.target is None, f.value is None, f.indicator.code),
            )
            if f.shows_something
        ]

    @cached_property
    def unplanned(self) -> list[Figure]:
        """The figures of no plan of the region's programs (a target set without a program, a
        figure only rolled up from below): listed after the plans in the figure table."""
        planned = {
            f.indicator.pk
            for _program, plans in self.programs
            for plan in plans
            for f in plan.figures
        }
        return [f for f in self.shown if f.indicator.pk not in planned]

    @property
    def is_empty(self) -> bool:
        """Nothing to show for the year: no figure, roll-up or target of the region's, and no
        sub-region with a figure to rank."""
        shown = any(f.shows_something for f in self.figures.values())
        return not shown and not any(r.values for r in self.rankings.values())

    def child_ranking(self, indicator_id: int) -> list[Place]:
        """The sub-regions by their place on the indicator (`rank_regions`)."""
        return self.rankings[indicator_id].table(self.children)


def region_summary(region: Region, year: int, *, today: date | None = None) -> RegionSummary:
    """Everything the region page shows, in five queries."""
    today = today or timezone.localdate()
    ancestors = list(region.ancestors())
    children, siblings, neighbours = _neighbours(region)
    links = list(
        PlanIndicator.objects.filter(plan__program__in=programs_for(region, year))
        .select_related("plan__program", "indicator")
        .order_by("plan__program__name", "plan__order", "plan_id", "order", "pk")
    )
    targets, gaps = _year_targets(region, children, year)
    rows = RegionFigure.objects.filter(
        Q(region=region)
        | Q(region_id__in=[r.pk for r in neighbours], year=year)
        | Q(region_id__in=[c.pk for c in children], value__isnull=False) & _not_rolled_up(children)
    ).values(*FIGURE_FIELDS)
    per_key: dict[tuple[int, int], dict[int, dict]] = defaultdict(dict)
    for row in rows:
        per_key[(row["region_id"], row["indicator_id"])][row["year"]] = row
    own_or_below = {region.pk} | {c.pk for c in children}
    indicators = _shown_indicators(links, targets, per_key, own_or_below)

    def ranking(regions: list[Region], indicator: Indicator) -> Ranking:
        rows = [per_key.get((r.pk, indicator.pk), {}).get(year) for r in regions]
        rows = [row for row in rows if row]
        return rank_regions(
            {row["region_id"]: row["value"] for row in rows},
            indicator=indicator,
            lower_bounds=[row["region_id"] for row in rows if row["is_lower_bound"]],
            rollups={
                row["region_id"]: (row["rollup"], row["rollup_is_lower_bound"])
                for row in rows
                if row["rollup"] is not None
            },
            coverage={
                row["region_id"]: row["through"]
                for row in rows
                if row["value"] is not None and (row["through"] or 12) < 12
            },
        )

    result: dict[int, Figure] = {}
    rankings: dict[int, Ranking] = {}
    years, latest = set(), None
    for indicator_id, indicator in indicators.items():
        own = per_key.get((region.pk, indicator_id), {})
        for row in own.values():
            if row["value"] is None and row["rollup"] is None:
                continue
            years.add(row["year"])  # the region's own figure, or the roll-up of those below
            if row["approved_at"] and (latest is None or row["approved_at"] > latest):
                latest = row["approved_at"]
        figure = figure_from_rows(
            indicator, own, year, target=targets.get(indicator_id), today=today
        )
        rankings[indicator_id] = ranking(children, indicator)
        among_siblings = ranking(siblings, indicator)
        figure.rank, figure.ranked = among_siblings.place(region.pk), among_siblings.ranked
        figure.cascade = gaps.get(indicator_id)
        result[indicator_id] = figure
    add_period_steps({region.pk: result}, year)
    for (region_id, _indicator_id), by_year in per_key.items():
        if region_id in own_or_below and region_id != region.pk:  # the sub-regions' figures
            years.update(y for y, row in by_year.items() if row["value"] is not None)
            # their approvals too: a figure rolled up from them is as recent as they are
            for row in by_year.values():
                if row["approved_at"] and (latest is None or row["approved_at"] > latest):
                    latest = row["approved_at"]
    return RegionSummary(
        region=region,
        year=year,
        ancestors=ancestors,
        children=children,
        siblings=siblings,
        programs=_programs_with_plans(links, result),
        figures=result,
        rankings=rankings,
        years=sorted(years | ({year} if targets else set())),
        data_as_of=latest,
    )


def _partial(row: dict | None, *, own: bool) -> bool:
    """Whether a year's row covers only part of the year on the basis this year's figure has
    (its own figure, else the roll-up)."""
    if row is None:
        return False
    if own:
        return (row["through"] or 12) < 12
    return (row["rollup_through"] or 12) < 12 or bool(row["rollup_mixed"])


def _year_targets(region: Region, children: list[Region], year: int):
    """The region's year targets by indicator id, and where its sub-regions' targets fall short
    of them (`cascade_gaps`): one query."""
    year_targets = Target.objects.filter(
        region_id__in=[region.pk, *(c.pk for c in children)],
        period__year=year,
        period__kind=PeriodKind.YEAR,
    ).select_related("indicator")
    targets, children_targets = {}, []
    for target in year_targets:
        if target.region_id == region.pk:
            targets[target.indicator_id] = target
        else:
            children_targets.append(target)
    return targets, cascade_gaps(targets, children_targets, children)


def add_period_steps(figures_of: Mapping[int, Mapping[int, Figure]], year: int) -> None:
    """Sets `period_step` (环比) on the figures, region id → indicator id → figure, whose value
    stands on sub-year reports: one query, none when every value covers the whole year."""
    partial = {
        (region_id, indicator_id)
        for region_id, by_indicator in figures_of.items()
        for indicator_id, figure in by_indicator.items()
        if figure.value is not None and figure.through is not None and figure.through < 12
    }
    if not partial:
        return
    steps = previous_periods({r for r, _ in partial}, {i for _, i in partial}, year)
    for region_id, indicator_id in partial:
        figures_of[region_id][indicator_id].period_step = steps.get((region_id, indicator_id))


def _not_rolled_up(children) -> Q:
    """The sub-regions' figures that no roll-up of their region holds: a zone's counted in its
    county, and those of an indicator that is not rolled up (its sub-regions are still ranked)."""
    counted = [c.pk for c in children if c.counted_in_parent]
    not_rolled = Indicator.objects.filter(rollup=RollupRule.NONE).values("pk")
    return Q(region_id__in=counted) | Q(indicator_id__in=not_rolled)


def _neighbours(region: Region) -> tuple[list[Region], list[Region], list[Region]]:
    """The region's children and its siblings (itself included), read in one query."""
    neighbours = list(
        Region.objects.filter(
            Q(parent_id=region.pk) | Q(parent_id=region.parent_id)
            if region.parent_id
            else Q(parent_id=region.pk)
        ).order_by("code")
    )
    children = [r for r in neighbours if r.parent_id == region.pk]
    siblings = [r for r in neighbours if r.parent_id == region.parent_id] or [region]
    return children, siblings, neighbours


def _shown_indicators(links, targets, per_key, own_or_below: set[int]) -> dict[int, Indicator]:
    """The indicators the page shows: the region's programs' and targets', and any with a figure
    of the region or below it (its roll-up included); those not already in hand are read in one
    query."""
    indicator_ids = {link.indicator_id for link in links} | set(targets)
    for (region_id, indicator_id), by_year in per_key.items():
        if region_id in own_or_below and any(
            r["value"] is not None or r["rollup"] is not None for r in by_year.values()
        ):
            indicator_ids.add(indicator_id)
    indicators = {link.indicator_id: link.indicator for link in links}
    indicators |= {t.indicator_id: t.indicator for t in targets.values() if t.indicator_id}
    missing = indicator_ids - set(indicators)
    if missing:
        indicators |= Indicator.objects.in_bulk(missing)
    return {pk: indicators[pk] for pk in indicator_ids}


def _programs_with_plans(links, figures_by_indicator: dict[int, Figure]):
    """[(program, [PlanSummary, …])] in the order of the links, each plan with its figures."""
    programs: dict[int, tuple[Program, dict]] = {}
    for link in links:
        program = link.plan.program
        plans = programs.setdefault(program.pk, (program, {}))[1]
        summary = plans.setdefault(link.plan_id, PlanSummary(plan=link.plan, figures=[]))
        figure = figures_by_indicator.get(link.indicator_id)
        if figure is not None and figure not in summary.figures:
            summary.figures.append(figure)
    return [(program, list(plans.values())) for program, plans in programs.values()]
