"""One indicator of a region over the years and across its sub-regions: the indicator page's
figures, from the same precomputed `RegionFigure` rows, `figure_from_rows` and `rank_regions` as
the region page (`programs.dashboard`), so both pages show the same numbers."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from regions.choices import RegionLevel
from regions.models import Region

from ..choices import PeriodKind
from ..models import Indicator, RegionFigure, Target
from .core import FIGURE_FIELDS, Figure, Ranking, add_period_steps, figure_from_rows, rank_regions


@dataclass
class IndicatorYears:
    reported: list[int]  # with an approved figure of the region or one of its sub-regions
    targeted: list[int]  # with a yearly target of the region or one of its sub-regions

    @property
    def all(self) -> list[int]:
        return sorted(set(self.reported) | set(self.targeted))

    def default(self, today: date) -> int:
        """The latest year with approved figures, else the latest target year that has begun."""
        if self.reported:
            return self.reported[-1]
        begun = [year for year in self.targeted if year <= today.year]
        return begun[-1] if begun else today.year - 1


@dataclass
class YearFigure:
    """One year of a region's own trend."""

    year: int
    figure: Figure


@dataclass
class IndicatorFigures:
    """One indicator for a region: its own years, and its direct sub-regions in `year`."""

    indicator: Indicator
    region: Region
    year: int
    years: IndicatorYears
    trend: list[YearFigure]
    sub_regions: dict[int, Figure]  # region id → figure, for those with a figure or target
    ranking: Ranking  # the sub-regions with a figure in `year`
    data_as_of: datetime | None

    @property
    def current(self) -> Figure | None:
        return next((row.figure for row in self.trend if row.year == self.year), None)

    @property
    def year_links(self) -> list[int]:
        return sorted(set(self.years.all) | {self.year})

    def for_sub_region(self, region: Region) -> Figure:
        """The figure of one of the sub-regions (an empty one, ranked among the others, for a
        sub-region without any)."""
        figure = self.sub_regions.get(region.pk)
        if figure is None:
            figure = Figure(self.indicator, None, ranked=self.ranking.ranked)
        return figure


def indicator_figures(
    indicator: Indicator,
    region: Region,
    year: int | None = None,
    *,
    today: date | None = None,
) -> IndicatorFigures:
    """Everything the indicator page shows, in two queries: the precomputed figures and the
    yearly targets of the region and its direct sub-regions, over all years (a bounded set: one
    indicator, a region's children, the years of the data); a third for 环比 when a figure of
    `year` stands on sub-year reports (`add_period_steps`). Without `year`, the latest year
    with approved figures (`IndicatorYears.default`)."""
    today = today or timezone.localdate()
    here = Region.objects.filter(Q(pk=region.pk) | Q(parent_id=region.pk)).values("pk")
    rows = RegionFigure.objects.filter(indicator=indicator, region_id__in=here).values(
        *FIGURE_FIELDS
    )
    targets = Target.objects.filter(
        indicator=indicator, region_id__in=here, period__kind=PeriodKind.YEAR
    ).select_related("period")

    by_region: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        by_region[row["region_id"]][row["year"]] = row
    targets_of: dict[int, dict[int, Target]] = defaultdict(dict)
    for target in targets:
        targets_of[target.region_id][target.period.year] = target
    years = IndicatorYears(
        reported=sorted(
            {
                y
                for per_year in by_region.values()
                for y, row in per_year.items()
                if row["value"] is not None
            }
        ),
        targeted=sorted({y for per_year in targets_of.values() for y in per_year}),
    )
    if year is None:
        year = years.default(today)

    own, own_targets = by_region.pop(region.pk, {}), targets_of.pop(region.pk, {})
    trend = [
        YearFigure(y, figure_from_rows(indicator, own, y, target=own_targets.get(y), today=today))
        for y in sorted(set(own) | set(own_targets) | {year})
    ]
    data_as_of = max(
        (row["approved_at"] for row in own.values() if row["approved_at"]), default=None
    )
    sub_regions = {
        region_id: figure_from_rows(
            indicator,
            by_region.get(region_id, {}),
            year,
            target=targets_of.get(region_id, {}).get(year),
            today=today,
        )
        for region_id in set(by_region) | set(targets_of)
    }
    ranking = rank_regions(
        {region_id: figure.value for region_id, figure in sub_regions.items()},
        indicator=indicator,
        lower_bounds=[region_id for region_id, f in sub_regions.items() if f.is_lower_bound],
    )
    for region_id, figure in sub_regions.items():
        figure.rank, figure.ranked = ranking.place(region_id), ranking.ranked
        figure.position = ranking.order.get(region_id)
    in_year = {region_id: {indicator.pk: f} for region_id, f in sub_regions.items()}
    in_year[region.pk] = {indicator.pk: next(row.figure for row in trend if row.year == year)}
    add_period_steps(in_year, year)
    return IndicatorFigures(indicator, region, year, years, trend, sub_regions, ranking, data_as_of)


def indicator_default_region(indicator: Indicator) -> str | None:
    """The code of the highest region with an approved figure of the indicator (the first in
    tree order among equals). Level by level from the top, each query probing the figures' key
    for that level's regions only: one query when a province has the figure, at most one per
    level."""
    with_figure = RegionFigure.objects.filter(
        region_id=OuterRef("pk"), indicator=indicator, value__isnull=False
    )
    for level in sorted(RegionLevel.values):
        found = (
            Region.objects.filter(Exists(with_figure), level=level)
            .order_by("path")
            .values_list("code", flat=True)
            .first()
        )
        if found is not None:
            return found
    return None
