"""Sub-year periods named (issue #14, item 3): how much of the year a figure covers, stored with
the figures and carried up the roll-ups; the labels that name it ("2026年上半年", "截至…"); 环比
(the latest period against the one before) on the region and indicator pages' figures and in
the open API. Half-year and quarterly data, every number computed by hand."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from programs import dashboard, periods, rollups
from programs.choices import PeriodKind, ReportState, RollupRule, TimeNature
from programs.models import ProgressReport, RegionFigure
from regions.choices import RegionLevel
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    RegionFactory,
    ReportFactory,
    tracked_in,
)

pytestmark = pytest.mark.django_db

FLOW, STOCK = TimeNature.FLOW, TimeNature.STOCK
HALF, QUARTER, MONTH, YEAR = PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.YEAR


# --- The labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("through", "nature", "zh", "en"),
    [
        (None, FLOW, "2026年", "2026"),
        (12, FLOW, "2026年", "2026"),
        (12, STOCK, "2026年", "2026"),
        (3, FLOW, "2026年一季度", "2026 Q1"),
        (6, FLOW, "2026年上半年", "2026 H1"),
        (9, FLOW, "2026年前三季度", "2026 Q1–Q3"),
        (7, FLOW, "2026年1—7月", "2026 Jan–Jul"),
        (2, FLOW, "2026年1—2月", "2026 Jan–Feb"),
        (11, FLOW, "2026年1—11月", "2026 Jan–Nov"),
        (1, FLOW, "2026年1月", "2026 Jan"),
        (6, STOCK, "2026年6月末", "end of Jun 2026"),
        (3, STOCK, "2026年3月末", "end of Mar 2026"),
        (9, STOCK, "2026年9月末", "end of Sep 2026"),
        (1, STOCK, "2026年1月末", "end of Jan 2026"),
    ],
)
def test_a_figure_names_the_period_it_covers(through, nature, zh, en):
    for language, text in (("zh-hans", zh), ("en", en)):
        with translation.override(language):
            assert periods.period_label(2026, through, time_nature=nature) == text


@pytest.mark.parametrize(
    ("through", "nature", "zh", "en"),
    [
        (None, FLOW, "", ""),
        (12, STOCK, "", ""),
        (3, FLOW, "一季度", "Q1"),
        (6, FLOW, "上半年", "H1"),
        (9, FLOW, "前三季度", "Q1–Q3"),
        (7, FLOW, "1—7月", "Jan–Jul"),
        (1, FLOW, "1月", "Jan"),
        (6, STOCK, "6月末", "end of Jun"),
        (10, STOCK, "10月末", "end of Oct"),
    ],
)
def test_under_a_year_heading_the_suffix_names_the_part_of_the_year(through, nature, zh, en):
    for language, text in (("zh-hans", zh), ("en", en)):
        with translation.override(language):
            assert periods.period_suffix(through, time_nature=nature) == text


@pytest.mark.parametrize(
    ("through", "nature", "zh", "en"),
    [
        (6, FLOW, "部分下级仅报至上半年", "some sub-regions only through H1"),
        (9, FLOW, "部分下级仅报至前三季度", "some sub-regions only through Q1–Q3"),
        (3, STOCK, "部分下级仅报至3月末", "some sub-regions only through end of Mar"),
        (12, FLOW, "", ""),
        (None, FLOW, "", ""),
    ],
)
def test_a_mixed_roll_up_says_how_far_its_least_sub_region_reported(through, nature, zh, en):
    for language, text in (("zh-hans", zh), ("en", en)):
        with translation.override(language):
            assert periods.mixed_note(through, time_nature=nature) == text


@pytest.mark.parametrize("through", [0, 13, -1])
def test_a_month_outside_the_year_is_refused(through):
    with pytest.raises(ValueError):
        periods.period_label(2026, through, time_nature=FLOW)


# --- Coverage stored with the figures -------------------------------------------------------------


def approve(region, indicator, kind, number, value, *, year=2026, lower=False, state=None):
    """An approved report (the factory refreshes the figures incrementally, as an approval)."""
    return ReportFactory(
        region=region,
        indicator=indicator,
        period=PeriodFactory(year=year, kind=kind, number=number),
        value=Decimal(value),
        is_lower_bound=lower,
        state=state or ReportState.APPROVED,
    )


def coverage(region, indicator, year=2026) -> tuple:
    """(value, through, rollup, rollup_through, rollup_mixed) of one stored figure."""
    f = RegionFigure.objects.get(region=region, indicator=indicator, year=year)
    return f.value, f.through, f.rollup, f.rollup_through, f.rollup_mixed


def coverage_table() -> dict:
    return {
        (f.region_id, f.indicator_id, f.year): (
            f.value,
            f.rollup,
            f.through,
            f.rollup_through,
            f.rollup_mixed,
        )
        for f in RegionFigure.objects.all()
    }


def rebuilt_the_same() -> None:
    """The full rebuild (and its SQLite fallback) makes the table the approvals left."""
    incremental = coverage_table()
    rollups.refresh_all()
    assert coverage_table() == incremental


@pytest.fixture
def tree():
    """A city (9601) > two counties (960101 reports itself, 960102 does not) > townships."""
    city = RegionFactory(code="9601", level=RegionLevel.CITY)
    a = RegionFactory(code="960101", parent=city, level=RegionLevel.COUNTY)
    b = RegionFactory(code="960102", parent=city, level=RegionLevel.COUNTY)
    t1, t2 = (
        RegionFactory(code=f"960102{n}", parent=b, level=RegionLevel.TOWNSHIP) for n in ("01", "02")
    )
    return {"city": city, "a": a, "b": b, "t1": t1, "t2": t2}


@pytest.fixture
def flow():
    return IndicatorFactory(code="P_FLOW", time_nature=FLOW, rollup=RollupRule.SUM)


@pytest.fixture
def stock():
    return IndicatorFactory(code="P_STOCK", time_nature=STOCK, rollup=RollupRule.SUM)


def test_a_first_half_year_flow_covers_june(tree, flow):
    approve(tree["a"], flow, HALF, 1, 300)
    assert coverage(tree["a"], flow) == (300, 6, None, None, False)
    # The city rolls up A alone: its roll-up covers the half-year too, and is not mixed.
    assert coverage(tree["city"], flow) == (None, None, 300, 6, False)
    rebuilt_the_same()


def test_quarters_one_to_three_cover_september(tree, flow):
    for number, value in ((1, 100), (2, 150), (3, 200)):
        approve(tree["a"], flow, QUARTER, number, value)
    assert coverage(tree["a"], flow) == (450, 9, None, None, False)  # 100 + 150 + 200
    rebuilt_the_same()


def test_a_stock_by_months_covers_its_last_month(tree, stock):
    for number, value in ((1, 800), (2, 820), (5, 870)):  # months 3 and 4 not reported
        approve(tree["a"], stock, MONTH, number, value)
    assert coverage(tree["a"], stock) == (870, 5, None, None, False)  # the latest, May's
    rebuilt_the_same()


def test_a_year_report_beats_the_sub_periods_and_covers_the_year(tree, flow):
    approve(tree["a"], flow, QUARTER, 1, 100)
    approve(tree["a"], flow, HALF, 1, 260)
    assert coverage(tree["a"], flow) == (260, 6, None, None, False)  # halves before quarters
    approve(tree["a"], flow, YEAR, 1, 700)
    assert coverage(tree["a"], flow) == (700, 12, None, None, False)
    rebuilt_the_same()


def test_an_unapproved_period_does_not_extend_the_coverage(tree, flow):
    approve(tree["a"], flow, QUARTER, 1, 100)
    approve(tree["a"], flow, QUARTER, 2, 150, state=ReportState.SUBMITTED)
    assert coverage(tree["a"], flow) == (100, 3, None, None, False)
    rebuilt_the_same()


def test_a_parent_of_a_whole_year_and_a_half_year_covers_the_half_and_is_mixed(tree, flow):
    approve(tree["a"], flow, YEAR, 1, 1000)
    approve(tree["b"], flow, HALF, 1, 400)
    assert coverage(tree["city"], flow) == (None, None, 1400, 6, True)
    rebuilt_the_same()


def test_coverage_travels_up_three_levels(tree, flow):
    """Townships → county B (reports nothing itself) → city, with county A beside B."""
    approve(tree["t1"], flow, QUARTER, 1, 50)
    approve(tree["t1"], flow, QUARTER, 2, 60)  # T1 through June: 110
    approve(tree["t2"], flow, YEAR, 1, 500)  # T2 the whole year
    approve(tree["a"], flow, YEAR, 1, 1000)
    # B rolls up T1 (6) and T2 (12): through June, mixed; the city inherits both from B's roll-up.
    assert coverage(tree["b"], flow) == (None, None, 610, 6, True)
    assert coverage(tree["city"], flow) == (None, None, 1610, 6, True)
    rebuilt_the_same()
    # T2's year report reopened, T2 reports H1 instead: B is no longer mixed; the city is (A: 12).
    t2_year = ProgressReport.objects.get(region=tree["t2"], period__kind=YEAR)
    t2_year.state = ReportState.DRAFT
    t2_year.save()
    rollups.refresh([t2_year])
    approve(tree["t2"], flow, HALF, 1, 240)
    assert coverage(tree["b"], flow) == (None, None, 350, 6, False)  # 110 + 240
    assert coverage(tree["city"], flow) == (None, None, 1350, 6, True)
    rebuilt_the_same()
    # A's own figure now also only the first quarter: the city covers March, still mixed.
    a_year = ProgressReport.objects.get(region=tree["a"], period__kind=YEAR)
    a_year.state = ReportState.DRAFT
    a_year.save()
    rollups.refresh([a_year])
    approve(tree["a"], flow, QUARTER, 1, 90)
    assert coverage(tree["city"], flow) == (None, None, 440, 3, True)  # 90 + 350
    rebuilt_the_same()


def test_a_regions_own_figure_hides_the_mix_below_it(tree, flow):
    """B's own year report stands for its subtree: its townships' mix does not reach the city."""
    approve(tree["t1"], flow, HALF, 1, 50)
    approve(tree["t2"], flow, YEAR, 1, 500)
    approve(tree["b"], flow, YEAR, 1, 600)
    approve(tree["a"], flow, YEAR, 1, 1000)
    assert coverage(tree["b"], flow) == (600, 12, 550, 6, True)
    assert coverage(tree["city"], flow) == (None, None, 1600, 12, False)
    rebuilt_the_same()


def test_the_rebuild_without_full_join_stores_the_same_coverage(tree, flow, monkeypatch):
    approve(tree["t1"], flow, QUARTER, 2, 60)
    approve(tree["t2"], flow, YEAR, 1, 500)
    approve(tree["a"], flow, HALF, 1, 300)
    incremental = coverage_table()
    monkeypatch.setattr(rollups, "_has_full_join", lambda: False)
    rollups.refresh_all()
    assert coverage_table() == incremental
    assert incremental[(tree["city"].pk, flow.pk, 2026)] == (None, 860, None, 6, True)


# --- 环比 -----------------------------------------------------------------------------------------


def test_the_third_quarter_against_the_second_by_hand(tree, flow):
    for number, value in ((1, 100), (2, 150), (3, 168)):
        approve(tree["a"], flow, QUARTER, number, value)
    step = dashboard.previous_periods([tree["a"].pk], [flow.pk], 2026)[(tree["a"].pk, flow.pk)]
    assert (step.kind, step.number, step.value) == (QUARTER, 3, 168)
    assert (step.previous_number, step.previous_value) == (2, 150)
    assert step.change == Decimal("0.12")  # (168 − 150) / 150: each quarter's own amount
    assert step.change_bound == ""


def test_a_stock_compares_the_levels_at_the_two_month_ends(tree, stock):
    approve(tree["a"], stock, MONTH, 6, 800)
    approve(tree["a"], stock, MONTH, 7, 840, lower=True)
    step = dashboard.previous_periods([tree["a"].pk], [stock.pk], 2026)[(tree["a"].pk, stock.pk)]
    assert (step.kind, step.number, step.previous_number) == (MONTH, 7, 6)
    assert step.change == Decimal("0.05")  # (840 − 800) / 800
    assert step.change_bound == "≥"  # July's 840 is "840余"


def test_the_first_half_year_has_no_previous_period_inside_the_year(tree, flow):
    approve(tree["a"], flow, HALF, 2, 999, year=2025)  # last year's: not reached into
    approve(tree["a"], flow, HALF, 1, 400)
    step = dashboard.previous_periods([tree["a"].pk], [flow.pk], 2026)[(tree["a"].pk, flow.pk)]
    assert (step.kind, step.number, step.value) == (HALF, 1, 400)
    assert (step.previous_number, step.previous_value, step.change) == (None, None, None)


def test_a_missing_previous_period_gives_no_change(tree, flow):
    approve(tree["a"], flow, QUARTER, 1, 100)
    approve(tree["a"], flow, QUARTER, 2, 120, state=ReportState.SUBMITTED)  # not approved
    approve(tree["a"], flow, QUARTER, 3, 130)
    step = dashboard.previous_periods([tree["a"].pk], [flow.pk], 2026)[(tree["a"].pk, flow.pk)]
    assert (step.number, step.previous_number, step.previous_value) == (3, 2, None)
    assert step.change is None


def test_the_grain_is_the_roll_ups_and_a_year_report_has_no_step(tree, flow, stock):
    approve(tree["a"], flow, QUARTER, 3, 500)  # quarters are finer than the halves: skipped
    approve(tree["a"], flow, HALF, 1, 200)
    approve(tree["a"], flow, HALF, 2, 260)
    approve(tree["b"], flow, QUARTER, 1, 10)
    approve(tree["b"], flow, YEAR, 1, 90)
    approve(tree["a"], stock, QUARTER, 1, 5, year=2025)  # another year
    steps = dashboard.previous_periods([tree["a"].pk, tree["b"].pk], [flow.pk, stock.pk], 2026)
    assert set(steps) == {(tree["a"].pk, flow.pk)}
    step = steps[(tree["a"].pk, flow.pk)]
    assert (step.kind, step.number, step.previous_number) == (HALF, 2, 1)
    assert step.change == Decimal("0.3")  # (260 − 200) / 200
    assert dashboard.previous_periods([], [flow.pk], 2026) == {}


# --- On the pages' figures and in the API ---------------------------------------------------------


@pytest.fixture
def quarterly(tree, flow):
    """County A: quarters 1–3 of 2026 (100, 150, 168) against a year report of 2025 (500);
    county B: a year report of 2026 (700)."""
    tracked_in(tree["city"], flow)
    for number, value in ((1, 100), (2, 150), (3, 168)):
        approve(tree["a"], flow, QUARTER, number, value)
    approve(tree["a"], flow, YEAR, 1, 500, year=2025)
    approve(tree["b"], flow, YEAR, 1, 700)
    return flow


def test_the_region_summary_carries_coverage_and_the_step(tree, quarterly):
    a = dashboard.region_summary(tree["a"], 2026).figures[quarterly.pk]
    assert (a.value, a.through, a.period_step.number, a.period_step.previous_value) == (
        418,
        9,
        3,
        150,
    )
    with translation.override("zh-hans"):
        assert a.period_suffix == "前三季度"
    city = dashboard.region_summary(tree["city"], 2026).figures[quarterly.pk]
    assert (city.value, city.rollup, city.rollup_through, city.rollup_mixed) == (
        None,
        1118,  # 418 + 700
        9,
        True,
    )
    assert city.period_step is None  # the city has no figure of its own
    with translation.override("zh-hans"):
        assert city.rollup_period_suffix == "前三季度"
        assert city.rollup_mixed_note == "部分下级仅报至前三季度"
    b = dashboard.region_summary(tree["b"], 2026).figures[quarterly.pk]
    assert (b.through, b.period_suffix, b.period_step, b.rollup_mixed_note) == (12, "", None, "")


def test_the_region_page_keeps_its_query_budget_with_sub_year_figures(
    tree, quarterly, django_assert_max_num_queries
):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for region in (tree["a"], tree["city"]):
        cache.clear()
        with django_assert_max_num_queries(8):
            response = client.get(reverse("public:region", args=[region.code]) + "?year=2026")
        assert response.status_code == 200


def test_the_indicator_page_figures_carry_coverage_and_the_step(tree, quarterly):
    data = dashboard.indicator_figures(quarterly, tree["city"], 2026)
    a = data.for_sub_region(tree["a"])
    assert (a.through, a.period_step.number, a.period_step.change) == (9, 3, Decimal("0.12"))
    assert (data.current.rollup_through, data.current.rollup_mixed) == (9, True)
    own = dashboard.indicator_figures(quarterly, tree["a"], 2026)
    assert (own.current.through, own.current.period_step.previous_number) == (9, 2)
    last_year = next(row.figure for row in own.trend if row.year == 2025)
    assert (last_year.through, last_year.period_step) == (12, None)


def summary(code, language):
    cache.clear()
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get(f"/api/v1/regions/{code}/summary/", {"year": 2026})
    assert response.status_code == 200, response.content
    (figure,) = response.json()["figures"]
    return figure


def test_the_api_names_the_period_and_gives_the_step(tree, quarterly):
    a = summary("960101", "en")
    assert (a["value"], a["through"], a["period"]) == (418, 9, "2026 Q1–Q3")
    assert a["period_change"] == {
        "kind": "quarter",
        "number": 3,
        "value": 168,
        "is_lower_bound": False,
        "previous_number": 2,
        "previous_value": 150,
        "previous_is_lower_bound": False,
        "change": 0.12,
        "change_percent": 12.0,
        "change_bound": "",
        "change_text": "+12.0%",
    }
    assert summary("960101", "zh-hans")["period"] == "2026年前三季度"
    assert a["growth"] == pytest.approx((418 - 500) / 500)  # against 2025's year, unchanged
    city = summary("9601", "en")
    assert (city["value"], city["through"], city["period"], city["period_change"]) == (
        None,
        None,
        None,
        None,
    )
    assert (city["rollup"], city["rollup_through"], city["rollup_mixed"]) == (1118, 9, True)
    assert city["rollup_period"] == "2026 Q1–Q3"
    assert summary("9601", "zh-hans")["rollup_period"] == "2026年前三季度"
    b = summary("960102", "en")
    assert (b["through"], b["period"], b["period_change"], b["rollup_period"]) == (
        12,
        "2026",
        None,
        None,
    )
