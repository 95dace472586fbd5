"""The open-data feed of the public correction log: approved figures reopened and approved again
with another value, newest first (`programs.corrections`), filtered as the page /corrections/ is
(`filters.CorrectionFilterSet`). Anonymous, cursor pages, served from the cache until the next
approval, like the other open data (`public.OpenDataViewSet`)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from .. import corrections
from ..filters import CorrectionFilterSet
from .public import BAD_FILTER, FIGURE, TAGS, OpenDataPagination, OpenDataViewSet
from .serializers import unit_field


class CorrectionPagination(OpenDataPagination):
    ordering = ("-approved_at", "-pk")  # newest first


class OpenCorrectionSerializer(serializers.Serializer):
    region = serializers.CharField(source="report.region.code", read_only=True)
    region_name = serializers.CharField(source="report.region.name", read_only=True)
    indicator = serializers.CharField(source="report.indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="report.indicator.name", read_only=True)
    unit = unit_field(source="report.indicator.unit")
    year = serializers.IntegerField(source="report.period.year", read_only=True)
    period_kind = serializers.CharField(source="report.period.kind", read_only=True)
    period_number = serializers.IntegerField(source="report.period.number", read_only=True)
    old_value = serializers.DecimalField(
        read_only=True, help_text=_("The value approved before the correction."), **FIGURE
    )
    old_is_lower_bound = serializers.BooleanField(read_only=True)
    new_value = serializers.DecimalField(
        read_only=True, help_text=_("The value approved by the correction."), **FIGURE
    )
    new_is_lower_bound = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(
        read_only=True, help_text=_("Why the approved figure was reopened.")
    )
    corrected_at = serializers.DateTimeField(
        source="approved_at",
        read_only=True,
        help_text=_("When the corrected value was approved."),
    )


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        operation_id="open_corrections_list",
        summary=_("List corrections of approved figures"),
        description=_(
            "Approved figures that were reopened and approved again with another value (or "
            "another lower-bound flag), newest first: the old and the new value and the reason. "
            "A figure confirmed unchanged after a reopening, or still being corrected, is not "
            "listed."
        ),
        responses={200: OpenCorrectionSerializer, 400: BAD_FILTER},
    )
)
class CorrectionViewSet(mixins.ListModelMixin, OpenDataViewSet):
    serializer_class = OpenCorrectionSerializer
    filterset_class = CorrectionFilterSet
    pagination_class = CorrectionPagination

    def get_queryset(self):
        return corrections.public_corrections()
