"""What a region's page says of its neighbours: the sub-regions (or siblings) ranked on an
indicator, and whether the sub-regions' targets cover the region's own (the target cascade).

`rank_regions` is the one ranking of regions on an indicator (the region page's sub-regions and
the region's place among its siblings, the indicator page, the API and the Word report): places
only where at least MIN_RANKED regions have a figure — "第1 / 共1" says nothing, and of two the
second is simply the other — and never on a rank or milestone indicator, whose figure is a place
in someone else's ranking or done / not done; the regions are still ordered best first.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from regions.models import Region

from .. import figures
from ..choices import Direction, IndicatorKind
from ..models import Indicator, Target

MIN_RANKED = 3

# The kinds whose figure is itself a place or a yes/no: never ranked by a place of ours.
NOT_RANKED_KINDS = (IndicatorKind.RANK, IndicatorKind.MILESTONE)


@dataclass(frozen=True)
class CascadeGap:
    """A region's year target that its sub-regions' targets, combined by the indicator's rule,
    do not cover (`figures.cascade_gap`): "下级目标合计 3,000，低于本级目标 10,000"."""

    target: Target
    children: Decimal
    count: int  # how many sub-regions' targets were combined

    @property
    def message(self) -> str:
        indicator = self.target.indicator
        return figures.cascade_message(
            rule=indicator.rollup,
            ceiling=figures.is_ceiling(self.target.comparator, indicator.direction),
            children=self.children,
            target=self.target.value,
        )


def cascade_gaps(
    targets: Mapping[int, Target], children_targets: Iterable[Target], children: list[Region]
) -> dict[int, CascadeGap]:
    """The region's year targets (by indicator id) against those of its sub-regions, zones
    counted in their parent left out as the roll-ups leave them (`target_cascade` checks the
    same for the catalog admins; this reads targets the region page has in hand)."""
    counted = {c.pk for c in children if c.counted_in_parent}
    values: dict[int, list[Decimal]] = defaultdict(list)
    for target in children_targets:
        if target.region_id not in counted:
            values[target.indicator_id].append(target.value)
    gaps = {}
    for indicator_id, target in targets.items():
        indicator = target.indicator
        gap = figures.cascade_gap(
            target=target.value,
            comparator=target.comparator,
            direction=indicator.direction,
            children=values.get(indicator_id, []),
            rule=indicator.rollup,
        )
        if gap is not None:
            gaps[indicator_id] = CascadeGap(
                target=target, children=gap, count=len(values[indicator_id])
            )
    return gaps


# --- The sub-region ranking -----------------------------------------------------------------------


class Place(NamedTuple):
    """One region in a ranking: its own figure, with its lower-bound mark, and its place (None
    without a figure)."""

    region: Region
    value: Decimal | None
    rank: int | None
    is_lower_bound: bool = False
    rollup: Decimal | None = None  # the region's own sub-regions combined, shown beside it
    rollup_is_lower_bound: bool = False
    through: int | None = None  # the last month its figure covers, where less than the year


@dataclass(frozen=True)
class Ranking:
    """Regions compared on one indicator in one year (DESIGN.md, "ranking 排名")."""

    values: dict[int, Decimal]  # region id → figure, for the regions that have one
    # region id → place, in standard competition order ("1224"); empty where fewer than
    # MIN_RANKED regions have a figure, and for a rank or milestone indicator (not ours to rank)
    places: dict[int, int]
    lower_bounds: frozenset[int] = frozenset()  # regions whose figure is a lower bound
    # region id → (its roll-up, whether that is a lower bound), for the regions that have one
    rollups: Mapping[int, tuple[Decimal, bool]] = field(default_factory=dict)
    # region id → position, best first (as `places`, but for any number of regions): the order of
    # the table and chart where no place is shown
    order: Mapping[int, int] = field(default_factory=dict)
    # region id → the last month its figure covers, for figures covering part of the year
    coverage: Mapping[int, int] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        """Whether any region has a figure or a roll-up to show."""
        return bool(self.values or self.rollups)

    @property
    def ranked(self) -> int:
        """How many regions have a place."""
        return len(self.places)

    def place(self, region_id: int) -> int | None:
        return self.places.get(region_id)

    def table(self, regions: Iterable[Region]) -> list[Place]:
        """`regions` by place; ties, and the regions without a figure (last), by code."""
        rows = [
            Place(
                r,
                self.values.get(r.pk),
                self.places.get(r.pk),
                r.pk in self.lower_bounds,
                *self.rollups.get(r.pk, (None, False)),
                self.coverage.get(r.pk),
            )
            for r in regions
        ]
        order = self.order or self.places
        return sorted(
            rows,
            key=lambda p: (p.region.pk not in order, order.get(p.region.pk, 0), p.region.code),
        )


def rank_regions(
    values: Mapping[int, Decimal | None],
    *,
    indicator: Indicator,
    lower_bounds: Iterable[int] = (),
    rollups: Mapping[int, tuple[Decimal, bool]] | None = None,
    coverage: Mapping[int, int] | None = None,
) -> Ranking:
    """The one ranking of regions on an indicator: the region page's sub-regions and the region's
    place among its siblings, the indicator page's sub-regions, the API and the Word report all
    rank with it. `values` maps region ids to their own figures (None has no place);
    `lower_bounds` names those whose figure is a lower bound (ranked by the figure as given).
    `rollups` are the regions' roll-ups with their lower-bound marks, shown beside the places
    but never ranked: a roll-up is not the region's own figure. Places are given only where at
    least MIN_RANKED regions have a figure, and never on a rank or milestone indicator (whose
    figure is a place in someone else's ranking, or done / not done); the regions are still
    ordered best first."""
    known = {region_id: value for region_id, value in values.items() if value is not None}
    order = figures.rank(known, higher_is_better=indicator.direction == Direction.HIGHER_BETTER)
    places = order if len(known) >= MIN_RANKED and indicator.kind not in NOT_RANKED_KINDS else {}
    marked = frozenset(region_id for region_id in lower_bounds if region_id in known)
    return Ranking(
        values=known,
        places=places,
        lower_bounds=marked,
        rollups=dict(rollups or {}),
        order=order,
        coverage=dict(coverage or {}),
    )
