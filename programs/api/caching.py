"""Anonymous open-data answers served from the cache until the public data changes.

An entry is keyed, like the cached public pages, on the public data version (bumped on commit of
every approval and reopening, so the next request sees it), the language, and the request: its
absolute URL (the `next` and `previous` links of a page name the host) and its Accept header.
Only JSON answers are kept: the browsable API's HTML carries a visitor's CSRF token.
"""

import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .. import dashboard
from ..views.public import PAGE_TTL

MAX_BYTES = 1024 * 1024  # memcached's item limit; bigger pages are made afresh
KEPT_HEADERS = ("Content-Type", "Vary", "Allow")


def key_for(request: HttpRequest) -> str | None:
    """The request's cache key, or None for a request that is neither read-only nor anonymous."""
    if request.method != "GET" or request.user.is_authenticated:
        return None
    asked = f"{request.build_absolute_uri()}\n{request.headers.get('Accept', '')}"
    digest = hashlib.sha256(asked.encode()).hexdigest()  # the URL's length does not bound a key
    return dashboard.public_cache_key("open-data", digest)


def cached(key: str) -> HttpResponse | None:
    entry = cache.get(key)
    if entry is None:
        return None
    content, headers = entry
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response["X-Cache"] = "hit"
    return response


def keep(key: str, response) -> None:
    if response.status_code != 200:
        return
    response.render()
    if response.get("Content-Type", "").startswith("application/json") and (
        len(response.content) <= MAX_BYTES
    ):
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        cache.set(key, (response.content, headers), PAGE_TTL)
