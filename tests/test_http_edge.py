"""Hostile and careless input at the HTTP edge: never a 5xx, a 400 that says why.

Over one URL of every URL pattern of the site (the enumeration of tests/test_security_headers.py,
which checks it covers them all), anonymous and signed in: a NUL in the query, the path or a form
field; a JSON body ten thousand arrays deep; HEAD wherever GET is allowed. Then the cases around
them: other characters no field may hold, headers and cookies, the JSON depth bound and strings in
JSON, and the bounds of the bulk API on SQLite.
"""

import json
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.test import Client, RequestFactory
from django.utils import timezone

from programs.choices import PeriodKind
from programs.models import ProgressReport, ReportingPeriod

from .factories import PeriodFactory, tracked_in
from .test_security_headers import every_url, site  # noqa: F401 (site is a fixture)

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000
NUL_MESSAGES = {
    "zh-hans": "请求中含有不允许的字符",
    "en": "The request contains characters that are not allowed",
}


def answer(client, method: str, url: str, *args, **kwargs):
    """The response, with whatever the request wrote rolled back (the next request starts afresh;
    a failed query on PostgreSQL would otherwise break the test's transaction)."""
    with transaction.atomic():
        response = getattr(client, method)(url, *args, **kwargs)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def clients(superuser):
    """Anonymous and signed in; `fresh()` signs the superuser in again (a POST to a sign-out URL
    signs them out)."""
    signed_in = Client(raise_request_exception=False)

    def fresh():
        signed_in.force_login(superuser)
        return signed_in

    return {"anonymous": lambda: Client(raise_request_exception=False), "signed in": fresh}


def with_query(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


def nul_in_path(url: str) -> str:
    """The URL with its last path segment (a code or an id where the pattern takes one) as NUL."""
    path, _, query = url.partition("?")
    path = re.sub(r"[^/]*(/?)$", r"%00\1", path, count=1)
    return path + (f"?{query}" if query else "")


def nul_problem(url: str, kind: str, response) -> str | None:
    """What is wrong with the answer to a NUL in the query, the path or a form field of `url`.

    Pages answer 400. The API answers in its own shapes: 400 naming the query parameter as its
    field errors do, 404 for a path (nothing is named so), and the 400 of its parsers for a form
    it reads (before reading it: 401, 403 or 405 as for any body; 415 where it reads JSON only)."""
    status = response.status_code
    if not url.startswith("/api/"):
        return None if status == 400 else f"{status}"
    if kind == "query":
        return None if status == 400 and response.json().get("q") else f"{status}"
    if kind == "path":
        return None if status == 404 and "detail" in response.json() else f"{status}"
    return None if status in {400, 401, 403, 404, 405, 415} else f"{status}"


def test_a_nul_anywhere_in_any_url_or_form_is_refused(site, clients):  # noqa: F811
    urls = every_url(site)
    problems = []
    for who, client_of in clients.items():
        for url in urls:
            for kind, method, target, data in (
                ("query", "get", with_query(url, "q=%00"), None),
                ("path", "get", nul_in_path(url), None),
                ("form", "post", url, {"note": "a\x00b"}),
            ):
                response = answer(client_of(), method, target, data)
                if problem := nul_problem(url, kind, response):
                    problems.append(f"{who} {method} {target}: {problem}")
    assert problems == []


def test_the_refusal_says_why_in_the_visitors_language(client):
    for language, message in NUL_MESSAGES.items():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get("/regions/?q=%00")
        assert page.status_code == 400
        assert message in page.content.decode()
        api = client.get("/api/v1/regions/%00/summary/")
        assert api.status_code == 404
        assert message in api.json()["detail"]
        api = client.get("/api/v1/open/progress/?region=%00")
        assert api.status_code == 400
        assert message in api.json()["region"][0]


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=%01",  # control characters: XML (so every Excel export) refuses them too
        "q=%1F",
        "q=%FF",  # not UTF-8
        "q=%E5%98",  # a character cut short
        "q=%ED%A0%80",  # a lone surrogate, encoded
        "q%00=x",  # in a name
        "year=2024&region=%00",
    ],
)
def test_characters_no_field_may_hold_are_refused(client, query):
    assert client.get(f"/regions/?{query}").status_code == 400
    assert client.get(f"/api/v1/open/progress/?{query}").status_code == 400
    assert client.get(f"/api/v1/regions/?{query}").status_code == 400


def test_the_api_names_the_refused_parameter_as_its_field_errors_do(client):
    answer_ = client.get("/api/v1/open/progress/?year=2024&region=%00")
    assert answer_.status_code == 400
    assert list(answer_.json()) == ["region"]
    answer_ = client.get("/api/v1/open/progress/?q%00=x")  # the name itself
    assert list(answer_.json()) == ["non_field_errors"]


def test_the_apis_parsers_refuse_forms_with_such_characters(gangqu_reporter, superuser):
    client = Client()
    for data in ({"username": "a\x00", "password": "x"}, {"username": "a", "password": "\x01"}):
        response = client.post("/api/v1/auth/token/", data)  # multipart
        assert response.status_code == 400
        assert set(response.json()) <= {"username", "password"}  # at the field holding it
        body = "username=a%00&password=x"
        urlencoded = "application/x-www-form-urlencoded"
        response = client.post("/api/v1/auth/token/", body, content_type=urlencoded)
        assert response.status_code == 400
    assert not AccessAttempt.objects.exists()
    client.force_login(superuser)
    response = client.post("/api/v1/progress/bulk/", {"items": "\x00"})
    assert response.status_code == 415  # the officials' API reads JSON only


def test_ordinary_text_passes(client, gangqu):
    for text in ("嘉兴", "a\tb", "line\r\nbreak", "€ ½ 😀", "%", "100%"):
        response = client.get("/regions/", {"q": text})
        assert response.status_code == 200, text
    assert client.get(f"/regions/{quote('嘉兴')}/").status_code == 404  # no such code: not found


def test_invalid_bytes_in_the_path_are_refused(client):
    for path in ("/regions/%FF/", "/regions/%ED%A0%80/", "/indicators/%00/", "/programs/1%00/"):
        assert client.get(path).status_code == 400, path


def test_headers_and_cookies_with_a_nul_are_refused(client, gangqu_reporter):
    # A quoted cookie value may carry octal escapes, which Python's cookie parser decodes.
    cookie = f'{settings.SESSION_COOKIE_NAME}="abcdefghijkl\\000"'
    assert client.get("/reports/", HTTP_COOKIE=cookie).status_code == 400
    assert client.get("/api/v1/progress/", HTTP_AUTHORIZATION="Token abc\x00").status_code == 400
    sign_in = {"username": gangqu_reporter.username, "password": "wrong password"}
    response = client.post("/accounts/login/", sign_in, HTTP_USER_AGENT="bot\x00")
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists() and not AccessLog.objects.exists()


def test_multipart_fields_are_checked_and_files_are_not(client, gangqu_reporter):
    upload = SimpleUploadedFile("proof.pdf", b"%PDF-1.4 \x00\x01 binary", "application/pdf")
    data = {"username": "x\x00", "password": "y", "file": upload}
    assert client.post("/accounts/login/", data).status_code == 400  # multipart (a file)
    upload.seek(0)
    data = {"username": gangqu_reporter.username, "password": "wrong", "file": upload}
    assert client.post("/accounts/login/", data).status_code == 200  # binary file content is fine


# --- JSON bodies ----------------------------------------------------------------------------------


def test_json_ten_thousand_deep_never_takes_any_url_down(site, clients):  # noqa: F811
    urls = every_url(site)
    problems = []
    for who, client_of in clients.items():
        for url in urls:
            methods = ("post", "put", "patch") if url.startswith("/api/") else ("post",)
            for method in methods:
                response = answer(client_of(), method, url, DEEP, content_type="application/json")
                status = response.status_code
                # The API reads the body once the caller may act (401, 403, 404, 405 before).
                api_read = url.startswith("/api/") and status not in {401, 403, 404, 405}
                if status >= 500 or (api_read and status != 400):
                    problems.append(f"{who} {method} {url}: {status}")
    assert problems == []


def depth_message(response) -> str:
    body = response.json()
    if "errors" in body:  # the bulk API's shape
        return " ".join(error["message"] for error in body["errors"])
    return json.dumps(body, ensure_ascii=False)


def nested(depth: int):
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/progress/bulk/"])
def test_json_deeper_than_the_bound_is_refused_with_400(url, superuser, settings):
    client = Client()
    if "bulk" in url:
        client.force_login(superuser)
    response = client.post(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "20" in depth_message(response)
    settings.LANGUAGE_CODE = "en"
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(superuser)
    too_deep = {"items": nested(settings.API_JSON_MAX_DEPTH)}  # the object is one level more
    response = english.post(url, too_deep, content_type="application/json")
    assert response.status_code == 400
    assert "JSON nested more than 20 levels deep." in depth_message(response)
    within = {"items": nested(settings.API_JSON_MAX_DEPTH - 1)}
    response = english.post(url, within, content_type="application/json")
    assert response.status_code == 400  # read, and refused for what it says
    assert "nested" not in depth_message(response)


@pytest.mark.parametrize("text", ["a\u0000b", "\ud800", "x\u0001"])
def test_json_strings_the_database_cannot_hold_are_refused(text, gangqu_reporter):
    body = json.dumps({"username": text, "password": "anything"})
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    message = response.json()["username"][0]  # at the field holding it
    assert "not allowed" in message or "不允许" in message
    assert not AccessAttempt.objects.exists()


def test_json_escapes_are_judged_by_what_they_decode_to(superuser):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    item = b'{"region": "330482", "indicator": "X", "period": "2024", "value": "1", "note": '
    for note in (b'"\\u0000"', b'"a\\u001f"', b'"\\ud800"'):
        body = b'{"items": [' + item + note + b"}]}"
        response = client.post("/api/v1/progress/bulk/", body, content_type="application/json")
        assert "not allowed" in depth_message(response), body  # at the item's note
    # A property the API ignores is ignored whatever it holds, as the schema says.
    body = b'{"items": [' + item + b'"", "x\\u0000": "\\u0001"}]}'
    response = client.post("/api/v1/progress/bulk/", body, content_type="application/json")
    assert "not allowed" not in depth_message(response)
    # A backslash followed by "u0000" is text; a line feed or an emoji by escape are fine.
    for body in (b'{"items": ["\\\\u0000", "a\\u000ab", "\\ud83d\\ude00"]}',):
        response = client.post("/api/v1/progress/bulk/", body, content_type="application/json")
        assert response.status_code == 400  # read, and refused for what it says
        assert "not allowed" not in depth_message(response)


def test_a_value_too_long_for_its_column_is_a_400(gangqu_reporter):
    """django-axes records the username of a failed sign-in in a 255-character column; the token
    endpoint's username had no length limit (PostgreSQL: DataError, a 500)."""
    body = {"username": "u" * 300, "password": "anything"}
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"username"}


def test_json_bodies_that_are_not_utf8_are_refused(gangqu_reporter):
    body = b'{"username": "\xff", "password": "x"}'
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


# --- HEAD -----------------------------------------------------------------------------------------


def raw_answer(method: str, url: str, cookie: str):
    """Status, headers and body straight from Django's WSGI handler: neither the test client nor
    a server strips a HEAD answer's body here, so an empty body is Django's own doing."""
    handler = WSGIHandler()
    request = RequestFactory().generic(method, url, HTTP_COOKIE=cookie)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with transaction.atomic():
            response = handler.get_response(request)
            body = b"".join(response) if response.streaming else response.content
            response.close()
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return response, body


def test_head_answers_like_get_without_a_body_on_every_url(site, superuser):  # noqa: F811
    signed_in = Client()
    signed_in.force_login(superuser)
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    cookies = {"anonymous": "", "signed in": f"{settings.SESSION_COOKIE_NAME}={session}"}
    problems, allowed = [], 0
    for who, cookie in cookies.items():
        for url in every_url(site):
            get, _body = raw_answer("GET", url, cookie)
            head, body = raw_answer("HEAD", url, cookie)
            allowed += get.status_code != 405
            if head.status_code != get.status_code:
                problems.append(f"{who} {url}: GET {get.status_code}, HEAD {head.status_code}")
            if body:
                problems.append(f"{who} {url}: HEAD has a body of {len(body)} bytes")
            if head.get("Content-Type") != get.get("Content-Type"):
                problems.append(f"{who} {url}: Content-Type {head.get('Content-Type')}")
    assert problems == []
    assert allowed > 200


def test_head_on_public_pages_and_healthz(client, gangqu):
    for url in ("/", "/regions/", f"/regions/{gangqu.code}/", "/healthz", "/api/v1/regions/"):
        get, head = client.get(url), client.head(url)
        assert (url, head.status_code) == (url, 200)
        assert head["Content-Length"] == get["Content-Length"] or "Content-Length" not in get
    assert client.head("/elder-mode/").status_code == 405  # POST only, as GET is


# --- The bulk API's bounds (SQLite's integers and expression depth) -------------------------------


@pytest.fixture
def bulk_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def bulk(client, items):
    return client.post("/api/v1/progress/bulk/", {"items": items}, content_type="application/json")


def test_a_period_id_beyond_any_integer_is_an_unknown_period(bulk_client, gangqu, skills_plan):
    item = {"region": gangqu.code, "indicator": "VT_TRAINED", "value": "1"}
    for period in (10**30, 2**63, -(2**63) - 1):
        response = bulk(bulk_client, [{**item, "period": period}])
        assert response.status_code == 400, period
        assert response.json()["errors"][0]["field"] == "period"
    for url in (f"/api/v1/progress/?period={10**30}", f"/reports/{10**30}/", f"/review/{10**30}/"):
        assert bulk_client.get(url).status_code in {400, 404}, url


def test_ids_and_numbers_beyond_any_integer_never_take_a_url_down(site, clients):  # noqa: F811
    """SQLite cannot even compare an integer beyond 64 bits (OverflowError): every id in a path,
    and the numeric filters, at 10^30."""
    big = 10**30
    query = "&".join(
        f"{name}={big}"
        for name in ("period", "indicator", "program", "plan", "year", "page", "page_size", "id")
    )
    problems = []
    for who, client_of in clients.items():
        for url in every_url(site):
            path, _, _query = url.partition("?")
            for target in (re.sub(r"/\d+/", f"/{big}/", path), with_query(url, query)):
                response = answer(client_of(), "get", target)
                if response.status_code >= 500:
                    problems.append(f"{who} {target}: {response.status_code}")
    assert problems == []


def test_a_thousand_and_more_periods_in_one_bulk_request(bulk_client, gangqu, skills_plan):
    """One OR per period key made an expression SQLite refuses (a 500) beyond 1,000 keys."""
    opens, deadline = timezone.now() - timezone.timedelta(days=1), timezone.now()
    deadline += timezone.timedelta(days=30)
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(kind=PeriodKind.YEAR, year=y, number=1, opens_at=opens, deadline=deadline)
        for y in range(1000, 2200)
        if y != 2024
    )
    PeriodFactory(year=2024)
    tracked_in(gangqu, skills_plan.indicators.get(code="VT_TRAINED"), years=(1000, 2400))
    items = [
        {"region": gangqu.code, "indicator": "VT_TRAINED", "period": str(year), "value": "1"}
        for year in range(1000, 2200)
    ]
    unknown = [{**items[0], "period": str(year)} for year in range(2200, 2400)]
    response = bulk(bulk_client, items + unknown)
    assert response.status_code == 400
    assert {e["index"] for e in response.json()["errors"]} == set(range(1200, 1400))
    response = bulk(bulk_client, items)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created"] == 1200
    assert ProgressReport.objects.count() == 1200
    by_id = [{**item, "period": pk} for item, pk in zip(items, periods_by_year(), strict=True)]
    response = bulk(bulk_client, [{**item, "value": "2"} for item in by_id])
    assert response.status_code == 409  # updates need their versions: read, refused, no 500
    assert Decimal(ProgressReport.objects.first().value) == 1


def periods_by_year() -> list[int]:
    return list(
        ReportingPeriod.objects.filter(kind=PeriodKind.YEAR, year__lt=2200)
        .order_by("year")
        .values_list("pk", flat=True)
    )


def test_sqlite_waits_for_its_write_lock_at_the_start_of_each_transaction():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's transaction mode and busy timeout (PostgreSQL locks rows)")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 10
    assert get_user_model().objects.count() >= 0  # the options are accepted by the backend
