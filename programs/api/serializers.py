"""What the API reads and writes: figures out, parsed input in. The services do the work.

Input serializers only parse and type-check; the state, the reviewers and the authors of a figure
are never taken from a payload (they are not fields of any input serializer, so extra keys are
dropped), and every rule about values, states and rights is checked by programs.services.
"""

import re

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from regions.models import Region
from talentportal.edge import forbidden_text

from ..choices import Unit
from ..models import VALUE_FIELD, Indicator, ProgressReport, ReportingPeriod
from ..text import invisible_ranges
from .schema import CONTROL

# Figures as JSON numbers (1200, 0.153846), rounded as stored (4 places) or for ratios (6).
FIGURE = {"max_digits": None, "decimal_places": 4, "coerce_to_string": False}
RATIO = {"max_digits": None, "decimal_places": 6, "coerce_to_string": False}
PERCENT = {"max_digits": None, "decimal_places": 1, "coerce_to_string": False}

# --- Input fields that take exactly the JSON types the schema documents --------------------------
# DRF is lenient by default ("5" for an integer, "yes" for a boolean, 5 for a string, " 1 " for a
# decimal); the API's schema says one type per field, and these fields hold to it.


def refuse_control_characters(text: str) -> None:
    """A NUL or other control character (tab, CR and LF allowed) or a lone surrogate: refused at
    the field, as the site refuses them everywhere (talentportal.edge)."""
    if forbidden_text(text):
        raise serializers.ValidationError(
            _(
                "The request contains characters that are not allowed (a NUL or control "
                "character, or bytes that are not UTF-8)."
            )
        )


class PlainText(serializers.CharField):
    """Text without the control characters the site refuses (the schema's pattern says so)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, refuse_control_characters)


class JsonText(PlainText):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# At least one character that shows, as the services require of a comment or reason (whitespace,
# zero-width, format and control characters do not: programs.text), and none of the control
# characters the site refuses in any text (talentportal.edge).
NOT_BLANK = rf"^[^{CONTROL}]*[^{invisible_ranges()}][^{CONTROL}]*$"


@extend_schema_field({"type": "string", "minLength": 1, "pattern": NOT_BLANK})
class RequiredText(JsonText):
    """Text that is not blank once stripped, as the services require (400 at the field)."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=False, **kwargs)


class JsonInteger(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonBoolean(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class JsonSlug(serializers.SlugRelatedField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonId(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


WHOLE_DIGITS = VALUE_FIELD["max_digits"] - VALUE_FIELD["decimal_places"]
DECIMAL_TEXT = (
    rf"^-?(?:\d{{1,{WHOLE_DIGITS}}}(?:\.\d{{0,{VALUE_FIELD['decimal_places']}}})?"
    rf"|\.\d{{1,{VALUE_FIELD['decimal_places']}}})$"
)
LARGEST_WHOLE = 10**WHOLE_DIGITS - 1


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "decimal", "pattern": DECIMAL_TEXT},
            {"type": "integer", "minimum": -LARGEST_WHOLE, "maximum": LARGEST_WHOLE},
        ],
        "description": _('A decimal as a string ("1200.5"), or a whole number (1200).'),
    }
)
class FigureValueField(serializers.DecimalField):
    """A figure's value: a decimal string of at most 14 whole and 4 decimal places, or a JSON
    whole number (a JSON fraction is refused: binary floats are not exact decimals)."""

    def __init__(self, **kwargs):
        super().__init__(**VALUE_FIELD, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        if isinstance(data, str) and not re.fullmatch(DECIMAL_TEXT, data, re.ASCII):
            self.fail("invalid")
        return super().to_internal_value(data)


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

    value = FigureValueField()
    is_lower_bound = JsonBoolean(default=False)
    note = JsonText(default="", allow_blank=True, trim_whitespace=False)


class ProgressSaveSerializer(FigureInputSerializer):
    """Create or change a draft, found by its natural key (indicator × region × period)."""

    indicator = JsonSlug(
        slug_field="code", queryset=Indicator.objects.all(), help_text=_("Indicator code.")
    )
    region = JsonSlug(slug_field="code", queryset=Region.objects.all(), help_text=_("Region code."))
    period = JsonId(queryset=ReportingPeriod.objects.all(), help_text=_("Reporting period id."))
    version = JsonInteger(
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

    value = FigureValueField(required=False)
    is_lower_bound = JsonBoolean(required=False)
    note = JsonText(required=False, allow_blank=True, trim_whitespace=False)
    version = JsonInteger(
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
    version = JsonInteger(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("When given, the submission is refused with 409 if the figure changed since."),
    )


class ApproveSerializer(serializers.Serializer):
    comment = JsonText(required=False, default="", allow_blank=True)


class ReturnSerializer(serializers.Serializer):
    comment = RequiredText(help_text=_("What needs correcting (required)."))


class ReopenSerializer(serializers.Serializer):
    reason = RequiredText(help_text=_("Why the approved figure must change (required)."))


class TokenRequestSerializer(AuthTokenSerializer):
    """DRF's, with the username bounded as the user model bounds it: a longer one cannot be a
    user's, and unbounded it reached django-axes' record of the failure (255 characters) as a
    database error, a 500."""

    username = PlainText(
        label=_("Username"),
        write_only=True,
        max_length=get_user_model()._meta.get_field("username").max_length,
    )
    password = PlainText(
        label=_("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
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
