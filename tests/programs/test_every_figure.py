"""Every figure shown, in words that match it (issue #14, items 4, 5 and 7).

A city program of eight indicators in two plans, hand-computed:
- the region page keeps six headline cards, says so, and lists all eight in a table per plan;
  the open API's summary lists every figure and every plan with its indicators;
- a rank indicator 5th → 3rd moves "上升2位" (never a percentage); a milestone reads 已完成 /
  未完成 (never 1 / 0); a percentage 40 → 42.1 changes by "+2.1个百分点";
- a plan with indicators at 114% and 80% has 达标进度 90.0%, with 114.0% and 80.0% beside it;
- a place among siblings only where three or more have a figure;
- the sub-regions' targets (3,000 + 4,000) short of the city's 10,000 are said on the page and in
  the API ("下级目标合计 7,000，低于本级目标 10,000").
"""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from programs import dashboard
from programs.choices import Comparator, Direction, IndicatorKind, ReportState, RollupRule
from programs.exports import year_report
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
    RegionFactory,
    ReportFactory,
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


def target(indicator, region, year, value, comparator=Comparator.GTE):
    return TargetFactory(
        indicator=indicator,
        region=region,
        period=PeriodFactory(year=year),
        value=Decimal(value),
        comparator=comparator,
    )


def text_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def plain(html: str) -> str:
    """The page's text as a reader sees it: tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def city(jiaxing, pinghu, nanhu):
    """嘉兴市's program: plan A (six counts, two of them at 114% and 80%), plan B (a rank, a
    milestone, a percentage); figures of 2023 and 2024."""
    program = ProgramFactory(region=jiaxing, name="人才计划", start_year=2023, end_year=2024)
    plan_a = PlanFactory(program=program, name="甲计划", order=1)
    plan_b = PlanFactory(program=program, name="乙计划", order=2)
    counts = [
        IndicatorFactory(code=f"C{n}", name=f"计数指标{n}", rollup=RollupRule.SUM)
        for n in range(1, 7)
    ]
    rank = IndicatorFactory(
        code="RANK",
        name="考核排名",
        unit="位",
        kind=IndicatorKind.RANK,
        direction=Direction.LOWER_BETTER,
        rollup=RollupRule.NONE,
    )
    milestone = IndicatorFactory(
        code="MILESTONE", name="建成实验室", unit="", kind=IndicatorKind.MILESTONE
    )
    share = IndicatorFactory(
        code="SHARE",
        name="本科以上占比",
        unit="%",
        kind=IndicatorKind.PERCENTAGE,
        rollup=RollupRule.MEAN,
    )
    for order, indicator in enumerate(counts):
        PlanIndicatorFactory(plan=plan_a, indicator=indicator, order=order)
    for order, indicator in enumerate([rank, milestone, share]):
        PlanIndicatorFactory(plan=plan_b, indicator=indicator, order=order)
    # Plan A: C1 1,140 of 1,000 (114%), C2 800 of 1,000 (80%); C3–C6 values without targets.
    target(counts[0], jiaxing, 2024, 1000)
    target(counts[1], jiaxing, 2024, 1000)
    approve(counts[0], jiaxing, 2024, 1140)
    approve(counts[1], jiaxing, 2024, 800)
    for n, indicator in enumerate(counts[2:], start=3):
        approve(indicator, jiaxing, 2024, 100 * n)
    # Plan B: 5th → 3rd; a milestone done; a share 40% → 42.1%.
    approve(rank, jiaxing, 2023, 5)
    approve(rank, jiaxing, 2024, 3)
    target(rank, jiaxing, 2024, 3, Comparator.LTE)
    approve(milestone, jiaxing, 2024, 1)
    approve(share, jiaxing, 2023, Decimal("40"))
    approve(share, jiaxing, 2024, Decimal("42.1"))
    # The counties' targets for C1 add up to 7,000 against the city's 10,000 of 2023.
    target(counts[0], jiaxing, 2023, 10000)
    target(counts[0], pinghu, 2023, 3000)
    target(counts[0], nanhu, 2023, 4000)
    return {"counts": counts, "rank": rank, "milestone": milestone, "share": share}


def test_the_region_page_lists_every_figure_grouped_by_plan(city, jiaxing):
    html = text_of(ZH, reverse("public:region", args=["3304"]) + "?year=2024")
    cards = html.split('id="headline-heading"', 1)[1].split("</section>", 1)[0]
    assert cards.count('<article class="figure-card') == 6
    assert "卡片展示了9项指标中的6项" in cards and 'href="#all-figures"' in cards
    table = html.split('id="all-figures"', 1)[1].split("</section>", 1)[0]
    table = table.split('<table class="figure-table stack-table">', 1)[1]
    for n in range(1, 7):
        assert f"计数指标{n}" in table
    for name in ("考核排名", "建成实验室", "本科以上占比"):
        assert name in table
    # Each plan heads its rows, in the program's order.
    assert table.index("甲计划") < table.index("计数指标6") < table.index("乙计划")
    assert table.index("乙计划") < table.index("考核排名")


def test_the_api_summary_lists_every_figure_and_every_plan(city, jiaxing):
    data = APIClient().get("/api/v1/regions/3304/summary/", {"year": 2024}).json()
    codes = {f["indicator"] for f in data["figures"]}
    assert codes == {"C1", "C2", "C3", "C4", "C5", "C6", "RANK", "MILESTONE", "SHARE"}
    plans = {p["name"]: p for p in data["plans"]}
    assert plans["甲计划"]["indicators"] == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert plans["乙计划"]["indicators"] == ["RANK", "MILESTONE", "SHARE"]
    assert (plans["甲计划"]["targets_met"], plans["甲计划"]["targets"]) == (1, 2)
    assert Decimal(plans["甲计划"]["progress_percent"]) == Decimal("90.0")


def test_a_rank_moves_by_places_never_by_a_percentage(city, jiaxing):
    html = text_of(ZH, reverse("public:region", args=["3304"]) + "?year=2024")
    row = plain(html.split(">考核排名</a>", 1)[1].split("</tr>", 1)[0])
    assert "第3位" in row and "前3位" in row and "上升2位" in row and "%" not in row
    english = plain(text_of(EN, reverse("public:region", args=["3304"]) + "?year=2024"))
    assert "up 2 places" in english
    data = (
        APIClient()
        .get("/api/v1/regions/3304/summary/", {"year": 2024}, HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    rank = next(f for f in data["figures"] if f["indicator"] == "RANK")
    assert (Decimal(rank["change"]), rank["change_measure"]) == (2, "places")
    assert rank["change_text"] == "up 2 places" and rank["value_text"] == "No. 3"
    figure = dashboard.region_summary(jiaxing, 2024).figures[city["rank"].pk]
    with translation.override("zh-hans"):
        assert (figure.change_text, figure.value_text, figure.target_text) == (
            "上升2位",
            "第3位",
            "前3位",
        )


def test_a_milestone_reads_done_and_a_percentage_moves_by_points(city, jiaxing):
    html = text_of(ZH, reverse("public:region", args=["3304"]) + "?year=2024")
    milestone = plain(html.split(">建成实验室</a>", 1)[1].split("</tr>", 1)[0])
    # target, value, completion, change, roll-up, status: no target set, done
    assert milestone == "— 已完成 — — — 未设目标"
    share = plain(html.split(">本科以上占比</a>", 1)[1].split("</tr>", 1)[0])
    assert "42.1 %" in share and "+2.1个百分点" in share


def test_the_plan_progress_is_capped_with_each_completion_beside_it(city, jiaxing):
    html = text_of(ZH, reverse("public:region", args=["3304"]) + "?year=2024")
    plans = html.split('<table class="plan-table stack-table">', 1)[1].split("</table>", 1)[0]
    row = plain(plans.split(">甲计划</a>", 1)[1].split("</tr>", 1)[0])
    assert row == "1 / 2 90.0% 114.0% 、 80.0%"
    assert "达标进度" in plans and "单项超过100%按100%计" in plans


def test_a_place_among_siblings_only_where_three_have_a_figure(jiaxing, pinghu, nanhu):
    indicator = IndicatorFactory(code="X", name="培训人数")
    approve(indicator, pinghu, 2024, 500)
    approve(indicator, nanhu, 2024, 300)
    card = text_of(ZH, reverse("public:region", args=["330482"]) + "?year=2024")
    assert "排名" not in card.split('<article class="figure-card', 1)[1].split("</article>")[0]
    assert dashboard.region_summary(pinghu, 2024).figures[indicator.pk].rank is None
    third = RegionFactory(code="330481", name="海宁市", parent=jiaxing, level=pinghu.level)
    approve(indicator, third, 2024, 400)
    cache.clear()
    figure = dashboard.region_summary(pinghu, 2024).figures[indicator.pk]
    assert (figure.rank, figure.ranked) == (1, 3)
    card = text_of(ZH, reverse("public:region", args=["330482"]) + "?year=2024")
    assert "排名" in card.split('<article class="figure-card', 1)[1].split("</article>")[0]


def test_the_sub_regions_targets_short_of_the_citys_are_said(city, jiaxing):
    html = text_of(ZH, reverse("public:region", args=["3304"]) + "?year=2023")
    row = plain(html.split(">计数指标1</a>", 1)[1].split("</tr>", 1)[0])
    assert "≥ 10,000 人" in row and "下级目标合计7,000，低于本级目标10,000" in row.replace(" ", "")
    data = APIClient().get("/api/v1/regions/3304/summary/", {"year": 2023}).json()
    c1 = next(f for f in data["figures"] if f["indicator"] == "C1")
    assert Decimal(c1["target_cascade"]["children"]) == 7000
    assert c1["target_cascade"]["count"] == 2
    covered = next(f for f in data["figures"] if f["indicator"] == "C2")
    assert covered["target_cascade"] is None


def test_the_region_page_stays_within_its_query_budget(
    city, jiaxing, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        assert client.get(reverse("public:region", args=["3304"]) + "?year=2023").status_code == 200


def test_a_target_without_an_own_figure_is_held_against_the_sub_regions(jiaxing, pinghu, nanhu):
    """嘉兴市 sets 10,000 but reports nothing itself: its counties' 3,000 + 4,500 (2024; 2023:
    5,000 + 1,000) stand for it, said so, with growth roll-up against roll-up (+25.0%)."""
    indicator = IndicatorFactory(code="T", name="培训人次", rollup=RollupRule.SUM)
    target(indicator, jiaxing, 2024, 10000)
    for region, values in ((pinghu, (5000, 3000)), (nanhu, (1000, 4500))):
        for year, value in zip((2023, 2024), values, strict=True):
            approve(indicator, region, year, value)
    figure = dashboard.region_summary(jiaxing, 2024).figures[indicator.pk]
    assert (figure.basis, figure.actual, figure.previous) == ("rollup", 7500, 6000)
    assert figure.completion.ratio == Decimal("0.75") and figure.growth == Decimal("0.25")
    html = text_of(ZH, reverse("public:region", args=["3304"]) + "?year=2024")
    row = plain(html.split(">培训人次</a>", 1)[1].split("</tr>", 1)[0])
    assert row == "≥ 10,000 人 — 75.0% 按已报送的下级汇总计算 +25.0% 7,500 人 未达标"
    data = APIClient().get("/api/v1/regions/3304/summary/", {"year": 2024}).json()
    t = next(f for f in data["figures"] if f["indicator"] == "T")
    assert (t["basis"], Decimal(t["completion"]["percent"]), t["status"]) == (
        "rollup",
        Decimal("75.0"),
        "not_met",
    )


def test_a_part_year_figure_is_named_everywhere_and_never_grown_against_a_whole_year(
    jiaxing, pinghu
):
    """平湖市 2025: 1,000 for the year; 2026: Q1 200 and Q2 260 approved, no more. The 460 is
    "上半年" on the card, the figure table, the indicator page and its download; against the
    whole of 2025 it has no growth; 环比 (Q2 on Q1) is +30.0%."""
    indicator = IndicatorFactory(code="H", name="培训人次", rollup=RollupRule.SUM)
    approve(indicator, pinghu, 2025, 1000)
    for number, value in ((1, 200), (2, 260)):
        ReportFactory(
            indicator=indicator,
            region=pinghu,
            period=PeriodFactory(kind="quarter", year=2026, number=number),
            value=Decimal(value),
            state=ReportState.APPROVED,
            reviewed_at=timezone.now(),
        )
    figure = dashboard.region_summary(pinghu, 2026).figures[indicator.pk]
    assert (figure.value, figure.through, figure.change) == (460, 6, None)
    html = text_of(ZH, reverse("public:region", args=["330482"]) + "?year=2026")
    card = plain(html.split('<article class="figure-card', 1)[1].split("</article>", 1)[0])
    assert "460 人 仅上半年数据" in card and "环比 +30.0%" in card and "同比 —" in card
    row = plain(html.split(">培训人次</a>", 1)[1].split("</tr>", 1)[0])
    assert row == "— 460 人 上半年 — — 环比 +30.0% 未设目标"
    page = plain(text_of(ZH, "/indicators/H/?region=330482&year=2026"))
    assert "460 人 上半年" in page and "环比 +30.0%" in page
    english = plain(text_of(EN, reverse("public:region", args=["330482"]) + "?year=2026"))
    assert "460 人 H1 only" in english
    with translation.override("zh-hans"):  # the Word report's table row, as the page's
        assert year_report.indicator_rows([figure]) == [
            ["培训人次", "人", "—", "460（上半年）", "—", "—（环比+30.0%）", "未设目标"]
        ]
    # The download of 嘉兴市's sub-regions names the period of 平湖市's figure.
    rows = ZH.get("/indicators/H/?region=3304&year=2026&_export=csv").content.decode()
    pinghu_row = next(line for line in rows.splitlines() if line.startswith("平湖市"))
    assert ",2026年上半年," in pinghu_row


def test_a_sub_region_whose_figure_covers_part_of_the_year_says_so_in_the_comparison(
    jiaxing, pinghu, nanhu
):
    indicator = IndicatorFactory(code="P", name="引才人数", rollup=RollupRule.SUM)
    approve(indicator, nanhu, 2026, 900)
    ReportFactory(
        indicator=indicator,
        region=pinghu,
        period=PeriodFactory(kind="half", year=2026, number=1),
        value=Decimal(400),
        state=ReportState.APPROVED,
        reviewed_at=timezone.now(),
    )
    html = text_of(ZH, reverse("public:region", args=["3304"]) + "?year=2026&compare=P")
    ranking = plain(html.split('<table class="ranking">', 1)[1].split("</table>", 1)[0])
    assert "南湖区 900 人 平湖市 400 人 上半年" in ranking
