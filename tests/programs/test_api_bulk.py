"""`POST /api/v1/progress/bulk/`: many drafts in one request, all or nothing, in a fixed number
of queries. Officials of the cast send real tokens; the tests read the database afterwards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from programs.choices import IndicatorKind, PeriodKind, ReportState
from programs.models import ProgressReport, ReportingPeriod
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory, tracked_in

pytestmark = pytest.mark.django_db
HistoricalReport = ProgressReport.history.model


def url() -> str:
    return reverse("api:progress-bulk")


def api_as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def period(db):
    now = timezone.now()
    return PeriodFactory(
        year=now.year, opens_at=now - timedelta(days=30), deadline=now + timedelta(days=30)
    )


@pytest.fixture
def quarter(db):
    now = timezone.now()
    return PeriodFactory(
        kind=PeriodKind.QUARTER,
        year=now.year,
        number=2,
        opens_at=now - timedelta(days=30),
        deadline=now + timedelta(days=30),
    )


@pytest.fixture
def indicators(zhejiang):
    counts = [IndicatorFactory(code=f"BULK_{n:02d}", name=f"指标 {n}") for n in range(30)]
    share = IndicatorFactory(
        code="BULK_SHARE", name="占比", unit="%", kind=IndicatorKind.PERCENTAGE, rollup="mean"
    )
    tracked_in(zhejiang, *counts, share)
    return [*counts, share]


def items(indicators, region, period, count=None, value="120"):
    return [
        {"region": region.code, "indicator": i.code, "period": period.pk, "value": value}
        for i in indicators[:count]
    ]


def stored(period):
    return {
        (r.indicator.code, r.region.code): (r.value, r.state, r.version)
        for r in ProgressReport.objects.filter(period=period).select_related("indicator", "region")
    }


def test_a_reporter_saves_many_new_drafts_with_history(gangqu_reporter, gangqu, period, indicators):
    response = api_as(gangqu_reporter).post(
        url(), {"items": items(indicators, gangqu, period, 3)}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 3, "updated": 0, "unchanged": 0}
    reports = ProgressReport.objects.filter(period=period)
    assert {(r.state, r.version, r.value, r.created_by, r.updated_by) for r in reports} == {
        (ReportState.DRAFT, 1, Decimal(120), gangqu_reporter, gangqu_reporter)
    }
    assert [(h.history_type, h.history_user) for h in HistoricalReport.objects.all()] == [
        ("+", gangqu_reporter)
    ] * 3


def test_posting_the_same_items_again_changes_nothing_and_new_values_update(
    gangqu_reporter, gangqu, period, indicators
):
    client = api_as(gangqu_reporter)
    body = {"items": items(indicators, gangqu, period, 2)}
    client.post(url(), body, format="json")

    again = client.post(
        url(), {"items": [{**item, "version": 1} for item in body["items"]]}, format="json"
    )
    changed = client.post(
        url(),
        {"items": [{**item, "version": 1, "value": "130"} for item in body["items"]]},
        format="json",
    )

    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}
    assert changed.json() == {"created": 0, "updated": 2, "unchanged": 0}
    assert ProgressReport.objects.count() == 2
    assert set(stored(period).values()) == {(Decimal(130), ReportState.DRAFT, 2)}
    assert HistoricalReport.objects.filter(history_type="~").count() == 2


def test_a_stale_version_is_a_conflict_and_nothing_is_saved(
    gangqu_reporter, gangqu, period, indicators
):
    ReportFactory(
        indicator=indicators[1], region=gangqu, period=period, value=Decimal(7), version=3
    )
    body = items(indicators, gangqu, period, 2)
    body[1]["version"] = 2

    response = api_as(gangqu_reporter).post(url(), {"items": body}, format="json")

    assert response.status_code == 409
    assert response.json()["index"] == 1
    assert response.json()["current"]["version"] == 3
    assert stored(period) == {("BULK_01", gangqu.code): (Decimal(7), ReportState.DRAFT, 3)}


def test_an_existing_figure_sent_without_its_version_is_a_conflict(
    gangqu_reporter, gangqu, period, indicators
):
    ReportFactory(indicator=indicators[0], region=gangqu, period=period, value=Decimal(7))
    response = api_as(gangqu_reporter).post(
        url(), {"items": items(indicators, gangqu, period, 1)}, format="json"
    )
    assert response.status_code == 409
    assert ProgressReport.objects.get().value == Decimal(7)


def test_every_bad_item_is_listed_at_its_index_and_nothing_is_saved(
    gangqu_reporter, gangqu, period, indicators
):
    body = items(indicators, gangqu, period, 3)
    body[0]["value"] = "10.5"  # a count must be whole
    body[1]["value"] = "abc"
    body[2]["indicator"] = "NO_SUCH"
    share = {"region": gangqu.code, "indicator": "BULK_SHARE", "period": period.pk, "value": 120}

    response = api_as(gangqu_reporter).post(url(), {"items": [*body, share]}, format="json")

    assert response.status_code == 400
    errors = {(e["index"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(1, "value")}  # input that cannot be read is refused first, alone
    response = api_as(gangqu_reporter).post(
        url(), {"items": [body[0], body[2], share]}, format="json"
    )
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "indicator")]
    response = api_as(gangqu_reporter).post(url(), {"items": [body[0], share]}, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"], e["message"]) for e in response.json()["errors"]] == [
        (0, "value", "A count must be a whole number."),
        (1, "value", "This percentage cannot be above 100."),
    ]
    assert not ProgressReport.objects.exists()
    assert not HistoricalReport.objects.exists()


def test_the_same_figure_twice_in_one_request_is_refused(
    gangqu_reporter, gangqu, period, indicators
):
    body = items(indicators, gangqu, period, 1) * 2
    response = api_as(gangqu_reporter).post(url(), {"items": body}, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (1, "non_field_errors")
    ]
    assert not ProgressReport.objects.exists()


def test_periods_are_found_by_id_or_by_key(gangqu_reporter, gangqu, period, quarter, indicators):
    body = [
        {"region": gangqu.code, "indicator": "BULK_00", "period": str(period.year), "value": 1},
        {"region": gangqu.code, "indicator": "BULK_01", "period": f"{quarter.year}-Q2", "value": 2},
        {"region": gangqu.code, "indicator": "BULK_02", "period": quarter.pk, "value": 3},
        {"region": gangqu.code, "indicator": "BULK_03", "period": "2024-Q9", "value": 4},
    ]
    response = api_as(gangqu_reporter).post(url(), {"items": body}, format="json")
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(3, "period")]

    response = api_as(gangqu_reporter).post(url(), {"items": body[:3]}, format="json")
    assert response.status_code == 200
    assert stored(period) == {("BULK_00", gangqu.code): (Decimal(1), ReportState.DRAFT, 1)}
    assert set(stored(quarter)) == {("BULK_01", gangqu.code), ("BULK_02", gangqu.code)}


def test_a_year_sent_as_a_number_is_told_to_send_a_string(
    gangqu_reporter, gangqu, period, indicators
):
    assert not ReportingPeriod.objects.filter(pk=period.year).exists()
    body = [{"region": gangqu.code, "indicator": "BULK_00", "period": period.year, "value": 1}]
    response = api_as(gangqu_reporter).post(url(), {"items": body}, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["index"], error["field"]) == (0, "period")
    assert f"the id {period.year}" in error["message"] and "as a string" in error["message"]
    assert not ProgressReport.objects.exists()


def test_fields_a_client_must_not_set_are_never_written(
    gangqu_reporter, jiaxing_reviewer, gangqu, period, indicators
):
    item = {
        **items(indicators, gangqu, period, 1)[0],
        "state": "approved",
        "approved_by": jiaxing_reviewer.pk,
        "reviewed_by": jiaxing_reviewer.pk,
        "created_by": jiaxing_reviewer.pk,
        "region_id": 999,
        "indicator_id": 999,
        "id": 12345,
    }
    response = api_as(gangqu_reporter).post(url(), {"items": [item]}, format="json")

    assert response.status_code == 200
    report = ProgressReport.objects.get()
    assert (report.state, report.reviewed_by, report.created_by, report.version) == (
        ReportState.DRAFT,
        None,
        gangqu_reporter,
        1,
    )
    assert report.pk != 12345


def test_a_version_for_a_figure_that_does_not_exist_is_refused(
    gangqu_reporter, gangqu, period, indicators
):
    body = [{**items(indicators, gangqu, period, 1)[0], "version": 5}]
    response = api_as(gangqu_reporter).post(url(), {"items": body}, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, "version")]
    assert not ProgressReport.objects.exists()


def test_submitted_and_approved_figures_are_refused(gangqu_reporter, gangqu, period, indicators):
    for indicator, state in zip(
        indicators[:2], [ReportState.SUBMITTED, ReportState.APPROVED], strict=True
    ):
        ReportFactory(indicator=indicator, region=gangqu, period=period, state=state)
    body = [{**item, "version": 1} for item in items(indicators, gangqu, period, 3, value="5")]
    response = api_as(gangqu_reporter).post(url(), {"items": body}, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (0, "non_field_errors"),
        (1, "non_field_errors"),
        (2, "version"),
    ]
    assert ProgressReport.objects.filter(value=5).count() == 0


def test_a_closed_period_is_refused(gangqu_reporter, gangqu, period, indicators):
    period.deadline = timezone.now() - timedelta(hours=1)
    period.save()
    response = api_as(gangqu_reporter).post(
        url(), {"items": items(indicators, gangqu, period, 2)}, format="json"
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"period"}
    assert "is closed for entry" in response.json()["errors"][0]["message"]
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        (None, 401),
        ("gangqu_reporter", 200),
        ("pinghu_reporter", 403),  # a sibling county
        ("jiaxing_reviewer", 403),  # sees the figures above, may not enter them
        ("reviewer_elsewhere", 403),
        ("catalog_admin", 403),
        ("superuser", 200),
    ],
)
def test_only_who_may_enter_in_every_region_of_the_request_saves(
    request, gangqu, zhengxiang, period, indicators, actor, status
):
    if actor == "reviewer_elsewhere":
        from regions.choices import Role
        from tests.factories import MembershipFactory

        user = MembershipFactory(
            region=zhengxiang.parent, role=Role.REVIEWER, includes_subregions=True
        ).user
    else:
        user = request.getfixturevalue(actor) if actor else None
    response = api_as(user).post(
        url(), {"items": items(indicators, gangqu, period, 2)}, format="json"
    )
    assert response.status_code == status
    assert ProgressReport.objects.count() == (2 if status == 200 else 0)


def test_one_region_the_reporter_may_not_enter_refuses_the_whole_request(
    gangqu_reporter, gangqu, jiaxing, period, indicators
):
    body = items(indicators, gangqu, period, 2) + items(indicators, jiaxing, period, 1)
    response = api_as(gangqu_reporter).post(url(), {"items": body}, format="json")
    assert response.status_code == 403
    assert jiaxing.name in response.json()["detail"]
    assert not ProgressReport.objects.exists()


def test_an_unknown_region_code_is_an_error_at_its_item(
    gangqu_reporter, gangqu, period, indicators
):
    body = items(indicators, gangqu, period, 2)
    body[1]["region"] = "NOWHERE"
    response = api_as(gangqu_reporter).post(url(), {"items": body}, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "region")]
    assert not ProgressReport.objects.exists()


def test_a_malformed_body_gets_a_message_not_a_500(gangqu_reporter, gangqu, period, indicators):
    client = api_as(gangqu_reporter)
    for body in [{}, {"items": []}, {"items": "x"}, {"items": [1, 2]}, [1], {"items": [None]}]:
        response = client.post(url(), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["errors"], body
    # Not JSON at all: the same answer shape (schemathesis found the bare {"detail"} of DRF).
    response = client.post(url(), b"\x00{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items"
    too_many = {"items": items(indicators, gangqu, period, 1) * 10_001}
    response = client.post(url(), too_many, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items"
    assert not ProgressReport.objects.exists()


def test_the_query_count_does_not_grow_with_the_items(
    gangqu_reporter, gangqu, period, indicators, django_assert_max_num_queries
):
    client = api_as(gangqu_reporter)
    few = items(indicators, gangqu, period, 3)
    many = items(indicators[3:], gangqu, period, 27)
    # 15: one of them reads the indicators the programs track (services.bulk)
    with django_assert_max_num_queries(15):
        assert client.post(url(), {"items": few}, format="json").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.post(url(), {"items": many}, format="json").status_code == 200
    updates = [{**item, "version": 1, "value": "7"} for item in few + many]
    with django_assert_max_num_queries(15):
        assert client.post(url(), {"items": updates}, format="json").json()["updated"] == 30
