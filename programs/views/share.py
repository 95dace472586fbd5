"""Sharing a public page: its address on this site and a QR code of it for WeChat.

The QR code is drawn here as SVG (segno), never by a third-party service, and only ever of an
address of this site: the visitor gives a path, the site's own address (SITE_URL) goes in front.
"""

import io

import segno
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

MAX_PATH = 500
QR_MAX_AGE = 24 * 60 * 60  # the drawing of an address never changes


def page_address(path: str) -> str:
    """The absolute address of a path of this site, as shared (SITE_URL, not the Host header, so
    a page cached for every visitor names the same site)."""
    return settings.SITE_URL.rstrip("/") + path


def shareable_path(path: str) -> bool:
    """Whether `path` names a page of this site: "/…", short, printable, no scheme or host.

    "//host" and "/\\host" are refused: browsers read both as another host."""
    return (
        0 < len(path) <= MAX_PATH
        and path.startswith("/")
        and not path.startswith(("//", "/\\"))
        and "\\" not in path
        and path.isprintable()
        and " " not in path
        and _resolves(path.partition("?")[0].partition("#")[0])
    )


def _resolves(route: str) -> bool:
    try:
        resolve(route)
    except Resolver404:
        return False
    return True


@require_GET
def qr_code(request):
    """GET /qr.svg?path=/regions/3304/%3Fyear%3D2024 — a QR code of that page's address."""
    path = request.GET.get("path", "")
    if not shareable_path(path):
        return HttpResponseBadRequest(
            _(
                "Give the path of a page of this site (starting with “/”, at most %(max)d "
                "characters)."
            )
            % {"max": MAX_PATH},
            content_type="text/plain; charset=utf-8",
        )
    drawing = io.BytesIO()
    segno.make(page_address(path), error="m").save(
        drawing, kind="svg", border=4, xmldecl=False, omitsize=True, title=page_address(path)
    )
    response = HttpResponse(drawing.getvalue(), content_type="image/svg+xml")
    patch_cache_control(response, public=True, max_age=QR_MAX_AGE)
    return response
