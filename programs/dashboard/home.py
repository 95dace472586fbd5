"""Where pages start: the default year of a region (or program), the regions approved last, and
the highest region with figures (the home page)."""

from datetime import datetime

from django.db.models import Count, Max, Q
from django.utils import timezone

from regions.models import Region

from ..choices import RollupRule
from ..models import Indicator, PlanIndicator, Program, RegionFigure
from .approved import approved_reports

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


def default_year(
    region: Region, *, within: tuple[int, int] | None = None, program: Program | None = None
) -> int:
    """The latest year with approved data of the region's subtree — its own figure or the roll-up
    of those below it (which reaches through every level), or a sub-region's figure that no
    roll-up holds (`_not_rolled_up`) — else last year. `within` keeps to those years (a
    program's), `program` to its indicators. One query, reading the region's and its
    sub-regions' rows by their key."""
    here = Region.objects.filter(Q(pk=region.pk) | Q(parent_id=region.pk))
    counted = here.filter(parent_id=region.pk, counted_in_parent=True).values("pk")
    not_rolled = Indicator.objects.filter(rollup=RollupRule.NONE).values("pk")
    rows = RegionFigure.objects.filter(region_id__in=here.values("pk")).filter(
        Q(region_id=region.pk, value__isnull=False)
        | Q(region_id=region.pk, rollup__isnull=False)
        | Q(value__isnull=False) & (Q(region_id__in=counted) | Q(indicator_id__in=not_rolled))
    )
    fallback = timezone.localdate().year - 1
    if within is not None:
        rows = rows.filter(year__range=within)
        fallback = min(max(fallback, within[0]), within[1])
    if program is not None:
        rows = rows.filter(
            indicator_id__in=PlanIndicator.objects.filter(plan__program=program).values(
                "indicator_id"
            )
        )
    return rows.aggregate(Max("year"))["year__max"] or fallback
