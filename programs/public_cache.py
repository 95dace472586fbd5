"""What anonymous visitors are served from the cache, and when it is thrown away.

Every public answer — a whole page or an open-data JSON answer — is cached under a key holding the
public data version, bumped on commit of every approval, reopening and catalog change (so the next
request sees it), the language, and what tells the answers apart. Signed-in users are never served
from here, nor is anything they see stored.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

PUBLIC_VERSION_KEY = "public-data-version"
PAGE_TTL = 10 * 60
ELDER_COOKIE = "elder"
MAX_BYTES = 1024 * 1024  # memcached's item limit; bigger answers are made afresh
KEPT_HEADERS = ("Content-Type", "Vary", "Allow")


def public_version() -> int:
    """Part of every public cache key: bumped on each approval so pages refresh at once."""
    return cache.get_or_set(PUBLIC_VERSION_KEY, 1, timeout=None)


def public_cache_key(kind: str, *parts: str) -> str:
    """The cache key of an anonymous answer (page or open data): its kind, the public data
    version, the language, and what else tells the answers apart."""
    return ":".join([kind, str(public_version()), get_language(), *parts])


def bump_public_version() -> None:
    try:
        cache.incr(PUBLIC_VERSION_KEY)
    except ValueError:
        cache.set(PUBLIC_VERSION_KEY, 2, timeout=None)


# --- Whole pages ------------------------------------------------------------------------------


def cached_public_page(view):
    """Serve anonymous GETs of a public page from the cache until the public data changes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = public_cache_key(
            "public-page", request.COOKIES.get(ELDER_COOKIE, "0"), request.get_full_path()
        )
        cached = cache.get(key)
        if cached is not None:
            response = HttpResponse(cached, content_type="text/html; charset=utf-8")
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.content, PAGE_TTL)
        return response

    # Read-only pages need no transaction (ATOMIC_REQUESTS would add two savepoint round trips).
    return transaction.non_atomic_requests(require_GET(wrapper))


# --- Open-data answers ------------------------------------------------------------------------
# Keyed on the request's absolute URL (the `next` and `previous` links of a page name the host)
# and its Accept header. Only JSON answers are kept: the browsable API's HTML carries a visitor's
# CSRF token.


def open_data_key(request: HttpRequest) -> str | None:
    """The request's cache key, or None for a request that is neither read-only nor anonymous."""
    if request.method != "GET" or request.user.is_authenticated:
        return None
    asked = f"{request.build_absolute_uri()}\n{request.headers.get('Accept', '')}"
    digest = hashlib.sha256(asked.encode()).hexdigest()  # the URL's length does not bound a key
    return public_cache_key("open-data", digest)


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


def keep_answer(key: str, response) -> None:
    if response.status_code != 200:
        return
    response.render()
    if response.get("Content-Type", "").startswith("application/json") and (
        len(response.content) <= MAX_BYTES
    ):
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        cache.set(key, (response.content, headers), PAGE_TTL)
