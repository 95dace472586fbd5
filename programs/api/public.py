"""The open-data API: the public figures for anyone, read-only, no sign-in.

Regions, programs with their plans and measures, indicators, targets and approved progress
figures, each list filtered by the FilterSets the public pages use (`programs.filters`), and a
region's derived figures for a year exactly as its page shows them (`dashboard.region_summary`).
Only approved figures are ever read (`dashboard.approved_reports()`); each list costs a fixed
number of queries per page whatever the data size, and an anonymous read is served from the cache
until the next approval (`programs.public_cache`).
"""

from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import CharFilter, DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from regions.models import Region

from .. import dashboard, public_cache
from ..filters import (
    YEAR_MAX,
    YEAR_MIN,
    OpenIndicatorFilterSet,
    OpenProgramFilterSet,
    OpenProgressFilterSet,
    OpenRegionFilterSet,
    OpenTargetFilterSet,
    YearFilter,
)
from ..models import Indicator, Measure, Plan, Program, Target
from .pagination import ApiCursorPagination
from .query import SingleQueryValues
from .serializers import FIGURE, ErrorSerializer, unit_field
from .summary import SummaryFigureSerializer, SummaryPlanSerializer, summary_data

TAGS = ["open data"]

NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("No region with this code."))
BAD_FILTER = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description=_(
        "A query parameter is invalid (an unknown code, a year out of range, a page size out of "
        "range) or given more than once."
    ),
)


# --- Pagination -----------------------------------------------------------------------------------


class OpenDataPagination(ApiCursorPagination):
    """Stable pages at any depth (offsets get slow over millions of figures); follow `next`."""

    ordering = ("pk",)


class RegionPagination(OpenDataPagination):
    ordering = ("path",)  # the tree order; a path is unique


class IndicatorPagination(OpenDataPagination):
    ordering = ("code",)


class OpenDataViewSet(SingleQueryValues, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    authentication_classes = []  # anonymous: no token, no session, no CSRF
    filter_backends = [DjangoFilterBackend]
    pagination_class = OpenDataPagination

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # Read-only: no transaction (ATOMIC_REQUESTS would add two savepoint round trips).
        return transaction.non_atomic_requests(super().as_view(actions, **initkwargs))

    def dispatch(self, request, *args, **kwargs):
        # Anonymous reads come from the cache until the next approval (programs.public_cache).
        key = None
        if public_cache.anonymous_read(request) and public_cache.use_known_parameters(
            request, self.query_parameters(), repeats_refused=True
        ):
            key = public_cache.open_data_key(request, self.answer_format(request, kwargs))
        if key is not None and (hit := public_cache.cached_answer(key)) is not None:
            return hit
        response = super().dispatch(request, *args, **kwargs)
        if key is not None:
            public_cache.keep_answer(key, request, response)
        return response

    def query_parameters(self) -> dict[str, public_cache.Normaliser]:
        """The query parameters this action reads, each with its normaliser for the cache key;
        any other is dropped before the action sees the request."""
        params = {api_settings.URL_FORMAT_OVERRIDE: public_cache.exact}
        action = self.action_map.get("get")  # self.action is set later, by the dispatch
        if action == "summary":
            params["year"] = public_cache.whole_number(YEAR_MIN, YEAR_MAX)
        elif action == "list":
            params.update(filter_parameters(self.filterset_class))
            pagination = self.pagination_class
            params[pagination.cursor_query_param] = public_cache.issued_cursor
            params[pagination.page_size_query_param] = public_cache.whole_number(
                1, pagination.max_page_size
            )
        return params

    def answer_format(self, request, kwargs) -> str | None:
        """ "json" when content negotiation gives the request plain JSON, else None (not stored):
        the Accept header never comes into a key as it was sent."""
        try:
            renderer, media_type = self.get_content_negotiator().select_renderer(
                self.initialize_request(request, **kwargs),
                self.get_renderers(),
                self.get_format_suffix(**kwargs),
            )
        except NotAcceptable:
            return None
        # "application/json; indent=4" is its own rendering: made afresh. A weight (q=) is not.
        params = [param.strip() for param in media_type.split(";")[1:]]
        if renderer.format != "json" or any(not p.startswith("q=") for p in params):
            return None
        return "json"


def filter_parameters(filterset_class) -> dict[str, public_cache.Normaliser]:
    """A FilterSet's parameters: a year normalised, a search never stored, a code or choice as
    given (an unknown one is a 400, never stored)."""
    params = {}
    for name, field in filterset_class.base_filters.items():
        if isinstance(field, YearFilter):
            params[name] = public_cache.whole_number(YEAR_MIN, YEAR_MAX)
        elif isinstance(field, CharFilter):
            params[name] = public_cache.free_text
        else:
            params[name] = public_cache.exact
    return params


# --- Serializers ----------------------------------------------------------------------------------


class OpenRegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("Parent region code.")
    )

    class Meta:
        model = Region
        fields = ["code", "name", "level", "kind", "counted_in_parent", "parent"]
        read_only_fields = fields


class OpenMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", "name", "owner_office", "milestone_state", "order"]
        read_only_fields = fields


class OpenPlanSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    indicators = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("Codes of the tracked indicators."),
    )
    measures = OpenMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "name", "order", "description", "tags", "indicators", "measures"]
        read_only_fields = fields


class OpenProgramSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Region code.")
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    # Not a URLField: an empty string (no link) is not a URI, so the schema would refuse it.
    source_url = serializers.CharField(read_only=True)
    plans = OpenPlanSerializer(many=True, read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "region",
            "region_name",
            "start_year",
            "end_year",
            "source_title",
            "source_url",
            "summary",
            "plans",
        ]
        read_only_fields = fields


class OpenIndicatorSerializer(serializers.ModelSerializer):
    unit = unit_field()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "kind",
            "direction",
            "time_nature",
            "rollup",
            "capped_at_100",
            "description",
        ]
        read_only_fields = fields


class OpenTargetSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    year = serializers.IntegerField(source="period.year", read_only=True)
    period_kind = serializers.CharField(source="period.kind", read_only=True)
    period_number = serializers.IntegerField(source="period.number", read_only=True)
    value = serializers.DecimalField(read_only=True, **FIGURE)
    baseline = serializers.DecimalField(read_only=True, allow_null=True, **FIGURE)
    plan = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The plan that set the target.")
    )

    class Meta:
        model = Target
        fields = [
            "indicator",
            "region",
            "year",
            "period_kind",
            "period_number",
            "comparator",
            "value",
            "baseline",
            "plan",
        ]
        read_only_fields = fields


class OpenProgressSerializer(serializers.Serializer):
    """An approved progress figure."""

    region = serializers.CharField(source="region.code", read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    year = serializers.IntegerField(source="period.year", read_only=True)
    period_kind = serializers.CharField(source="period.kind", read_only=True)
    period_number = serializers.IntegerField(source="period.number", read_only=True)
    value = serializers.DecimalField(read_only=True, **FIGURE)
    is_lower_bound = serializers.BooleanField(
        read_only=True,
        help_text=_("The value is a lower bound (the source says “more than”)."),
    )
    approved_at = serializers.DateTimeField(source="reviewed_at", read_only=True, allow_null=True)


class RegionSummarySerializer(serializers.Serializer):
    region = OpenRegionSerializer(read_only=True)
    year = serializers.IntegerField(read_only=True)
    years = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    data_as_of = serializers.DateTimeField(read_only=True, allow_null=True)
    figures = SummaryFigureSerializer(
        many=True,
        read_only=True,
        help_text=_("Every indicator of the region's programs and targets, and any with a figure."),
    )
    plans = SummaryPlanSerializer(many=True, read_only=True)


class SummaryQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=_(
            "Default: the latest year with approved data of the region or of the regions below it."
        ),
    )


# --- Views ----------------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        operation_id="open_regions_list",
        summary=_("List regions"),
        description=_(
            "The region tree in tree order: provinces, cities, counties, townships, zones."
        ),
        responses={200: OpenRegionSerializer, 400: BAD_FILTER},
    ),
    retrieve=extend_schema(
        operation_id="open_regions_retrieve",
        summary=_("Read a region"),
        responses={200: OpenRegionSerializer, 400: BAD_FILTER, 404: NOT_FOUND},
    ),
)
class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OpenDataViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = OpenRegionSerializer
    filterset_class = OpenRegionFilterSet
    pagination_class = RegionPagination
    lookup_field = "code"

    def get_object(self):
        # A region is found by its code alone: the list's filters do not apply to it.
        return get_object_or_404(self.get_queryset(), code=self.kwargs["code"])

    @extend_schema(
        operation_id="open_regions_summary",
        summary=_("A region's figures for a year"),
        description=_(
            "The derived figures the region's public page shows, per indicator: the approved "
            "value, target, completion, status, growth, roll-up of the sub-regions and rank "
            "among the sibling regions."
        ),
        parameters=[SummaryQuerySerializer],
        responses={200: RegionSummarySerializer, 400: BAD_FILTER, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def summary(self, request, code=None):
        region = self.get_object()
        # An empty parameter is one left out, as everywhere in the API (programs/api/schema.py).
        query = SummaryQuerySerializer(data={k: v for k, v in request.query_params.items() if v})
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or dashboard.default_year(region)
        today = timezone.localdate()
        summary = dashboard.region_summary(region, year, today=today)
        return Response(RegionSummarySerializer(summary_data(summary, today=today)).data)


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        operation_id="open_programs_list",
        summary=_("List programs"),
        description=_("Talent programs with their plans, and each plan's measures and indicators."),
        responses={200: OpenProgramSerializer, 400: BAD_FILTER},
    )
)
class ProgramViewSet(mixins.ListModelMixin, OpenDataViewSet):
    serializer_class = OpenProgramSerializer
    filterset_class = OpenProgramFilterSet

    def get_queryset(self):
        plans = Plan.objects.order_by("order", "pk").prefetch_related(
            "tags",
            "indicators",
            Prefetch("measures", queryset=Measure.objects.order_by("order", "pk")),
        )
        return Program.objects.select_related("region").prefetch_related(
            Prefetch("plans", queryset=plans)
        )


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        operation_id="open_indicators_list",
        summary=_("List indicators"),
        description=_("The shared library of indicators, by code."),
        responses={200: OpenIndicatorSerializer, 400: BAD_FILTER},
    )
)
class IndicatorViewSet(mixins.ListModelMixin, OpenDataViewSet):
    queryset = Indicator.objects.all()
    serializer_class = OpenIndicatorSerializer
    filterset_class = OpenIndicatorFilterSet
    pagination_class = IndicatorPagination


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        operation_id="open_targets_list",
        summary=_("List targets"),
        description=_("What the plans promised: indicator × region × period → value."),
        responses={200: OpenTargetSerializer, 400: BAD_FILTER},
    )
)
class TargetViewSet(mixins.ListModelMixin, OpenDataViewSet):
    queryset = Target.objects.select_related("indicator", "region", "period")
    serializer_class = OpenTargetSerializer
    filterset_class = OpenTargetFilterSet


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        operation_id="open_progress_list",
        summary=_("List approved progress figures"),
        description=_(
            "Progress figures a reviewer has approved; drafts, submitted and returned figures "
            "are never shown."
        ),
        responses={200: OpenProgressSerializer, 400: BAD_FILTER},
    )
)
class OpenProgressViewSet(mixins.ListModelMixin, OpenDataViewSet):
    serializer_class = OpenProgressSerializer
    filterset_class = OpenProgressFilterSet

    def get_queryset(self):
        return dashboard.approved_reports().select_related("indicator", "region", "period")
