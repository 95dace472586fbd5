"""The public correction log: an approved figure reopened and approved again with another value
is shown, with its date, old → new value and reason, on the figure's indicator page, on
/corrections/ and in the open API; a figure confirmed unchanged, and anything of a draft, is not."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from programs import figures, services
from programs.models import Correction, Indicator
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PlanIndicatorFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def flow(skills_plan, gangqu, open_2024, gangqu_reporter, jiaxing_reviewer):
    indicator = Indicator.objects.get(code="HIGH_SKILLED_NEW")

    def enter(value, *, lower_bound=False, report=None):
        report = services.report_save(
            user=gangqu_reporter,
            indicator=shared["indicator"],  # a test may move on to another indicator
            region=gangqu,
            period=open_2024,
            change=services.Change(value=Decimal(value), is_lower_bound=lower_bound),
            version=report.version if report else None,
        )
        report = services.report_submit(user=gangqu_reporter, report=report)
        return services.report_approve(user=jiaxing_reviewer, report=report)

    def reopen(report, reason):
        return services.report_reopen(user=jiaxing_reviewer, report=report, reason=reason)

    shared = {"indicator": indicator, "region": gangqu, "enter": enter, "reopen": reopen}
    return shared


def corrected(flow, reason="统计口径调整，补录3人"):
    report = flow["enter"]("210")
    report = flow["reopen"](report, reason)
    return flow["enter"]("213", report=report)


def indicator_page(flow, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    url = reverse("public:indicator", args=[flow["indicator"].code])
    return client.get(url, {"region": flow["region"].code, "year": 2024})


def test_a_reapproval_with_another_value_is_a_correction_shown_everywhere(flow):
    corrected(flow)
    (correction,) = Correction.objects.all()
    assert (correction.old_value, correction.new_value) == (210, 213)
    assert correction.reason == "统计口径调整，补录3人" and correction.approved_at is not None

    page = indicator_page(flow).content.decode()
    assert "更正记录" in page and "统计口径调整，补录3人" in page
    assert "<del>210</del>" in page and "<ins>213</ins>" in page

    listing = Client().get(reverse("public:corrections")).content.decode()
    assert "新增高技能人才" in listing and "嘉兴港区" in listing
    assert "<del>210</del>" in listing and "<ins>213</ins>" in listing
    assert "统计口径调整，补录3人" in listing

    answer = Client().get(reverse("api:open-correction-list")).json()
    (row,) = answer["results"]
    assert row["region"] == "3304Z01" and row["indicator"] == "HIGH_SKILLED_NEW"
    assert (row["old_value"], row["new_value"], row["year"]) == (210, 213, 2024)
    assert row["reason"] == "统计口径调整，补录3人"
    assert row["old_is_lower_bound"] is False and row["corrected_at"]


def test_the_english_pages_name_the_correction_in_english(flow):
    corrected(flow)
    page = indicator_page(flow, "en").content.decode()
    assert "Corrections" in page and "Old value" in page and "更正记录" not in page
    listing = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:corrections"))
    assert "Corrected on" in listing.content.decode()


def test_a_lower_bound_that_becomes_exact_is_a_correction(flow):
    report = flow["enter"]("5200", lower_bound=True)
    report = flow["reopen"](report, "核实为确数")
    flow["enter"]("5200", report=report)
    (correction,) = Correction.objects.all()
    assert (correction.old_is_lower_bound, correction.new_is_lower_bound) == (True, False)
    listing = Client().get(reverse("public:corrections")).content.decode()
    shown = figures.figure_text(Decimal(5200), lower_bound=True)  # as every page writes it
    assert (
        "<del title=" in listing and f">{shown}</del>" in listing and "<ins>5,200</ins>" in listing
    )


def test_a_reopening_approved_again_unchanged_is_no_correction(flow):
    """Decided: the public saw one figure throughout, so there is nothing to correct."""
    report = flow["enter"]("210")
    report = flow["reopen"](report, "复核")
    report = services.report_submit(user=report.submitted_by, report=report)
    services.report_approve(user=report.reviewed_by, report=report)
    assert not Correction.objects.exists()
    assert "复核" not in Client().get(reverse("public:corrections")).content.decode()
    assert Client().get(reverse("api:open-correction-list")).json()["results"] == []


def test_a_draft_after_a_reopening_never_appears(flow):
    """A figure reopened and changed but not approved again: neither its draft value nor the
    reason is public, on the pages or in the API."""
    report = flow["enter"]("210")
    report = flow["reopen"](report, "待核实的原因")
    services.report_save(
        user=report.submitted_by,
        indicator=report.indicator,
        region=report.region,
        period=report.period,
        change=services.Change(value=Decimal("987")),
        version=report.version,
    )
    assert Correction.objects.filter(approved_at__isnull=True).count() == 1
    for text in (
        indicator_page(flow).content.decode(),
        Client().get(reverse("public:corrections")).content.decode(),
        Client().get(reverse("api:open-correction-list")).content.decode(),
    ):
        assert "987" not in text and "待核实的原因" not in text


def test_a_second_correction_goes_from_the_corrected_value(flow):
    report = corrected(flow)
    report = flow["reopen"](report, "再次更正")
    flow["enter"]("220", report=report)
    rows = Client().get(reverse("api:open-correction-list")).json()["results"]
    assert [(r["old_value"], r["new_value"], r["reason"]) for r in rows] == [
        (213, 220, "再次更正"),
        (210, 213, "统计口径调整，补录3人"),
    ]


def test_the_list_filters_by_region_subtree_and_year(flow, jiaxing, zhengxiang):
    corrected(flow)
    listing = reverse("public:corrections")
    feed = reverse("api:open-correction-list")
    assert "<ins>213</ins>" in Client().get(listing, {"region": jiaxing.code}).content.decode()
    assert (
        "<ins>213</ins>" not in Client().get(listing, {"region": zhengxiang.code}).content.decode()
    )
    assert "<ins>213</ins>" not in Client().get(listing, {"year": 2023}).content.decode()
    assert len(Client().get(feed, {"region": "33", "year": 2024}).json()["results"]) == 1
    assert Client().get(feed, {"region": zhengxiang.code}).json()["results"] == []
    assert Client().get(listing, {"region": "nowhere"}).status_code == 404
    assert Client().get(feed, {"region": "nowhere"}).status_code == 400


def many_corrections(flow, count):
    period = PeriodFactory(year=2023)
    for number in range(count):
        report = ReportFactory(
            indicator=IndicatorFactory(), region=flow["region"], period=period, value=number + 1
        )
        Correction.objects.create(
            report=report,
            old_value=number,
            new_value=number + 1,
            new_is_lower_bound=False,
            reason=f"原因{number}",
            reopened_at=report.created_at,
            approved_at=report.created_at,
        )


@pytest.mark.parametrize("count", [3, 60])
def test_the_list_costs_a_few_queries_whatever_its_length(
    flow, count, django_assert_max_num_queries
):
    many_corrections(flow, count)
    client = Client()
    with django_assert_max_num_queries(6):
        response = client.get(reverse("public:corrections"), {"region": "33", "page": 1})
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("api:open-correction-list")).status_code == 200


def test_the_list_pages_newest_first(flow):
    many_corrections(flow, 60)
    client = Client()
    first = client.get(reverse("public:corrections")).content.decode()
    assert "原因59" in first and "原因9<" not in first and 'rel="next"' in first
    second = client.get(reverse("public:corrections"), {"page": 2}).content.decode()
    assert "原因9<" in second and "原因59" not in second


def test_the_list_is_served_from_the_cache_until_the_next_approval(
    flow, django_capture_on_commit_callbacks
):
    client = Client()
    assert "X-Cache" not in client.get(reverse("public:corrections"))
    assert client.get(reverse("public:corrections"))["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        corrected(flow)
    response = client.get(reverse("public:corrections"))
    assert "X-Cache" not in response and "<ins>213</ins>" in response.content.decode()


def test_the_backfill_reads_earlier_corrections_from_the_history(flow, skills_plan):
    """Migration 0012 finds in the history what the services record now: the same rows for a
    corrected figure, none for one approved again unchanged, a pending row for one reopened."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("programs.migrations.0012_corrections_from_history").backfill
    corrected(flow)  # 210 → 213
    unchanged = PlanIndicatorFactory(plan=skills_plan, indicator=IndicatorFactory()).indicator
    flow["indicator"] = unchanged
    report = flow["enter"]("5")
    flow["enter"]("5", report=flow["reopen"](report, "复核"))
    still_open = PlanIndicatorFactory(plan=skills_plan, indicator=IndicatorFactory()).indicator
    flow["indicator"] = still_open
    flow["reopen"](flow["enter"]("7"), "待更正")
    fields = ("report", "old_value", "old_is_lower_bound", "new_value", "reason", "approved_at")
    recorded = sorted(Correction.objects.values_list(*fields))
    Correction.objects.all().delete()
    backfill(apps, None)
    assert sorted(Correction.objects.values_list(*fields)) == recorded
    assert len(recorded) == 2 and sum(row[-1] is None for row in recorded) == 1


def test_the_feed_pages_by_cursor_through_every_correction(flow):
    """Newest first, each once, following `next` (several share one approval time)."""
    many_corrections(flow, 25)
    Correction.objects.update(approved_at=Correction.objects.first().approved_at)
    url, seen = reverse("api:open-correction-list") + "?page_size=10", []
    while url:
        answer = Client().get(url).json()
        seen += [row["reason"] for row in answer["results"]]
        url = answer["next"]
    assert seen == [f"原因{number}" for number in reversed(range(25))]
