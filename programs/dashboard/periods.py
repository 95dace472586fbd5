"""环比: a region's latest sub-year period against the one before it, inside the year.

A region's year figure may stand on sub-year reports only (`RegionFigure.through`); its latest
period is then compared with the previous period of the same kind (Q3 with Q2, month 7 with
month 6), from the approved reports themselves — each period's own value (for a flow the
period's amount, not the year so far). The grain is the roll-ups' (`programs.rollups`): the
coarsest sub-year kind the region reported for the indicator; a year report stands for the
whole year, with nothing to compare. The first period of a year has no previous one here: last
year's periods are year-over-year's business.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .. import figures
from ..choices import PeriodKind
from .approved import approved_reports

SUB_YEAR_COARSEST_FIRST = (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH)


@dataclass(frozen=True)
class PeriodStep:
    """The latest period of a region's sub-year figures, and the period before it (None for the
    first of the year, or one not reported)."""

    kind: PeriodKind
    number: int
    value: Decimal
    is_lower_bound: bool = False
    previous_number: int | None = None
    previous_value: Decimal | None = None
    previous_is_lower_bound: bool = False

    @property
    def change(self) -> Decimal | None:
        """The change against the previous period as a fraction (0.12 is +12%)."""
        return figures.period_change(current=self.value, previous=self.previous_value)

    @property
    def change_bound(self) -> str:
        """ "≥" / "≤" / "≈" before a change computed from a lower bound ("" when exact)."""
        if self.previous_value is None:
            return ""
        return figures.growth_bound(
            is_lower_bound=self.is_lower_bound,
            last_year_is_lower_bound=self.previous_is_lower_bound,
        )


def previous_periods(
    region_ids: Iterable[int], indicator_ids: Iterable[int], year: int
) -> dict[tuple[int, int], PeriodStep]:
    """(region id, indicator id) → its `PeriodStep` in `year`, for the pairs whose figure stands
    on sub-year reports; one query over the approved reports of the year (none without ids)."""
    region_ids, indicator_ids = set(region_ids), set(indicator_ids)
    if not region_ids or not indicator_ids:
        return {}
    rows = approved_reports().filter(
        region_id__in=region_ids, indicator_id__in=indicator_ids, period__year=year
    )
    reported: dict[tuple[int, int], dict[tuple[str, int], tuple[Decimal, bool]]]
    reported = defaultdict(dict)
    for region_id, indicator_id, kind, number, value, lower in rows.values_list(
        "region_id", "indicator_id", "period__kind", "period__number", "value", "is_lower_bound"
    ):
        reported[(region_id, indicator_id)][(kind, number)] = (value, lower)
    steps = {}
    for key, periods in reported.items():
        kinds = {kind for kind, _ in periods}
        if PeriodKind.YEAR in kinds:
            continue
        kind = next(k for k in SUB_YEAR_COARSEST_FIRST if k in kinds)
        number = max(n for k, n in periods if k == kind)
        value, lower = periods[(kind, number)]
        previous = periods.get((kind, number - 1))
        steps[key] = PeriodStep(
            kind=PeriodKind(kind),
            number=number,
            value=value,
            is_lower_bound=lower,
            previous_number=number - 1 if number > 1 else None,
            previous_value=previous[0] if previous else None,
            previous_is_lower_bound=bool(previous and previous[1]),
        )
    return steps
