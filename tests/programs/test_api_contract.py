"""The API's contract beyond what tests/test_api_fuzz.py generates, each a finding of issue #13.

API tokens end: after API_TOKEN_TTL_HOURS, when their owner revokes them, and with their account
however it is deactivated (a queryset update sends no signal). Query parameters: each given once,
`page_size` and `year` within their documented bounds. Bodies: JSON only, each field of the one
JSON type the schema gives it.
"""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LIST_URL = "/api/v1/progress/"
PASSWORD = "correct-horse-battery"


def obtain(username="gangqu") -> str:
    response = APIClient().post(
        TOKEN_URL, {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def with_token(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def age(key: str, hours: float) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=hours))


# Expiry


def test_a_token_says_when_it_expires_and_works_until_then(gangqu_reporter, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    response = APIClient().post(
        TOKEN_URL, {"username": "gangqu", "password": PASSWORD}, format="json"
    )
    token = Token.objects.get(user=gangqu_reporter)
    assert response.json()["token"] == token.key
    expires = datetime.fromisoformat(response.json()["expires"])
    assert expires == token.created + timedelta(hours=24)
    age(token.key, 23.9)
    assert with_token(token.key).get(LIST_URL).status_code == 200


def test_an_expired_token_is_refused_with_a_message(gangqu_reporter, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    key = obtain()
    age(key, 24)
    response = with_token(key).get(LIST_URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token has expired: obtain a new one."}
    assert response["WWW-Authenticate"] == "Token"


def test_the_expiry_message_is_in_chinese_too(gangqu_reporter, settings):
    settings.API_TOKEN_TTL_HOURS = 1
    key = obtain()
    age(key, 2)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(LIST_URL).json() == {"detail": "API 令牌已过期，请重新获取。"}


def test_obtaining_a_token_again_gives_the_live_one_or_replaces_an_expired_one(
    gangqu_reporter, settings
):
    settings.API_TOKEN_TTL_HOURS = 24
    first = obtain()
    assert obtain() == first  # live: the same token (its expiry is not extended)
    age(first, 25)
    second = obtain()
    assert second != first
    assert list(Token.objects.values_list("key", flat=True)) == [second]
    assert with_token(second).get(LIST_URL).status_code == 200
    assert with_token(first).get(LIST_URL).status_code == 401


def test_a_stale_token_sent_along_does_not_stop_obtaining_a_new_one(gangqu_reporter, settings):
    settings.API_TOKEN_TTL_HOURS = 1
    key = obtain()
    age(key, 2)
    client = with_token(key)
    response = client.post(TOKEN_URL, {"username": "gangqu", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] != key


def test_the_lifetime_is_read_from_the_environment():
    from tests.test_settings import run_manage

    show = "from django.conf import settings; print(settings.API_TOKEN_TTL_HOURS)"
    result = run_manage("shell", "-c", show, env={"API_TOKEN_TTL_HOURS": "12"})
    assert result.stdout.strip().splitlines()[-1] == "12", result.stderr


# Revocation


def test_the_owner_revokes_their_token(gangqu_reporter):
    key = obtain()
    client = with_token(key)
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.exists()
    response = client.get(LIST_URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert client.delete(TOKEN_URL).status_code == 401


def test_revoking_ends_only_the_callers_token(gangqu_reporter, pinghu_reporter):
    mine, theirs = obtain("gangqu"), obtain("pinghu")
    assert with_token(mine).delete(TOKEN_URL).status_code == 204
    assert list(Token.objects.values_list("key", flat=True)) == [theirs]
    assert with_token(theirs).get(LIST_URL).status_code == 200


def test_signed_in_on_the_pages_an_official_revokes_their_token(gangqu_reporter):
    key = obtain()
    client = Client(enforce_csrf_checks=True)
    client.force_login(gangqu_reporter)
    # A session's DELETE needs the CSRF token, as any other write through the session does.
    assert client.delete(TOKEN_URL).status_code == 403
    assert Token.objects.filter(key=key).exists()
    client.get("/accounts/login/")  # its form sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    assert client.delete(TOKEN_URL, HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert with_token(key).get(LIST_URL).status_code == 401


def test_revoking_without_a_token_or_session_is_401(gangqu_reporter):
    obtain()
    assert APIClient().delete(TOKEN_URL).status_code == 401
    assert Token.objects.count() == 1


# Inactive accounts


def test_an_inactive_users_token_is_refused(gangqu_reporter):
    """DRF's TokenAuthentication checks is_active; the subclass keeps that."""
    key = obtain()
    get_user_model().objects.filter(pk=gangqu_reporter.pk).update(is_active=False)
    response = with_token(key).get(LIST_URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_a_bulk_deactivation_then_reactivation_does_not_revive_the_old_token(gangqu_reporter):
    key = obtain()
    # A queryset update sends no pre_save: the token outlives the deactivation …
    get_user_model().objects.filter(username="gangqu").update(is_active=False)
    assert Token.objects.filter(key=key).exists()
    # … but reactivating the account (the admin's form, or any save) ends it.
    user = get_user_model().objects.get(username="gangqu")
    user.is_active = True
    user.save()
    assert with_token(key).get(LIST_URL).status_code == 401
    fresh = obtain()
    assert fresh != key
    assert with_token(fresh).get(LIST_URL).status_code == 200


def test_a_bulk_deactivation_then_bulk_reactivation_does_not_revive_the_old_token(
    gangqu_reporter,
):
    """No save() at all: the database trigger's stamp of the deactivation refuses the token."""
    key = obtain()
    users = get_user_model().objects.filter(username="gangqu")
    users.update(is_active=False)
    users.update(is_active=True)
    response = with_token(key).get(LIST_URL)
    assert response.status_code == 401
    fresh = obtain()
    assert fresh != key
    assert with_token(fresh).get(LIST_URL).status_code == 200


def test_reactivation_also_ends_sessions_from_before(gangqu_reporter):
    client = Client()
    client.force_login(gangqu_reporter)
    get_user_model().objects.filter(pk=gangqu_reporter.pk).update(is_active=False)
    gangqu_reporter.refresh_from_db()
    gangqu_reporter.is_active = True
    gangqu_reporter.save()
    assert client.get(LIST_URL).status_code == 401  # the session is gone: not signed in


# Query parameters


@pytest.fixture
def api(gangqu_reporter):
    return with_token(obtain())


@pytest.mark.parametrize(
    "query",
    [
        "page_size=5&page_size=6",
        "page_size=5&page_size=5",
        "state=draft&state=approved",
        "region=330482&region=330482",
    ],
)
def test_a_repeated_query_parameter_is_400(api, gangqu, query):
    response = api.get(f"{LIST_URL}?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert response.json() == {name: ["Give this parameter once."]}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regions/?page_size=1&page_size=2",
        "/api/v1/indicators/?year=2024&year=2025",
        "/api/v1/regions/330482/?x=1&x=2",
        "/api/v1/regions/330482/summary/?year=2024&year=2024",
    ],
)
def test_a_repeated_query_parameter_is_400_in_open_data_too(client, gangqu, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert list(response.json().values()) == [["此参数只能给出一次。"]]


def test_an_unauthenticated_repeat_is_still_401_first(gangqu):
    assert APIClient().get(f"{LIST_URL}?page_size=1&page_size=2").status_code == 401


@pytest.mark.parametrize("page_size", ["0", "-1", "1001", "abc", "1.5", "１０"])
def test_a_page_size_out_of_bounds_is_400(api, page_size):
    response = api.get(LIST_URL, {"page_size": page_size})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["A whole number from 1 to 1000."]}


@pytest.mark.parametrize("page_size", ["1", "1000"])
def test_page_sizes_within_bounds_are_served(api, page_size):
    assert api.get(LIST_URL, {"page_size": page_size}).status_code == 200


@pytest.mark.parametrize(
    ("year", "status"), [("1899", 400), ("1900", 200), ("2999", 200), ("3000", 400)]
)
def test_years_are_bounded_as_the_schema_says(client, year, status):
    assert client.get("/api/v1/targets/", {"year": year}).status_code == status


# Bodies: JSON, and each field of its documented type


@pytest.fixture
def figure_payload(skills_plan, gangqu, open_2024):
    return {"indicator": "VT_TRAINED", "region": gangqu.code, "period": open_2024.pk}


@pytest.mark.parametrize(
    ("field", "sent"),
    [
        ("value", " 12"),
        ("value", "1e5"),
        ("value", "١٢"),  # Arabic-Indic digits: Python's Decimal reads them, the schema does not
        ("value", ""),
        ("value", "."),
        ("value", 12.5),  # a JSON fraction: not an exact decimal
        ("value", True),
        ("value", "123456789012345"),  # 15 whole digits
        ("is_lower_bound", "true"),
        ("is_lower_bound", 1),
        ("note", 5),
        ("version", "1"),
        ("version", 1.0),
        ("period", "1"),
        ("region", 330482),
    ],
)
def test_a_value_of_another_type_than_documented_is_400(api, figure_payload, field, sent):
    body = {**figure_payload, "value": "12", field: sent}
    response = api.post(LIST_URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.parametrize("value", ["1200", "1200.0000", "7.", "0", 1200])
def test_values_as_documented_are_saved(api, figure_payload, value):
    response = api.post(LIST_URL, {**figure_payload, "value": value}, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("value", ["1200.5", ".5", "-0.0001"])
def test_a_documented_value_the_indicator_refuses_gets_its_rule(api, figure_payload, value):
    """Read as a decimal, then refused by the count's rules (what the fuzz test allows for)."""
    response = api.post(LIST_URL, {**figure_payload, "value": value}, format="json")
    assert response.status_code == 400
    assert response.json()["value"][0] in {
        "A count must be a whole number.",
        "The value cannot be negative.",
    }


def test_a_form_body_is_415_as_documented(api, figure_payload):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(public=True)["paths"]
    for path in [LIST_URL, "/api/v1/progress/bulk/", "/api/v1/progress/{id}/submit/"]:
        assert list(paths[path]["post"]["requestBody"]["content"]) == ["application/json"]
        assert "415" in paths[path]["post"]["responses"]
    assert "415" not in paths[TOKEN_URL]["post"]["responses"]  # a form signs in too
    response = api.post(LIST_URL, {**figure_payload, "value": "12"})  # multipart
    assert response.status_code == 415
    response = api.post("/api/v1/progress/bulk/", {"items": "[]"}, format="multipart")
    assert response.status_code == 415


def test_a_blank_return_comment_is_400_at_the_field(gangqu, open_2024, skills_plan):
    from programs.choices import ReportState
    from regions.choices import Role
    from tests.factories import MembershipFactory, ReportFactory, UserFactory

    report = ReportFactory(
        indicator=skills_plan.indicators.get(code="VT_TRAINED"),
        region=gangqu,
        period=open_2024,
        state=ReportState.SUBMITTED,
    )
    reviewer = MembershipFactory(
        user=UserFactory(username="reviewer"), region=gangqu, role=Role.REVIEWER
    ).user
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(reviewer)
    url = f"{LIST_URL}{report.pk}/return/"
    for blank in ["", "  ", "\u3000\x1c"]:
        response = client.post(url, {"comment": blank}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"comment"}


def test_the_bulk_list_bounds_are_in_the_schema(tmp_path):
    from drf_spectacular.generators import SchemaGenerator

    items = SchemaGenerator().get_schema(public=True)["components"]["schemas"]["BulkSaveRequest"]
    assert items["properties"]["items"]["minItems"] == 1
    assert items["properties"]["items"]["maxItems"] == 10_000


def test_a_method_the_token_endpoint_lacks_is_405_for_anyone(gangqu_reporter):
    for method in ["get", "put", "patch"]:
        assert getattr(APIClient(), method)(TOKEN_URL).status_code == 405
    response = APIClient().generic("TRACE", TOKEN_URL)
    assert response.status_code == 405
    assert "DELETE" in response["Allow"] and "POST" in response["Allow"]


def test_the_schema_states_the_bounds_the_server_enforces():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(public=True)["paths"]
    for path in ["/api/v1/progress/", "/api/v1/targets/", "/api/v1/open/progress/"]:
        parameters = {p["name"]: p["schema"] for p in paths[path]["get"]["parameters"]}
        assert parameters["year"] == {"type": "integer", "minimum": 1900, "maximum": 2999}
        assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    for operation in [paths["/api/v1/progress/"]["get"], paths["/api/v1/regions/{code}/"]["get"]]:
        assert "400" in operation["responses"]  # a repeated parameter
    revoke = paths["/api/v1/auth/token/"]["delete"]
    assert set(revoke["responses"]) == {"204", "400", "401", "403"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/progress/?year=&state=&region=&page_size=&cursor=&q=&period=&indicator=",
        "/api/v1/regions/?kind=&level=&parent=&region=&q=&page_size=",
        "/api/v1/targets/?year=&region=&indicator=",
        "/api/v1/regions/330482/summary/?year=",
    ],
)
def test_an_empty_query_parameter_is_one_left_out_as_the_schema_says(api, gangqu, pinghu, url):
    from drf_spectacular.generators import SchemaGenerator

    path, query = url.split("?")
    left_out = api.get(path)
    assert left_out.status_code == 200
    assert api.get(url).json() == left_out.json()
    schema_path = path.replace("330482", "{code}")
    operation = SchemaGenerator().get_schema(public=True)["paths"][schema_path]["get"]
    documented = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    for name in [pair.split("=")[0] for pair in query.split("&")]:
        assert documented[name]["allowEmptyValue"] is True


def test_text_with_a_nul_is_refused_and_the_schema_says_so(api, figure_payload):
    from drf_spectacular.generators import SchemaGenerator

    response = api.post(LIST_URL, {**figure_payload, "value": "1", "note": "a\x00"}, format="json")
    assert (response.status_code, set(response.json())) == (400, {"note"})
    schemas = SchemaGenerator().get_schema(public=True)["components"]["schemas"]
    pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]*$"
    assert schemas["ProgressSaveRequest"]["properties"]["note"]["pattern"] == pattern
    assert "\\u0000" in schemas["ReturnRequest"]["properties"]["comment"]["pattern"]


@pytest.mark.parametrize(
    "url", ["/api/v1/open/progress/", "/api/v1/targets/", "/api/v1/programs/", LIST_URL]
)
def test_a_cursor_from_another_list_is_400_not_a_server_error(api, gangqu, pinghu, nanhu, url):
    """A region's path as the position of a list ordered by id was a 500. (One request per
    test: a refused request of the open data, outside any atomic block of its own, marks the
    test's transaction for rollback.)"""
    from urllib.parse import parse_qs, urlparse

    by_path = APIClient().get("/api/v1/regions/", {"page_size": 1}).json()["next"]
    cursor = parse_qs(urlparse(by_path).query)["cursor"][0]
    response = api.get(url, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor"]}


def test_a_username_longer_than_any_users_is_400_not_a_server_error(gangqu_reporter):
    """It reached django-axes' record of the failed attempt (255 characters): a 500."""
    for username in ["x" * 151, "x" * 300]:
        response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
            TOKEN_URL, {"username": username, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"username"}
