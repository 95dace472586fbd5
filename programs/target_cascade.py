"""Target cascade: do the sub-regions' targets add up to their region's target?

A region's year target for an indicator (its *own* target, set by any program) is *covered* when
its sub-regions, each meeting its own year target, would make the region meet its target, the
region's figure being the roll-up of theirs (`figures.rollup`):

- each sub-region's target is read as what it commits to: for a higher-is-better indicator (a
  target "≥ T", or "= T") a figure of at least T, for a lower-is-better one (a ceiling "≤ T", or
  "= T") a figure of at most T. A target "=" is read as the bound in the indicator's direction, as
  `figures.pace` reads it: a region going further than its "=" target in the good direction is not
  a shortfall of the cascade. Target.clean keeps every comparator on the indicator's side;
  where the region's own comparator says "≥" or "≤" it decides, an "=" goes by the direction;
- the sub-regions' targets are combined by the indicator's roll-up rule: their sum, maximum,
  minimum or mean (the mean rounded to four decimals, as the roll-ups store it); every one of those
  grows with its inputs, so the combination of the sub-regions' bounds bounds the roll-up;
- a floor "≥ Y" (or "= Y", higher is better) falls short when the combination is *below* Y
  ("下级目标合计 X，低于本级目标 Y"); a ceiling "≤ Y" (or "= Y", lower is better) when it is *above*
  Y: then the sub-regions may all keep within their ceilings and the region still exceed its own;
- rule "none" (ranks among siblings and the like): no roll-up, so no cascade and no warning.

Which sub-regions: the region's direct children with a year target for the same indicator and
year, leaving out zones counted in their parent (Region.counted_in_parent), as the roll-ups do —
their figures are counted in a sibling already, and so are their targets. A region is checked only
where it and at least one such child have a target. Children without a target are left out, not
taken as zero; for a sum of floors that is the honest reading (a figure is never negative, so the
targets set are a floor of the sum whatever the others do), for a ceiling or a maximum, minimum or
mean the check says what the targets set imply, no more. Grandchildren are not looked through a
child without a target: the check is between one level and the next. Only year targets are
checked (the figures that stand for a year); sub-year targets are left alone.

Every function reads in a fixed number of queries whatever the number of targets: the region's
targets (given, or one query) and their children's targets (one query).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import PeriodKind
from .figures import cascade_gap, cascade_message, is_ceiling
from .models import Program, Target

__all__ = [
    "Shortfall",
    "cascade_gap",
    "planned_target_shortfalls",
    "program_target_shortfalls",
    "region_target_shortfalls",
    "shortfalls_of",
    "target_shortfalls",
]


# (indicator code, year, region id): the code, because a target planned in a catalog import may
# be of an indicator the same file adds (no id yet).
_Key = tuple[str, int, int]


@dataclass(frozen=True)
class Shortfall:
    """A region's year target that its sub-regions' targets do not cover."""

    target: Target  # the region's own (with its indicator, region and period)
    year: int
    children: Decimal  # the sub-regions' targets combined by the indicator's rule
    count: int  # how many sub-regions' targets were combined

    @property
    def above(self) -> bool:
        """A ceiling exceeded (rather than a floor not reached)."""
        return is_ceiling(self.target.comparator, self.target.indicator.direction)

    def message(self) -> str:
        """ "Sub-regions' targets add up to 3,000, below this region's target 10,000"."""
        target = self.target
        return cascade_message(
            rule=target.indicator.rollup,
            ceiling=self.above,
            children=self.children,
            target=target.value,
        )

    def label(self) -> str:
        """Where it is: "嘉兴市 · 职业技能培训人次 · 2024"."""
        target = self.target
        return f"{target.region.name} · {target.indicator.name} · {self.year}"

    def __str__(self) -> str:
        return _("%(where)s: %(message)s") % {"where": self.label(), "message": self.message()}


# Reads ------------------------------------------------------------------------------------------


def shortfalls_of(targets: Iterable[Target]) -> list[Shortfall]:
    """The shortfalls among these targets (loaded with their indicator, region and period; a
    sub-year one is skipped), each against its sub-regions' stored targets: one query.

    For the region page, which has the region's targets of the year in hand already.
    """
    return _shortfalls(list(targets), planned={})


def region_target_shortfalls(*, region, year: int) -> dict[int, Shortfall]:
    """The shortfalls of a region's year targets of `year`, by indicator id: two queries (one
    with `shortfalls_of` where the targets are in hand). For the region page's figure table."""
    targets = Target.objects.filter(
        region=region, period__year=year, period__kind=PeriodKind.YEAR
    ).select_related("indicator", "region", "period")
    return {found.target.indicator_id: found for found in shortfalls_of(targets)}


def target_shortfalls(
    keys: Iterable[tuple[int, int, int]],
) -> dict[tuple[int, int, int], Shortfall]:
    """The shortfalls of the regions' year targets named by (indicator id, year, region id): two
    queries. Keys without a target, or whose target is covered, are not in the result."""
    keys = set(keys)
    if not keys:
        return {}
    candidates = Target.objects.filter(
        period__kind=PeriodKind.YEAR,
        indicator_id__in={indicator for indicator, _year, _region in keys},
        period__year__in={year for _indicator, year, _region in keys},
        region_id__in={region for _indicator, _year, region in keys},
    ).select_related("indicator", "region", "period")
    targets = [t for t in candidates if (t.indicator_id, t.period.year, t.region_id) in keys]
    return {
        (found.target.indicator_id, found.year, found.target.region_id): found
        for found in shortfalls_of(targets)
    }


def program_target_shortfalls(program: Program) -> list[Shortfall]:
    """The shortfalls of the year targets this program sets, each against its sub-regions'
    targets (whichever program set those): two queries."""
    targets = (
        Target.objects.filter(plan__program=program, period__kind=PeriodKind.YEAR)
        .select_related("indicator", "region", "period")
        .order_by("-period__year", "region__path", "indicator__code")
    )
    return shortfalls_of(targets)


def planned_target_shortfalls(planned: Iterable[Target]) -> list[Shortfall]:
    """The shortfalls a catalog import would leave: its targets (saved or not, as the file has
    them, with their indicator, region and period set) in place of the stored ones, checked as a
    region's target and as a sub-region's under its parent's target. Two queries."""
    planned = {_key(t): t for t in planned if t.period.kind == PeriodKind.YEAR}
    if not planned:
        return []
    parents = {t.region.parent_id for t in planned.values() if t.region.parent_id}
    stored = Target.objects.filter(
        period__kind=PeriodKind.YEAR,
        region_id__in=parents,
        indicator__code__in={code for code, _year, _region in planned},
        period__year__in={year for _code, year, _region in planned},
    ).select_related("indicator", "region", "period")
    targets = {_key(t): t for t in stored}
    targets.update(planned)
    found = _shortfalls(list(targets.values()), planned=planned)
    return sorted(found, key=lambda f: (f.year, f.target.region.path, f.target.indicator.code))


# The computation --------------------------------------------------------------------------------


def _key(target: Target) -> _Key:
    return (target.indicator.code, target.period.year, target.region_id)


def _shortfalls(targets: list[Target], *, planned: dict[_Key, Target]) -> list[Shortfall]:
    """Each year target of `targets` against its children's targets: the stored ones (one
    query) with `planned` in place of the stored ones of the same key."""
    targets = [t for t in targets if t.period.kind == PeriodKind.YEAR]
    if not targets:
        return []
    children = _children_targets(targets, planned)
    found = []
    for target in targets:
        key = _key(target)
        values = children.get(key, [])
        indicator = target.indicator
        gap = cascade_gap(
            target=target.value,
            comparator=target.comparator,
            direction=indicator.direction,
            children=values,
            rule=indicator.rollup,
        )
        if gap is not None:
            found.append(Shortfall(target=target, year=key[1], children=gap, count=len(values)))
    return found


def _children_targets(targets: list[Target], planned: dict[_Key, Target]) -> dict[_Key, list]:
    """The values of the children's year targets under each target's key (indicator code, year,
    parent id), zones counted in their parent left out: one query, then the planned ones."""
    parents = {t.region_id for t in targets}
    codes = {t.indicator.code for t in targets}
    years = {t.period.year for t in targets}
    rows = Target.objects.filter(
        Q(region__parent_id__in=parents)
        & Q(region__counted_in_parent=False)
        & Q(period__kind=PeriodKind.YEAR)
        & Q(indicator__code__in=codes)
        & Q(period__year__in=years)
    ).values_list("indicator__code", "period__year", "region_id", "region__parent_id", "value")
    # (child's key) -> (parent's key, value): a planned target takes its stored one's place.
    by_child = {
        (code, year, region): ((code, year, parent), value)
        for code, year, region, parent, value in rows
    }
    for key, target in planned.items():
        region = target.region
        if region.parent_id in parents and not region.counted_in_parent:
            by_child[key] = ((key[0], key[1], region.parent_id), target.value)
    children: dict[_Key, list[Decimal]] = defaultdict(list)
    for parent_key, value in by_child.values():
        children[parent_key].append(value)
    return children
