"""The public figures: every number a dashboard, download or open-data answer shows.

Only approved progress reports are read here (APPROVED below is the one filter that guarantees
it). Each selector runs a fixed number of queries whatever the data size, aggregating in the
database or over the bounded rows of one region and its neighbours; the arithmetic is in
`figures`, so the pages, the API and the downloads show the same numbers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone

from regions.models import Region

from . import figures
from .choices import Direction, ReportState, Status, TimeNature
from .models import Indicator, PlanIndicator, Program, ProgressReport, RegionFigure, Target
from .selectors import programs_for

APPROVED = ReportState.APPROVED


def approved_reports():
    return ProgressReport.objects.filter(state=APPROVED)


@dataclass
class YearValue:
    value: Decimal
    is_lower_bound: bool
    approved_at: datetime | None


def year_values(rows, *, time_nature: str) -> dict[int, YearValue]:
    """One figure per year from approved rows of one region and indicator.

    A year's own report wins; otherwise its sub-periods make the year-to-date figure (a flow adds
    up, a stock is the latest period's).
    """
    by_year: dict[int, list] = defaultdict(list)
    for row in rows:
        by_year[row["period__year"]].append(row)
    result = {}
    for year, items in by_year.items():
        whole = [r for r in items if r["period__kind"] == "year"]
        if whole:
            row = whole[0]
            result[year] = YearValue(row["value"], row["is_lower_bound"], row["reviewed_at"])
            continue
        # Quarters and halves of one year overlap: use the coarsest kind reported.
        kind = next(
            k for k in ("half", "quarter", "month") if any(r["period__kind"] == k for r in items)
        )
        items = sorted(
            (r for r in items if r["period__kind"] == kind), key=lambda r: r["period__number"]
        )
        value = figures.year_to_date([r["value"] for r in items], time_nature=time_nature)
        result[year] = YearValue(
            value,
            any(r["is_lower_bound"] for r in items),
            max((r["reviewed_at"] for r in items if r["reviewed_at"]), default=None),
        )
    return result


REPORT_FIELDS = (
    "region_id",
    "indicator_id",
    "value",
    "is_lower_bound",
    "reviewed_at",
    "period__year",
    "period__kind",
    "period__number",
)


@dataclass
class Figure:
    """One indicator of one region for one year, with everything derived from it."""

    indicator: Indicator
    value: Decimal | None
    is_lower_bound: bool = False
    target: Target | None = None
    last_year: Decimal | None = None
    rollup: Decimal | None = None
    rank: int | None = None
    ranked: int = 0
    history: list[tuple[int, Decimal]] = field(default_factory=list)
    badge: Status = Status.NO_DATA  # status() as of the day the summary was made

    @property
    def completion(self) -> figures.Completion:
        if self.target is None:
            return figures.completion(actual=None, target=None, comparator="gte", kind="count")
        return figures.completion(
            actual=self.value,
            target=self.target.value,
            comparator=self.target.comparator,
            kind=self.indicator.kind,
        )

    @property
    def growth(self) -> Decimal | None:
        return figures.growth(current=self.value, previous=self.last_year)

    def status(self, year: int, today: date) -> Status:
        """Met / not met once the year is over; on track / behind for a flow during the year."""
        completion = self.completion
        if completion.status == Status.NO_DATA:
            return Status.NO_DATA
        in_year = today.year == year
        ceiling = self.target.comparator == "lte"  # a ceiling can still be broken until Dec 31
        if (
            in_year
            and self.indicator.time_nature == TimeNature.FLOW
            and (ceiling or not completion.met)
        ):
            return figures.pace(
                year_to_date=self.value,
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
        """The mean completion ratio of the plan's indicators with a target and a ratio (≤ 100%
        each, so one overachiever does not hide a miss)."""
        ratios = [
            min(f.completion.ratio, Decimal(1))
            for f in self.with_target
            if f.completion.ratio is not None
        ]
        return sum(ratios) / len(ratios) if ratios else None


@dataclass
class RegionSummary:
    region: Region
    year: int
    ancestors: list[Region]
    children: list[Region]
    siblings: list[Region]
    programs: list[tuple[Program, list[PlanSummary]]]
    figures: dict[int, Figure]
    comparison: dict[int, dict[int, Decimal]]  # indicator → child region id → value
    years: list[int]
    data_as_of: datetime | None

    @property
    def headline(self) -> list[Figure]:
        """Indicators with a target first (as the texts lead with them), then the rest."""
        ranked = sorted(
            self.figures.values(),
            key=lambda f: (f.target is None, f.value is None, f.indicator.code),
        )
        return [f for f in ranked if f.value is not None or f.target is not None][:6]

    def child_ranking(self, indicator_id: int) -> list[tuple[Region, Decimal | None, int | None]]:
        values = self.comparison.get(indicator_id, {})
        indicator = self.figures[indicator_id].indicator
        places = figures.rank(
            {c.pk: values.get(c.pk) for c in self.children},
            higher_is_better=indicator.direction == Direction.HIGHER_BETTER,
        )
        rows = [(c, values.get(c.pk), places.get(c.pk)) for c in self.children]
        return sorted(rows, key=lambda r: (r[2] is None, r[2] or 0, r[0].code))


def region_summary(region: Region, year: int, *, today: date | None = None) -> RegionSummary:
    """Everything the region page shows, in five queries."""
    today = today or timezone.localdate()
    ancestors = list(region.ancestors())
    neighbours = list(
        Region.objects.filter(
            Q(parent_id=region.pk) | Q(parent_id=region.parent_id)
            if region.parent_id
            else Q(parent_id=region.pk)
        ).order_by("code")
    )
    children = [r for r in neighbours if r.parent_id == region.pk]
    siblings = [r for r in neighbours if r.parent_id == region.parent_id] or [region]
    links = list(
        PlanIndicator.objects.filter(plan__program__in=programs_for(region, year))
        .select_related("plan__program", "indicator")
        .order_by("plan__program__name", "plan__order", "plan_id", "order", "pk")
    )
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(
            region=region, period__year=year, period__kind="year"
        ).select_related("indicator")
    }
    rows = RegionFigure.objects.filter(
        Q(region=region) | Q(region_id__in=[r.pk for r in neighbours], year=year)
    ).values(
        "region_id", "indicator_id", "year", "value", "is_lower_bound", "approved_at", "rollup"
    )

    per_key: dict[tuple[int, int], dict[int, dict]] = defaultdict(dict)
    indicator_ids = {link.indicator_id for link in links} | set(targets)
    own_or_below = {region.pk} | {c.pk for c in children}
    for row in rows:
        per_key[(row["region_id"], row["indicator_id"])][row["year"]] = row
        if row["region_id"] in own_or_below and row["value"] is not None:
            indicator_ids.add(row["indicator_id"])
    indicators = {link.indicator_id: link.indicator for link in links}
    indicators |= {t.indicator_id: t.indicator for t in targets.values() if t.indicator_id}
    missing = indicator_ids - set(indicators)
    if missing:
        indicators |= Indicator.objects.in_bulk(missing)

    def value_of(region_id, indicator_id, in_year=year) -> Decimal | None:
        row = per_key.get((region_id, indicator_id), {}).get(in_year)
        return row["value"] if row else None

    result: dict[int, Figure] = {}
    comparison: dict[int, dict[int, Decimal]] = defaultdict(dict)
    years, latest = set(), None
    for indicator_id in indicator_ids:
        indicator = indicators[indicator_id]
        own = {
            y: row
            for y, row in per_key.get((region.pk, indicator_id), {}).items()
            if row["value"] is not None
        }
        years |= set(own)
        for row in own.values():
            if row["approved_at"] and (latest is None or row["approved_at"] > latest):
                latest = row["approved_at"]
        this_year = own.get(year)
        figure = Figure(
            indicator=indicator,
            value=this_year["value"] if this_year else None,
            is_lower_bound=bool(this_year["is_lower_bound"]) if this_year else False,
            target=targets.get(indicator_id),
            last_year=value_of(region.pk, indicator_id, year - 1),
            history=sorted((y, row["value"]) for y, row in own.items()),
        )
        rolled = per_key.get((region.pk, indicator_id), {}).get(year)
        figure.rollup = rolled["rollup"] if rolled else None
        comparison[indicator_id] = {
            child.pk: value
            for child in children
            if (value := value_of(child.pk, indicator_id)) is not None
        }
        sibling_values = {s.pk: value_of(s.pk, indicator_id) for s in siblings}
        places = figures.rank(
            sibling_values, higher_is_better=indicator.direction == Direction.HIGHER_BETTER
        )
        figure.rank, figure.ranked = places.get(region.pk), len(places)
        figure.badge = figure.status(year, today)
        result[indicator_id] = figure

    programs: dict[int, tuple[Program, dict]] = {}
    for link in links:
        program = link.plan.program
        plans = programs.setdefault(program.pk, (program, {}))[1]
        summary = plans.setdefault(link.plan_id, PlanSummary(plan=link.plan, figures=[]))
        if link.indicator_id in result and result[link.indicator_id] not in summary.figures:
            summary.figures.append(result[link.indicator_id])
    return RegionSummary(
        region=region,
        year=year,
        ancestors=ancestors,
        children=children,
        siblings=siblings,
        programs=[(program, list(plans.values())) for program, plans in programs.values()],
        figures=result,
        comparison=dict(comparison),
        years=sorted(years | ({year} if targets else set())),
        data_as_of=latest,
    )


def default_year(region: Region) -> int:
    """The latest year with approved figures for the region, else last year."""
    latest = approved_reports().filter(region=region).aggregate(Max("period__year"))
    return latest["period__year__max"] or timezone.localdate().year - 1


# A site whose few regions hold many approvals lists fewer regions rather than read them all.
MAX_RECENT_WINDOW = 100_000


def recently_updated(limit: int = 8) -> list[tuple[Region, datetime]]:
    """The regions whose figures were approved last, newest first. Reads the latest approvals
    backwards by the partial index on approval time until `limit` regions are found, so the cost
    does not grow with the number of reports."""
    latest: dict[int, datetime] = {}
    window = limit * 25
    while True:
        rows = list(
            approved_reports()
            .filter(reviewed_at__isnull=False)
            .order_by("-reviewed_at")
            .values_list("region_id", "reviewed_at")[:window]
        )
        for region_id, reviewed_at in rows:
            latest.setdefault(region_id, reviewed_at)
            if len(latest) == limit:
                break
        if len(latest) >= limit or len(rows) < window or window >= MAX_RECENT_WINDOW:
            break
        latest.clear()
        window *= 8
    regions = Region.objects.in_bulk(list(latest))
    return [(regions[pk], at) for pk, at in latest.items()]


def headline_region() -> Region | None:
    """The highest region in the tree that has approved figures (most figures breaks ties).
    Reads the precomputed own figures level by level from the top: a few index lookups."""
    levels = Region.objects.order_by("level").values_list("level", flat=True).distinct()
    for level in levels:
        row = (
            RegionFigure.objects.filter(region__level=level, value__isnull=False)
            .values("region_id")
            .annotate(n=Count("year"))
            .order_by("-n", "region_id")
            .first()
        )
        if row:
            return Region.objects.get(pk=row["region_id"])
    return None
