from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from programs import dashboard
from programs.choices import IndicatorKind, PeriodKind, ReportState, Status
from programs.corrections import public_corrections
from programs.demo import demo_period, sub_year_demo_year
from programs.models import (
    Correction,
    Notification,
    PeriodReopening,
    Plan,
    Program,
    ProgressReport,
    RegionFigure,
    ReportingPeriod,
    Target,
)
from programs.selectors import tracked_indicators
from programs.target_cascade import program_target_shortfalls, region_target_shortfalls
from regions.choices import RegionKind, RegionLevel
from regions.models import Region

pytestmark = pytest.mark.django_db

DEMO_DAY = date(2026, 11, 22)


@pytest.fixture
def demo(shared_demo):
    """The tests here read the demo (or load it again inside their own transaction): it is loaded
    once for them (tests/conftest.py)."""


def jiaxing_counties():
    return list(Region.objects.filter(parent__code="3304", kind=RegionKind.ADMIN))


def figure(code, indicator, year):
    return RegionFigure.objects.get(region__code=code, indicator__code=indicator, year=year)


def summary_figure(code, indicator, year):
    summary = dashboard.region_summary(Region.objects.get(code=code), year, today=DEMO_DAY)
    return next(f for f in summary.figures.values() if f.indicator.code == indicator)


def test_the_zone_hangs_under_jiaxing_and_is_counted_in_it(demo):
    zone = Region.objects.get(name="嘉兴港区")
    assert zone.parent.name == "嘉兴市"
    assert zone.counted_in_parent


def test_the_five_plans_with_the_three_2024_targets_of_the_text(demo):
    program = Program.objects.get(name__contains="五大计划")
    assert [p.name for p in program.plans.all()] == [
        "凝心铸魂强政治计划",
        "激励保护强担当计划",
        "聚才暖企强驱动计划",
        "优培赋能强提升计划",
        "服务增值强改革计划",
    ]
    assert all(plan.measures.exists() for plan in program.plans.all())
    training = Plan.objects.get(name="优培赋能强提升计划")
    targets = Target.objects.filter(plan=training, period__year=2024).order_by("-value")
    assert [(t.indicator.name, t.comparator, int(t.value), t.indicator.unit) for t in targets] == [
        ("职业技能培训人数", "gte", 1000, "人"),
        ("新增技能人才", "gte", 800, "人"),
        ("新增高技能人才", "gte", 400, "人"),
    ]


def test_the_other_seed_programs_are_there(demo):
    assert Program.objects.filter(region__name="蒸湘区", name__contains="培、引、用").exists()
    assert Program.objects.filter(region__name="临海市", start_year=2019).exists()


def test_reports_exist_in_every_state(demo):
    states = Counter(ProgressReport.objects.values_list("state", flat=True))
    assert set(states) == set(ReportState.values)


def test_the_township_is_the_national_lists_and_its_figures_reach_the_province(demo):
    township = Region.objects.get(code="330482101")
    assert (township.name, township.parent.name, township.level, township.kind) == (
        "乍浦镇",
        "平湖市",
        RegionLevel.TOWNSHIP,
        RegionKind.ADMIN,
    )
    assert township.path == "33/3304/330482/330482101/"
    this_year = timezone.localdate().year
    # 平湖市, 嘉兴市 and 浙江省 report none of these: each roll-up is the township's figure.
    for indicator, year, value in (
        ("STARTUPS_INCUBATED", 2024, 12),
        ("SKILL_CONTESTS", 2024, 6),
        ("STARTUPS_INCUBATED", this_year, 9),
        ("SKILL_CONTESTS", this_year, 8),
    ):
        assert figure("330482101", indicator, year).value == value
        for code in ("330482", "3304", "33"):
            rolled = figure(code, indicator, year)
            assert (rolled.value, rolled.rollup) == (None, value), (code, indicator, year)
    assert summary_figure("33", "STARTUPS_INCUBATED", 2024).rollup == 12


def test_every_county_of_jiaxing_has_five_tracked_figures_in_2023_and_2024(demo):
    counties = jiaxing_counties()
    assert len(counties) == 7
    tracked = tracked_indicators({(c, year) for c in counties for year in (2023, 2024)})
    for county in counties:
        for year in (2023, 2024):
            approved = ProgressReport.objects.filter(
                region=county,
                period__kind=PeriodKind.YEAR,
                period__year=year,
                state=ReportState.APPROVED,
            ).values_list("indicator_id", flat=True)
            assert len(set(approved)) >= 5, (county.name, year)
            assert set(approved) <= tracked[(county.pk, year)], (county.name, year)


def test_the_counties_grow_plausibly_and_two_figures_are_lower_bounds(demo):
    counties = jiaxing_counties()
    reports = ProgressReport.objects.filter(
        region__in=counties, period__kind=PeriodKind.YEAR, state=ReportState.APPROVED
    ).select_related("indicator", "period")
    by_key = {(r.region_id, r.indicator.code, r.period.year): r for r in reports}
    pairs = 0
    for (region, code, year), report in by_key.items():
        if year == 2024 and (last := by_key.get((region, code, 2023))):
            pairs += 1
            assert Decimal("-0.10") <= report.value / last.value - 1 <= Decimal("0.25"), report
    assert pairs == 7 * 5
    bounds = [r for r in by_key.values() if r.is_lower_bound]
    assert len(bounds) == 2
    assert all(r.note.startswith("据不完全统计，") for r in bounds)
    # 海盐县's "170余名" makes 嘉兴市's roll-up a lower bound too.
    assert figure("3304", "HIGH_LEVEL_TALENT", 2024).rollup_is_lower_bound


def test_the_counties_training_targets_fall_short_of_the_citys_and_the_fund_targets_do_not(
    demo,
):
    shortfalls = region_target_shortfalls(region=Region.objects.get(code="3304"), year=2024)
    assert [f.target.indicator.code for f in shortfalls.values()] == ["VT_TRAINED"]
    (training,) = shortfalls.values()
    assert (training.children, training.count) == (34200, 7)
    with translation.override("zh-hans"):
        assert training.message() == "下级目标合计 34,200，低于本级目标 36,000"
    # The admin's page of 嘉兴市's program warns of it ("Target cascade").
    program = Program.objects.get(region__code="3304")
    assert [str(f.target) for f in program_target_shortfalls(program)] == [str(training.target)]
    assert Target.objects.get(region__code="3304", indicator__code="TALENT_FUND").value == 48000
    fund = Target.objects.filter(region__parent__code="3304", indicator__code="TALENT_FUND")
    assert sum(t.value for t in fund) == 50300


def test_half_years_and_quarters_stand_for_the_year_to_date(demo):
    year = sub_year_demo_year()
    h1 = ReportingPeriod.objects.get(kind=PeriodKind.HALF, year=year, number=1)
    assert (timezone.localdate(h1.opens_at), timezone.localdate(h1.deadline)) == (
        date(year, 1, 1),
        date(year, 7, 31),
    )
    halves = ProgressReport.objects.filter(period=h1, state=ReportState.APPROVED)
    assert {r.region.code for r in halves} == {"330402", "330411", "330481"}
    assert {r.indicator.time_nature for r in halves} == {"flow", "stock"}
    assert not ProgressReport.objects.filter(
        region__in=[r.region for r in halves], period__kind=PeriodKind.YEAR, period__year=year
    ).exists()
    assert figure("330402", "VT_TRAINED", year).value == 3100
    assert figure("330402", "HR_AGENCIES", year).value == 46
    # 桐乡市's quarters: a flow adds up, a stock is the latest quarter's.
    quarters = ProgressReport.objects.filter(
        region__code="330483", period__kind=PeriodKind.QUARTER, state=ReportState.APPROVED
    )
    assert sorted({r.period.number for r in quarters}) == [1, 2, 3]
    assert figure("330483", "VT_TRAINED", year).value == 1300 + 1600 + 1450
    assert figure("330483", "HR_AGENCIES", year).value == 41


def test_the_sub_year_figures_are_of_a_year_whose_third_quarter_has_ended():
    assert sub_year_demo_year(date(2026, 12, 2)) == 2026
    assert sub_year_demo_year(date(2026, 10, 1)) == 2026
    assert sub_year_demo_year(date(2027, 9, 30)) == 2026


def test_a_quarters_entry_ends_with_the_month_after_it():
    period = demo_period(PeriodKind.QUARTER, 2024, 4)
    assert (timezone.localdate(period.opens_at), timezone.localdate(period.deadline)) == (
        date(2024, 10, 1),
        date(2025, 1, 31),
    )
    assert period.locked


def test_a_figure_without_a_target_says_so(demo):
    talent = summary_figure("330482", "HIGH_LEVEL_TALENT", 2024)
    assert (talent.value, talent.target, talent.badge) == (260, None, Status.NO_TARGET)


def test_a_rank_over_two_years_and_milestones_done_and_not(demo):
    rank = summary_figure("331082", "TALENT_WORK_RANK", 2024)
    assert (rank.value, rank.target.value, rank.badge) == (3, 3, Status.MET)
    assert summary_figure("331082", "TALENT_WORK_RANK", 2023).value == 5
    milestones = ProgressReport.objects.filter(
        indicator__kind=IndicatorKind.MILESTONE, state=ReportState.APPROVED
    )
    assert {int(r.value) for r in milestones} == {0, 1}
    hydrogen = summary_figure("3304Z01", "HYDROGEN_PLATFORM", 2025)
    assert (hydrogen.value, hydrogen.badge) == (0, Status.NOT_MET)


def test_one_correction_made_through_the_services_is_public(demo):
    (correction,) = public_corrections()
    report = correction.report
    assert (report.region.name, report.indicator.code, report.period.year) == (
        "平湖市",
        "HIGH_LEVEL_TALENT",
        2024,
    )
    assert (correction.old_value, correction.new_value) == (250, 260)
    assert correction.reason == "漏报一家企业引进的10名人才，请核实后更正。"
    assert (correction.reopened_by.username, report.submitted_by.username) == ("jiaxing", "pinghu")
    assert (report.state, report.value, report.reviewed_by.username) == (
        ReportState.APPROVED,
        260,
        "jiaxing",
    )
    assert PeriodReopening.objects.get(region=report.region, period=report.period)
    assert figure("330482", "HIGH_LEVEL_TALENT", 2024).value == 260
    assert [h.history_type for h in report.history.order_by("history_id")] == ["+"] + ["~"] * 4


def test_loading_twice_changes_nothing(demo):
    models = (
        Region,
        Program,
        Plan,
        Target,
        ReportingPeriod,
        ProgressReport,
        Correction,
        PeriodReopening,
        Notification,
    )
    counts = [m.objects.count() for m in models]
    history = ProgressReport.history.count()
    figures = set(RegionFigure.objects.values_list("region_id", "indicator_id", "year", "value"))
    call_command("load_demo")
    assert [m.objects.count() for m in models] == counts
    assert ProgressReport.history.count() == history
    assert (
        set(RegionFigure.objects.values_list("region_id", "indicator_id", "year", "value"))
        == figures
    )


def test_demo_accounts_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
