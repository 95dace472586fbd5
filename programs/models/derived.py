"""Derived figures the dashboards read: kept by programs/rollups.py, never edited by hand."""

from django.db import models

from regions.models import Region

from .catalog import VALUE_FIELD, Indicator


class RegionFigure(models.Model):
    """A region's approved figure for one indicator and year, precomputed for the dashboards.

    `value` is what the region itself reported (its year report, else the year-to-date of its
    sub-periods); `rollup` combines its children's effective figures (each child's own value,
    else its own roll-up: through every level of the tree) by the indicator's rule, and
    `rollup_is_lower_bound` says whether that combination is itself a lower bound (the rules are
    in `programs.rollups`). `through` is the last month the region's own figure covers (12 for
    a year report, 6 for a first half-year, 9 for quarters 1–3…), `rollup_through` the least
    coverage among the children's effective figures and `rollup_mixed` whether those coverages
    differ (here or further down), so a page can say "2026年上半年" rather than the year. Rows are
    derived data: `programs.rollups` rebuilds them from approved progress reports, in the same
    transaction as each approval or reopening, and in full every night.

    Being rebuilt wholesale, the table carries no foreign-key constraints (their deferred checks
    cost a third of a rebuild; deleting a region or indicator still cascades, in Django) and one
    index, its key (region, indicator, year), which the region page reads by.
    """

    pk = models.CompositePrimaryKey("region", "indicator", "year")
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    year = models.PositiveSmallIntegerField()
    value = models.DecimalField(null=True, **VALUE_FIELD)
    is_lower_bound = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True)
    rollup = models.DecimalField(null=True, **VALUE_FIELD)
    rollup_is_lower_bound = models.BooleanField(default=False)
    through = models.PositiveSmallIntegerField(null=True)
    rollup_through = models.PositiveSmallIntegerField(null=True)
    rollup_mixed = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.region_id}/{self.indicator_id}/{self.year}"
