"""The HTTP edge: what every request must be before any view reads it, and HEAD like GET.

PostgreSQL refuses text with a NUL character, and a lone surrogate cannot be encoded for any
database or workbook, so a single `%00` in a filter, a path or a form field used to end in a 500
deep inside a query. These are never meaningful input: the request is refused here, once for
every page, the API and the admin: 400 with a short message in the visitor's language; on the API
in its own shapes (a query parameter as a field error, a path as not found). Bodies sent to the
API are checked by its parsers (`talentportal.parsers`, which also bound the nesting of JSON).
"""

import logging
import re
from urllib.parse import parse_qsl, unquote_to_bytes

from django.db import DataError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

# C0 control characters other than tab, line feed and carriage return (NUL among them: refused
# by PostgreSQL; the others are refused by XML, so by every Excel export), and lone surrogates.
CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f"
FORBIDDEN = re.compile(f"[{CONTROL}\ud800-\udfff]")
# The same control characters as a JSON-schema (ECMA) class body, for the API schema's patterns.
CONTROL_ESCAPED = "".join(f"\\u{ord(char):04x}" if char != "-" else "-" for char in CONTROL)
BROKEN_PATH = re.compile("%[89a-fA-F][0-9a-fA-F]")
API_PREFIX = "/api/"
PLAIN = "text/plain; charset=utf-8"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def forbidden_text(text: str) -> bool:
    return FORBIDDEN.search(text) is not None


def wsgi_bytes(value: str) -> bytes:
    """The bytes a WSGI server passed as a latin-1 string (ASGI servers pass decoded text)."""
    try:
        return value.encode("iso-8859-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def bad_encoded(raw: bytes, *, percent_encoded: bool) -> bool:
    """Not UTF-8 once percent-decoded, or with a forbidden character."""
    if percent_encoded:
        raw = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return forbidden_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return True


def bad_form_field(request) -> str | None:
    """The name of the first form field (or file name) that holds a forbidden character."""
    content_type = request.content_type or ""
    if content_type == FORM_TYPES[0]:
        if not bad_encoded(request.body, percent_encoded=True):
            return None
        fields = parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        return next((key for key, value in fields if forbidden_text(key + value)), "")
    if content_type == FORM_TYPES[1] and request.method == "POST":
        for key, values in request.POST.lists():
            if any(forbidden_text(text) for text in [key, *values]):
                return key
        for key, uploads in request.FILES.lists():
            if any(forbidden_text(upload.name or "") for upload in uploads):
                return key
    return None


def first_problem(request) -> tuple[str, str] | None:
    """Where the request holds what no field may: ("path" | "query" | "header" | "cookie" |
    "form", the parameter's name), or None."""
    # Django has already decoded the path, putting bytes that are not UTF-8 back as %XX (≥ %80);
    # no path of the site holds a literal "%" (codes are letters, digits and underscores).
    if BROKEN_PATH.search(request.path_info) or forbidden_text(request.path_info):
        return "path", ""
    query = wsgi_bytes(request.META.get("QUERY_STRING", ""))
    if bad_encoded(query, percent_encoded=True):
        fields = parse_qsl(query.decode("iso-8859-1"), keep_blank_values=True, encoding="latin-1")
        names = (k for k, v in fields if bad_encoded(wsgi_bytes(k + v), percent_encoded=False))
        return "query", decoded_name(next(names, ""))
    # Headers and cookies reach the database too: the session and token keys are looked up, the
    # browser's name is stored with every sign-in attempt.
    for key, value in request.META.items():
        if key.startswith("HTTP_") and forbidden_text(value):
            return "header", key.removeprefix("HTTP_").replace("_", "-").title()
    for key, value in request.COOKIES.items():
        if forbidden_text(key + value):
            return "cookie", key
    # The API's parsers check the forms sent to it, and answer in the API's shapes.
    if not request.path_info.startswith(API_PREFIX):
        name = bad_form_field(request)
        if name is not None:
            return "form", name
    return None


def decoded_name(raw: str) -> str:
    """A parameter's name as text, or "" when the name itself is what is refused."""
    try:
        name = raw.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return ""
    return "" if forbidden_text(name) else name


def refusal(request, where: str, name: str) -> HttpResponse:
    message = _(
        "The request contains characters that are not allowed (a NUL or control character, "
        "or bytes that are not UTF-8)."
    )
    if not request.path_info.startswith(API_PREFIX):
        return HttpResponse(message, status=400, content_type=PLAIN)
    if where == "path":  # no figure, region or code can be named so: as for any unknown one
        return JsonResponse({"detail": message}, status=404)
    # As the API's own field errors: {"field": ["message"]}.
    return JsonResponse({name or api_settings.NON_FIELD_ERRORS_KEY: [message]}, status=400)


class InvalidInputMiddleware:
    """After LocaleMiddleware (the refusal is in the visitor's language), before anything that
    reads the session, the user or a form: 400 for characters no field may hold."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if problem := first_problem(request):
            return refusal(request, *problem)
        return self.get_response(request)


class HeadAsGetMiddleware:
    """First: a HEAD request is answered as the GET would be, without the body.

    Views allow GET with `require_GET`, `http_method_names` or DRF's routes, and most of them
    forgot HEAD, which monitors and link checkers send (HTTP requires it wherever GET is allowed).
    The view sees a GET; the answer keeps its status and headers (Content-Length included).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        request.META["REQUEST_METHOD"] = "GET"
        response = self.get_response(request)
        request.method = "HEAD"
        request.META["REQUEST_METHOD"] = "HEAD"
        if response.streaming:
            response.streaming_content = iter(())  # the file is closed with the response
        else:
            length = response.get("Content-Length")
            response.content = b""
            if length is not None:
                response["Content-Length"] = length
        return response


class DatabaseLimitsMiddleware:
    """What the database cannot do with a request, answered instead of a 500 (the request's
    transaction has been rolled back, nothing saved):

    - SQLite's write lock still held by another request after SQLITE_TIMEOUT seconds: 503 with
      Retry-After. (PostgreSQL locks rows and waits; a stale version there is the views' 409.)
    - A number beyond 64 bits reaching a query (an id of 10^30 in a filter or a form's initial
      value): SQLite cannot even compare it (OverflowError): 400, as PostgreSQL finds nothing.
    - A value the database refuses to store (DataError: text longer than its column, a number
      out of its range) that no validation caught before, such as a 300-character username
      that django-axes records with a failed sign-in: 400, logged so the gap can be closed.
    """

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            message, status = _("A number in the request is too large."), 400
        elif isinstance(exception, DataError):
            logger.warning("Value refused by the database at %s: %s", request.path, exception)
            message = _("A value in the request is too long or out of range.")
            status = 400
        elif isinstance(exception, OperationalError) and "database is locked" in str(exception):
            message = _("The database is busy with other changes: nothing was saved. Try again.")
            status = 503
        else:
            return None
        if request.path_info.startswith(API_PREFIX):
            response = JsonResponse({"detail": message}, status=status)
        else:
            response = HttpResponse(message, status=status, content_type=PLAIN)
        if status == 503:
            response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
