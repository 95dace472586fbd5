"""The HTTP edge: what every request must be before any view reads it, and HEAD like GET.

PostgreSQL refuses text with a NUL character, and a lone surrogate cannot be encoded for any
database or workbook, so a single `%00` in a filter, a path or a form field used to end in a 500
deep inside a query. These are never meaningful input: the request is answered 400 here, once for
every page, the API and the admin. (JSON bodies are checked by the API's parser,
`talentportal.parsers`, which also bounds their nesting.)
"""

import re
from urllib.parse import unquote_to_bytes

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

# C0 control characters other than tab, line feed and carriage return (NUL among them: refused
# by PostgreSQL; the others are refused by XML, so by every Excel export), and lone surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
BROKEN_PATH = re.compile("%[89a-fA-F][0-9a-fA-F]")
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


def bad_form(request) -> bool:
    content_type = request.content_type or ""
    if content_type == FORM_TYPES[0]:
        return bad_encoded(request.body, percent_encoded=True)
    if content_type == FORM_TYPES[1] and request.method == "POST":
        fields = [value for _key, values in request.POST.lists() for value in [_key, *values]]
        fields += [upload.name or "" for uploads in request.FILES.lists() for upload in uploads[1]]
        return any(forbidden_text(text) for text in fields)
    return False


def bad_request_input(request) -> bool:
    meta = request.META
    # Django has already decoded the path, putting bytes that are not UTF-8 back as %XX (≥ %80);
    # no path of the site holds a literal "%" (codes are letters, digits and underscores).
    if BROKEN_PATH.search(request.path_info) or forbidden_text(request.path_info):
        return True
    if bad_encoded(wsgi_bytes(meta.get("QUERY_STRING", "")), percent_encoded=True):
        return True
    # Headers and cookies reach the database too: the session and token keys are looked up, the
    # browser's name is stored with every sign-in attempt.
    if any(forbidden_text(value) for key, value in meta.items() if key.startswith("HTTP_")):
        return True
    if any(forbidden_text(value) for value in request.COOKIES.values()):
        return True
    return bad_form(request)


def refusal(request) -> HttpResponse:
    message = _(
        "The request contains characters that are not allowed (a NUL or control character, "
        "or bytes that are not UTF-8)."
    )
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class InvalidInputMiddleware:
    """After LocaleMiddleware (the refusal is in the visitor's language), before anything that
    reads the session, the user or a form: 400 for characters no field may hold."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if bad_request_input(request):
            return refusal(request)
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


class DatabaseBusyMiddleware:
    """SQLite's write lock still held by another request after SQLITE_TIMEOUT seconds: 503 with
    Retry-After and a message, not a 500 (the transaction has been rolled back, nothing saved).
    PostgreSQL locks rows, and waits for them; a stale version there is the views' 409."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OperationalError) and "database is locked" in str(exception)):
            return None
        message = _("The database is busy with other changes: nothing was saved. Try again.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
