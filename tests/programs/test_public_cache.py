"""The cache of public answers keeps to what every visitor shares, under a bounded set of keys.

An official's flash message (its text can be a file name the official chose) must never reach
another visitor through a cached page; random query parameters, Accept headers, cookies and
ports must not each make a cache entry, or anyone could flood the cache and push the real pages
out. The keys are counted in the cache backend itself.
"""

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path, reverse
from openpyxl import load_workbook

from programs import public_cache
from programs.entry_workbook import COLUMN, FIRST_ROW

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a malicious or careless official names the file: it is quoted in the success message.
BAIT = "系统已迁移 请到 evil.example 重新登录"
ROUNDS = 300


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def cache_keys() -> list[str]:
    """Every key in the cache backend in use: local memory's own dict, or a SCAN of Redis."""
    backend = cache._cache
    if isinstance(backend, dict):  # LocMemCache
        return list(backend)
    client = backend.get_client(None, write=False)  # RedisCache
    return list(client.scan_iter(match=cache.make_key("*")))


def page_keys() -> list[str]:
    return [str(key) for key in cache_keys() if "public-page" in str(key)]


# --- A flash message stays with its own visitor ---------------------------------------------------


def message_with_the_bait(client, skills_plan, period) -> None:
    """The official uploads figures from a file named BAIT and confirms: the success message,
    quoting the file name, waits in the browser for the next page."""
    program = skills_plan.program
    args = [program.region.code, period.pk, program.pk]
    template = client.get(reverse("programs:excel_template", args=args))
    assert template.status_code == 200
    workbook = load_workbook(io.BytesIO(template.content))
    sheet = workbook.worksheets[0]
    row = next(
        cell.row
        for (cell,) in sheet.iter_rows(min_row=FIRST_ROW, max_col=1)
        if cell.value == "VT_TRAINED"
    )
    sheet.cell(row, COLUMN["value"]).value = 1200
    content = io.BytesIO()
    workbook.save(content)
    upload = reverse("programs:excel_upload", args=args)
    preview = client.post(
        upload, {"file": SimpleUploadedFile(f"{BAIT}.xlsx", content.getvalue(), XLSX)}
    )
    assert preview.status_code == 200, preview.content.decode()[:2000]
    confirmed = client.post(upload, {"confirm": preview.context["token"]})
    assert confirmed.status_code == 302


@pytest.fixture
def official(gangqu_reporter):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(gangqu_reporter)
    return client


def test_an_officials_message_is_never_cached_into_a_public_page(official, skills_plan, open_2024):
    message_with_the_bait(official, skills_plan, open_2024)
    # Signed out with the message still waiting (a sign-out keeps the messages cookie, as does a
    # sign-in that has expired): the next page is an anonymous one.
    signed_out = official.post(reverse("logout"))
    assert signed_out.status_code == 302 and signed_out.url == reverse("public:home")

    own = official.get(reverse("public:home"))
    assert BAIT in own.content.decode()  # the official sees their own message
    assert page_keys() == []  # and the page that showed it was not stored

    for _ in range(2):
        visitor = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:home"))
        assert visitor.status_code == 200
        assert BAIT not in visitor.content.decode()
    assert len(page_keys()) == 1  # the visitor's page, without the message, is stored


def test_a_visitor_with_a_waiting_message_is_not_served_the_cached_page(
    official, skills_plan, open_2024
):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    anonymous.get(reverse("public:home"))
    assert anonymous.get(reverse("public:home"))["X-Cache"] == "hit"
    message_with_the_bait(official, skills_plan, open_2024)
    official.post(reverse("logout"))

    own = official.get(reverse("public:home"))

    assert "X-Cache" not in own
    assert BAIT in own.content.decode()  # not lost behind the cached page
    assert BAIT not in anonymous.get(reverse("public:home")).content.decode()


# A page that does what makes an answer one visitor's own; none may be stored.
def sets_a_cookie(request):
    response = HttpResponse("page")
    response.set_cookie("mine", "1")
    return response


def writes_the_session(request):
    request.session["seen"] = True
    return HttpResponse("page")


def uses_a_csrf_token(request):
    return HttpResponse(f"<input value='{get_token(request)}'>")


def adds_a_message(request):
    messages.info(request, "only for you")
    return HttpResponse("page")


def private(request):
    response = HttpResponse("page")
    response["Cache-Control"] = "private"
    return response


PERSONAL = [sets_a_cookie, writes_the_session, uses_a_csrf_token, adds_a_message, private]
urlpatterns = [
    path(f"{view.__name__}/", public_cache.cached_public_page()(view), name=view.__name__)
    for view in PERSONAL
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("view", PERSONAL, ids=lambda view: view.__name__)
def test_an_answer_of_one_visitors_own_is_not_stored(view, client):
    url = reverse(view.__name__)
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and "X-Cache" not in response
    assert page_keys() == []


# --- The keys are bounded -------------------------------------------------------------------------


@pytest.fixture
def pages(gangqu, skills_plan, open_2024):
    program = skills_plan.program
    return {
        "home": reverse("public:home"),
        "search": reverse("public:region_search"),
        "region": reverse("public:region", args=[gangqu.code]) + "?year=2024",
        "program": reverse("public:program", args=[program.pk]) + "?year=2024",
        "indicator": "/indicators/VT_TRAINED/?region=3304&year=2024",
    }


@pytest.mark.parametrize("page", ["home", "search", "region", "program", "indicator"])
def test_random_parameters_headers_and_cookies_make_no_new_page_entries(pages, page):
    url = pages[page]
    joiner = "&" if "?" in url else "?"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = client.get(url)
    assert first.status_code == 200
    for number in range(ROUNDS):
        client.cookies["elder"] = f"x{number}"
        response = client.get(
            f"{url}{joiner}utm_source=n{number}&per_page={number}&year=2024",
            HTTP_ACCEPT=f"text/html, application/x-{number}",
        )
        assert response.status_code == 200
        assert "utm_source" not in response.content.decode()  # dropped, never echoed
    assert len(page_keys()) == 1
    assert len(cache_keys()) <= 2  # and the public data version


def test_values_that_are_not_the_pages_own_are_not_stored(gangqu, skills_plan, pages):
    region = pages["region"].split("?")[0]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for number in range(ROUNDS // 6):
        for url in (
            f"{region}?year=x{number}",  # not a year: the latest year is shown
            f"{region}?year={3000 + number}",  # out of range: the same
            f"{region}?compare=NOPE{number}",  # no such indicator: the first is compared
            f"/programs/{'0' * (number + 1)}{skills_plan.program.pk}/",  # /programs/007/
            f"{pages['search']}?q=港{number}",  # a search: free text
            f"{pages['indicator']}&page={2 + number}",  # past the last page: the last one
        ):
            assert client.get(url).status_code == 200, url
    assert page_keys() == []


def test_a_year_written_another_way_shares_the_entry_of_the_year(pages):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = pages["region"]
    client.get(url)
    for year in ("02024", "+2024", " 2024"):
        response = client.get(url.replace("2024", year))
        assert response["X-Cache"] == "hit", year
    assert len(page_keys()) == 1


OPEN_DATA = "/api/v1/open/progress/?region=3304&page_size=2"


def test_random_parameters_and_accept_headers_make_no_new_open_data_entries(
    gangqu, skills_plan, open_2024
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = client.get(OPEN_DATA)
    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    before = len(cache_keys())
    for number in range(ROUNDS):
        accept = [
            "application/json",
            "*/*",
            f"application/json, application/x-{number}",
            f"application/json; q=0.{number % 9 + 1}",
        ][number % 4]
        # an unknown parameter is dropped (a known one given twice is refused: the contract tests)
        response = client.get(f"{OPEN_DATA}&junk{number}=1", HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["X-Cache"] == "hit", accept
    assert len(cache_keys()) == before <= 3  # version, answer (and a page's cursor)


def offset_cursor(offset: int) -> str:
    """A cursor made up by the visitor: any offset decodes to a page."""
    return base64.b64encode(f"o={offset}".encode()).decode()


# Transactional: a refused open-data request (DRF's 400) marks the surrounding atomic block, here
# the test's own, for rollback.
@pytest.mark.django_db(transaction=True)
def test_open_data_answers_that_would_not_be_shared_keys_are_not_stored(
    gangqu, skills_plan, open_2024
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for number in range(ROUNDS // 5):
        for url, headers in (
            (f"{OPEN_DATA}&cursor={offset_cursor(number)}", {}),  # one no stored page gave
            (f"{OPEN_DATA}&page_size={1001 + number}", {}),  # past the maximum
            (OPEN_DATA, {"HTTP_ACCEPT": f"application/json; indent={number % 8}"}),
            (OPEN_DATA, {"HTTP_HOST": f"testserver:{8000 + number}"}),  # a made-up port
            (f"/api/v1/regions/?q=港{number}", {}),  # a search: free text
        ):
            assert client.get(url, **headers).status_code in (200, 400), url
    assert [key for key in cache_keys() if "open-data" in str(key)] == []


# --- The cache itself -----------------------------------------------------------------------------


def test_an_evicted_data_version_never_brings_back_old_pages():
    version = public_cache.public_version()
    public_cache.bump_public_version()
    cache.delete(public_cache.PUBLIC_VERSION_KEY)  # evicted: the cache was full
    assert public_cache.public_version() > version + 1


def test_the_local_memory_cache_is_bounded():
    show = "from django.conf import settings; print(settings.CACHES['default']['OPTIONS'])"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_CACHE_URL", "CACHE_MAX_ENTRIES")}
    for extra, expected in (({}, "1000"), ({"CACHE_MAX_ENTRIES": "50"}, "50")):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", show],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert f"'MAX_ENTRIES': {expected}" in result.stdout
