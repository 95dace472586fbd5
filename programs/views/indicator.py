"""The public indicator page: one indicator of one region over the years, and across the region's
sub-regions in one year, with CSV and Excel downloads of the comparison exactly as filtered.

Approved figures only (read through `dashboard.approved_reports()`), and every number derived by
`dashboard.Figure` and `figures`, so the page shows what the region page and the API show. A fixed
number of queries whatever the number of sub-regions or years.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from regions.models import Region

from .. import dashboard, figures
from ..choices import Direction, PeriodKind, Status
from ..filters import SubRegionFilterSet
from ..models import Indicator, Target
from ..public_cache import cached_public_page
from ..tables import SafeTableExport, SubRegionTable

# --- Reading the figures --------------------------------------------------------------------------


@dataclass
class YearRow:
    """One year of the region's own trend."""

    year: int
    figure: dashboard.Figure
    status: Status


@dataclass
class SubRegionRow:
    """One sub-region in the comparison; the table's columns read these attributes."""

    region: Region
    figure: dashboard.Figure
    status: Status

    @property
    def completion(self) -> figures.Completion:
        return self.figure.completion

    @property
    def completion_percent(self) -> Decimal | None:
        return figures.as_percent(self.completion.ratio)

    @property
    def growth_percent(self) -> Decimal | None:
        return figures.as_percent(self.figure.growth)

    # Sort keys: rows without a figure go last when ascending, whatever the column.
    @property
    def value_key(self):
        return (self.figure.value is None, self.figure.value or 0)

    @property
    def target_key(self):
        target = self.figure.target
        return (target is None, target.value if target else 0)

    @property
    def completion_key(self):
        ratio = self.completion.ratio
        return (ratio is None, ratio or 0, self.completion.met is not True)

    @property
    def growth_key(self):
        growth = self.figure.growth
        return (growth is None, growth or 0)

    @property
    def rank_key(self):
        return (self.figure.rank is None, self.figure.rank or 0)


def _figure(indicator, own: dict, year: int, target) -> dashboard.Figure:
    this_year, last_year = own.get(year), own.get(year - 1)
    return dashboard.Figure(
        indicator=indicator,
        value=this_year.value if this_year else None,
        is_lower_bound=this_year.is_lower_bound if this_year else False,
        target=target,
        last_year=last_year.value if last_year else None,
    )


@dataclass
class IndicatorFigures:
    """One indicator for a region: its own years, and its sub-regions in `year`."""

    indicator: Indicator
    region: Region
    year: int
    trend: list[YearRow]
    by_child: dict[int, tuple[dashboard.Figure, Status]]  # sub-regions with a figure or target
    ranked: int  # how many sub-regions have a figure to rank
    data_as_of: datetime | None

    @property
    def current(self) -> dashboard.Figure | None:
        return next((row.figure for row in self.trend if row.year == self.year), None)

    def row_for(self, child: Region) -> SubRegionRow:
        figure, status = self.by_child.get(child.pk, (None, Status.NO_DATA))
        if figure is None:
            figure = dashboard.Figure(self.indicator, None, ranked=self.ranked)
        return SubRegionRow(child, figure, status)

    @cached_property
    def chart(self) -> dict:
        """The trend chart's data (the same figures are in the trend table)."""
        years = [row.year for row in self.trend]
        values = [_number(row.figure.value) for row in self.trend]
        targets = [
            _number(row.figure.target.value if row.figure.target else None) for row in self.trend
        ]
        return {
            "years": years,
            "values": values,
            "targets": targets,
            # The shape charts.js draws for a line chart; the same numbers as above.
            "series": [{"name": self.indicator.name, "values": values}],
        }


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Years:
    reported: list[int]  # with an approved figure
    targeted: list[int]  # with a target

    @property
    def all(self) -> list[int]:
        return sorted(set(self.reported) | set(self.targeted))

    def default(self, today: date) -> int:
        """The latest year with approved figures, else the latest target year that has begun."""
        if self.reported:
            return self.reported[-1]
        begun = [year for year in self.targeted if year <= today.year]
        return begun[-1] if begun else today.year - 1


def indicator_years(indicator: Indicator, region: Region) -> Years:
    """One query: the years of the indicator's approved figures and targets in the region and
    its sub-regions."""
    where = Q(region=region) | Q(region__parent=region)
    reported = (
        dashboard.approved_reports()
        .filter(where, indicator=indicator)
        .order_by()
        .values_list("period__year", Value(True))
    )
    targeted = (
        Target.objects.filter(where, indicator=indicator)
        .order_by()
        .values_list("period__year", Value(False))
    )
    rows = set(reported.union(targeted))
    return Years(
        reported=sorted({year for year, is_report in rows if is_report}),
        targeted=sorted({year for year, is_report in rows if not is_report}),
    )


def indicator_figures(
    indicator: Indicator, region: Region, year: int, *, today: date | None = None
) -> IndicatorFigures:
    """Two queries: the approved figures and the yearly targets of the region and its parts."""
    today = today or timezone.localdate()
    rows = (
        dashboard.approved_reports()
        .filter(indicator=indicator)
        .filter(Q(region=region) | Q(region__parent=region, period__year__in=[year, year - 1]))
        .values(*dashboard.REPORT_FIELDS)
    )
    targets = (
        Target.objects.filter(indicator=indicator, period__kind=PeriodKind.YEAR)
        .filter(Q(region=region) | Q(region__parent=region, period__year=year))
        .select_related("period")
    )
    per_region: dict[int, list] = {}
    for row in rows:
        per_region.setdefault(row["region_id"], []).append(row)
    own_targets, child_targets = {}, {}
    for target in targets:
        if target.region_id == region.pk:
            own_targets[target.period.year] = target
        else:
            child_targets[target.region_id] = target

    own = dashboard.year_values(per_region.pop(region.pk, []), time_nature=indicator.time_nature)
    trend = []
    for each_year in sorted(set(own) | set(own_targets) | {year}):
        figure = _figure(indicator, own, each_year, own_targets.get(each_year))
        trend.append(YearRow(each_year, figure, figure.status(each_year, today)))
    data_as_of = max((v.approved_at for v in own.values() if v.approved_at), default=None)

    children = {
        child_id: dashboard.year_values(items, time_nature=indicator.time_nature)
        for child_id, items in per_region.items()
    }
    places = figures.rank(
        {child_id: values[year].value for child_id, values in children.items() if year in values},
        higher_is_better=indicator.direction == Direction.HIGHER_BETTER,
    )
    by_child = {}
    for child_id in set(children) | set(child_targets):
        figure = _figure(indicator, children.get(child_id, {}), year, child_targets.get(child_id))
        figure.rank, figure.ranked = places.get(child_id), len(places)
        by_child[child_id] = (figure, figure.status(year, today))
    return IndicatorFigures(indicator, region, year, trend, by_child, len(places), data_as_of)


def default_region_code(indicator: Indicator) -> str:
    """The highest region with approved figures of the indicator, else the first province."""
    found = (
        dashboard.approved_reports()
        .filter(indicator=indicator)
        .order_by("region__level", "region__path")
        .values_list("region__code", flat=True)
        .first()
    )
    if found is None:
        found = (
            Region.objects.filter(parent__isnull=True)
            .order_by("path")
            .values_list("code", flat=True)
            .first()
        )
    if found is None:
        raise Http404
    return found


# --- The page -------------------------------------------------------------------------------------


class IndicatorView(ExportMixin, SingleTableMixin, FilterView):
    filterset_class = SubRegionFilterSet
    table_class = SubRegionTable
    template_name = "programs/public/indicator.html"
    table_pagination = {"per_page": 50}
    export_class = SafeTableExport
    export_formats = (SafeTableExport.CSV, SafeTableExport.XLSX)

    def get(self, request, *args, **kwargs):
        self.indicator = get_object_or_404(Indicator, code=kwargs["code"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Region.objects.order_by("code")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        if not data.get("region"):
            data["region"] = default_region_code(self.indicator)
        kwargs["data"] = data
        return kwargs

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if not filterset.is_valid() and {"region", "year"} & set(filterset.errors):
            raise Http404  # an unknown region, or a year that is not one
        self.region = filterset.form.cleaned_data["region"]
        self.years = indicator_years(self.indicator, self.region)
        year = filterset.form.cleaned_data.get("year")
        self.year = self.years.default(timezone.localdate()) if year is None else year
        self.figures = indicator_figures(self.indicator, self.region, self.year)
        return filterset

    def get_table_data(self):
        return [self.figures.row_for(child) for child in self.object_list]

    def get_table_kwargs(self):
        return {"indicator": self.indicator, "region": self.region, "year": self.year}

    def get_export_filename(self, export_format):
        return f"{self.indicator.code}_{self.region.code}_{self.year}.{export_format}"

    def get_dataset_kwargs(self):
        return {"title": f"{self.indicator.code} {self.region.code} {self.year}"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            indicator=self.indicator,
            region=self.region,
            year=self.year,
            years=sorted(set(self.years.all) | {self.year}),
            figures=self.figures,
            ancestors=list(self.region.ancestors()),
            today=timezone.localdate(),
        )
        return context


_view = IndicatorView.as_view()


def _page(request, code):
    response = _view(request, code=code)
    if hasattr(response, "render"):
        response.render()  # the page cache stores the rendered content
    return response


_cached_page = cached_public_page(_page)


@transaction.non_atomic_requests
@require_GET
def indicator(request, code):
    """Served from the cache like the other public pages; downloads are always made afresh."""
    if request.GET.get(IndicatorView.export_trigger_param):
        return _page(request, code=code)
    return _cached_page(request, code=code)
