"""Security headers on every response: one URL of every URL pattern, anonymous and signed in,
plus a 404, a static file served by WhiteNoise, the admin login, the API docs and /healthz."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from .factories import ReportFactory

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(header: str) -> dict[str, list[str]]:
    directives = (d.split() for d in header.split(";") if d.strip())
    return {name: sources for name, *sources in directives}


def security_problems(response) -> list[str]:
    problems = []
    if "Content-Security-Policy" not in response:
        problems.append("no Content-Security-Policy")
    elif policy(response["Content-Security-Policy"]) != POLICY:
        problems.append(f"policy {response['Content-Security-Policy']}")
    for name, value in HEADERS.items():
        if response.get(name) != value:
            problems.append(f"{name}: {response.get(name)!r}")
    return problems


def walk(patterns, prefix="", namespaces=()):
    """(pattern, its full regex or route text, its reversible name or None) for every endpoint."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), namespace)
        else:
            assert isinstance(entry, URLPattern)
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield entry, prefix + str(entry.pattern), name


@pytest.fixture
def site(skills_plan, gangqu, gangqu_reporter, superuser, open_2024):
    report = ReportFactory(
        indicator=skills_plan.indicators.first(),
        region=gangqu,
        period=open_2024,
        value=Decimal(12),
    )
    return {
        "pk": report.pk,
        "id": superuser.pk,
        "object_id": str(superuser.pk),
        "content_type_id": ContentType.objects.get_for_model(superuser).pk,
        "code": gangqu.code,
        "region_code": gangqu.code,
        "period_id": open_2024.pk,
        "program_id": skills_plan.program.pk,
        "app_label": "auth",
        "history_id": 1,
        "url": "nowhere/",
    }


def one_url(pattern, text, name, values) -> str:
    """A URL that this pattern answers, with real objects' keys where the parameters name them."""
    parameters = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", text)
    kwargs = {a or b: values.get(a or b, 1) for a, b in parameters}
    if name and not kwargs and re.compile(text).groups:  # unnamed groups (simple_history's)
        url = reverse(name, args=[1] * re.compile(text).groups)
    elif name:
        url = reverse(name, kwargs=kwargs)
    else:  # unnamed (the admin's catch-all): fill in the regex by hand
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m[1]]), text)
        url = "/" + path.replace("^", "").replace("$", "").replace("\\", "")
    assert resolve(url).func is pattern.callback, (text, url)
    return url


def every_url(values) -> list[str]:
    entries = list(walk(get_resolver().url_patterns))
    urls = sorted({one_url(*entry, values) for entry in entries})
    assert len(urls) == len(entries)
    return urls


@pytest.mark.django_db
def test_every_url_pattern_answers_with_the_security_headers(site, superuser):
    urls = every_url(site)
    assert len(urls) > 100  # the site's own pages, the API and the admin
    signed_in = Client()
    signed_in.force_login(superuser)
    problems = {}
    statuses = set()
    for who, client in (("anonymous", Client()), ("signed in", signed_in)):
        for url in urls:
            response = client.get(url)
            statuses.add(response.status_code)
            if found := security_problems(response):
                problems[f"{who} {url} ({response.status_code})"] = found
    assert problems == {}
    assert {200, 302, 404, 405} <= statuses  # pages, sign-in redirects, missing objects, POST-only


@pytest.mark.django_db
def test_special_responses_have_the_security_headers_too(client, settings, superuser):
    settings.WHITENOISE_USE_FINDERS = True  # WhiteNoise serves from the source folders
    responses = {
        "404": client.get("/no-such-page/"),
        "static (WhiteNoise)": Client().get("/static/css/site.css"),
        "admin login": client.get("/admin/login/"),
        "API docs": client.get("/api/docs/"),
        "API docs script": client.get("/api/docs/?script="),
        "healthz": client.get("/healthz"),
        "failed sign-in": client.post("/accounts/login/", {"username": "x", "password": "y"}),
    }
    assert responses["404"].status_code == 404
    static = responses["static (WhiteNoise)"]
    assert static.status_code == 200
    assert b"".join(static.streaming_content).startswith(b"/*")
    assert responses["API docs script"]["Content-Type"].startswith("application/javascript")
    assert {name: security_problems(r) for name, r in responses.items()} == {
        name: [] for name in responses
    }


@pytest.mark.django_db
def test_the_api_docs_load_nothing_from_another_site(client):
    page = client.get("/api/docs/").content.decode()
    assert "cdn" not in page.lower()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # every script is a file


INLINE = re.compile(
    r"<style|\sstyle=|\son[a-z]+=|javascript:|<script(?![^>]*\b(?:src=|type=\"application/json\"))"
)


def test_templates_have_no_inline_scripts_styles_or_handlers():
    """The policy refuses these anyway; this names the template when someone adds one."""
    from django.conf import settings

    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if INLINE.search(path.read_text())
    ]
    assert offenders == []


def test_simple_historys_templates_as_rendered_have_no_inline_styles():
    """The admin's history pages render simple-history's templates; the ones with an inline
    style are overridden in templates/simple_history/."""
    import simple_history
    from django.template.loader import get_template

    folder = Path(simple_history.__file__).parent / "templates" / "simple_history"
    names = [f"simple_history/{path.name}" for path in folder.glob("*.html")]
    assert "simple_history/object_history_list.html" in names
    offenders = [
        name
        for name in names
        if INLINE.search(Path(get_template(name).origin.name).read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_api_view_renders_drfs_browsable_pages():
    """DRF's browsable API templates carry inline styles: the API answers JSON only."""
    from rest_framework.renderers import BrowsableAPIRenderer
    from rest_framework.views import APIView

    views = [
        pattern.callback.cls
        for pattern, _text, _name in walk(get_resolver().url_patterns)
        if isinstance(getattr(pattern.callback, "cls", None), type)
        and issubclass(pattern.callback.cls, APIView)
    ]
    assert len(views) > 10
    browsable = [
        view.__name__
        for view in views
        if any(issubclass(renderer, BrowsableAPIRenderer) for renderer in view.renderer_classes)
    ]
    assert browsable == []
