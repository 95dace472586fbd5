"""The public lists' query parameters: one FilterSet per list, for the page, its downloads and the
open-data API alike (NetBox-style), so a download or an API answer holds exactly what the same
parameters show on a page.

Conventions shared by every FilterSet here: `region` is a region code and takes in the region's
sub-regions (a prefix of the materialized path); `year` is a whole year; `indicator` is an
indicator code; `q` searches names and codes. An unknown code is an error at its parameter
(a 400 in the API, a 404 on a page) rather than a silently empty list.
"""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from regions.choices import RegionKind, RegionLevel
from regions.models import Region

from . import dashboard
from .choices import ReportState
from .models import (
    Correction,
    Indicator,
    PlanIndicator,
    Program,
    ProgressReport,
    ReportingPeriod,
    Target,
)

Q_MAX_LENGTH = 50
YEAR_MIN, YEAR_MAX = 1900, 2999


# The API schema states the bounds the form field enforces (a year outside them is a 400).
@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX})
class YearFilter(filters.NumberFilter):
    """A whole year (NumberFilter alone would accept 2024.5), from YEAR_MIN to YEAR_MAX."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Year"))
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(*args, **kwargs)


def region_filter(**kwargs) -> filters.ModelChoiceFilter:
    kwargs.setdefault("label", _("Region"))
    kwargs.setdefault("help_text", _("Region code; the region's sub-regions are included."))
    return filters.ModelChoiceFilter(queryset=Region.objects.all(), to_field_name="code", **kwargs)


def indicator_filter(**kwargs) -> filters.ModelChoiceFilter:
    kwargs.setdefault("label", _("Indicator"))
    kwargs.setdefault("help_text", _("Indicator code."))
    return filters.ModelChoiceFilter(
        queryset=Indicator.objects.all(), to_field_name="code", **kwargs
    )


def search_filter(**kwargs) -> filters.CharFilter:
    kwargs.setdefault("label", _("Search"))
    return filters.CharFilter(method="search", max_length=Q_MAX_LENGTH, **kwargs)


def in_subtree(queryset, region: Region, *, prefix: str = ""):
    """Rows of `region` and every region below it: one indexed prefix match on the path."""
    return queryset.filter(**{f"{prefix}path__startswith": region.path})


def name_or_code(value: str, *, prefix: str = "") -> Q:
    return Q(**{f"{prefix}name__icontains": value}) | Q(**{f"{prefix}code__icontains": value})


# --- The indicator page ---------------------------------------------------------------------------


class SubRegionFilterSet(filters.FilterSet):
    """The rows of the indicator page's comparison: the sub-regions of `region`.

    The rows are the region's direct sub-regions, the places a rank compares (a county is not
    ranked against townships); deeper levels are one click away on each row. `year` narrows no
    row: it says which year's figures the rows show. `q` and `kind` narrow the rows but not the
    ranks, which are places among all the sub-regions.
    """

    region = region_filter(
        method="filter_region",
        required=True,
        help_text=_("Region code: its sub-regions are compared."),
    )
    year = YearFilter(method="filter_year")
    q = search_filter(label=_("Region name or code"))
    kind = filters.ChoiceFilter(
        choices=RegionKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )

    class Meta:
        model = Region
        fields = ["region", "year", "q", "kind"]

    def filter_region(self, queryset, name, value: Region):
        return queryset.filter(parent=value)

    def filter_year(self, queryset, name, value: int):
        return queryset

    def search(self, queryset, name, value: str):
        return queryset.filter(name_or_code(value))


# --- The open-data API ----------------------------------------------------------------------------


class OpenRegionFilterSet(filters.FilterSet):
    parent = filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        to_field_name="code",
        label=_("Parent"),
        help_text=_("Parent region code: only its direct sub-regions."),
    )
    region = region_filter(method="filter_region")
    q = search_filter(help_text=_("Part of the region's name or code."))
    kind = filters.ChoiceFilter(choices=RegionKind.choices, label=_("Kind"))
    level = filters.TypedChoiceFilter(choices=RegionLevel.choices, coerce=int, label=_("Level"))

    class Meta:
        model = Region
        fields = ["parent", "region", "q", "kind", "level"]

    def filter_region(self, queryset, name, value: Region):
        return in_subtree(queryset, value)

    def search(self, queryset, name, value: str):
        return queryset.filter(name_or_code(value))


class OpenIndicatorFilterSet(filters.FilterSet):
    """Indicators; with `region` and/or `year`, those with a target or an approved figure there
    (in the same region subtree and year, not one in each)."""

    indicator = indicator_filter(method="filter_indicator")
    region = region_filter(
        method="filter_region",
        help_text=_(
            "Region code: only indicators with a target or an approved figure in the region "
            "or its sub-regions."
        ),
    )
    year = YearFilter(
        method="filter_year",
        help_text=_("Only indicators with a target or an approved figure in this year."),
    )
    q = search_filter(help_text=_("Part of the indicator's name or code."))

    class Meta:
        model = Indicator
        fields = ["indicator", "region", "year", "q"]

    def filter_indicator(self, queryset, name, value: Indicator):
        return queryset.filter(pk=value.pk)

    # Region and year go together (a figure in the region *in* the year): see filter_queryset.
    def filter_region(self, queryset, name, value: Region):
        return queryset

    def filter_year(self, queryset, name, value: int):
        return queryset

    def search(self, queryset, name, value: str):
        return queryset.filter(name_or_code(value))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        region, year = self.form.cleaned_data.get("region"), self.form.cleaned_data.get("year")
        if region is None and year is None:
            return queryset
        reports = dashboard.approved_reports().filter(indicator=OuterRef("pk"))
        targets = Target.objects.filter(indicator=OuterRef("pk"))
        if region is not None:
            reports = in_subtree(reports, region, prefix="region__")
            targets = in_subtree(targets, region, prefix="region__")
        if year is not None:
            reports = reports.filter(period__year=year)
            targets = targets.filter(period__year=year)
        return queryset.filter(Exists(reports) | Exists(targets))


class OpenProgramFilterSet(filters.FilterSet):
    region = region_filter(method="filter_region")
    year = YearFilter(method="filter_year", help_text=_("Programs running in this year."))
    indicator = indicator_filter(
        method="filter_indicator", help_text=_("Indicator code: programs that track it.")
    )

    class Meta:
        model = Program
        fields = ["region", "year", "indicator"]

    def filter_region(self, queryset, name, value: Region):
        return in_subtree(queryset, value, prefix="region__")

    def filter_year(self, queryset, name, value: int):
        return queryset.filter(start_year__lte=value, end_year__gte=value)

    def filter_indicator(self, queryset, name, value: Indicator):
        tracked = PlanIndicator.objects.filter(plan__program=OuterRef("pk"), indicator=value)
        return queryset.filter(Exists(tracked))


class _RegionYearIndicatorFilterSet(filters.FilterSet):
    """Rows with region, period and indicator foreign keys: targets and progress figures."""

    region = region_filter(method="filter_region")
    year = YearFilter(field_name="period__year")
    indicator = indicator_filter(field_name="indicator")

    def filter_region(self, queryset, name, value: Region):
        return in_subtree(queryset, value, prefix="region__")


class OpenTargetFilterSet(_RegionYearIndicatorFilterSet):
    class Meta:
        model = Target
        fields = ["region", "year", "indicator"]


class OpenProgressFilterSet(_RegionYearIndicatorFilterSet):
    class Meta:
        model = ProgressReport
        fields = ["region", "year", "indicator"]


class CorrectionFilterSet(filters.FilterSet):
    """The public correction log (the page /corrections/ and the open API): by the corrected
    figure's region (with its sub-regions), year and indicator."""

    region = region_filter(method="filter_region", widget=forms.TextInput)
    year = YearFilter(
        field_name="report__period__year", help_text=_("The year the corrected figure is for.")
    )
    indicator = indicator_filter(field_name="report__indicator", empty_label=_("All indicators"))

    class Meta:
        model = Correction
        fields = ["region", "year", "indicator"]

    def filter_region(self, queryset, name, value: Region):
        return in_subtree(queryset, value, prefix="report__region__")


# --- The officials' progress list (the page and the API) ------------------------------------------


class ProgressReportFilterSet(_RegionYearIndicatorFilterSet):
    """Progress figures in every state, for officials. The caller narrows the queryset to the
    user's view scope first (`regions.access.filter_by_region`): a region outside it is a valid
    code with no rows, never a way to widen the scope."""

    region = region_filter(method="filter_region", widget=forms.TextInput)
    indicator = indicator_filter(field_name="indicator", empty_label=_("All indicators"))
    period = filters.ModelChoiceFilter(
        queryset=ReportingPeriod.objects.all(),
        label=_("Period"),
        help_text=_("Reporting period id."),
    )
    state = filters.ChoiceFilter(
        choices=ReportState.choices, label=_("State"), empty_label=_("All states")
    )
    q = search_filter(help_text=_("Part of the indicator's name or code, or of the region's name."))

    class Meta:
        model = ProgressReport
        fields = ["q", "region", "year", "indicator", "state", "period"]

    def search(self, queryset, name, value: str):
        return queryset.filter(
            name_or_code(value, prefix="indicator__") | Q(region__name__icontains=value)
        )
