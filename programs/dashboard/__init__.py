"""The public figures: every number a dashboard, download or open-data answer shows.

`core` reads a region's figures (the region page, the API summary, the Word report, the ranking
of sub-regions every page shares); `indicator` reads one indicator over the years and across the
sub-regions (the indicator page) from the same rows with the same functions; `neighbours` ranks
regions on an indicator and checks the sub-regions' targets against the region's.
"""

from .core import (
    APPROVED,
    FIGURE_FIELDS,
    Figure,
    Place,
    PlanSummary,
    Ranking,
    RegionSummary,
    approved_reports,
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
from .neighbours import MIN_RANKED, CascadeGap, cascade_gaps

__all__ = [
    "APPROVED",
    "FIGURE_FIELDS",
    "MIN_RANKED",
    "CascadeGap",
    "Figure",
    "IndicatorFigures",
    "IndicatorYears",
    "Place",
    "PlanSummary",
    "Ranking",
    "RegionSummary",
    "YearFigure",
    "approved_reports",
    "cascade_gaps",
    "default_year",
    "figure_from_rows",
    "headline_region",
    "indicator_default_region",
    "indicator_figures",
    "rank_regions",
    "recently_updated",
    "region_summary",
]
