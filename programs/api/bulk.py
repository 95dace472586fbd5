"""Many draft figures in one request: `POST /api/v1/progress/bulk/`, all or nothing.

Items name their figure by codes (region, indicator) and period (id or key such as 2024-Q1); the
codes are looked up once per request, then `services.report_save_many` applies the same rules and
writes the same history as one save per item. As for a single save by natural key, a region the
caller may not enter is refused (403) for the whole request; a problem with any item is a 400
listing every problem at its item's index, and a stale version is a 409; in every case nothing is
saved. Only the figure's inputs are read from an item: state, authors and reviewers never are.
"""

import re
from typing import NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from regions.models import Region

from .. import services
from ..choices import PeriodKind
from ..models import Indicator, ReportingPeriod
from .serializers import ErrorSerializer, FigureInputSerializer, ProgressReportSerializer

MAX_ITEMS = 10_000
MAX_ID = 2**63 - 1  # the largest id a database column holds
# 2024 (the year), 2024-H1, 2024-Q3, 2024-03 (a month).
PERIOD_KEY_RE = re.compile(
    r"(?P<year>\d{4})(?:-(?:(?P<kind>[HQ])(?P<number>\d)|(?P<month>\d{2})))?"
)
KEY_KINDS = {"H": PeriodKind.HALF, "Q": PeriodKind.QUARTER}


class PeriodRef(NamedTuple):
    text: str  # as sent, for messages
    pk: int | None
    natural: tuple[str, int, int] | None  # (kind, year, number)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "Reporting period id."},
            {"type": "string", "pattern": PERIOD_KEY_RE.pattern, "example": "2024-Q1"},
        ]
    }
)
class PeriodField(serializers.Field):
    """A period by id (a number) or by key (a string: 2024, 2024-H1, 2024-Q1, 2024-03)."""

    default_error_messages = {
        "invalid": gettext_lazy(
            "Give the period's id (a number) or its key, such as 2024, 2024-H1, 2024-Q1 or 2024-03."
        )
    }

    def to_internal_value(self, data) -> PeriodRef:
        if isinstance(data, int) and not isinstance(data, bool):
            return PeriodRef(str(data), data, None)
        match = PERIOD_KEY_RE.fullmatch(data.strip().upper()) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        year = int(match["year"])
        if match["month"]:
            natural = (PeriodKind.MONTH, year, int(match["month"]))
        elif match["kind"]:
            natural = (KEY_KINDS[match["kind"]], year, int(match["number"]))
        else:
            natural = (PeriodKind.YEAR, year, 1)
        return PeriodRef(data[:20], None, natural)

    def to_representation(self, value):
        return value.text


class BulkItemSerializer(FigureInputSerializer):
    """One figure's inputs; any other key of the item is ignored."""

    region = serializers.CharField(max_length=20, help_text=gettext_lazy("Region code."))
    indicator = serializers.CharField(max_length=40, help_text=gettext_lazy("Indicator code."))
    period = PeriodField(
        help_text=gettext_lazy(
            "Reporting period: its id (a number), or its key (a string): 2024 for the year, "
            "2024-H1, 2024-Q1, 2024-03."
        )
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=gettext_lazy(
            "The version of the figure you read; omit it for a new figure. An existing figure "
            "needs the version it has now, or nothing is saved (409)."
        ),
    )


class BulkSaveSerializer(serializers.Serializer):
    items = BulkItemSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(read_only=True)
    updated = serializers.IntegerField(read_only=True)
    unchanged = serializers.IntegerField(read_only=True)


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The item's position in `items`, from 0; null for the request."),
    )
    field = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


class BulkErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    errors = ItemErrorSerializer(many=True, read_only=True)


class BulkConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    index = serializers.IntegerField(read_only=True)
    current = ProgressReportSerializer(read_only=True)


def _field_name(field: str) -> str:
    return api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field


def _refused(errors: list[dict]) -> Response:
    detail = _("Nothing was saved: correct the items listed in errors and send them again.")
    return Response({"detail": detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def _serializer_errors(errors: dict) -> list[dict]:
    """DRF's nested errors (by item: a list, or a dict of index → errors) as one flat list."""
    flat = []
    items = errors.get("items")
    if isinstance(items, list) and any(isinstance(item, dict) for item in items):
        items = dict(enumerate(items))
    if isinstance(items, dict) and all(isinstance(index, int) for index in items):
        for index, item in sorted(items.items()):
            if isinstance(item, list):  # the item itself is refused (null, not an object)
                item = {api_settings.NON_FIELD_ERRORS_KEY: item}
            for field, messages in item.items():
                if isinstance(messages, dict):  # not a JSON object: {"non_field_errors": [...]}
                    messages = [m for nested in messages.values() for m in nested]
                flat += [{"index": index, "field": field, "message": str(m)} for m in messages]
        return flat
    for field, messages in errors.items():
        if isinstance(messages, dict):
            messages = [m for nested in messages.values() for m in nested]
        flat += [{"index": None, "field": field, "message": str(m)} for m in messages]
    return flat


def _chunks(values: set) -> list[list]:
    """Values for `IN` lists short enough for the database (SQLite binds at most a few hundred)."""
    size = connection.features.max_query_params or MAX_ITEMS
    ordered = sorted(values)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def _periods(refs: set[PeriodRef]) -> dict[PeriodRef, ReportingPeriod]:
    """Each reference's period, in a query per few hundred ids or years; unknown references are
    left out. Keys are looked up by their years (a period a year per kind and number, so a few
    dozen rows a year): one OR per key made an expression SQLite refuses beyond 1,000 keys."""
    # An id beyond the database's integers names no period (SQLite cannot even compare it).
    ids = {ref.pk for ref in refs if ref.pk is not None and 0 < ref.pk <= MAX_ID}
    years = {ref.natural[1] for ref in refs if ref.natural is not None}
    found = [p for chunk in _chunks(ids) for p in ReportingPeriod.objects.filter(pk__in=chunk)]
    found += [p for chunk in _chunks(years) for p in ReportingPeriod.objects.filter(year__in=chunk)]
    by_id = {period.pk: period for period in found}
    by_natural = {(period.kind, period.year, period.number): period for period in found}
    periods = {}
    for ref in refs:
        period = by_id.get(ref.pk) if ref.pk is not None else by_natural.get(ref.natural)
        if period is not None:
            periods[ref] = period
    return periods


def _entries(user, items: list[dict]) -> tuple[list[services.Entry], list[dict]]:
    """The items as service entries, with their codes looked up once; or the items' errors."""
    # Regions are public (the open data lists them): rights are the service's business (403).
    regions = Region.objects.in_bulk({item["region"] for item in items}, field_name="code")
    indicators = Indicator.objects.in_bulk({item["indicator"] for item in items}, field_name="code")
    periods = _periods({item["period"] for item in items})
    entries, errors = [], []
    for index, item in enumerate(items):
        region = regions.get(item["region"])
        indicator, period = indicators.get(item["indicator"]), periods.get(item["period"])
        if region is not None and indicator is not None and period is not None:
            entries.append(
                services.Entry(
                    indicator=indicator,
                    region=region,
                    period=period,
                    change=services.Change(
                        value=item["value"],
                        is_lower_bound=item["is_lower_bound"],
                        note=item["note"],
                    ),
                    version=item.get("version"),
                )
            )
            continue
        if region is None:
            errors.append(
                {
                    "index": index,
                    "field": "region",
                    "message": _("Unknown region code “%(code)s”.") % {"code": item["region"]},
                }
            )
        if indicator is None:
            errors.append(
                {
                    "index": index,
                    "field": "indicator",
                    "message": _("Unknown indicator code “%(code)s”.")
                    % {"code": item["indicator"]},
                }
            )
        if period is None:
            unknown = (
                # A client meaning the year 2024 most likely sent the number 2024.
                _(
                    "There is no reporting period with the id %(period)s: a number is a "
                    "period's id. To name a year, send it as a string, such as “2024”."
                )
                if item["period"].pk is not None
                else _("Unknown reporting period “%(period)s”.")
            )
            errors.append(
                {
                    "index": index,
                    "field": "period",
                    "message": unknown % {"period": item["period"].text},
                }
            )
    return entries, errors


class ProgressBulkView(APIView):
    def handle_exception(self, exc):
        # An unreadable body gets the same answer shape as any other refused request.
        if isinstance(exc, ParseError):
            detail = exc.detail
            if isinstance(detail, dict):  # a character refused in a field: say which
                field, messages = next(iter(detail.items()))
                return _refused([{"index": None, "field": field, "message": str(messages[0])}])
            return _refused([{"index": None, "field": "items", "message": str(detail)}])
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="progress_bulk_save",
        summary=gettext_lazy("Create or change many draft figures"),
        description=gettext_lazy(
            "Up to 10,000 figures in one request, all or nothing. Each item finds its figure by "
            "region code, indicator code and period; a new figure is sent without `version`, an "
            "existing one with the version it has now. Sending the same items again changes "
            "nothing. Submitted and approved figures cannot be changed here."
        ),
        request=BulkSaveSerializer,
        responses={
            200: OpenApiResponse(
                BulkResultSerializer, description=gettext_lazy("Every item was saved.")
            ),
            400: OpenApiResponse(
                BulkErrorsSerializer,
                description=gettext_lazy("Nothing was saved: every problem, at its item."),
            ),
            401: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("No valid token or session.")
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("Your role does not allow entering figures in a region."),
            ),
            409: OpenApiResponse(
                BulkConflictSerializer,
                description=gettext_lazy(
                    "Nothing was saved: the figure at `index` changed since the version you sent; "
                    "`current` is the figure as it is now."
                ),
            ),
        },
        tags=["progress"],
    )
    def post(self, request):
        serializer = BulkSaveSerializer(data=request.data)
        if not serializer.is_valid():
            return _refused(_serializer_errors(serializer.errors))
        entries, errors = _entries(request.user, serializer.validated_data["items"])
        if errors:
            return _refused(errors)
        try:
            result = services.report_save_many(user=request.user, entries=entries)
        except services.ItemErrors as error:
            return _refused(
                [
                    {"index": item.index, "field": _field_name(item.field), "message": item.message}
                    for item in error.items
                ]
            )
        except services.ConflictError as conflict:
            data = {
                "detail": str(conflict),
                "index": conflict.index,
                "current": ProgressReportSerializer(conflict.report).data,
            }
            return Response(data, status=status.HTTP_409_CONFLICT)
        return Response(
            {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
