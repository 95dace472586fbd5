"""The target cascade: do the sub-regions' targets add up, by the indicator's rule, to their
region's? Hand-computed cascades under 嘉兴市 (平湖, 南湖, and 嘉兴港区, a zone counted in its
parent), the program's admin page, and the queries it costs."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from programs.choices import Comparator, Direction, IndicatorKind, PeriodKind, RollupRule
from programs.target_cascade import (
    cascade_gap,
    program_target_shortfalls,
    region_target_shortfalls,
    shortfalls_of,
    target_shortfalls,
)
from regions.choices import RegionLevel
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PlanFactory,
    ProgramFactory,
    RegionFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def year_2024(db):
    return PeriodFactory(year=2024)


@pytest.fixture
def city_plan(jiaxing):
    return PlanFactory(program=ProgramFactory(region=jiaxing, name="嘉兴市人才计划"))


def cascade(indicator, period, plan, parent, children: dict, comparator=Comparator.GTE):
    """Targets set by `plan`: `children[None]` the parent's, the others {child region: value}."""
    for region, value in children.items():
        TargetFactory(
            indicator=indicator,
            region=region or parent,
            period=period,
            value=D(value),
            comparator=comparator,
            plan=plan,
        )
    return indicator.targets.get(region=parent, period=period)


def messages_of(shortfalls) -> list[str]:
    with translation.override("en"):
        return [shortfall.message() for shortfall in shortfalls]


# The rule, on plain values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "comparator", "direction", "children", "target", "gap"),
    [
        # A sum of floors: 4,000 + 3,500 = 7,500 below 10,000; exactly 7,500 is covered.
        ("sum", "gte", "higher", ["4000", "3500"], "10000", "7500"),
        ("sum", "gte", "higher", ["4000", "3500"], "7500", None),
        # A sum of ceilings: 60 + 50 = 110 above a ceiling of 100.
        ("sum", "lte", "lower", ["60", "50"], "100", "110"),
        ("sum", "lte", "lower", ["60", "40"], "100", None),
        # Max: the best child's floor must reach the region's.
        ("max", "gte", "higher", ["85", "88"], "90", "88"),
        ("max", "gte", "higher", ["85", "92"], "90", None),
        # Min: every child's floor must reach it; for ceilings, the least ceiling must keep in it.
        ("min", "gte", "higher", ["85", "78"], "80", "78"),
        ("min", "lte", "lower", ["4", "5"], "3", "4"),
        ("min", "lte", "lower", ["3", "5"], "3", None),
        # Mean, rounded as the roll-ups store it: (90 + 95 + 95) / 3 = 93.3333.
        ("mean", "gte", "higher", ["90", "95", "95"], "94", "93.3333"),
        ("mean", "gte", "higher", ["90", "95", "95"], "93.3333", None),
        # "=" goes by the direction: a floor when higher is better, a ceiling when lower is.
        ("sum", "eq", "higher", ["1", "1"], "3", "2"),
        ("sum", "eq", "higher", ["1", "1", "1"], "1", None),
        ("max", "eq", "lower", ["2", "5"], "3", "5"),
        # No roll-up, no cascade; no children, nothing to say.
        ("none", "gte", "higher", ["1", "1"], "1000", None),
        ("sum", "gte", "higher", [], "1000", None),
    ],
)
def test_the_gap_by_rule_comparator_and_direction(
    rule, comparator, direction, children, target, gap
):
    found = cascade_gap(
        target=D(target),
        comparator=comparator,
        direction=direction,
        children=[D(value) for value in children],
        rule=rule,
    )
    assert found == (None if gap is None else D(gap))


# Stored targets ----------------------------------------------------------------------------------


def test_a_sum_short_of_the_citys_target_leaves_the_zone_counted_in_its_parent_out(
    jiaxing, pinghu, nanhu, gangqu, year_2024, city_plan
):
    indicator = IndicatorFactory(code="VT_TIMES", name="职业技能培训人次", rollup=RollupRule.SUM)
    # 4,000 + 3,500 = 7,500 < 10,000; with 嘉兴港区's 5,000 it would be 12,500 and covered.
    city = cascade(
        indicator,
        year_2024,
        city_plan,
        jiaxing,
        {None: 10000, pinghu: 4000, nanhu: 3500, gangqu: 5000},
    )

    [shortfall] = program_target_shortfalls(city_plan.program)

    assert (shortfall.target, shortfall.year, shortfall.children, shortfall.count) == (
        city,
        2024,
        D(7500),
        2,
    )
    assert not shortfall.above
    assert messages_of([shortfall]) == [
        "Sub-regions' targets add up to 7,500, below this region's target 10,000"
    ]
    with translation.override("zh-hans"):
        assert shortfall.message() == "下级目标合计 7,500，低于本级目标 10,000"
        assert (
            str(shortfall)
            == "嘉兴市 · 职业技能培训人次 · 2024：下级目标合计 7,500，低于本级目标 10,000"
        )
    assert list(target_shortfalls({(indicator.pk, 2024, jiaxing.pk)}).values()) == [shortfall]


def test_a_sum_that_covers_the_citys_target_says_nothing(
    jiaxing, pinghu, nanhu, gangqu, year_2024, city_plan
):
    indicator = IndicatorFactory(rollup=RollupRule.SUM)
    cascade(indicator, year_2024, city_plan, jiaxing, {None: 7500, pinghu: 4000, nanhu: 3500})

    assert program_target_shortfalls(city_plan.program) == []
    assert target_shortfalls({(indicator.pk, 2024, jiaxing.pk)}) == {}


def test_max_and_min_by_their_rules(jiaxing, pinghu, nanhu, gangqu, year_2024, city_plan):
    coverage = IndicatorFactory(
        code="COVERAGE", kind=IndicatorKind.PERCENTAGE, unit="%", rollup=RollupRule.MAX
    )
    # Max: the best child's floor, 88, is below the city's 90 (嘉兴港区's 95 is not counted).
    cascade(coverage, year_2024, city_plan, jiaxing, {None: 90, pinghu: 85, nanhu: 88, gangqu: 95})
    waiting = IndicatorFactory(
        code="WAIT_DAYS",
        unit="",
        kind=IndicatorKind.AMOUNT,
        direction=Direction.LOWER_BETTER,
        rollup=RollupRule.MIN,
    )
    # Min of ceilings: the least ceiling, 4 days, is above the city's 3.
    cascade(
        waiting,
        year_2024,
        city_plan,
        jiaxing,
        {None: 3, pinghu: 4, nanhu: 5},
        comparator=Comparator.LTE,
    )

    shortfalls = program_target_shortfalls(city_plan.program)

    assert [(s.target.indicator.code, s.children, s.above) for s in shortfalls] == [
        ("COVERAGE", D(88), False),
        ("WAIT_DAYS", D(4), True),
    ]
    assert messages_of(shortfalls) == [
        "Sub-regions' highest target is 88, below this region's target 90",
        "Sub-regions' lowest target is 4, above this region's target 3",
    ]
    with translation.override("zh-hans"):
        assert [s.message() for s in shortfalls] == [
            "下级目标最高 88，低于本级目标 90",
            "下级目标最低 4，高于本级目标 3",
        ]


def test_an_indicator_without_roll_up_has_no_cascade(jiaxing, pinghu, nanhu, year_2024, city_plan):
    rank = IndicatorFactory(
        kind=IndicatorKind.RANK,
        unit="位",
        direction=Direction.LOWER_BETTER,
        rollup=RollupRule.NONE,
    )
    cascade(
        rank,
        year_2024,
        city_plan,
        jiaxing,
        {None: 1, pinghu: 9, nanhu: 9},
        comparator=Comparator.LTE,
    )

    assert program_target_shortfalls(city_plan.program) == []


def test_each_level_is_checked_against_the_next_and_sub_year_targets_are_left_alone(
    zhejiang, jiaxing, pinghu, nanhu, year_2024, city_plan
):
    indicator = IndicatorFactory(rollup=RollupRule.SUM)
    huzhou = RegionFactory(code="3305", name="湖州市", level=RegionLevel.CITY, parent=zhejiang)
    TargetFactory(indicator=indicator, region=zhejiang, period=year_2024, value=D(20000))
    TargetFactory(indicator=indicator, region=huzhou, period=year_2024, value=D(6000))
    # 嘉兴 8,000 + 湖州 6,000 = 14,000 < 20,000; 平湖 5,000 + 南湖 3,000 = 8,000 covers 嘉兴.
    cascade(indicator, year_2024, city_plan, jiaxing, {None: 8000, pinghu: 5000, nanhu: 3000})
    half = PeriodFactory(year=2024, kind=PeriodKind.HALF, number=1)
    TargetFactory(indicator=indicator, region=jiaxing, period=half, value=D(9000))
    TargetFactory(indicator=indicator, region=pinghu, period=half, value=D(1))

    keys = {(indicator.pk, 2024, region.pk) for region in (zhejiang, jiaxing, pinghu)}
    found = target_shortfalls(keys)

    assert list(found) == [(indicator.pk, 2024, zhejiang.pk)]
    assert found[(indicator.pk, 2024, zhejiang.pk)].children == D(14000)
    # The city's program sets the city's targets only: the province's is not its to list.
    assert program_target_shortfalls(city_plan.program) == []


def test_queries_stay_the_same_however_many_targets(zhejiang, year_2024, django_assert_num_queries):
    program = ProgramFactory(region=zhejiang)
    plan = PlanFactory(program=program)

    def add_city(number: int):
        city = RegionFactory(
            code=f"33{number:02d}", name=f"市{number}", level=RegionLevel.CITY, parent=zhejiang
        )
        for indicator in indicators:
            TargetFactory(indicator=indicator, region=city, period=year_2024, value=100, plan=plan)
            for county in range(2):
                region = RegionFactory(code=f"33{number:02d}{county:02d}", parent=city)
                TargetFactory(indicator=indicator, region=region, period=year_2024, value=10)

    indicators = [IndicatorFactory(rollup=rule) for rule in ("sum", "max", "min", "mean")]
    add_city(1)
    with django_assert_num_queries(2):
        assert len(program_target_shortfalls(program)) == 4
    for number in range(2, 8):
        add_city(number)
    with django_assert_num_queries(2):
        assert len(program_target_shortfalls(program)) == 28
    targets = list(program.plans.get().targets.select_related("indicator", "region", "period"))
    with django_assert_num_queries(1):
        assert len(shortfalls_of(targets)) == 28
    keys = {(t.indicator_id, 2024, t.region_id) for t in targets}
    with django_assert_num_queries(2):
        assert len(target_shortfalls(keys)) == 28
    city = targets[0].region
    with django_assert_num_queries(2):
        found = region_target_shortfalls(region=city, year=2024)
    assert sorted(found) == sorted(indicator.pk for indicator in indicators)
    assert {s.children for s in found.values()} == {D(20), D(10)}
    assert region_target_shortfalls(region=city, year=2025) == {}


# The program's admin page ------------------------------------------------------------------------


def admin_page(client, program):
    return client.get(reverse("admin:programs_program_change", args=[program.pk]))


def test_the_programs_admin_page_warns_of_each_shortfall(
    admin_client_zh, admin_client_en, jiaxing, pinghu, nanhu, gangqu, year_2024, city_plan
):
    indicator = IndicatorFactory(name="职业技能培训人次", rollup=RollupRule.SUM)
    cascade(
        indicator,
        year_2024,
        city_plan,
        jiaxing,
        {None: 10000, pinghu: 4000, nanhu: 3500, gangqu: 5000},
    )

    page = admin_page(admin_client_zh, city_plan.program)

    assert page.status_code == 200
    text = page.content.decode()
    assert "嘉兴市 · 职业技能培训人次 · 2024：下级目标合计 7,500，低于本级目标 10,000" in text
    assert [str(m) for m in page.context["messages"]] == [
        "本计划有 1 项目标未被下级目标覆盖：见下方“目标分解”。"
    ]
    english = admin_page(admin_client_en, city_plan.program).content.decode()
    assert "Sub-regions&#x27; targets add up to 7,500, below this region&#x27;s target 10,000" in (
        english
    )


def test_a_covered_program_has_no_warning(
    admin_client_zh, jiaxing, pinghu, nanhu, year_2024, city_plan
):
    indicator = IndicatorFactory(rollup=RollupRule.SUM)
    cascade(indicator, year_2024, city_plan, jiaxing, {None: 7500, pinghu: 4000, nanhu: 3500})

    page = admin_page(admin_client_zh, city_plan.program)

    assert list(page.context["messages"]) == []
    assert "下级目标合计" not in page.content.decode()
    assert "下级目标均已覆盖" in page.content.decode()


def test_the_admin_page_costs_the_same_queries_for_many_shortfalls(
    admin_client_zh, jiaxing, pinghu, nanhu, year_2024, city_plan
):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_page(admin_client_zh, city_plan.program).status_code == 200
        return len(queries.captured_queries)

    def short_indicator():
        cascade(IndicatorFactory(), year_2024, city_plan, jiaxing, {None: 100, pinghu: 10})

    short_indicator()
    few = page_queries()
    for _ in range(5):
        short_indicator()
    page = admin_page(admin_client_zh, city_plan.program)
    assert page.content.decode().count("下级目标合计 10，低于本级目标 100") == 6
    assert page_queries() == few
