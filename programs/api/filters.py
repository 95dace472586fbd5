"""The list's query parameters, parsed by a serializer (django-filter is not a dependency).

Parameters: region (a code, with its sub-regions), year, period (an id), indicator (a code) and
state. An unknown code or id is a 400 at its parameter rather than a silently empty list.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from regions.models import Region

from ..choices import ReportState
from ..models import Indicator, ReportingPeriod


class ProgressFilter(serializers.Serializer):
    """The query parameters of the list; each one narrows it."""

    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        help_text=_("Region code; the region's sub-regions are included."),
    )
    year = serializers.IntegerField(required=False, min_value=1, max_value=9999)
    period = serializers.PrimaryKeyRelatedField(
        queryset=ReportingPeriod.objects.all(),
        required=False,
        help_text=_("Reporting period id."),
    )
    indicator = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Indicator.objects.all(),
        required=False,
        help_text=_("Indicator code."),
    )
    state = serializers.ChoiceField(choices=ReportState.choices, required=False)

    def filter_queryset(self, queryset):
        """The queryset narrowed by the validated parameters (call is_valid first)."""
        data = self.validated_data
        if "region" in data:
            queryset = queryset.filter(region__path__startswith=data["region"].path)
        if "year" in data:
            queryset = queryset.filter(period__year=data["year"])
        if "period" in data:
            queryset = queryset.filter(period=data["period"])
        if "indicator" in data:
            queryset = queryset.filter(indicator=data["indicator"])
        if "state" in data:
            queryset = queryset.filter(state=data["state"])
        return queryset
