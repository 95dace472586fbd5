"""Print and share: the QR code of a page of this site, and the controls and Open Graph tags of the
region, program and indicator pages."""

import io
import re
from html import unescape
from urllib.parse import quote

import pytest
import segno
from django.core.cache import cache
from django.test import Client

from programs.models import Program

pytestmark = pytest.mark.django_db

SITE = "https://rencai.example.gov.cn"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE
    cache.clear()


@pytest.fixture
def demo(shared_demo):
    """The tests here only read the demo: it is loaded once for them (tests/conftest.py)."""


def qr(client, path: str):
    return client.get("/qr.svg", {"path": path})


def drawing_of(address: str) -> bytes:
    out = io.BytesIO()
    segno.make(address, error="m").save(
        out, kind="svg", border=4, xmldecl=False, omitsize=True, title=address
    )
    return out.getvalue()


def test_the_qr_code_of_a_page_is_the_sites_address_of_it_as_svg(client):
    response = qr(client, "/regions/3304/?year=2024")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    # The code is the drawing of SITE_URL + path, whatever host the request came by.
    assert response.content == drawing_of(f"{SITE}/regions/3304/?year=2024")
    assert f"<title>{SITE}/regions/3304/?year=2024</title>".encode() in response.content
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]
    assert not response.cookies


def test_a_qr_code_names_no_host_given_in_the_request(client):
    response = client.get("/qr.svg", {"path": "/regions/3304/"}, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"localhost" not in response.content
    assert response.content == drawing_of(f"{SITE}/regions/3304/")


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/regions/3304/",  # a full address
        "javascript:alert(1)",  # a scheme
        "//evil.example/regions/3304/",  # a protocol-relative address: another host
        "/\\evil.example/regions/3304/",  # browsers read "/\" as "//"
        "/regions/3304/\\x",
        "regions/3304/",  # not from the root
        "/regions/3304/\n",  # a line break
        "/regions/3304/ x",
        "/nowhere/",  # no page of this site
        "/regions/3304/?q=" + "x" * 500,  # over 500 characters
        "",
    ],
)
def test_anything_but_a_path_of_this_site_is_refused_with_a_message(client, path):
    response = qr(client, path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "500" in response.content.decode()  # the message says what is expected
    assert b"<svg" not in response.content


def test_a_nul_is_refused(client):
    # talentportal/edge.py refuses it before the view, with its own message.
    response = qr(client, "/regions/3304/\x00")
    assert response.status_code == 400
    assert b"<svg" not in response.content


def test_a_path_of_500_characters_is_drawn_and_501_are_not(client):
    start = "/regions/3304/?q="
    assert qr(client, start + "x" * (500 - len(start))).status_code == 200
    assert qr(client, start + "x" * (501 - len(start))).status_code == 400


def test_the_qr_code_is_only_read(client):
    assert client.post("/qr.svg?path=/regions/3304/").status_code == 405


def meta(html: str, prop: str) -> str:
    found = re.search(rf'<meta property="{prop}" content="([^"]*)">', html)
    assert found, f"no {prop}"
    return unescape(found.group(1))


def page_paths():
    program = Program.objects.filter(region__code="3304Z01").order_by("pk").first()
    return [
        "/regions/3304Z01/?year=2024",
        f"/programs/{program.pk}/?year=2024",
        "/indicators/VT_TRAINED/?region=3304Z01&year=2024",
    ]


def test_the_region_program_and_indicator_pages_print_and_share(demo):
    client = Client()  # anonymous, Chinese
    for path in page_paths():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<button type="button" class="secondary" data-print hidden>打印</button>' in html
        assert '<button type="button" data-copy hidden>复制链接</button>' in html
        assert "<summary>分享</summary>" in html
        assert 'role="status" aria-live="polite"' in html
        assert f'readonly value="{SITE}{path.replace("&", "&amp;")}"' in html
        qr_src = re.search(r'<img src="(/qr\.svg\?path=[^"]+)"', html).group(1)
        assert qr_src == "/qr.svg?path=" + quote(path, safe="/")
        drawn = client.get(unescape(qr_src))
        assert drawn.status_code == 200 and drawn.content == drawing_of(SITE + path)
        printed = re.search(r'<p class="print-only" hidden>([^<]*)</p>', html).group(1)
        assert unescape(printed).startswith(SITE + path)
        assert re.search(r"数据截至 \d{4}-\d\d-\d\d$", unescape(printed)), printed
        assert '<script src="/static/js/share.js" defer></script>' in html
        assert 'href="/static/css/print.css" media="print"' in html
        assert "onclick" not in html


def test_the_pages_have_open_graph_tags_naming_the_sites_address(demo):
    client = Client()
    region, program, indicator = page_paths()
    # Asked for by another allowed host first: the cached page still names SITE_URL.
    html = client.get(region, HTTP_HOST="localhost").content.decode()
    assert meta(html, "og:url") == SITE + region
    html = client.get(region).content.decode()
    assert meta(html, "og:url") == SITE + region
    assert meta(html, "og:type") == "website"
    assert meta(html, "og:site_name") == "人才计划进展平台"
    assert meta(html, "og:title") == "嘉兴港区 · 2024"
    assert meta(html, "og:description") == "嘉兴港区2024年人才计划进展：经审核的数据与目标对照。"

    html = client.get(program).content.decode()
    item = Program.objects.get(pk=program.split("/")[2])
    assert meta(html, "og:url") == SITE + program
    assert meta(html, "og:title") == f"{item.name} · 嘉兴港区 · 2024"
    assert meta(html, "og:description")

    html = client.get(indicator).content.decode()
    assert meta(html, "og:url") == SITE + indicator
    assert meta(html, "og:title").endswith(" · 嘉兴港区 · 2024")
    assert meta(html, "og:description")


def test_in_english_the_controls_are_named_in_english(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    html = client.get("/regions/3304Z01/?year=2024").content.decode()
    assert ">Print</button>" in html and ">Copy link</button>" in html
    assert "<summary>Share</summary>" in html
