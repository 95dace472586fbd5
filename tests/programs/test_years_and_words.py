"""Years that lead somewhere, and words that match the figure (issue #14, items 5 and 6).

A region page offers every year with approved data of its subtree (the region's own figure or
the roll-up of those below it) and opens on the latest; it says there is nothing only when
nothing would show. A value without a target is "未设目标" (no_target), apart from "暂无数据"
(no_data, no value), on the pages, in the API and in the Word report.
"""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from programs import dashboard
from programs.choices import RollupRule, Status
from programs.exports.year_report.words import status_text
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
    TargetFactory,
)
from tests.factories import (
    approved_figure as approve,
)

pytestmark = pytest.mark.django_db

ZH = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
EN = Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def page(client, code, year=None) -> str:
    url = reverse("public:region", args=[code]) + (f"?year={year}" if year else "")
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def shown_year(text: str) -> int:
    return int(re.search(r'<h1>[^<]*<span class="muted">(\d{4})</span></h1>', text).group(1))


def year_links(text: str) -> list[int]:
    nav = text.split('class="year-switch">', 1)[1].split("</nav>", 1)[0]
    return [int(y) for y in re.findall(r'href="\?year=(\d{4})"', nav)]


@pytest.fixture
def earlier_years(zhejiang, jiaxing, pinghu, nanhu):
    """Counties that reported in 2022 and 2023 only; the city and the province nothing of their
    own (their figures are roll-ups). The current year is later than both."""
    trained = IndicatorFactory(code="TRAINED", name="培训人数", unit="人")
    approve(trained, pinghu, 2022, 300)
    approve(trained, nanhu, 2023, 500)
    assert timezone.localdate().year - 1 > 2023  # the old default: last year, empty here
    return trained


# --- Years -------------------------------------------------------------------------------------


def test_the_province_page_opens_on_its_latest_year_with_data_and_links_every_such_year(
    earlier_years, zhejiang
):
    text = page(ZH, zhejiang.code)
    assert shown_year(text) == 2023
    assert year_links(text) == [2022, 2023]
    assert "暂无审核通过的数据" not in text
    # The card of the roll-up: 南湖区's 500 reaches the province through the city.
    card = text.split('<article class="figure-card', 1)[1].split("</article>", 1)[0]
    assert "培训人数" in card and "下级汇总（求和）" in card
    assert 'rollup-value">500 <span class="unit">人</span>' in card  # the big figure
    assert dashboard.default_year(zhejiang) == 2023


def test_the_city_page_says_nothing_is_missing_above_a_populated_ranking(earlier_years, jiaxing):
    text = page(ZH, jiaxing.code, 2023)
    assert "暂无审核通过的数据" not in text
    ranking = text.split('<table class="ranking">', 1)[1].split("</table>", 1)[0]
    assert "南湖区" in ranking and "500" in ranking
    assert year_links(text) == [2022, 2023]


def test_a_year_with_nothing_says_so_and_its_links_lead_to_years_with_data(earlier_years, zhejiang):
    text = page(ZH, zhejiang.code, 2024)
    assert "2024年暂无审核通过的数据" in text
    for year in year_links(text):
        shown = page(ZH, zhejiang.code, year)
        assert "暂无审核通过的数据" not in shown
        assert {2022: "300", 2023: "500"}[year] in shown
    assert "No approved figures for 2024" in page(EN, zhejiang.code, 2024)


def test_sub_regions_figures_that_no_roll_up_holds_lead_to_their_years_too(
    jiaxing, pinghu, gangqu, client, django_assert_max_num_queries
):
    """A zone counted in its county and an indicator not rolled up reach no roll-up of the
    city, but the city page ranks its sub-regions on them: their years are the city's too."""
    not_rolled = IndicatorFactory(code="NOT_ROLLED", rollup=RollupRule.NONE)
    approve(not_rolled, pinghu, 2020, 3)
    approve(IndicatorFactory(code="ZONE_ONLY"), gangqu, 2021, 950)
    assert dashboard.default_year(jiaxing) == 2021
    with django_assert_max_num_queries(8):
        text = page(ZH, jiaxing.code)
    assert shown_year(text) == 2021 and year_links(text) == [2020, 2021]
    for year, value in ((2020, ">3 人</span>"), (2021, ">950 人</span>")):
        shown = page(ZH, jiaxing.code, year)
        assert "暂无审核通过的数据" not in shown
        assert value in shown.split('<table class="ranking">', 1)[1]


def test_a_region_without_any_data_says_none_yet(zhejiang):
    text = page(ZH, zhejiang.code)
    assert "暂无审核通过的数据。" in text
    assert 'class="year-switch"' not in text


def test_the_region_page_without_a_year_stays_within_its_query_budget(
    earlier_years, zhejiang, jiaxing, client, django_assert_max_num_queries
):
    for region in (zhejiang, jiaxing):
        cache.clear()
        with django_assert_max_num_queries(8):
            assert client.get(reverse("public:region", args=[region.code])).status_code == 200


def test_the_api_summary_defaults_to_the_latest_year_of_the_subtree(earlier_years, zhejiang):
    body = APIClient().get(f"/api/v1/regions/{zhejiang.code}/summary/").json()
    assert (body["year"], body["years"]) == (2023, [2022, 2023])
    assert [(f["indicator"], f["value"], f["rollup"]) for f in body["figures"]] == [
        ("TRAINED", None, 500)
    ]


def test_the_program_page_opens_on_its_latest_year_with_data(earlier_years, jiaxing):
    program = ProgramFactory(region=jiaxing, start_year=2021, end_year=2025)
    PlanIndicatorFactory(plan=PlanFactory(program=program), indicator=earlier_years)
    other = IndicatorFactory(code="OTHER")  # not the program's: its later year does not count
    approve(other, jiaxing, 2025, 7)
    response = ZH.get(reverse("public:program", args=[program.pk]))
    text = " ".join(response.content.decode().split())
    assert shown_year(text) == 2023  # not 2025, where the program has nothing
    assert dashboard.default_year(jiaxing, within=(2021, 2025), program=program) == 2023
    assert dashboard.default_year(jiaxing, within=(2021, 2022), program=program) == 2022


# --- Words ---------------------------------------------------------------------------------------


@pytest.fixture
def untargeted_and_unreported(pinghu):
    """平湖市 in 2024: one figure with a value and no target, one target without a value."""
    reported = IndicatorFactory(code="REPORTED", name="已报指标")
    targeted = IndicatorFactory(code="TARGETED", name="有目标指标")
    approve(reported, pinghu, 2024, 1200)
    TargetFactory(indicator=targeted, region=pinghu, period=PeriodFactory(year=2024))
    return reported, targeted


def test_a_value_without_a_target_is_no_target_and_a_missing_value_no_data(
    untargeted_and_unreported, pinghu
):
    summary = dashboard.region_summary(pinghu, 2024, today=date(2026, 11, 22))
    badges = {f.indicator.code: f.badge for f in summary.figures.values()}
    assert badges == {"REPORTED": Status.NO_TARGET, "TARGETED": Status.NO_DATA}

    zh = page(ZH, pinghu.code, 2024)
    assert '<p class="badge badge-no_target">未设目标</p>' in zh
    assert '<p class="badge badge-no_data">暂无数据</p>' in zh
    en = page(EN, pinghu.code, 2024)
    assert '<p class="badge badge-no_target">No target</p>' in en
    assert '<p class="badge badge-no_data">No data</p>' in en

    with translation.override("zh-hans"):
        words = {f.indicator.code: status_text(f) for f in summary.figures.values()}
    assert words == {"REPORTED": "未设目标", "TARGETED": "暂无数据"}


def test_the_api_says_no_target_apart_from_no_data(untargeted_and_unreported, pinghu):
    body = APIClient().get(f"/api/v1/regions/{pinghu.code}/summary/?year=2024").json()
    statuses = {f["indicator"]: f["status"] for f in body["figures"]}
    assert statuses == {"REPORTED": "no_target", "TARGETED": "no_data"}


def test_the_schema_lists_no_target_among_the_statuses():
    schema = SchemaGenerator().get_schema(public=True)
    status = schema["components"]["schemas"]["SummaryFigure"]["properties"]["status"]
    if "allOf" in status:
        status = status["allOf"][0]
    enum = schema["components"]["schemas"][status["$ref"].rsplit("/", 1)[1]]["enum"]
    assert {"no_target", "no_data"} <= set(enum)


def test_the_program_page_says_no_target_too(untargeted_and_unreported, pinghu):
    reported, targeted = untargeted_and_unreported
    program = ProgramFactory(region=pinghu, start_year=2024, end_year=2026)
    plan = PlanFactory(program=program)
    PlanIndicatorFactory(plan=plan, indicator=reported)
    PlanIndicatorFactory(plan=plan, indicator=targeted)
    text = ZH.get(reverse("public:program", args=[program.pk]) + "?year=2024").content.decode()
    assert '<span class="badge badge-no_target">未设目标</span>' in text
    assert '<span class="badge badge-no_data">暂无数据</span>' in text
