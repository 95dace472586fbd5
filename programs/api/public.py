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

from .. import dashboard, figures, public_cache
from ..choices import Comparator, IndicatorKind, Status
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
from .serializers import ErrorSerializer, unit_field

TAGS = ["open data"]
# Figures as JSON numbers (1200, 0.153846), rounded as stored (4 places) or for ratios (6).
FIGURE = {"max_digits": None, "decimal_places": 4, "coerce_to_string": False}
RATIO = {"max_digits": None, "decimal_places": 6, "coerce_to_string": False}
PERCENT = {"max_digits": None, "decimal_places": 1, "coerce_to_string": False}

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


class SummaryTargetSerializer(serializers.Serializer):
    comparator = serializers.ChoiceField(choices=Comparator.choices, read_only=True)
    value = serializers.DecimalField(read_only=True, **FIGURE)


class SummaryCompletionSerializer(serializers.Serializer):
    ratio = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_("Actual against target (1.2 is 120%); null for ranks and milestones."),
        **RATIO,
    )
    percent = serializers.DecimalField(read_only=True, allow_null=True, **PERCENT)
    met = serializers.BooleanField(read_only=True, allow_null=True)


class SummaryCascadeSerializer(serializers.Serializer):
    children = serializers.DecimalField(
        read_only=True,
        help_text=_("The sub-regions' targets combined by the indicator's roll-up rule."),
        **FIGURE,
    )
    count = serializers.IntegerField(
        read_only=True, help_text=_("How many sub-regions' targets were combined.")
    )
    message = serializers.CharField(read_only=True)


class SummaryFigureSerializer(serializers.Serializer):
    indicator = serializers.CharField(read_only=True, help_text=_("Indicator code."))
    name = serializers.CharField(read_only=True)
    unit = unit_field()
    value = serializers.DecimalField(read_only=True, allow_null=True, **FIGURE)
    is_lower_bound = serializers.BooleanField(read_only=True)
    target = SummaryTargetSerializer(read_only=True, allow_null=True)
    completion = SummaryCompletionSerializer(read_only=True)
    status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        help_text=_(
            "met / not_met once the year is over, on_track / behind during it; no_target: a "
            "value without a target; no_data: no approved value."
        ),
    )
    growth = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_("Year-over-year growth as a fraction (0.6102 is +61.02%)."),
        **RATIO,
    )
    growth_percent = serializers.DecimalField(read_only=True, allow_null=True, **PERCENT)
    last_year = serializers.DecimalField(read_only=True, allow_null=True, **FIGURE)
    rollup = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_("The figure rolled up from the sub-regions by the indicator's rule."),
        **FIGURE,
    )
    rollup_is_lower_bound = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "The roll-up is a lower bound: a sum, mean or maximum including a lower-bound "
            "figure, or a minimum whose least figures are all lower bounds."
        ),
    )
    completion_bound = serializers.CharField(
        read_only=True,
        help_text=_(
            "“≥” when the completion is computed from a lower bound and the truth is at least "
            "it, “≤” when at most it (a ceiling), empty when exact."
        ),
    )
    growth_bound = serializers.CharField(
        read_only=True,
        help_text=_(
            "“≥” / “≤” when the growth is computed from a lower bound this year / last year, "
            "“≈” when from both, empty when exact."
        ),
    )
    rank = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Place among the sibling regions; null where fewer than three have a figure, and "
            "for rank and milestone indicators."
        ),
    )
    ranked = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "How many sibling regions have a place: 0 where fewer than three have a figure, and "
            "for rank and milestone indicators (no place is given then)."
        ),
    )
    kind = serializers.ChoiceField(
        choices=IndicatorKind.choices, read_only=True, help_text=_("The indicator's kind.")
    )
    basis = serializers.ChoiceField(
        choices=["own", "rollup"],
        read_only=True,
        allow_null=True,
        help_text=_(
            "What completion, status and change are computed from: own — the region's own "
            "figure; rollup — it has none, so its sub-regions' combined figure (those reported "
            "so far); null — neither."
        ),
    )
    change = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The change on last year in the measure `change_measure` names: growth as a fraction "
            "for counts and amounts, percentage points for a percentage, places moved up for a "
            "rank (5th → 3rd is 2); null for a milestone or without both years."
        ),
        **RATIO,
    )
    change_measure = serializers.ChoiceField(
        choices=["growth", "points", "places"], read_only=True, allow_null=True
    )
    change_text = serializers.CharField(
        read_only=True, help_text=_("The change as the page words it (“+15.4%”, “上升2位”).")
    )
    value_text = serializers.CharField(
        read_only=True,
        help_text=_("The figure as the page words it (“1,200余 人”, “第3位”, “已完成”, “—”)."),
    )
    target_cascade = SummaryCascadeSerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Where the sub-regions' year targets, combined by the indicator's rule, fall short of "
            "this region's target; null when they cover it or there are none."
        ),
    )


class SummaryPlanSerializer(serializers.Serializer):
    program = serializers.IntegerField(read_only=True, help_text=_("Program id."))
    program_name = serializers.CharField(read_only=True)
    plan = serializers.IntegerField(read_only=True, help_text=_("Plan id."))
    name = serializers.CharField(read_only=True)
    indicators = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The codes of every indicator of the plan, each in `figures`."),
    )
    targets_met = serializers.IntegerField(read_only=True)
    targets = serializers.IntegerField(
        read_only=True, help_text=_("How many of the plan's indicators have a target.")
    )
    progress = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "达标进度: the mean completion of the plan's indicators with a ratio, each counted "
            "at most 1 (100%); each indicator's own completion is in `figures`."
        ),
        **RATIO,
    )
    progress_percent = serializers.DecimalField(read_only=True, allow_null=True, **PERCENT)
    progress_bound = serializers.CharField(
        read_only=True, help_text=_("“≥” / “≤” / “≈” when lower bounds move it, else empty.")
    )


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


# What `change` measures, by indicator kind (a milestone has none).
CHANGE_MEASURES = {
    IndicatorKind.COUNT: "growth",
    IndicatorKind.AMOUNT: "growth",
    IndicatorKind.PERCENTAGE: "points",
    IndicatorKind.RANK: "places",
}


def summary_data(summary: dashboard.RegionSummary, *, today) -> dict:
    """The region page's figures as plain data; every number is computed by dashboard/figures."""

    def figure_data(figure: dashboard.Figure) -> dict:
        completion = figure.completion
        target = figure.target
        return {
            "indicator": figure.indicator.code,
            "name": figure.indicator.name,
            "unit": figure.indicator.unit,
            "value": figure.value,
            "is_lower_bound": figure.is_lower_bound,
            "target": (
                {"comparator": target.comparator, "value": target.value} if target else None
            ),
            "completion": {
                "ratio": completion.ratio,
                "percent": figures.as_percent(completion.ratio),
                "met": completion.met,
            },
            "status": figure.status(summary.year, today),
            "growth": figure.growth,
            "growth_percent": figures.as_percent(figure.growth),
            "last_year": figure.last_year,
            "rollup": figure.rollup,
            "rollup_is_lower_bound": figure.rollup_is_lower_bound,
            "completion_bound": figure.completion_bound,
            "growth_bound": figure.growth_bound,
            "rank": figure.rank,
            "ranked": figure.ranked,
            "kind": figure.indicator.kind,
            "basis": figure.basis,
            "change": figure.change,
            "change_measure": CHANGE_MEASURES.get(figure.indicator.kind),
            "change_text": figure.change_text,
            "value_text": figure.value_text,
            "target_cascade": (
                {
                    "children": figure.cascade.children,
                    "count": figure.cascade.count,
                    "message": figure.cascade.message,
                }
                if figure.cascade
                else None
            ),
        }

    def plan_data(program, plan: dashboard.PlanSummary) -> dict:
        return {
            "program": program.pk,
            "program_name": program.name,
            "plan": plan.plan.pk,
            "name": plan.plan.name,
            "indicators": [f.indicator.code for f in plan.figures],
            "targets_met": plan.met,
            "targets": len(plan.with_target),
            "progress": plan.completion,
            "progress_percent": figures.as_percent(plan.completion),
            "progress_bound": plan.completion_bound,
        }

    ordered = sorted(summary.figures.values(), key=lambda f: f.indicator.code)
    return {
        "region": summary.region,
        "year": summary.year,
        "years": summary.years,
        "data_as_of": summary.data_as_of,
        "figures": [figure_data(f) for f in ordered],
        "plans": [
            plan_data(program, plan) for program, plans in summary.programs for plan in plans
        ],
    }


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
