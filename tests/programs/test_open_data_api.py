"""The open-data API: anonymous and read-only, approved figures only, filters, derived figures.

The summary's numbers are checked against hand computation, and against the region page's
selector (`dashboard.region_summary`), so the API and the pages cannot drift apart.
"""

from decimal import Decimal

import pytest
import yaml
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from programs import dashboard, public_cache, services
from programs.choices import ReportState
from regions.choices import RegionLevel
from tests.factories import (
    IndicatorFactory,
    MeasureFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
    RegionFactory,
    ReportFactory,
    TargetFactory,
    tracked_in,
)

pytestmark = pytest.mark.django_db

HIDDEN = {9871, 9872, 9873, 9874}


@pytest.fixture(autouse=True)
def empty_cache():
    """Anonymous answers are cached per URL and data version: each test starts from its own data
    and leaves nothing behind for another test's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def approve(**kwargs):
    return ReportFactory(state=ReportState.APPROVED, reviewed_at=timezone.now(), **kwargs)


@pytest.fixture
def cities(zhejiang, jiaxing):
    """嘉兴's sibling cities: 杭州 ahead of it, 湖州 level with it."""
    return {
        "hangzhou": RegionFactory(
            code="3301", name="杭州市", level=RegionLevel.CITY, parent=zhejiang
        ),
        "huzhou": RegionFactory(
            code="3305", name="湖州市", level=RegionLevel.CITY, parent=zhejiang
        ),
    }


@pytest.fixture
def trained(jiaxing, pinghu, nanhu, gangqu, cities):
    """Vocational training: 嘉兴 1,040 in 2022 and 1,200 in 2023 against ≥ 1,000; its counties
    and zone in 2023; its sibling cities 1,500 and 1,200 in 2023."""
    indicator = IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数", unit="人")
    y2022, y2023 = PeriodFactory(year=2022), PeriodFactory(year=2023)
    approve(indicator=indicator, region=jiaxing, period=y2022, value=Decimal(1040))
    approve(indicator=indicator, region=jiaxing, period=y2023, value=Decimal(1200))
    TargetFactory(indicator=indicator, region=jiaxing, period=y2023, value=Decimal(1000))
    approve(indicator=indicator, region=pinghu, period=y2023, value=Decimal(600))
    approve(indicator=indicator, region=nanhu, period=y2023, value=Decimal(450))
    approve(indicator=indicator, region=gangqu, period=y2023, value=Decimal(300))  # in 平湖's
    approve(indicator=indicator, region=cities["hangzhou"], period=y2023, value=Decimal(1500))
    approve(indicator=indicator, region=cities["huzhou"], period=y2023, value=Decimal(1200))
    return indicator


@pytest.fixture
def every_state(high_skilled_in_every_state, pinghu):
    """The shared figures in every state, plus an indicator with nothing but a draft."""
    draft_only = IndicatorFactory(code="DRAFT_ONLY", name="只有草稿")
    ReportFactory(
        indicator=draft_only, region=pinghu, period=PeriodFactory(year=2023), value=Decimal(9871)
    )
    return high_skilled_in_every_state


@pytest.fixture
def program(gangqu, trained):
    """嘉兴港区's 五大计划 (2024–2026): one plan with two measures and one indicator."""
    program = ProgramFactory(region=gangqu, name="五大计划", start_year=2024, end_year=2026)
    plan = PlanFactory(program=program, name="优培赋能强提升计划", order=1)
    MeasureFactory(plan=plan, name="打造30分钟职业技能培训圈", order=2)
    MeasureFactory(plan=plan, name="建设技能人才评价体系", order=1)
    PlanIndicatorFactory(plan=plan, indicator=trained)
    return program


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def progress(api, **params) -> list[tuple]:
    rows = results(api.get("/api/v1/open/progress/", params))
    return sorted((row["region"], row["indicator"], row["year"], row["value"]) for row in rows)


# --- Anonymous, read-only, unknown codes ----------------------------------------------------------


OPEN_URLS = [
    "/api/v1/regions/",
    "/api/v1/regions/3304/",
    "/api/v1/regions/3304/summary/",
    "/api/v1/regions/3304/summary/?year=2023",
    "/api/v1/programs/",
    "/api/v1/indicators/",
    "/api/v1/targets/",
    "/api/v1/open/progress/",
]


@pytest.mark.parametrize("url", OPEN_URLS)
def test_every_open_endpoint_answers_an_anonymous_visitor(program, every_state, api, url):
    assert api.get(url).status_code == 200


@pytest.mark.parametrize("url", OPEN_URLS)
def test_a_bad_token_does_not_lock_out_open_data(program, api, url):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/regions/", "/api/v1/open/progress/"])
def test_open_data_is_read_only(trained, api, url):
    assert api.post(url, {"code": "1", "name": "x"}).status_code == 405


@pytest.mark.parametrize(
    "url", ["/api/v1/regions/999999/", "/api/v1/regions/999999/summary/?year=2023"]
)
def test_an_unknown_region_is_404(trained, api, url):
    assert api.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/open/progress/?region=999999", "region"),
        ("/api/v1/open/progress/?indicator=NO_SUCH", "indicator"),
        ("/api/v1/open/progress/?year=twenty", "year"),
        ("/api/v1/targets/?region=999999", "region"),
        ("/api/v1/programs/?year=2023.5", "year"),
        ("/api/v1/indicators/?region=999999", "region"),
        ("/api/v1/regions/?parent=999999", "parent"),
        ("/api/v1/regions/3304/summary/?year=twenty", "year"),
    ],
)
def test_a_bad_parameter_is_a_400_at_that_parameter(trained, api, url, parameter):
    response = api.get(url)
    assert response.status_code == 400
    assert parameter in response.json()


def test_the_officials_progress_endpoint_still_needs_a_token(trained, api):
    assert api.get("/api/v1/progress/").status_code == 401


# --- Only approved figures ------------------------------------------------------------------------


def test_only_the_approved_figure_is_in_the_progress_list(every_state, api):
    rows = progress(api, indicator="HIGH_SKILLED_NEW")
    assert rows == [("330482", "HIGH_SKILLED_NEW", 2023, 4321.0)]
    assert progress(api, indicator="DRAFT_ONLY") == []


def numbers(data):
    """Every number in a JSON answer, however deep."""
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        return [number for item in data for number in numbers(item)]
    return [data] if isinstance(data, int | float) and not isinstance(data, bool) else []


def test_no_open_endpoint_shows_an_unapproved_figure(every_state, program, api):
    for url in [
        *OPEN_URLS,
        "/api/v1/regions/330482/summary/?year=2023",
        "/api/v1/regions/3304/summary/?year=2024",
        "/api/v1/targets/?region=3304",
        "/api/v1/open/progress/?region=3304",
    ]:
        shown = numbers(api.get(url).json())
        assert not HIDDEN & set(shown), url
    assert 4321 in numbers(api.get("/api/v1/open/progress/?region=3304").json())


def test_the_summary_shows_the_approved_figure_only(every_state, api):
    data = api.get("/api/v1/regions/330482/summary/", {"year": 2023}).json()
    figures = {f["indicator"]: f for f in data["figures"]}
    assert figures["HIGH_SKILLED_NEW"]["value"] == 4321
    assert "DRAFT_ONLY" not in figures
    city = api.get("/api/v1/regions/3304/summary/", {"year": 2023}).json()
    city_figures = {f["indicator"]: f for f in city["figures"]}
    assert city_figures["HIGH_SKILLED_NEW"]["rollup"] == 4321  # not + 9871 + 9873
    assert 2024 not in api.get("/api/v1/regions/3304/summary/").json()["years"]


def test_indicators_with_only_a_draft_in_a_region_are_not_listed_for_it(every_state, api):
    codes = [row["code"] for row in results(api.get("/api/v1/indicators/", {"region": "3304"}))]
    assert codes == ["HIGH_SKILLED_NEW"]
    assert [
        row["code"] for row in results(api.get("/api/v1/indicators/", {"region": "330402"}))
    ] == []  # 南湖 has only a draft


# --- The summary by hand --------------------------------------------------------------------------


def test_the_summary_numbers_equal_hand_computed_ones(trained, api):
    data = api.get("/api/v1/regions/3304/summary/", {"year": 2023}).json()
    assert data["region"] == {
        "code": "3304",
        "name": "嘉兴市",
        "level": RegionLevel.CITY,
        "kind": "admin",
        "counted_in_parent": False,
        "parent": "33",
    }
    assert data["year"] == 2023
    assert data["years"] == [2022, 2023]
    assert data["data_as_of"] is not None
    (figure,) = data["figures"]
    assert figure["indicator"] == "VT_TRAINED"
    assert figure["name"] == "职业技能培训人数" and figure["unit"] == "人"
    assert figure["value"] == 1200 and figure["is_lower_bound"] is False
    assert figure["target"] == {"comparator": "gte", "value": 1000}
    # 1,200 against ≥ 1,000: 1.2, 120.0%, met.
    assert figure["completion"] == {"ratio": 1.2, "percent": 120.0, "met": True}
    assert figure["status"] == "met"
    # (1,200 − 1,040) / 1,040 = 0.153846…
    assert figure["growth"] == pytest.approx(160 / 1040, abs=1e-6)
    assert figure["growth_percent"] == 15.4
    assert figure["last_year"] == 1040
    # 平湖 600 + 南湖 450; 嘉兴港区's 300 is already counted in 平湖's.
    assert figure["rollup"] == 1050
    # Among the cities of 浙江: 杭州 1,500 first, 嘉兴 and 湖州 1,200 share the second place.
    assert (figure["rank"], figure["ranked"]) == (2, 3)
    huzhou = api.get("/api/v1/regions/3305/summary/", {"year": 2023}).json()["figures"][0]
    assert (huzhou["rank"], huzhou["ranked"]) == (2, 3)


def test_the_summary_defaults_to_the_latest_approved_year(trained, api):
    assert api.get("/api/v1/regions/3304/summary/").json()["year"] == 2023


def test_the_summary_is_what_the_region_page_computes(trained, jiaxing, api):
    from programs import figures

    summary = dashboard.region_summary(jiaxing, 2023)
    (expected,) = summary.figures.values()
    (figure,) = api.get("/api/v1/regions/3304/summary/", {"year": 2023}).json()["figures"]
    assert Decimal(str(figure["value"])) == expected.value
    assert Decimal(str(figure["completion"]["percent"])) == figures.as_percent(
        expected.completion.ratio
    )
    assert figure["rank"] == expected.rank and figure["rollup"] == float(expected.rollup)


# --- Filters --------------------------------------------------------------------------------------


def test_progress_filters_by_region_with_its_sub_regions(trained, api):
    assert [row[0] for row in progress(api, region="3304", year=2023)] == [
        "3304",
        "330402",
        "330482",
        "3304Z01",
    ]
    assert [row[0] for row in progress(api, region="330482")] == ["330482"]
    assert len(progress(api, region="33", year=2023)) == 6  # the province holds them all


def test_progress_filters_by_year_and_indicator(trained, every_state, api):
    assert progress(api, region="3304", year=2022) == [("3304", "VT_TRAINED", 2022, 1040.0)]
    assert {row[1] for row in progress(api, indicator="VT_TRAINED")} == {"VT_TRAINED"}
    assert len(progress(api, indicator="VT_TRAINED")) == 7


def test_a_progress_row_has_the_open_fields(trained, api):
    (row,) = results(api.get("/api/v1/open/progress/", {"region": "3304", "year": 2022}))
    assert set(row) == {
        "region",
        "indicator",
        "year",
        "period_kind",
        "period_number",
        "value",
        "is_lower_bound",
        "approved_at",
    }
    assert (row["period_kind"], row["period_number"], row["is_lower_bound"]) == ("year", 1, False)
    assert row["approved_at"]


def test_targets_filter_and_show_their_fields(trained, program, api):
    TargetFactory(
        indicator=trained,
        region=program.region,
        period=PeriodFactory(year=2024),
        value=Decimal(1000),
        baseline=Decimal(800),
        plan=program.plans.get(),
    )
    rows = results(api.get("/api/v1/targets/", {"region": "3304Z01"}))
    assert rows == [
        {
            "indicator": "VT_TRAINED",
            "region": "3304Z01",
            "year": 2024,
            "period_kind": "year",
            "period_number": 1,
            "comparator": "gte",
            "value": 1000.0,
            "baseline": 800.0,
            "plan": program.plans.get().pk,
        }
    ]
    assert len(results(api.get("/api/v1/targets/", {"region": "3304"}))) == 2  # with 嘉兴's own
    assert len(results(api.get("/api/v1/targets/", {"year": 2023}))) == 1
    assert results(api.get("/api/v1/targets/", {"indicator": "VT_TRAINED", "year": 2022})) == []


def test_regions_filter_by_parent_search_and_subtree(trained, api):
    children = results(api.get("/api/v1/regions/", {"parent": "3304"}))
    assert [r["code"] for r in children] == ["330402", "330482", "3304Z01"]  # tree order
    gangqu = children[-1]
    assert gangqu == {
        "code": "3304Z01",
        "name": "嘉兴港区",
        "level": RegionLevel.COUNTY,
        "kind": "zone",
        "counted_in_parent": True,
        "parent": "3304",
    }
    assert [r["code"] for r in results(api.get("/api/v1/regions/", {"q": "平湖"}))] == ["330482"]
    assert [r["code"] for r in results(api.get("/api/v1/regions/", {"q": "3304Z"}))] == ["3304Z01"]
    subtree = results(api.get("/api/v1/regions/", {"region": "3304"}))
    assert [r["code"] for r in subtree] == ["3304", "330402", "330482", "3304Z01"]
    assert api.get("/api/v1/regions/3304Z01/").json() == gangqu


def test_programs_nest_plans_measures_and_indicators(program, api):
    (row,) = results(api.get("/api/v1/programs/"))
    assert (row["name"], row["region"], row["region_name"]) == ("五大计划", "3304Z01", "嘉兴港区")
    (plan,) = row["plans"]
    assert plan["name"] == "优培赋能强提升计划"
    assert plan["indicators"] == ["VT_TRAINED"]
    assert [m["name"] for m in plan["measures"]] == [
        "建设技能人才评价体系",
        "打造30分钟职业技能培训圈",
    ]


def test_programs_filter_by_region_year_and_indicator(program, every_state, api):
    def names(**params):
        return [row["name"] for row in results(api.get("/api/v1/programs/", params))]

    assert names(region="3304") == ["五大计划"]  # 嘉兴港区 is under 嘉兴
    assert names(region="330482") == []
    assert names(year=2025) == ["五大计划"] and names(year=2023) == []
    assert names(indicator="VT_TRAINED") == ["五大计划"]
    assert names(indicator="HIGH_SKILLED_NEW") == []


def test_indicators_filter_by_region_and_year_together(trained, every_state, api):
    def codes(**params):
        return [row["code"] for row in results(api.get("/api/v1/indicators/", params))]

    assert codes() == ["DRAFT_ONLY", "HIGH_SKILLED_NEW", "VT_TRAINED"]  # the whole library
    assert codes(region="330482", year=2023) == ["HIGH_SKILLED_NEW", "VT_TRAINED"]
    assert codes(region="3304", year=2022) == ["VT_TRAINED"]
    assert codes(region="3301") == ["VT_TRAINED"]
    assert codes(indicator="VT_TRAINED") == ["VT_TRAINED"]
    assert codes(q="高技能") == ["HIGH_SKILLED_NEW"]


def test_lists_page_with_a_cursor(trained, api):
    first = api.get("/api/v1/open/progress/", {"page_size": 3}).json()
    assert set(first) == {"next", "previous", "results"}  # nothing is counted
    assert len(first["results"]) == 3 and first["next"] and first["previous"] is None
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    seen = first["results"] + second["results"] + third["results"]
    assert len(seen) == 7 and third["next"] is None
    assert len({(r["region"], r["year"]) for r in seen}) == 7
    assert api.get(third["previous"]).json()["results"] == second["results"]


# --- Speed ----------------------------------------------------------------------------------------


def grow(jiaxing, trained, count: int):
    period = PeriodFactory(year=2023)
    for number in range(count):
        region = RegionFactory(
            code=f"3304{number:03d}", name=f"镇{number}", level=RegionLevel.COUNTY, parent=jiaxing
        )
        approve(indicator=trained, region=region, period=period, value=Decimal(number))
        TargetFactory(indicator=trained, region=region, period=period, value=Decimal(number))
        program = ProgramFactory(region=region)
        for _ in range(2):
            plan = PlanFactory(program=program)
            MeasureFactory(plan=plan)
            PlanIndicatorFactory(plan=plan, indicator=trained)


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/api/v1/regions/", 1),
        ("/api/v1/regions/3304/", 1),
        ("/api/v1/programs/", 5),
        ("/api/v1/indicators/?region=3304&year=2023", 2),  # the region, then the list
        ("/api/v1/targets/", 1),
        ("/api/v1/open/progress/?region=3304&indicator=VT_TRAINED", 3),
        ("/api/v1/regions/3304/summary/", 7),  # the region, its latest year, then five
    ],
)
def test_each_endpoint_costs_a_fixed_number_of_queries(
    trained, program, jiaxing, api, django_assert_max_num_queries, url, budget
):
    with django_assert_max_num_queries(budget) as few:
        assert api.get(url).status_code == 200
    grow(jiaxing, trained, 30)
    public_cache.bump_public_version()  # as an approval does: the cached answer is left behind
    with django_assert_max_num_queries(budget) as many:
        assert api.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The cache of anonymous answers ---------------------------------------------------------------


def cursor_pages(client, url) -> list[dict]:
    pages = []
    while url:
        pages.append(client.get(url).json())
        url = pages[-1]["next"]
    return pages


@pytest.mark.parametrize("url", [*OPEN_URLS, "/api/v1/open/progress/?region=3304&page_size=2"])
def test_a_repeated_anonymous_read_is_served_from_the_cache_without_a_query(
    program, every_state, api, django_assert_num_queries, url
):
    first = api.get(url)
    assert first.status_code == 200 and "X-Cache" not in first
    with django_assert_num_queries(0):
        again = api.get(url)
    assert again.status_code == 200 and again["X-Cache"] == "hit"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Vary"] == first["Vary"]


@pytest.fixture
def submitted(gangqu, jiaxing, trained, jiaxing_reviewer):
    """嘉兴港区's 2024 training figure, 777, waiting for 嘉兴's reviewer (tracked by a program of
    嘉兴 that year)."""
    tracked_in(jiaxing, trained, years=(2024, 2024))
    return ReportFactory(
        indicator=trained,
        region=gangqu,
        period=PeriodFactory(year=2024),
        value=Decimal(777),
        state=ReportState.SUBMITTED,
    )


SHOWING_GANGQU_2024 = [
    "/api/v1/open/progress/?region=3304Z01",
    "/api/v1/regions/3304Z01/summary/?year=2024",
    "/api/v1/indicators/?region=3304Z01&year=2024",
]


def test_an_approval_or_a_reopening_shows_on_the_next_request(
    submitted, jiaxing_reviewer, api, django_capture_on_commit_callbacks
):
    before = {url: api.get(url).json() for url in SHOWING_GANGQU_2024}
    assert all(api.get(url)["X-Cache"] == "hit" for url in SHOWING_GANGQU_2024)
    assert not any(777 in numbers(data) for data in before.values())
    assert before["/api/v1/indicators/?region=3304Z01&year=2024"]["results"] == []

    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(user=jiaxing_reviewer, report=submitted)
    for url in SHOWING_GANGQU_2024:
        response = api.get(url)
        assert "X-Cache" not in response, url
        data = response.json()
        assert 777 in numbers(data) or [r["code"] for r in data["results"]] == ["VT_TRAINED"], url

    with django_capture_on_commit_callbacks(execute=True):
        services.report_reopen(user=jiaxing_reviewer, report=submitted, reason="复核")
    for url in SHOWING_GANGQU_2024:
        assert api.get(url).json() == before[url], url


def test_cursor_pages_served_from_the_cache_still_lead_on(
    trained, submitted, jiaxing_reviewer, api, django_capture_on_commit_callbacks
):
    url = "/api/v1/open/progress/?page_size=3"
    walked = cursor_pages(api, url)
    assert len(walked) == 3 and sum(len(page["results"]) for page in walked) == 7
    assert cursor_pages(api, url) == walked  # every page again, now from the cache
    assert api.get(walked[1]["next"])["X-Cache"] == "hit"
    assert api.get(walked[2]["previous"]).json() == walked[1]

    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(user=jiaxing_reviewer, report=submitted)
    rows = [row for page in cursor_pages(api, url) for row in page["results"]]
    assert len(rows) == 8 and ("3304Z01", 2024, 777) in {
        (row["region"], row["year"], row["value"]) for row in rows
    }


def test_the_page_links_of_a_cached_answer_name_the_host_asked(trained, api):
    url = "/api/v1/open/progress/?page_size=3"
    assert api.get(url).json()["next"].startswith("http://testserver/")
    assert api.get(url, HTTP_HOST="localhost").json()["next"].startswith("http://localhost/")


def test_a_bad_cursor_is_a_400_at_the_cursor(trained, api):
    response = api.get("/api/v1/open/progress/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_signed_in_official_is_neither_served_nor_stored(trained, jiaxing_reviewer, api):
    url = "/api/v1/open/progress/?region=3304"
    official = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    official.force_login(jiaxing_reviewer)
    assert official.get(url).status_code == 200
    assert "X-Cache" not in official.get(url)
    assert "X-Cache" not in api.get(url)  # nothing was stored for the official either
    assert api.get(url)["X-Cache"] == "hit"
    assert "X-Cache" not in official.get(url)  # nor served from the anonymous answer


def test_a_signed_in_official_sees_no_draft_on_the_open_endpoints_either(
    every_state, program, jiaxing_reviewer
):
    official = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    official.force_login(jiaxing_reviewer)
    for url in [*OPEN_URLS, "/api/v1/open/progress/?region=3304"]:
        response = official.get(url)
        assert response.status_code == 200, url
        assert not HIDDEN & set(numbers(response.json())), url


def test_there_is_no_browsable_api_page_to_cache(trained, api):
    """The API answers JSON only (DRF's HTML pages break the Content-Security-Policy)."""
    url = "/api/v1/regions/"
    for _ in range(2):
        with transaction.atomic():  # DRF marks the request's transaction for rollback on a 406
            response = api.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 406
        assert response["Content-Type"].startswith("application/json")
        assert "X-Cache" not in response
    assert "X-Cache" not in api.get(url)  # the JSON answer is its own entry
    browser = "text/html,application/xhtml+xml,*/*;q=0.8"
    assert api.get(url, HTTP_ACCEPT=browser)["Content-Type"] == "application/json"


def test_each_language_has_its_own_entry(trained, api):
    url = "/api/v1/regions/3304/"
    api.get(url)
    chinese = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "X-Cache" not in chinese.get(url)
    assert chinese.get(url)["X-Cache"] == "hit"


# --- Schema ---------------------------------------------------------------------------------------


def test_the_schema_documents_the_open_endpoints_without_authentication(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = yaml.safe_load(target.read_text(encoding="utf-8"))["paths"]
    for path in [
        "/api/v1/regions/",
        "/api/v1/regions/{code}/",
        "/api/v1/regions/{code}/summary/",
        "/api/v1/programs/",
        "/api/v1/indicators/",
        "/api/v1/targets/",
        "/api/v1/open/progress/",
    ]:
        operation = paths[path]["get"]
        assert set(paths[path]) == {"get"}
        assert operation["security"] == [{}], path  # anonymous allowed
        assert "open data" in operation["tags"]
    parameters = {p["name"] for p in paths["/api/v1/open/progress/"]["get"]["parameters"]}
    assert {"region", "year", "indicator", "cursor"} <= parameters
    summary = {p["name"] for p in paths["/api/v1/regions/{code}/summary/"]["get"]["parameters"]}
    assert summary == {"code", "year"}
