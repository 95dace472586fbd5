"""Reads for the officials' pages, each in a fixed number of queries whatever the data size."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone

from regions.access import Action, filter_by_region, regions_where
from regions.models import PATH_SEPARATOR, Region

from . import figures
from .choices import PERIODS_PER_YEAR, PeriodKind, ReportState
from .models import (
    Indicator,
    Job,
    Measure,
    PeriodReopening,
    Plan,
    PlanIndicator,
    Program,
    ProgressReport,
    ReportingPeriod,
    Target,
)


def previous_period_key(period: ReportingPeriod) -> tuple[str, int, int]:
    if period.number > 1:
        return (period.kind, period.year, period.number - 1)
    return (period.kind, period.year - 1, PERIODS_PER_YEAR[PeriodKind(period.kind)])


def last_year_key(period: ReportingPeriod) -> tuple[str, int, int]:
    return (period.kind, period.year - 1, period.number)


def open_periods(user, at: datetime | None = None) -> list[ReportingPeriod]:
    """Periods in their window now, plus closed ones reopened for a region the user enters."""
    at = at or timezone.now()
    reopened = PeriodReopening.objects.filter(
        until__gt=at, region__in=regions_where(user, Action.ENTER)
    ).values("period_id")
    return list(
        ReportingPeriod.objects.filter(
            Q(locked=False, opens_at__lte=at, deadline__gt=at) | Q(pk__in=reopened)
        ).order_by("deadline")
    )


def closed_periods(limit: int = 8) -> list[ReportingPeriod]:
    """The most recent periods past their deadline or locked: what a catalog admin may reopen."""
    now = timezone.now()
    return list(
        ReportingPeriod.objects.filter(Q(locked=True) | Q(deadline__lte=now)).order_by("-deadline")[
            :limit
        ]
    )


def programs_for(region: Region, year: int) -> QuerySet[Program]:
    """The region's own programs running that year, and those above it that set it targets."""
    return (
        Program.objects.filter(start_year__lte=year, end_year__gte=year)
        .filter(
            Q(region=region)
            | Q(
                pk__in=Target.objects.filter(region=region, period__year=year).values(
                    "plan__program_id"
                )
            )
        )
        .select_related("region")
        .order_by("region__level", "name")
    )


def expected_indicators(regions, years) -> dict[tuple[int, int], set[int]]:
    """(region id, year) → the indicators the region reports that year: those of its own
    programs running then, and those a target was set for (two queries)."""
    expected: dict[tuple[int, int], set[int]] = defaultdict(set)
    for region_id, year_from, year_to, indicator_id in PlanIndicator.objects.filter(
        plan__program__region__in=regions,
        plan__program__start_year__lte=max(years),
        plan__program__end_year__gte=min(years),
    ).values_list(
        "plan__program__region_id",
        "plan__program__start_year",
        "plan__program__end_year",
        "indicator_id",
    ):
        for year in years:
            if year_from <= year <= year_to:
                expected[(region_id, year)].add(indicator_id)
    for region_id, year, indicator_id in Target.objects.filter(
        region__in=regions, period__year__in=years
    ).values_list("region_id", "period__year", "indicator_id"):
        expected[(region_id, year)].add(indicator_id)
    return expected


def tracked_indicators(pairs: set[tuple[Region, int]]) -> dict[tuple[int, int], set[int]]:
    """(region id, year) → the indicators a figure may be entered for: those of the programs of
    the region or of a region above it running that year, and those the region was set a target
    for (one query, whatever the number of pairs)."""
    tracked: dict[tuple[int, int], set[int]] = defaultdict(set)
    if not pairs:
        return tracked
    below: dict[str, list[tuple[int, int]]] = defaultdict(list)  # a region code → pairs under it
    for region, year in pairs:
        for code in region.path.split(PATH_SEPARATOR)[:-1] or [region.code]:
            below[code].append((region.pk, year))
    pk_of = {region.code: region.pk for region, _ in pairs}
    years = {year for _, year in pairs}
    fields = ("code", "year_from", "year_to", "indicator_id", "own")
    running = (
        PlanIndicator.objects.filter(
            plan__program__region__code__in=below,
            plan__program__start_year__lte=max(years),
            plan__program__end_year__gte=min(years),
        )
        .annotate(
            code=F("plan__program__region__code"),
            year_from=F("plan__program__start_year"),
            year_to=F("plan__program__end_year"),
            own=Value(False),
        )
        .order_by()  # no ordering inside a UNION (SQLite refuses it)
        .values_list(*fields)
    )
    targeted = (
        Target.objects.filter(region__in={region.pk for region, _ in pairs}, period__year__in=years)
        .annotate(
            code=F("region__code"),
            year_from=F("period__year"),
            year_to=F("period__year"),
            own=Value(True),
        )
        .order_by()
        .values_list(*fields)
    )
    for code, year_from, year_to, indicator_id, own in running.union(targeted, all=True):
        for region_id, year in below[code]:
            # a target is the region's own; a program's indicators hold below it too
            if year_from <= year <= year_to and (not own or region_id == pk_of[code]):
                tracked[(region_id, year)].add(indicator_id)
    return tracked


@dataclass
class RegionTasks:
    region: Region
    period: ReportingPeriod
    counts: Counter = field(default_factory=Counter)  # state (or "not_started") → indicators
    returned: list[ProgressReport] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def days_left(self) -> int:
        return (timezone.localdate(self.period.deadline) - timezone.localdate()).days


def official_tasks(user) -> list[RegionTasks]:
    """我的任务: for each open period and region the user enters, figures by state."""
    periods = open_periods(user)
    if not periods:
        return []
    regions = list(regions_where(user, Action.ENTER).order_by("path")[:200])
    expected = expected_indicators(regions, {p.year for p in periods})
    reports = ProgressReport.objects.filter(region__in=regions, period__in=periods).select_related(
        "indicator", "period", "region"
    )
    by_key = defaultdict(list)
    for report in reports:
        by_key[(report.region_id, report.period_id)].append(report)
    tasks = []
    for period in periods:
        for region in regions:
            task = RegionTasks(region=region, period=period)
            found = by_key[(region.pk, period.pk)]
            for report in found:
                task.counts[report.state] += 1
            reported = {r.indicator_id for r in found}
            task.counts["not_started"] = len(expected[(region.pk, period.year)] - reported)
            task.returned = [r for r in found if r.state == ReportState.RETURNED]
            if task.total:
                tasks.append(task)
    # Returned items first, then the nearest deadline.
    tasks.sort(key=lambda t: (not t.returned, t.period.deadline, t.region.path))
    return tasks


@dataclass
class EntryRow:
    plan: Plan
    measure: Measure | None
    indicator: Indicator
    target: Target | None
    report: ProgressReport | None
    previous_value: Decimal | None
    last_year_value: Decimal | None

    @property
    def completion(self) -> figures.Completion:
        if self.report is None or self.target is None:
            return figures.completion(actual=None, target=None, comparator="gte", kind="count")
        return figures.completion(
            actual=self.report.value,
            target=self.target.value,
            comparator=self.target.comparator,
            kind=self.indicator.kind,
        )

    @property
    def growth(self) -> Decimal | None:
        return figures.growth(
            current=self.report.value if self.report else None, previous=self.last_year_value
        )


def entry_rows(*, region: Region, period: ReportingPeriod, program: Program) -> list[EntryRow]:
    """Every indicator of the program, grouped by plan and measure, with what sits beside it."""
    links = list(
        PlanIndicator.objects.filter(plan__program=program)
        .select_related("plan", "measure", "indicator")
        .order_by("plan__order", "plan_id", "measure__order", "order", "pk")
    )
    indicator_ids = {link.indicator_id for link in links}
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(region=region, period=period, indicator_id__in=indicator_ids)
    }
    keys = {
        previous_period_key(period),
        last_year_key(period),
        (period.kind, period.year, period.number),
    }
    key_filter = Q()
    for kind, year, number in keys:
        key_filter |= Q(period__kind=kind, period__year=year, period__number=number)
    current, previous, last_year = {}, {}, {}
    for report in ProgressReport.objects.filter(
        key_filter, region=region, indicator_id__in=indicator_ids
    ).select_related("period", "updated_by"):
        key = (report.period.kind, report.period.year, report.period.number)
        if report.period_id == period.pk:
            current[report.indicator_id] = report
        # Beside the input, only approved figures count as last period's and last year's.
        if report.state == ReportState.APPROVED:
            if key == previous_period_key(period):
                previous[report.indicator_id] = report.value
            if key == last_year_key(period):
                last_year[report.indicator_id] = report.value
    rows, seen = [], set()
    for link in links:
        if link.indicator_id in seen:
            continue  # one figure per indicator, even when two plans track it
        seen.add(link.indicator_id)
        rows.append(
            EntryRow(
                plan=link.plan,
                measure=link.measure,
                indicator=link.indicator,
                target=targets.get(link.indicator_id),
                report=current.get(link.indicator_id),
                previous_value=previous.get(link.indicator_id),
                last_year_value=last_year.get(link.indicator_id),
            )
        )
    return rows


def review_queue(user, period: ReportingPeriod) -> QuerySet[ProgressReport]:
    """Submitted figures of the period in the reviewer's scope, with what the review shows."""
    return (
        filter_by_region(
            user,
            ProgressReport.objects.filter(period=period, state=ReportState.SUBMITTED),
            Action.REVIEW,
        )
        .select_related("region", "indicator", "submitted_by", "period")
        .prefetch_related("evidence")
        .order_by("region__path", "indicator__code")
    )


def review_periods(user) -> list[tuple[ReportingPeriod, int]]:
    """Periods with figures waiting for this reviewer, and how many."""
    waiting = dict(
        filter_by_region(
            user, ProgressReport.objects.filter(state=ReportState.SUBMITTED), Action.REVIEW
        )
        .values("period_id")
        .annotate(n=Count("id"))
        .values_list("period_id", "n")
    )
    periods = ReportingPeriod.objects.filter(pk__in=waiting).order_by("-year", "kind", "number")
    return [(p, waiting[p.pk]) for p in periods]


def previous_values(reports) -> dict[int, Decimal | None]:
    """For each report, the value of its previous history version (old → new in the review)."""
    ids = [r.pk for r in reports]
    history = ProgressReport.history.filter(id__in=ids).order_by("id", "-history_id")
    result: dict[int, list] = defaultdict(list)
    for record in history.values("id", "value"):
        result[record["id"]].append(record["value"])
    old = {}
    for report in reports:
        distinct = [v for v in result[report.pk] if v != report.value]
        old[report.pk] = distinct[0] if distinct else None
    return old


def targets_for(reports) -> dict[int, Target]:
    """Each report's target (same indicator, region and period), in one query."""
    reports = list(reports)
    if not reports:
        return {}
    condition = Q()
    for report in reports:
        condition |= Q(
            indicator_id=report.indicator_id, region_id=report.region_id, period_id=report.period_id
        )
    targets = {
        (t.indicator_id, t.region_id, t.period_id): t for t in Target.objects.filter(condition)
    }
    return {
        r.pk: targets.get((r.indicator_id, r.region_id, r.period_id))
        for r in reports
        if (r.indicator_id, r.region_id, r.period_id) in targets
    }


def own_jobs(user) -> QuerySet[Job]:
    """A user's jobs and their files are theirs alone (the runner re-checks the region scope)."""
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    return Job.objects.filter(user=user)
