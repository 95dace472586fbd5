"""What the API reads and writes: figures out, parsed input in. The services do the work.

Input serializers only parse and type-check; the state, the reviewers and the authors of a figure
are never taken from a payload (they are not fields of any input serializer, so extra keys are
dropped), and every rule about values, states and rights is checked by programs.services.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from regions.models import Region

from ..choices import Unit
from ..models import VALUE_FIELD, Indicator, ProgressReport, ReportingPeriod


def unit_field(**kwargs) -> serializers.ChoiceField:
    """An indicator's unit as shown: one of the units, or "" (a milestone has none)."""
    return serializers.ChoiceField(choices=Unit.choices, allow_blank=True, read_only=True, **kwargs)


class ProgressReportSerializer(serializers.ModelSerializer):
    """A progress figure as the API shows it (output only)."""

    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = unit_field(source="indicator.unit")
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    period = serializers.PrimaryKeyRelatedField(read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    updated_by = serializers.CharField(
        source="updated_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "indicator",
            "indicator_name",
            "unit",
            "region",
            "region_name",
            "period",
            "period_label",
            "value",
            "is_lower_bound",
            "note",
            "state",
            "review_comment",
            "version",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields


class FigureInputSerializer(serializers.Serializer):
    """The inputs of a figure a new or changed draft takes (shared by the single and bulk saves)."""

    value = serializers.DecimalField(**VALUE_FIELD)
    is_lower_bound = serializers.BooleanField(default=False)
    note = serializers.CharField(default="", allow_blank=True, trim_whitespace=False)


class ProgressSaveSerializer(FigureInputSerializer):
    """Create or change a draft, found by its natural key (indicator × region × period)."""

    indicator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), help_text=_("Indicator code.")
    )
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), help_text=_("Region code.")
    )
    period = serializers.PrimaryKeyRelatedField(
        queryset=ReportingPeriod.objects.all(), help_text=_("Reporting period id.")
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_(
            "The version of the figure you read. Omit it (or send null) for a new figure; "
            "an existing figure needs the version it has now, or the save is refused with 409."
        ),
    )


class ProgressChangeSerializer(serializers.Serializer):
    """Change a figure; omitted fields keep their current values."""

    value = serializers.DecimalField(required=False, **VALUE_FIELD)
    is_lower_bound = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version of the figure you read (409 if it changed since).")
    )

    # The view never validates partially (omitted fields are filled from the figure, `version`
    # is always needed), so the schema generator must not drop `required` for PATCH either.
    @property
    def partial(self):
        return False

    @partial.setter
    def partial(self, value):
        pass


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("When given, the submission is refused with 409 if the figure changed since."),
    )


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, default="", allow_blank=True)


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        allow_blank=True, help_text=_("What needs correcting (required).")
    )


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why the approved figure must change (required).")
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires = serializers.DateTimeField(
        read_only=True, help_text=_("When the token stops working; then obtain a new one.")
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    current = ProgressReportSerializer(read_only=True)
