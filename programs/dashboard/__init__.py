"""The public figures: every number a dashboard, download or open-data answer shows.

`core` reads a region's figures (the region page, the API summary, the Word report, the ranking
of sub-regions every page shares); `indicator` reads one indicator over the years and across the
sub-regions (the indicator page) from the same rows with the same functions; `periods` compares
a sub-year figure's latest period with the one before (环比); `approved` is the one filter on
the reports themselves.
"""

from .approved import APPROVED, approved_reports
from .core import (
    FIGURE_FIELDS,
    Figure,
    Place,
    PlanSummary,
    Ranking,
    RegionSummary,
    add_period_steps,
    default_year,
    figure_from_rows,
    headline_region,
    rank_regions,
    recently_updated,
    region_summary,
)
from .indicator import (
    IndicatorFigures,
    IndicatorYears,
    YearFigure,
    indicator_default_region,
    indicator_figures,
)
from .periods import PeriodStep, previous_periods

__all__ = [
    "APPROVED",
    "FIGURE_FIELDS",
    "Figure",
    "IndicatorFigures",
    "IndicatorYears",
    "PeriodStep",
    "Place",
    "PlanSummary",
    "Ranking",
    "RegionSummary",
    "YearFigure",
    "add_period_steps",
    "approved_reports",
    "default_year",
    "figure_from_rows",
    "headline_region",
    "indicator_default_region",
    "indicator_figures",
    "previous_periods",
    "rank_regions",
    "recently_updated",
    "region_summary",
]
