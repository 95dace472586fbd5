"""The public figures: every number a dashboard, download or open-data answer shows.

`core` reads a region's figures (the region page, the API summary, the Word report, the ranking
of sub-regions every page shares); `indicator` reads one indicator over the years and across the
sub-regions (the indicator page) from the same rows with the same functions; `neighbours` ranks
regions on an indicator and checks the sub-regions' targets against the region's; `periods`
compares a sub-year figure's latest period with the one before (环比); `approved` is the one
filter on the reports themselves.
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
    figure_from_rows,
    rank_regions,
    region_summary,
)
from .home import default_year, headline_region, recently_updated
from .indicator import (
    IndicatorFigures,
    IndicatorYears,
    YearFigure,
    indicator_default_region,
    indicator_figures,
)
from .neighbours import MIN_RANKED, CascadeGap, cascade_gaps
from .periods import PeriodStep, previous_periods

__all__ = [
    "APPROVED",
    "FIGURE_FIELDS",
    "MIN_RANKED",
    "CascadeGap",
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
    "cascade_gaps",
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
