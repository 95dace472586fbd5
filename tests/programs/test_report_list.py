"""进展数据, the officials' list of progress figures: scope, filters, keyset pages, and no list over
the progress table (page, API or admin) ever counts it.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from programs.choices import ReportState
from programs.models import ProgressReport
from programs.tables import CappedCountPaginator
from programs.views.report_list import PAGE_SIZE
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    ReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("programs:report_list")


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def listed(client, **params) -> list[int]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200, response.content[:500]
    return [report.pk for report in response.context["rows"]]


@pytest.fixture
def trained():
    return IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数", unit="人")


@pytest.fixture
def skilled():
    return IndicatorFactory(code="SKILLED_NEW", name="新增技能人才", unit="人")


@pytest.fixture
def figures(gangqu, pinghu, zhengxiang, trained, skilled):
    """A figure in each state in 嘉兴港区, one in its sibling 平湖, one in far-away 蒸湘区."""
    y2023, y2024 = PeriodFactory(year=2023), PeriodFactory(year=2024)
    return {
        "gangqu_2023": ReportFactory(
            indicator=trained,
            region=gangqu,
            period=y2023,
            value=Decimal(1600),
            is_lower_bound=True,
            state=ReportState.APPROVED,
            reviewed_at=timezone.now(),
        ),
        "gangqu_trained": ReportFactory(indicator=trained, region=gangqu, period=y2024),
        "gangqu_skilled": ReportFactory(
            indicator=skilled, region=gangqu, period=y2024, state=ReportState.SUBMITTED
        ),
        "pinghu": ReportFactory(indicator=trained, region=pinghu, period=y2024),
        "zhengxiang": ReportFactory(indicator=trained, region=zhengxiang, period=y2024),
    }


def pks(figures, *names) -> list[int]:
    """The named figures as the list shows them: newest first."""
    return sorted((figures[name].pk for name in names), reverse=True)


# --- Scope ----------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in():
    response = Client().get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_reporter_sees_the_figures_of_their_region_only(gangqu_reporter, figures):
    assert listed(client_for(gangqu_reporter)) == pks(
        figures, "gangqu_2023", "gangqu_trained", "gangqu_skilled"
    )


def test_a_sibling_reporter_sees_none_of_gangqus_figures(pinghu_reporter, figures):
    assert listed(client_for(pinghu_reporter)) == pks(figures, "pinghu")


def test_a_reviewer_above_sees_the_sub_regions_but_not_elsewhere(jiaxing_reviewer, figures):
    assert listed(client_for(jiaxing_reviewer)) == pks(
        figures, "gangqu_2023", "gangqu_trained", "gangqu_skilled", "pinghu"
    )


def test_a_user_without_a_region_gets_an_empty_list(figures):
    response = client_for(UserFactory(username="nobody")).get(LIST_URL)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "No progress figure matches." in response.content.decode()


def test_a_superuser_sees_every_figure(superuser, figures):
    assert listed(client_for(superuser)) == pks(figures, *figures)


def test_a_region_outside_the_scope_filters_to_nothing(pinghu_reporter, figures):
    assert listed(client_for(pinghu_reporter), region="3304Z01") == []
    assert listed(client_for(pinghu_reporter), region="3304") == pks(figures, "pinghu")


# --- Filters --------------------------------------------------------------------------------------


def test_the_region_filter_includes_sub_regions(jiaxing_reviewer, superuser, figures):
    reviewer = client_for(jiaxing_reviewer)
    assert listed(reviewer, region="330482") == pks(figures, "pinghu")
    assert listed(reviewer, region="3304Z01") == pks(
        figures, "gangqu_2023", "gangqu_trained", "gangqu_skilled"
    )
    assert listed(client_for(superuser), region="43") == pks(figures, "zhengxiang")


def test_the_year_indicator_state_and_period_filters(jiaxing_reviewer, figures):
    reviewer = client_for(jiaxing_reviewer)
    assert listed(reviewer, year=2023) == pks(figures, "gangqu_2023")
    assert listed(reviewer, indicator="SKILLED_NEW") == pks(figures, "gangqu_skilled")
    assert listed(reviewer, state="draft") == pks(figures, "gangqu_trained", "pinghu")
    period = figures["gangqu_2023"].period_id
    assert listed(reviewer, period=period) == pks(figures, "gangqu_2023")
    both = {"region": "3304Z01", "year": 2024, "indicator": "VT_TRAINED", "state": "draft"}
    assert listed(reviewer, **both) == pks(figures, "gangqu_trained")


def test_the_search_finds_indicator_names_and_codes_and_region_names(jiaxing_reviewer, figures):
    reviewer = client_for(jiaxing_reviewer)
    assert listed(reviewer, q="技能人才") == pks(figures, "gangqu_skilled")
    assert listed(reviewer, q="skilled_new") == pks(figures, "gangqu_skilled")
    assert listed(reviewer, q="平湖") == pks(figures, "pinghu")
    assert listed(reviewer, q="没有这个") == []


def test_bad_filter_values_are_errors_at_their_fields(jiaxing_reviewer, figures):
    bad = {"region": "000000", "year": "soon", "indicator": "NOPE", "state": "x"}
    response = client_for(jiaxing_reviewer).get(LIST_URL, bad)
    assert response.status_code == 400
    assert set(response.context["filter"].errors) == set(bad)
    assert response.context["rows"] == []
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'value="000000"' in page  # what was typed stays in the form


def test_a_bad_cursor_is_a_bad_request(jiaxing_reviewer, figures):
    reviewer = client_for(jiaxing_reviewer)
    assert reviewer.get(LIST_URL, {"after": "soon"}).status_code == 400
    assert reviewer.get(LIST_URL, {"before": "-1"}).status_code == 400


def test_a_row_shows_what_an_official_needs_and_links_to_the_figure(gangqu_reporter, figures):
    response = client_for(gangqu_reporter).get(LIST_URL, {"year": 2023})
    page = response.content.decode()
    report = figures["gangqu_2023"]
    assert reverse("programs:report", args=[report.pk]) in page
    assert "1,600 (at least)" in page and '<span class="unit">人</span>' in page
    assert '<span class="state state-approved">Approved</span>' in page
    assert timezone.localtime(report.reviewed_at).strftime("%Y-%m-%d %H:%M") in page
    assert "Showing 1 row" in page


def test_the_page_reads_well_without_sight_and_on_a_phone(gangqu_reporter, figures):
    page = client_for(gangqu_reporter).get(LIST_URL).content.decode()
    assert '<table class="review-grid report-list">' in page  # rows become cards on a phone
    assert "<caption>" in page and '<th scope="col">Region</th>' in page
    assert '<td data-label="Region">嘉兴港区</td>' in page
    assert '<th scope="row" data-label="Indicator">' in page
    assert 'role="search"' in page and '<label for="id_region">' in page
    assert '<nav class="year-switch" aria-label="Pages of the list">' in page
    assert f'href="{LIST_URL}">Progress data</a>' in page  # in the officials' navigation


# --- Keyset pages ---------------------------------------------------------------------------------


def grow(region, count: int, *, state=ReportState.DRAFT) -> list[int]:
    """`count` more figures of `region` (10 indicators × as many years as needed), newest last."""
    indicators = [IndicatorFactory(code=f"GROW_{n}") for n in range(10)]
    made = []
    for number in range(count):
        period = PeriodFactory(year=1900 + number // 10)
        made.append(
            ProgressReport(
                indicator=indicators[number % 10],
                region=region,
                period=period,
                value=Decimal(number),
                state=state,
            )
        )
    ProgressReport.objects.bulk_create(made)
    return list(ProgressReport.objects.filter(region=region).values_list("pk", flat=True))


def follow(client, link: str):
    response = client.get(LIST_URL + link)
    assert response.status_code == 200
    return response, [report.pk for report in response.context["rows"]]


def test_walking_older_meets_every_figure_once_newest_first(gangqu, gangqu_reporter):
    every = sorted(grow(gangqu, 2 * PAGE_SIZE + 20), reverse=True)
    client = client_for(gangqu_reporter)
    response, rows = follow(client, "")
    assert response.context["links"]["first"] is None and response.context["links"]["newer"] is None
    pages = [rows]
    while response.context["links"]["older"]:
        response, rows = follow(client, response.context["links"]["older"])
        pages.append(rows)
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
    assert [pk for page in pages for pk in page] == every
    assert response.context["links"]["last"] is None  # the end of the walk is the last page
    assert "Showing 20 rows" in response.content.decode()


def test_the_last_page_shows_the_oldest_figures_and_walks_back(gangqu, gangqu_reporter):
    every = sorted(grow(gangqu, 2 * PAGE_SIZE + 20), reverse=True)
    client = client_for(gangqu_reporter)
    first, _rows = follow(client, "")
    last, rows = follow(client, first.context["links"]["last"])
    assert rows == every[-PAGE_SIZE:]
    links = last.context["links"]
    assert (links["older"], links["last"]) == (None, None)
    newer, rows = follow(client, links["newer"])
    assert rows == every[-2 * PAGE_SIZE : -PAGE_SIZE]
    _back, rows = follow(client, newer.context["links"]["older"])
    assert rows == every[-PAGE_SIZE:]
    # Less than a page is left above: "newer" lands on the first page, full.
    newest, rows = follow(client, newer.context["links"]["newer"])
    assert rows == every[:PAGE_SIZE]
    assert newest.context["links"]["newer"] is None
    assert follow(client, links["first"])[1] == every[:PAGE_SIZE]


def test_a_cursor_past_either_end_lands_on_that_end(gangqu, gangqu_reporter):
    every = sorted(grow(gangqu, PAGE_SIZE + 5), reverse=True)
    client = client_for(gangqu_reporter)
    assert follow(client, "?after=0")[1] == every[-PAGE_SIZE:]
    assert follow(client, f"?after={every[-1]}")[1] == every[-PAGE_SIZE:]
    assert follow(client, f"?before={every[0]}")[1] == every[:PAGE_SIZE]
    assert follow(client, f"?before={every[0] + 1000}")[1] == every[:PAGE_SIZE]


def test_one_short_page_has_no_other_page(gangqu, gangqu_reporter):
    every = sorted(grow(gangqu, 7), reverse=True)
    response, rows = follow(client_for(gangqu_reporter), "")
    assert rows == every
    assert set(response.context["links"].values()) == {None}
    assert follow(client_for(gangqu_reporter), "?last=1")[1] == every


def test_the_page_links_keep_the_filters(gangqu, gangqu_reporter):
    drafts = sorted(grow(gangqu, PAGE_SIZE + 5), reverse=True)
    ReportFactory(region=gangqu, state=ReportState.SUBMITTED)
    client = client_for(gangqu_reporter)
    response, _rows = follow(client, "?state=draft&region=3304Z01")
    older = response.context["links"]["older"]
    assert "state=draft" in older and "region=3304Z01" in older
    assert follow(client, older)[1] == drafts[PAGE_SIZE:]
    assert "state=draft" in response.context["links"]["last"]


def test_the_list_takes_a_fixed_number_of_queries(
    gangqu, jiaxing_reviewer, figures, django_assert_max_num_queries
):
    client = client_for(jiaxing_reviewer)
    filtered = "?q=%E5%9F%B9&region=3304&year=2024&indicator=VT_TRAINED&state=draft"
    pages = ["", filtered, f"?after={figures['pinghu'].pk}", "?before=1", "?last=1"]
    few = {}
    for page in pages:
        with django_assert_max_num_queries(12) as queries:
            assert client.get(LIST_URL + page).status_code == 200
        few[page] = len(queries.captured_queries)
    grow(gangqu, 3 * PAGE_SIZE)
    for page in pages:
        with django_assert_max_num_queries(12) as queries:
            assert client.get(LIST_URL + page).status_code == 200
        assert len(queries.captured_queries) == few[page], page


# --- Nothing counts the progress table ------------------------------------------------------------

COUNT = re.compile(r"\bCOUNT\(", re.IGNORECASE)
# Django's count of a sliced queryset: `SELECT COUNT(*) FROM (SELECT … LIMIT n) subquery`.
CAPPED_COUNT = re.compile(r"^SELECT COUNT\(\*\) FROM \(SELECT .* LIMIT \d+\) subquery$", re.DOTALL)


def uncapped_counts(queries) -> list[str]:
    """Statements that count rows of the progress table other than up to a LIMIT, and counts of
    its history that are not narrowed by a WHERE (one figure's history is fine)."""
    found = []
    for query in queries:
        sql = query["sql"]
        counts = COUNT.findall(sql)
        if not counts:
            continue
        uncapped = '"programs_progressreport"' in sql and not (
            len(counts) == 1 and CAPPED_COUNT.match(sql)
        )
        whole_history = '"programs_historicalprogressreport"' in sql and " WHERE " not in sql
        if uncapped or whole_history:
            found.append(sql)
    return found


def test_the_count_detector_tells_a_capped_count_from_a_full_one(figures):
    with CaptureQueriesContext(connection) as queries:
        ProgressReport.objects.count()
        ProgressReport.objects.filter(state=ReportState.DRAFT).count()
        ProgressReport.history.count()
        ProgressReport.objects.filter(state=ReportState.DRAFT)[:11].count()
        figures["pinghu"].history.count()
    statements = [query["sql"] for query in queries.captured_queries]
    assert uncapped_counts(queries.captured_queries) == statements[:3]


@pytest.fixture
def world(skills_plan, gangqu, open_2024, figures, catalog_admin, superuser):
    submitted = ReportFactory(
        indicator=skills_plan.indicators.get(code="HIGH_SKILLED_NEW"),
        region=gangqu,
        period=open_2024,
        state=ReportState.SUBMITTED,
    )
    return {"plan": skills_plan, "period": open_2024, "submitted": submitted}


def list_requests(world, figures, request):
    """(who, url) for every list of progress figures an official or an admin opens."""
    reporter = request.getfixturevalue("gangqu_reporter")
    reviewer = request.getfixturevalue("jiaxing_reviewer")
    province_admin = request.getfixturevalue("superuser")
    period, program = world["period"].pk, world["plan"].program_id
    pk = figures["gangqu_trained"].pk
    changelist = reverse("admin:programs_progressreport_changelist")
    page_filters = "q=%E5%9F%B9&region=3304&year=2024&indicator=VT_TRAINED&state=draft"
    return [
        (reviewer, LIST_URL),
        (reviewer, f"{LIST_URL}?{page_filters}"),
        (reviewer, f"{LIST_URL}?after={pk}"),
        (reviewer, f"{LIST_URL}?before={pk}"),
        (reviewer, f"{LIST_URL}?last=1"),
        (province_admin, LIST_URL),
        (reviewer, "/api/v1/progress/"),
        (reviewer, f"/api/v1/progress/?{page_filters}&page_size=1"),
        (None, "/api/v1/open/progress/"),
        (None, "/api/v1/open/progress/?region=3304&year=2023&page_size=1"),
        (province_admin, changelist),
        (province_admin, f"{changelist}?state__exact=draft"),
        (province_admin, f"{changelist}?q=%E5%B9%B3%E6%B9%96&period__year=2024"),
        (province_admin, f"{changelist}?_facets=1"),
        (request.getfixturevalue("catalog_admin"), changelist),
        (province_admin, reverse("admin:programs_progressreport_history", args=[pk])),
        (reviewer, reverse("programs:review", args=[period])),
        (reporter, reverse("programs:grid", args=["3304Z01", period, program])),
    ]


def test_no_list_of_progress_figures_counts_the_table(world, figures, request):
    for user, url in list_requests(world, figures, request):
        client = APIClient() if user is None else client_for(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert uncapped_counts(queries.captured_queries) == [], url
        if url.startswith("/api/"):
            assert "count" not in response.json(), url


def test_the_api_pages_follow_their_cursor_without_counting(jiaxing_reviewer, gangqu):
    grow(gangqu, 5, state=ReportState.APPROVED)
    for client, url in [
        (client_for(jiaxing_reviewer), "/api/v1/progress/?page_size=2"),
        (APIClient(), "/api/v1/open/progress/?page_size=2"),
    ]:
        seen = 0
        while url:
            with CaptureQueriesContext(connection) as queries:
                body = client.get(url).json()
            assert uncapped_counts(queries.captured_queries) == []
            seen += len(body["results"])
            url = body["next"]
        assert seen == 5


# --- The admin's capped count ---------------------------------------------------------------------


def test_the_admin_paginator_counts_exactly_up_to_its_cap(gangqu, monkeypatch):
    grow(gangqu, 12)
    reports = ProgressReport.objects.order_by("-pk")
    assert CappedCountPaginator(reports, 5).count == 12
    monkeypatch.setattr(CappedCountPaginator, "cap", 10)
    assert CappedCountPaginator(reports.filter(region=gangqu), 5).count == 11  # "more than 10"
    paginator = CappedCountPaginator(reports, 5)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE programs_progressreport")
        assert paginator.count == 12  # unfiltered: the table's size as PostgreSQL estimates it
    else:
        assert paginator.count == 11
    second = [report.pk for report in paginator.page(2)]
    assert second == list(reports.values_list("pk", flat=True))[5:10]


def test_the_admin_lists_figures_newest_first_with_their_count(superuser, figures):
    # The superuser sees every region's figures (a catalog admin only those of their own scope).
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    response = client.get(reverse("admin:programs_progressreport_changelist"))
    changelist = response.context["cl"]
    assert changelist.result_count == len(figures)
    assert changelist.full_result_count is None  # never the unfiltered total
    assert [report.pk for report in changelist.result_list] == pks(figures, *figures)
