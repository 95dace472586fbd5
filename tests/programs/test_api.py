"""The API for systems that push data: token auth, drafts by natural key, the review cycle, scope.

Officials of the cast talk to the API with real tokens; every change goes through the services,
so these tests read the database afterwards to see what was really stored.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from programs import services
from programs.api.views import validation_errors
from programs.choices import IndicatorKind, ReportState
from programs.models import ProgressReport
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory, tracked_in

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LIST_URL = "/api/v1/progress/"


def detail_url(report_id: int, step: str = "") -> str:
    return f"{LIST_URL}{report_id}/" + (f"{step}/" if step else "")


def api_as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def open_period(year: int):
    now = timezone.now()
    return PeriodFactory(
        year=year, opens_at=now - timedelta(days=30), deadline=now + timedelta(days=30)
    )


@pytest.fixture
def period():
    return open_period(timezone.now().year)


@pytest.fixture
def last_year():
    return open_period(timezone.now().year - 1)


@pytest.fixture
def trained(zhejiang):
    indicator = IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数", unit="人")
    tracked_in(zhejiang, indicator)
    return indicator


@pytest.fixture
def skilled(zhejiang):
    indicator = IndicatorFactory(code="SKILLED_NEW", name="新增技能人才", unit="人")
    tracked_in(zhejiang, indicator)
    return indicator


@pytest.fixture
def gangqu_api(gangqu_reporter):
    return api_as(gangqu_reporter)


@pytest.fixture
def pinghu_api(pinghu_reporter):
    return api_as(pinghu_reporter)


@pytest.fixture
def reviewer_api(jiaxing_reviewer):
    return api_as(jiaxing_reviewer)


def save(client, indicator, region, period, value, **extra):
    payload = {"indicator": indicator.code, "region": region.code, "period": period.pk}
    return client.post(LIST_URL, {**payload, "value": str(value), **extra}, format="json")


@pytest.fixture
def gangqu_draft(gangqu_api, gangqu, trained, period):
    response = save(gangqu_api, trained, gangqu, period, 800, note="培训")
    assert response.status_code == 201, response.json()
    return ProgressReport.objects.get(pk=response.json()["id"])


@pytest.fixture
def pinghu_draft(pinghu_api, pinghu, trained, period):
    response = save(pinghu_api, trained, pinghu, period, 1200)
    assert response.status_code == 201, response.json()
    return ProgressReport.objects.get(pk=response.json()["id"])


@pytest.fixture
def gangqu_submitted(gangqu_api, gangqu_draft):
    response = gangqu_api.post(detail_url(gangqu_draft.pk, "submit"), {}, format="json")
    assert response.status_code == 200, response.json()
    return gangqu_draft


@pytest.fixture
def gangqu_approved(reviewer_api, gangqu_submitted):
    response = reviewer_api.post(detail_url(gangqu_submitted.pk, "approve"), {}, format="json")
    assert response.status_code == 200, response.json()
    return gangqu_submitted


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


# Authentication


def test_an_official_obtains_a_token_with_username_and_password_and_uses_it(gangqu_reporter):
    client = APIClient()
    response = client.post(
        TOKEN_URL, {"username": "gangqu", "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=gangqu_reporter).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(LIST_URL).status_code == 200


def test_a_wrong_password_gets_no_token(gangqu_reporter):
    response = APIClient().post(
        TOKEN_URL, {"username": "gangqu", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Token.objects.exists()


def test_an_anonymous_client_is_refused_everywhere(gangqu_draft):
    client = APIClient()
    assert client.get(LIST_URL).status_code == 401
    assert client.get(detail_url(gangqu_draft.pk)).status_code == 401
    assert client.post(LIST_URL, {}, format="json").status_code == 401
    assert client.post(detail_url(gangqu_draft.pk, "submit"), {}).status_code == 401


def test_an_unknown_token_is_refused(gangqu_reporter):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get(LIST_URL).status_code == 401


def test_an_official_signed_in_on_the_pages_can_read_the_api(gangqu_reporter, gangqu_draft):
    client = APIClient()
    client.force_login(gangqu_reporter)
    assert ids(client.get(LIST_URL)) == {gangqu_draft.pk}


# Drafts by natural key


def test_a_reporter_creates_a_draft(gangqu_api, gangqu, trained, period, gangqu_reporter):
    response = save(gangqu_api, trained, gangqu, period, "800", is_lower_bound=True, note="培训")
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "indicator": "VT_TRAINED",
        "indicator_name": "职业技能培训人数",
        "unit": "人",
        "region": "3304Z01",
        "region_name": "嘉兴港区",
        "period": period.pk,
        "period_label": str(period.year),
        "value": "800.0000",
        "is_lower_bound": True,
        "note": "培训",
        "state": "draft",
        "review_comment": "",
        "version": 1,
        "updated_at": body["updated_at"],
        "updated_by": "gangqu",
    }
    report = ProgressReport.objects.get(pk=body["id"])
    assert (report.value, report.created_by, report.history.count()) == (
        Decimal(800),
        gangqu_reporter,
        1,
    )


def test_a_reporter_updates_the_draft_with_the_version_read(gangqu_api, gangqu_draft):
    response = save(
        gangqu_api,
        gangqu_draft.indicator,
        gangqu_draft.region,
        gangqu_draft.period,
        950,
        version=1,
    )
    assert response.status_code == 200
    assert (response.json()["value"], response.json()["version"]) == ("950.0000", 2)
    gangqu_draft.refresh_from_db()
    assert (gangqu_draft.value, gangqu_draft.version) == (Decimal(950), 2)
    assert ProgressReport.objects.count() == 1


def test_a_stale_version_is_a_conflict_showing_the_current_figure(gangqu_api, gangqu_draft):
    key = (gangqu_draft.indicator, gangqu_draft.region, gangqu_draft.period)
    assert save(gangqu_api, *key, 950, version=1).status_code == 200
    response = save(gangqu_api, *key, 700, version=1)
    assert response.status_code == 409
    body = response.json()
    assert body["detail"]
    assert (body["current"]["value"], body["current"]["version"]) == ("950.0000", 2)
    assert body["current"]["id"] == gangqu_draft.pk
    gangqu_draft.refresh_from_db()
    assert gangqu_draft.value == Decimal(950)


def test_creating_an_existing_figure_without_a_version_is_a_conflict(gangqu_api, gangqu_draft):
    response = save(gangqu_api, gangqu_draft.indicator, gangqu_draft.region, gangqu_draft.period, 1)
    assert response.status_code == 409
    assert response.json()["current"]["value"] == "800.0000"
    gangqu_draft.refresh_from_db()
    assert (gangqu_draft.value, gangqu_draft.version) == (Decimal(800), 1)


def test_patch_changes_the_value_and_keeps_the_omitted_fields(gangqu_api, gangqu_draft):
    response = gangqu_api.patch(
        detail_url(gangqu_draft.pk), {"value": "900", "version": 1}, format="json"
    )
    assert response.status_code == 200
    gangqu_draft.refresh_from_db()
    assert (gangqu_draft.value, gangqu_draft.note, gangqu_draft.version) == (
        Decimal(900),
        "培训",
        2,
    )


def test_patch_needs_the_version(gangqu_api, gangqu_draft):
    response = gangqu_api.patch(detail_url(gangqu_draft.pk), {"value": "900"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    gangqu_draft.refresh_from_db()
    assert gangqu_draft.value == Decimal(800)


def test_patch_with_a_stale_version_is_a_conflict(gangqu_api, gangqu_draft):
    url = detail_url(gangqu_draft.pk)
    assert gangqu_api.patch(url, {"note": "新", "version": 1}, format="json").status_code == 200
    response = gangqu_api.patch(url, {"value": "1", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["note"] == "新"
    gangqu_draft.refresh_from_db()
    assert gangqu_draft.value == Decimal(800)


def test_a_figure_can_be_read_by_its_id(gangqu_api, gangqu_draft):
    response = gangqu_api.get(detail_url(gangqu_draft.pk))
    assert response.status_code == 200
    assert response.json()["value"] == "800.0000"


def test_figures_cannot_be_replaced_or_deleted(gangqu_api, gangqu_draft):
    url = detail_url(gangqu_draft.pk)
    assert gangqu_api.put(url, {"value": "1", "version": 1}, format="json").status_code == 405
    assert gangqu_api.delete(url).status_code == 405
    assert ProgressReport.objects.filter(pk=gangqu_draft.pk, value=800).exists()


# Bad input lands at its field


def test_unknown_codes_and_ids_are_errors_at_their_fields(gangqu_api, gangqu, trained, period):
    payload = {"indicator": "NOPE", "region": "000000", "period": 987654, "value": "1"}
    response = gangqu_api.post(LIST_URL, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"indicator", "region", "period"}
    assert not ProgressReport.objects.exists()


def test_a_value_the_indicator_cannot_take_is_an_error_at_the_value(
    gangqu_api, gangqu, trained, period
):
    response = save(gangqu_api, trained, gangqu, period, "12.5")  # a count of people
    assert response.status_code == 400
    assert response.json()["value"] == ["A count must be a whole number."]
    assert trained.kind == IndicatorKind.COUNT
    assert save(gangqu_api, trained, gangqu, period, "1.00001").status_code == 400
    assert not ProgressReport.objects.exists()


def test_a_closed_period_is_an_error_about_the_whole_request(gangqu_api, gangqu, trained):
    closed = PeriodFactory(year=2020)  # its window ended in January 2021
    response = save(gangqu_api, trained, gangqu, closed, 10)
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert not ProgressReport.objects.exists()


def test_a_service_error_about_the_whole_figure_is_under_non_field_errors():
    error = ValidationError({NON_FIELD_ERRORS: ["whole"], "value": ["at the value"]})
    assert validation_errors(error) == {"non_field_errors": ["whole"], "value": ["at the value"]}
    assert validation_errors(ValidationError("plain")) == {"non_field_errors": ["plain"]}


# Who may do what where


def test_a_reporter_of_a_sibling_region_cannot_enter_figures_for_gangqu(
    pinghu_api, gangqu, trained, period
):
    response = save(pinghu_api, trained, gangqu, period, 800)
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


def test_a_reporter_of_a_sibling_region_does_not_find_gangqus_figure(pinghu_api, gangqu_draft):
    url = detail_url(gangqu_draft.pk)
    assert pinghu_api.get(url).status_code == 404
    assert pinghu_api.patch(url, {"value": "1", "version": 1}, format="json").status_code == 404
    assert pinghu_api.post(detail_url(gangqu_draft.pk, "submit"), {}).status_code == 404
    gangqu_draft.refresh_from_db()
    assert (gangqu_draft.value, gangqu_draft.state) == (Decimal(800), ReportState.DRAFT)


def test_a_figure_that_does_not_exist_is_404(gangqu_api, gangqu_draft):
    assert gangqu_api.get(detail_url(gangqu_draft.pk + 1000)).status_code == 404


@pytest.mark.parametrize("figure_id", ["abc", "null,null", "١٢", "-1", "99999999999999999999"])
def test_an_id_that_is_not_a_figure_is_the_apis_json_404(gangqu_api, gangqu_draft, figure_id):
    for response in [
        gangqu_api.get(f"{LIST_URL}{figure_id}/"),
        gangqu_api.post(f"{LIST_URL}{figure_id}/submit/", {}, format="json"),
    ]:
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()


def test_a_body_that_is_not_json_is_a_400_saying_why(gangqu_api, gangqu_draft):
    response = gangqu_api.post(
        detail_url(gangqu_draft.pk, "submit"), b"\x00", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_a_reviewer_cannot_create_or_change_drafts(
    reviewer_api, gangqu, trained, period, gangqu_draft
):
    assert save(reviewer_api, trained, gangqu, period, 5, version=1).status_code == 403
    response = reviewer_api.patch(
        detail_url(gangqu_draft.pk), {"value": "5", "version": 1}, format="json"
    )
    assert response.status_code == 403
    gangqu_draft.refresh_from_db()
    assert (gangqu_draft.value, gangqu_draft.version) == (Decimal(800), 1)


def test_the_list_shows_only_the_users_regions(
    gangqu_api, pinghu_api, reviewer_api, gangqu_draft, pinghu_draft, zhengxiang, trained, period
):
    elsewhere = ReportFactory(indicator=trained, region=zhengxiang, period=period)
    assert ids(pinghu_api.get(LIST_URL)) == {pinghu_draft.pk}
    assert ids(gangqu_api.get(LIST_URL)) == {gangqu_draft.pk}
    assert ids(reviewer_api.get(LIST_URL)) == {gangqu_draft.pk, pinghu_draft.pk}
    assert elsewhere.pk not in ids(reviewer_api.get(LIST_URL))


def test_a_catalog_admin_sees_figures_but_cannot_enter_them(
    catalog_admin, gangqu_draft, gangqu, trained, period
):
    client = api_as(catalog_admin)
    assert ids(client.get(LIST_URL)) == {gangqu_draft.pk}
    assert save(client, trained, gangqu, period, 5, version=1).status_code == 403


# Filters


@pytest.fixture
def figures(gangqu_api, pinghu_api, gangqu, pinghu, trained, skilled, period, last_year):
    made = {
        "gangqu_trained": save(gangqu_api, trained, gangqu, period, 800),
        "gangqu_skilled": save(gangqu_api, skilled, gangqu, period, 400),
        "pinghu_trained": save(pinghu_api, trained, pinghu, period, 1200),
        "pinghu_last_year": save(pinghu_api, trained, pinghu, last_year, 1100),
    }
    assert {r.status_code for r in made.values()} == {201}
    made = {name: r.json()["id"] for name, r in made.items()}
    submitted = pinghu_api.post(detail_url(made["pinghu_trained"], "submit"), {}, format="json")
    assert submitted.status_code == 200
    return made


def test_the_region_filter_includes_sub_regions(reviewer_api, figures, nanhu):
    assert ids(reviewer_api.get(LIST_URL, {"region": "3304"})) == set(figures.values())
    assert ids(reviewer_api.get(LIST_URL, {"region": "33"})) == set(figures.values())
    assert ids(reviewer_api.get(LIST_URL, {"region": "330482"})) == {
        figures["pinghu_trained"],
        figures["pinghu_last_year"],
    }
    assert ids(reviewer_api.get(LIST_URL, {"region": "330402"})) == set()


def test_the_region_filter_does_not_widen_the_scope(pinghu_api, figures):
    assert ids(pinghu_api.get(LIST_URL, {"region": "3304Z01"})) == set()


def test_the_year_period_indicator_and_state_filters(reviewer_api, figures, period, last_year):
    assert ids(reviewer_api.get(LIST_URL, {"year": last_year.year})) == {
        figures["pinghu_last_year"]
    }
    assert ids(reviewer_api.get(LIST_URL, {"period": period.pk})) == set(figures.values()) - {
        figures["pinghu_last_year"]
    }
    assert ids(reviewer_api.get(LIST_URL, {"indicator": "SKILLED_NEW"})) == {
        figures["gangqu_skilled"]
    }
    assert ids(reviewer_api.get(LIST_URL, {"state": "submitted"})) == {figures["pinghu_trained"]}
    both = {"region": "3304Z01", "indicator": "VT_TRAINED", "state": "draft"}
    assert ids(reviewer_api.get(LIST_URL, both)) == {figures["gangqu_trained"]}


def test_bad_filter_values_are_errors_at_their_parameter(reviewer_api, figures):
    bad = {"region": "000000", "year": "soon", "period": "0", "indicator": "NOPE", "state": "x"}
    response = reviewer_api.get(LIST_URL, bad)
    assert response.status_code == 400
    assert set(response.json()) == set(bad)


def test_a_cursor_the_list_did_not_give_is_an_error_at_the_cursor(reviewer_api, figures):
    response = reviewer_api.get(LIST_URL, {"cursor": "bz14"})  # o=x: an offset that is no number
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_the_list_is_newest_first_and_a_change_does_not_move_a_figure(
    gangqu_api, reviewer_api, figures
):
    patched = gangqu_api.patch(
        detail_url(figures["gangqu_trained"]), {"value": "801", "version": 1}, format="json"
    )
    assert patched.status_code == 200
    body = reviewer_api.get(LIST_URL).json()
    assert set(body) == {"next", "previous", "results"}  # a cursor page: nothing is counted
    assert (body["next"], body["previous"]) == (None, None)
    assert [row["id"] for row in body["results"]] == [
        figures["pinghu_last_year"],
        figures["pinghu_trained"],
        figures["gangqu_skilled"],
        figures["gangqu_trained"],
    ]


def test_walking_the_cursor_pages_meets_every_figure_once(reviewer_api, figures):
    seen, pages = [], []
    response = reviewer_api.get(LIST_URL, {"page_size": 3, "region": "3304"})
    while True:
        body = response.json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            break
        assert "region=3304" in body["next"]  # the filters go with the cursor
        response = reviewer_api.get(body["next"])
    assert seen == sorted(figures.values(), reverse=True)
    assert [len(page["results"]) for page in pages] == [3, 1]
    back = reviewer_api.get(pages[-1]["previous"]).json()
    assert [row["id"] for row in back["results"]] == seen[:3]


def test_the_list_takes_a_fixed_number_of_queries(
    reviewer_api, figures, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        first = reviewer_api.get(LIST_URL, {"region": "3304"})
    assert len(first.json()["results"]) == 4
    for number, report in enumerate(ProgressReport.objects.all()):  # 10 past years each
        for year in range(1950 + 10 * number, 1960 + 10 * number):
            ReportFactory(
                indicator=report.indicator, region=report.region, period=PeriodFactory(year=year)
            )
    with django_assert_max_num_queries(6):
        response = reviewer_api.get(LIST_URL, {"region": "3304"})
    assert len(response.json()["results"]) == 44


# The review cycle


def test_a_reporter_submits_and_the_reviewer_approves(
    gangqu_api, reviewer_api, gangqu_draft, jiaxing_reviewer
):
    response = gangqu_api.post(detail_url(gangqu_draft.pk, "submit"), {"version": 1}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["version"]) == ("submitted", 2)
    response = reviewer_api.post(
        detail_url(gangqu_draft.pk, "approve"), {"comment": "属实"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["review_comment"]) == ("approved", "属实")
    gangqu_draft.refresh_from_db()
    assert (gangqu_draft.state, gangqu_draft.reviewed_by) == (
        ReportState.APPROVED,
        jiaxing_reviewer,
    )


def test_submitting_with_a_stale_version_is_a_conflict(gangqu_api, gangqu_draft):
    response = gangqu_api.post(detail_url(gangqu_draft.pk, "submit"), {"version": 7}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["state"] == "draft"
    gangqu_draft.refresh_from_db()
    assert gangqu_draft.state == ReportState.DRAFT


def test_a_reporter_cannot_approve(gangqu_api, pinghu_api, gangqu_submitted):
    url = detail_url(gangqu_submitted.pk, "approve")
    assert gangqu_api.post(url, {}, format="json").status_code == 403
    assert pinghu_api.post(url, {}, format="json").status_code == 404
    gangqu_submitted.refresh_from_db()
    assert gangqu_submitted.state == ReportState.SUBMITTED


def test_a_reviewer_cannot_submit_for_the_reporter(reviewer_api, gangqu_draft):
    response = reviewer_api.post(detail_url(gangqu_draft.pk, "submit"), {}, format="json")
    assert response.status_code == 403
    gangqu_draft.refresh_from_db()
    assert gangqu_draft.state == ReportState.DRAFT


def test_returning_needs_a_comment(reviewer_api, gangqu_submitted):
    url = detail_url(gangqu_submitted.pk, "return")
    missing = reviewer_api.post(url, {}, format="json")
    blank = reviewer_api.post(url, {"comment": "  "}, format="json")
    assert (missing.status_code, blank.status_code) == (400, 400)
    assert "comment" in missing.json()
    assert "comment" in blank.json()
    gangqu_submitted.refresh_from_db()
    assert gangqu_submitted.state == ReportState.SUBMITTED

    response = reviewer_api.post(url, {"comment": "请附培训名单"}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["review_comment"]) == (
        "returned",
        "请附培训名单",
    )


def test_a_returned_figure_is_corrected_and_submitted_again(
    gangqu_api, reviewer_api, gangqu_submitted
):
    url = detail_url(gangqu_submitted.pk)
    assert reviewer_api.post(f"{url}return/", {"comment": "改"}, format="json").status_code == 200
    version = gangqu_api.get(url).json()["version"]
    corrected = gangqu_api.patch(url, {"value": "780", "version": version}, format="json")
    assert (corrected.status_code, corrected.json()["state"]) == (200, "draft")
    assert gangqu_api.post(f"{url}submit/", {}, format="json").json()["state"] == "submitted"


def test_an_approved_figure_cannot_be_changed_by_a_save(gangqu_api, gangqu_approved):
    version = gangqu_approved.history.count()  # one version per saved change
    response = gangqu_api.patch(
        detail_url(gangqu_approved.pk), {"value": "1", "version": version}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    gangqu_approved.refresh_from_db()
    assert (gangqu_approved.state, gangqu_approved.value) == (ReportState.APPROVED, 800)


def test_reopening_needs_a_reason(reviewer_api, gangqu_approved):
    url = detail_url(gangqu_approved.pk, "reopen")
    assert "reason" in reviewer_api.post(url, {}, format="json").json()
    blank = reviewer_api.post(url, {"reason": ""}, format="json")
    assert (blank.status_code, list(blank.json())) == (400, ["reason"])
    gangqu_approved.refresh_from_db()
    assert gangqu_approved.state == ReportState.APPROVED

    response = reviewer_api.post(url, {"reason": "统计口径调整"}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["review_comment"]) == (
        "draft",
        "统计口径调整",
    )


def test_a_reporter_cannot_reopen_an_approved_figure(gangqu_api, gangqu_approved):
    url = detail_url(gangqu_approved.pk, "reopen")
    assert gangqu_api.post(url, {"reason": "想改"}, format="json").status_code == 403
    gangqu_approved.refresh_from_db()
    assert gangqu_approved.state == ReportState.APPROVED


def test_a_submitted_figure_cannot_be_approved_twice(reviewer_api, gangqu_approved):
    response = reviewer_api.post(detail_url(gangqu_approved.pk, "approve"), {}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


# Mass assignment


def test_state_and_people_in_a_payload_are_ignored(
    gangqu_api, gangqu, trained, period, jiaxing_reviewer, gangqu_reporter
):
    smuggled = {
        "state": "approved",
        "approved_by": jiaxing_reviewer.pk,
        "reviewed_by": jiaxing_reviewer.pk,
        "submitted_by": jiaxing_reviewer.pk,
        "created_by": jiaxing_reviewer.pk,
        "updated_by": "jiaxing",
        "review_comment": "已核实",
        "id": 4242,
    }
    response = save(gangqu_api, trained, gangqu, period, 800, **smuggled)
    assert response.status_code == 201
    report = ProgressReport.objects.get()
    assert report.pk != 4242
    assert (report.state, report.version, report.review_comment) == (ReportState.DRAFT, 1, "")
    assert (report.created_by, report.updated_by) == (gangqu_reporter, gangqu_reporter)
    assert (report.submitted_by, report.reviewed_by) == (None, None)

    changed = gangqu_api.patch(
        detail_url(report.pk), {"value": "801", "version": 1, **smuggled}, format="json"
    )
    assert changed.status_code == 200
    report.refresh_from_db()
    assert (report.state, report.version, report.reviewed_by) == (ReportState.DRAFT, 2, None)


def test_a_client_cannot_choose_the_version_of_a_new_figure(gangqu_api, gangqu, trained, period):
    response = save(gangqu_api, trained, gangqu, period, 800, version=99)
    # A version names a figure the client has read; for a figure that does not exist it is refused.
    assert response.status_code == 400
    assert not ProgressReport.objects.exists()
    assert save(gangqu_api, trained, gangqu, period, 800).json()["version"] == 1


def test_state_in_a_review_payload_is_ignored(reviewer_api, gangqu_submitted):
    response = reviewer_api.post(
        detail_url(gangqu_submitted.pk, "return"),
        {"comment": "补材料", "state": "approved"},
        format="json",
    )
    assert response.status_code == 200
    gangqu_submitted.refresh_from_db()
    assert gangqu_submitted.state == ReportState.RETURNED


# The same services as the pages


def test_a_figure_saved_on_the_pages_is_changed_through_the_api(
    gangqu_api, gangqu_reporter, gangqu, trained, period
):
    report = services.report_save(
        user=gangqu_reporter,
        indicator=trained,
        region=gangqu,
        period=period,
        change=services.Change(value=Decimal(10)),
        version=None,
    )
    response = save(gangqu_api, trained, gangqu, period, 11, version=report.version)
    assert (response.status_code, response.json()["id"]) == (200, report.pk)
    assert report.history.count() == 2


# Documentation


def test_the_schema_validates_and_documents_every_endpoint(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    paths = schema["paths"]
    assert set(paths["/api/v1/auth/token/"]) == {"post", "delete"}
    assert set(paths["/api/v1/progress/"]) == {"get", "post"}
    assert set(paths["/api/v1/progress/{id}/"]) == {"get", "patch"}
    for step in ("submit", "approve", "return", "reopen"):
        assert set(paths[f"/api/v1/progress/{{id}}/{step}/"]) == {"post"}
    assert "409" in paths["/api/v1/progress/"]["post"]["responses"]
    list_parameters = {p["name"] for p in paths["/api/v1/progress/"]["get"]["parameters"]}
    assert {"q", "region", "year", "period", "indicator", "state", "cursor", "page_size"} <= (
        list_parameters
    )
    change = schema["components"]["schemas"]["ProgressChangeRequest"]
    assert change["required"] == ["version"]


def test_the_schema_and_swagger_ui_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "swagger" in response.content.decode().lower()
