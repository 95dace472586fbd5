"""The API for systems that push data: the same services and access rules as the pages.

Views parse the payload, find the figure in the user's view scope (outside it: 404), call one
service and show the result. The services decide everything else: rights (403), states and values
(400) and stale versions (409, with the figure as it is now so the client can merge and retry).
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from regions import tokens
from regions.access import Action, filter_by_region, get_visible_or_404

from .. import services
from ..filters import ProgressReportFilterSet
from ..models import ProgressReport
from .pagination import ApiCursorPagination
from .query import SingleQueryValues, json_parsers
from .serializers import (
    ApproveSerializer,
    ConflictSerializer,
    ErrorSerializer,
    ProgressChangeSerializer,
    ProgressReportSerializer,
    ProgressSaveSerializer,
    ReopenSerializer,
    ReturnSerializer,
    SubmitSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)

BAD_REQUEST = OpenApiResponse(
    response={
        "type": "object",
        "properties": {
            "detail": {
                "type": "string",
                "description": _("Why the request body could not be read (malformed JSON)."),
            }
        },
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description=_(
        "Invalid input: a list of messages per field; messages about the whole request "
        "under non_field_errors."
    ),
)
UNAUTHENTICATED = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "No valid token or session: none sent, or the token is unknown, expired or revoked, "
        "or the account is inactive."
    ),
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description=_("Your role does not allow this in the figure's region.")
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=_("No such figure, or it is outside your regions.")
)
CONFLICT = OpenApiResponse(
    ConflictSerializer,
    description=_(
        "The figure changed since the version you sent: `current` is the figure as it is now."
    ),
)
REPORT = OpenApiResponse(ProgressReportSerializer, description=_("The figure after the change."))
# The route takes any text as the id (see the viewset's lookup_value_converter); it is a number.
REPORT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


def validation_errors(error: DjangoValidationError) -> dict:
    """A service's ValidationError as DRF shows serializer errors: {field: [messages]}."""
    data = as_serializer_error(error)
    if NON_FIELD_ERRORS in data:
        data[api_settings.NON_FIELD_ERRORS_KEY] = data.pop(NON_FIELD_ERRORS)
    return data


def _reports():
    return ProgressReport.objects.select_related("indicator", "region", "period", "updated_by")


class ObtainTokenView(SingleQueryValues, ObtainAuthToken):
    """POST: a username and password for the user's token. DELETE: the caller revokes their
    own token."""

    serializer_class = TokenRequestSerializer
    # DRF's view names its own parsers: take the site's, whose JSON parser bounds the nesting.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def _revoking(self) -> bool:
        # The Django request, set before DRF wraps it; None while the schema is generated.
        return getattr(self.request, "method", "DELETE") == "DELETE"

    # Only DELETE authenticates: a stale token sent along to POST must not stand in the way of a
    # new one, and a method the endpoint lacks is 405 for anyone.
    def get_authenticators(self):
        return super().get_authenticators() if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else []

    @extend_schema(
        operation_id="auth_token",
        summary=_("Obtain an API token"),
        description=_(
            "Exchange a username and password for the user's token; send it on every other "
            "request as `Authorization: Token <token>`. A token lasts a set time from when it "
            "was issued (`expires`); then requests with it answer 401 and a new one is obtained "
            "here."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: BAD_REQUEST,
            429: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "Too many failed attempts for this username from this address; "
                    "Retry-After says when to try again."
                ),
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        # Imported here: the rest of this module belongs to the API, not to sign-in throttling.
        from axes.helpers import get_client_username
        from django.contrib.auth.signals import user_logged_in

        from talentportal import lockout

        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        # django-axes marks the DRF request (not the Django one its middleware sees) when this
        # username + address is locked out, including by this very failure.
        if getattr(request, "axes_locked_out", False):
            until = lockout.locked_until(
                get_client_username(request, getattr(request, "axes_credentials", None)),
                getattr(request, "axes_ip_address", None),
            )
            response = Response(
                {"detail": _("Too many failed sign-in attempts. Try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
            response["Retry-After"] = str(lockout.retry_after(until))
            return response
        if not valid:
            # Returned, not raised: a raised error rolls the request's transaction back, and with
            # it the failed attempt that axes has just recorded.
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        user = serializer.validated_data["user"]
        # As a sign-in through the pages does: axes logs the success and resets the failures.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token = tokens.issue(user)
        return Response({"token": token.key, "expires": tokens.expires_at(token)})

    @extend_schema(
        operation_id="auth_token_revoke",
        summary=_("Revoke your API token"),
        description=_(
            "Ends the caller's API token at once (sent with the token itself, or signed in on "
            "the pages); requests with it then answer 401. Obtain a new one with POST."
        ),
        request=None,
        responses={
            204: OpenApiResponse(description=_("The token is revoked (or there was none).")),
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: OpenApiResponse(
                ErrorSerializer,
                description=_("Signed in on the pages, without the page's CSRF token."),
            ),
        },
        tags=["auth"],
    )
    def delete(self, request, *args, **kwargs):
        tokens.revoke(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProgressPagination(ApiCursorPagination):
    """Newest first by id: unique and indexed, so a page is one index seek at any depth and a
    client walking the pages meets every figure once, even as figures change meanwhile (an order
    by time of change would move a changed figure past the cursor). Nothing is counted."""

    ordering = ("-pk",)


# What every review action of a figure may answer.
ACTION_RESPONSES = {
    200: REPORT,
    400: BAD_REQUEST,
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
}


@extend_schema(tags=["progress"])
@extend_schema_view(
    list=extend_schema(
        operation_id="progress_list",
        summary=_("List progress figures"),
        description=_(
            "The figures in the regions you may view, newest first, a page of 100 at a time "
            "(follow `next`)."
        ),
        responses={200: ProgressReportSerializer, 400: BAD_REQUEST, 401: UNAUTHENTICATED},
    ),
    retrieve=extend_schema(
        operation_id="progress_retrieve",
        summary=_("Read a progress figure"),
        parameters=[REPORT_ID],
        responses={
            200: ProgressReportSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
    ),
    create=extend_schema(
        operation_id="progress_save",
        summary=_("Create or change a draft figure"),
        description=_(
            "Finds the figure by indicator, region and period. Without `version` a new figure "
            "is created (201); an existing one is changed only with the version you read (200), "
            "otherwise 409. Submitted and approved figures cannot be changed here."
        ),
        request=ProgressSaveSerializer,
        responses={
            200: REPORT,
            201: OpenApiResponse(ProgressReportSerializer, description=_("A new draft figure.")),
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            409: CONFLICT,
        },
    ),
    partial_update=extend_schema(
        operation_id="progress_change",
        summary=_("Change a draft figure"),
        parameters=[REPORT_ID],
        description=_("Omitted fields keep their current values; `version` is required."),
        request=ProgressChangeSerializer,
        responses={**ACTION_RESPONSES, 409: CONFLICT},
    ),
)
class ProgressReportViewSet(SingleQueryValues, viewsets.GenericViewSet):
    serializer_class = ProgressReportSerializer
    parser_classes = json_parsers()
    pagination_class = ProgressPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProgressReportFilterSet
    # Any id reaches the view, so that one which is not a number is this API's JSON 404 rather
    # than the site's HTML page; the schema still says integer.
    lookup_value_converter = "str"

    def get_queryset(self):
        return filter_by_region(self.request.user, _reports(), Action.VIEW)

    def get_object(self):
        pk = self.kwargs["pk"]
        if not (pk.isascii() and pk.isdigit()):
            raise Http404
        report = get_visible_or_404(self.request.user, _reports(), pk=int(pk))
        self.check_object_permissions(self.request, report)
        return report

    def handle_exception(self, exc):
        if isinstance(exc, services.ConflictError):
            current = ProgressReportSerializer(exc.report, context=self.get_serializer_context())
            data = {"detail": str(exc), "current": current.data}
            set_rollback()  # after reading the current figure: no query runs once it is marked
            return Response(data, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(validation_errors(exc))
        return super().handle_exception(exc)

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _show(self, report, status_code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(report).data, status=status_code)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self._show(self.get_object())

    def create(self, request):
        data = self._input(ProgressSaveSerializer)
        version = data.get("version")
        report = services.report_save(
            user=request.user,
            indicator=data["indicator"],
            region=data["region"],
            period=data["period"],
            change=services.Change(
                value=data["value"], is_lower_bound=data["is_lower_bound"], note=data["note"]
            ),
            version=version,
        )
        # Without a version the service only ever creates (an existing figure is a conflict).
        return self._show(
            report, status.HTTP_201_CREATED if version is None else status.HTTP_200_OK
        )

    def partial_update(self, request, pk=None):
        report = self.get_object()
        data = self._input(ProgressChangeSerializer)
        report = services.report_save(
            user=request.user,
            indicator=report.indicator,
            region=report.region,
            period=report.period,
            change=services.Change(
                value=data.get("value", report.value),
                is_lower_bound=data.get("is_lower_bound", report.is_lower_bound),
                note=data.get("note", report.note),
            ),
            version=data["version"],
        )
        return self._show(report)

    @extend_schema(
        operation_id="progress_submit",
        summary=_("Submit a figure for review"),
        parameters=[REPORT_ID],
        request=SubmitSerializer,
        responses={**ACTION_RESPONSES, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        data = self._input(SubmitSerializer)
        return self._show(
            services.report_submit(user=request.user, report=report, version=data.get("version"))
        )

    @extend_schema(
        operation_id="progress_approve",
        summary=_("Approve a submitted figure"),
        parameters=[REPORT_ID],
        request=ApproveSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        report = self.get_object()
        data = self._input(ApproveSerializer)
        return self._show(
            services.report_approve(user=request.user, report=report, comment=data["comment"])
        )

    @extend_schema(
        operation_id="progress_return",
        summary=_("Return a submitted figure for correction"),
        parameters=[REPORT_ID],
        request=ReturnSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        data = self._input(ReturnSerializer)
        return self._show(
            services.report_return(user=request.user, report=report, comment=data["comment"])
        )

    @extend_schema(
        operation_id="progress_reopen",
        summary=_("Reopen an approved figure"),
        parameters=[REPORT_ID],
        description=_("The figure goes back to draft so that it can be corrected."),
        request=ReopenSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        report = self.get_object()
        data = self._input(ReopenSerializer)
        return self._show(
            services.report_reopen(user=request.user, report=report, reason=data["reason"])
        )
