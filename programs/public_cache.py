"""What anonymous visitors are served from the cache, and when it is thrown away.

Every public answer — a whole page or an open-data JSON answer — is cached under a key holding the
public data version, bumped on commit of every approval, reopening and catalog change (so the next
request sees it), the language, and what tells the answers apart. Signed-in users are never served
from here, nor is anything they see stored.

Only what is the same for every visitor is stored: never an answer that showed a flash message
(those belong to one browser), set a cookie, changed the session or used a CSRF token; and a
visitor with a message waiting is served afresh, so the message is shown to them alone.

The keys are bounded. Each view names the query parameters it reads; any other parameter is
dropped from the request before the view sees it (not redirected: the answer is the same, so
nothing is gained by a second round trip), and what is left is put in one order, each once, with
its value normalised (a year is a whole number in range). An answer whose parameters cannot be
normalised — free text such as a search, a value the view would refuse or replace — is made
afresh and not stored. Content negotiation comes into an open-data key as the renderer chosen
(only JSON is stored), never as the raw Accept header.
"""

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.request import split_domain_port
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

PUBLIC_VERSION_KEY = "public-data-version"
PAGE_TTL = 10 * 60
ELDER_COOKIE = "elder"
MAX_BYTES = 1024 * 1024  # memcached's item limit; bigger answers are made afresh
KEPT_HEADERS = ("Content-Type", "Vary", "Allow")
NOT_SHARED = "_public_cache_not_shared"


def public_version() -> int:
    """Part of every public cache key: bumped on each approval so pages refresh at once.

    A version that was evicted (a bounded cache throws out what it must) starts again from the
    clock, never from a number an earlier version had, so no page of old data is found again."""
    return cache.get_or_set(PUBLIC_VERSION_KEY, _fresh_version, timeout=None)


def _fresh_version() -> int:
    return time.time_ns() // 1000


def public_cache_key(kind: str, *parts: str) -> str:
    """The cache key of an anonymous answer (page or open data): its kind, the public data
    version, the language, and what else tells the answers apart."""
    return ":".join([kind, str(public_version()), get_language(), *parts])


def bump_public_version() -> None:
    try:
        cache.incr(PUBLIC_VERSION_KEY)
    except ValueError:
        cache.set(PUBLIC_VERSION_KEY, _fresh_version(), timeout=None)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()  # a URL's length does not bound a key


# --- Query parameters -------------------------------------------------------------------------


class Uncacheable(Exception):
    """A parameter value whose answer is made afresh and never stored."""


Normaliser = Callable[[str], str]


def exact(value: str) -> str:
    """A code or choice the view looks up: an unknown one is a 404 or a 400, never stored, so
    each stored answer stands for a real code."""
    return value


def free_text(value: str) -> str:
    """A search: each text would be its own entry, so searches are made afresh."""
    raise Uncacheable


def whole_number(low: int, high: int) -> Normaliser:
    """A whole number from `low` to `high`, written plainly ("02024" is "2024")."""

    def normalise(value: str) -> str:
        try:
            number = int(value)
        except ValueError:
            raise Uncacheable from None
        if not low <= number <= high:
            raise Uncacheable
        return str(number)

    return normalise


def one_of(values: Iterable[str]) -> Normaliser:
    allowed = frozenset(values)

    def normalise(value: str) -> str:
        if value not in allowed:
            raise Uncacheable
        return value

    return normalise


def issued_cursor(value: str) -> str:
    """A cursor of the open data: stored only if a stored answer gave it as its next or previous
    page (any text decodes to some cursor, so others would be entries without end)."""
    if cache.get(_cursor_key(value)) is None:
        raise Uncacheable
    return value


def _cursor_key(cursor: str) -> str:
    return public_cache_key("open-data-cursor", _digest(cursor))


def use_known_parameters(
    request: HttpRequest, params: Mapping[str, Normaliser], *, repeats_refused: bool = False
) -> bool:
    """Leave the request only the parameters in `params`: each once (the last given, as a view
    reads it), in the order of `params`, normalised; an empty one is left out, as views treat it
    as absent. Returns whether the answer may be stored.

    With `repeats_refused` (the open data, which answer a parameter given more than once with a
    400), such a request is left as it came and not stored, for the view to refuse."""
    if repeats_refused and any(len(values) > 1 for _name, values in request.GET.lists()):
        return False
    storable = True
    pairs = []
    for name, normalise in params.items():
        value = request.GET.get(name, "")
        if value == "":
            continue
        try:
            value = normalise(value)
        except Uncacheable:
            storable = False  # the view answers the value as given
        pairs.append((name, value))
    query = urlencode(pairs)
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)
    return storable


def not_shared(request: HttpRequest) -> None:
    """Called by a view whose answer must not be stored: it replaced a value it was given (a page
    number past the end), so the answer stands for another request."""
    setattr(request, NOT_SHARED, True)


def _canonical_path(request: HttpRequest) -> bool:
    """Whether the path is the one its view's URL gives (/programs/007/ is /programs/7/)."""
    match = request.resolver_match
    try:
        return reverse(match.view_name, args=match.args, kwargs=match.kwargs) == request.path
    except NoReverseMatch:
        return False


# --- What may be shared -----------------------------------------------------------------------


def _messages_pending(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and (storage.used or len(storage) > 0)


def _shared(request: HttpRequest, response) -> bool:
    """Whether an anonymous answer is the same for every visitor, so it may be stored."""
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not getattr(request, NOT_SHARED, False)
        and not response.cookies
        and not _messages_pending(request)
        and not (session is not None and session.modified)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


# --- Whole pages ------------------------------------------------------------------------------


def cached_public_page(**params: Normaliser):
    """Serve anonymous GETs of a public page from the cache until the public data changes.

    `params` are the query parameters the page reads, each with its normaliser."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated or _messages_pending(request):
                return view(request, *args, **kwargs)
            storable = use_known_parameters(request, params)
            if not storable or not _canonical_path(request):
                return view(request, *args, **kwargs)
            elder = "1" if request.COOKIES.get(ELDER_COOKIE) == "1" else "0"
            key = public_cache_key("public-page", elder, _digest(request.get_full_path()))
            cached = cache.get(key)
            if cached is not None:
                response = HttpResponse(cached, content_type="text/html; charset=utf-8")
                response["X-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if _shared(request, response):
                cache.set(key, response.content, PAGE_TTL)
            return response

        # Read-only pages need no transaction (ATOMIC_REQUESTS would add two savepoint round
        # trips).
        return transaction.non_atomic_requests(require_GET(wrapper))

    return decorate


# --- Open-data answers ------------------------------------------------------------------------
# Keyed on the request's scheme, host (the `next` and `previous` links of a page name it), path and
# known parameters, and the renderer. Only JSON answers are kept: the browsable API's HTML
# carries a visitor's CSRF token.


def anonymous_read(request: HttpRequest) -> bool:
    return request.method == "GET" and not request.user.is_authenticated


def _named_host(request: HttpRequest) -> str | None:
    """The host asked for, if ALLOWED_HOSTS names it exactly (not by a pattern such as
    .example.com, which would let each made-up subdomain be an entry) on the server's own port."""
    host = request.get_host()
    domain, port = split_domain_port(host)
    if domain not in settings.ALLOWED_HOSTS or port not in ("", request.get_port()):
        return None
    return host


def open_data_key(request: HttpRequest, answer_format: str | None) -> str | None:
    """The key of an anonymous read whose parameters were already left to the known ones
    (`use_known_parameters`), or None if it is not to be stored. `answer_format` is the renderer
    content negotiation chose, from a fixed few; None is an answer never stored."""
    host = _named_host(request)
    if answer_format is None or host is None or not _canonical_path(request):
        return None
    asked = f"{request.scheme}://{host}{request.get_full_path()}"
    return public_cache_key("open-data", answer_format, _digest(asked))


def cached_answer(key: str) -> HttpResponse | None:
    entry = cache.get(key)
    if entry is None:
        return None
    content, headers = entry
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response["X-Cache"] = "hit"
    return response


def keep_answer(key: str, request: HttpRequest, response) -> None:
    if not _shared(request, response):
        return
    response.render()
    if response.get("Content-Type", "").startswith("application/json") and (
        len(response.content) <= MAX_BYTES
    ):
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        cache.set(key, (response.content, headers), PAGE_TTL)
        _issue_cursors(getattr(response, "data", None))


def _issue_cursors(data) -> None:
    """Mark the cursors of a stored list page's links, so the pages they lead to are stored."""
    if not isinstance(data, dict):
        return
    for link in (data.get("next"), data.get("previous")):
        if isinstance(link, str):
            for cursor in parse_qs(urlsplit(link).query).get("cursor", []):
                cache.set(_cursor_key(cursor), 1, PAGE_TTL)
