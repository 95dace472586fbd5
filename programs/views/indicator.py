"""The public indicator page: one indicator of one region over the years, and across the region's
sub-regions in one year, with CSV and Excel downloads of the comparison exactly as filtered.

Every figure comes from `dashboard.indicator_figures` (the precomputed figures the region page,
the API and the Word report read too, ranked by `dashboard.rank_regions`), so the page shows
what they show. A fixed number of queries whatever the number of sub-regions or years.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from regions.choices import RegionKind
from regions.models import Region

from .. import corrections, dashboard, figures
from ..choices import IndicatorKind, Status
from ..filters import YEAR_MAX, YEAR_MIN, SubRegionFilterSet
from ..models import Indicator
from ..public_cache import cached_public_page, exact, free_text, not_shared, one_of, whole_number
from ..tables import SafeTableExport, SubRegionTable

# --- The rows of the comparison -------------------------------------------------------------------


@dataclass
class SubRegionRow:
    """One sub-region in the comparison; the table's columns read these attributes."""

    region: Region
    figure: dashboard.Figure

    @property
    def status(self) -> Status:
        return self.figure.badge

    @property
    def completion(self) -> figures.Completion:
        return self.figure.completion

    @property
    def completion_percent(self) -> Decimal | None:
        return figures.as_percent(self.completion.ratio)

    @property
    def growth_percent(self) -> Decimal | None:
        """The change on last year in the column's measure (`SubRegionTable`): growth in % for
        counts and amounts, percentage points for a percentage, places up for a rank."""
        change, kind = self.figure.change, self.figure.indicator.kind
        if change is None or kind == IndicatorKind.RANK:
            return change
        if kind == IndicatorKind.PERCENTAGE:
            return change.quantize(Decimal("0.1"))
        return figures.as_percent(change)

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
        change = self.figure.change
        return (change is None, change or 0)

    @property
    def rank_key(self):
        position = self.figure.position  # best first, also where no place is shown
        return (position is None, position or 0)


def trend_chart(data: dashboard.IndicatorFigures) -> dict:
    """The trend chart's data: the same figures as the trend table, as chart numbers."""
    years = [row.year for row in data.trend]
    values = [figures.chart_number(row.figure.value) for row in data.trend]
    targets = [
        figures.chart_number(row.figure.target.value if row.figure.target else None)
        for row in data.trend
    ]
    # The shape charts.js draws for a line chart; the same numbers as above.
    series = [{"name": data.indicator.name, "values": values}]
    rollups = [figures.chart_number(row.figure.rollup) for row in data.trend]
    if any(value is not None for value in rollups):
        # dashed, so that it is never read as the region's own line
        series.append({"name": gettext("Sub-regions combined"), "values": rollups, "dashed": True})
    return {"years": years, "values": values, "targets": targets, "series": series}


def default_region_code(indicator: Indicator) -> str:
    """The highest region with approved figures of the indicator, else the first province."""
    found = dashboard.indicator_default_region(indicator)
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
        self.figures = dashboard.indicator_figures(
            self.indicator,
            self.region,
            filterset.form.cleaned_data.get("year"),
            today=timezone.localdate(),
        )
        self.year = self.figures.year
        return filterset

    def get_table_data(self):
        return [
            SubRegionRow(child, self.figures.for_sub_region(child)) for child in self.object_list
        ]

    def get_table_kwargs(self):
        return {"indicator": self.indicator, "region": self.region, "year": self.year}

    def get_export_filename(self, export_format):
        return f"{self.indicator.code}_{self.region.code}_{self.year}.{export_format}"

    def get_dataset_kwargs(self):
        return {"title": f"{self.indicator.code} {self.region.code} {self.year}"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fixed, more = corrections.figure_corrections(self.indicator, self.region)
        context.update(
            corrections=fixed,
            more_corrections=more,
            indicator=self.indicator,
            region=self.region,
            year=self.year,
            years=self.figures.year_links,
            figures=self.figures,
            chart=trend_chart(self.figures),
            has_rollup=any(row.figure.rollup is not None for row in self.figures.trend),
            ancestors=list(self.region.ancestors()),
            today=timezone.localdate(),
        )
        page, asked = getattr(context["table"], "page", None), self.request.GET.get("page")
        if asked and (page is None or str(page.number) != asked):
            not_shared(self.request)  # a page past the end shows the last: not its own entry
        return context


_view = IndicatorView.as_view()


def _page(request, code):
    response = _view(request, code=code)
    if hasattr(response, "render"):
        response.render()  # the page cache stores the rendered content
    return response


# The parameters the page reads (per_page, among others, is left out: always 50 rows).
_cached_page = cached_public_page(
    region=exact,
    year=whole_number(YEAR_MIN, YEAR_MAX),
    q=free_text,
    kind=one_of(RegionKind.values),
    sort=one_of(prefix + name for name in SubRegionTable.base_columns for prefix in ("", "-")),
    page=whole_number(1, 100_000),
)(_page)


@transaction.non_atomic_requests
@require_GET
def indicator(request, code):
    """Served from the cache like the other public pages; downloads are always made afresh."""
    if request.GET.get(IndicatorView.export_trigger_param):
        return _page(request, code=code)
    return _cached_page(request, code=code)
