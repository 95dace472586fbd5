from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from programs.choices import Comparator, Direction, IndicatorKind, PeriodKind, RollupRule
from programs.models import Indicator, ProgressReport, ReportingPeriod, Target
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
    ReportFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(instance, language="en") -> dict:
    with translation.override(language):
        with pytest.raises(ValidationError) as error:
            instance.full_clean()
        return error.value.message_dict  # lazy messages are rendered in `language` here


@pytest.fixture
def trained():
    return IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数", unit="人")


@pytest.fixture
def year_2024():
    return PeriodFactory(year=2024)


def test_a_valid_target_saves(gangqu, trained, year_2024):
    target = Target(indicator=trained, region=gangqu, period=year_2024, value=Decimal(1000))
    target.full_clean()
    target.save()
    assert target.history.count() == 1


def test_a_duplicate_target_is_reported_at_the_period(gangqu, trained, year_2024):
    TargetFactory(indicator=trained, region=gangqu, period=year_2024)
    duplicate = Target(indicator=trained, region=gangqu, period=year_2024, value=Decimal(5))
    assert errors_of(duplicate)["period"] == [
        "This region already has a target for this indicator and period."
    ]


def test_the_database_refuses_a_duplicate_target(gangqu, trained, year_2024):
    TargetFactory(indicator=trained, region=gangqu, period=year_2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator=trained, region=gangqu, period=year_2024, value=1)


def test_the_duplicate_message_is_in_chinese_for_chinese_users(gangqu, trained, year_2024):
    TargetFactory(indicator=trained, region=gangqu, period=year_2024)
    duplicate = Target(indicator=trained, region=gangqu, period=year_2024, value=Decimal(5))
    assert errors_of(duplicate, "zh-hans")["period"] == ["该区域在此周期已有此指标的目标。"]


@pytest.mark.parametrize(
    ("kind", "unit", "value", "message"),
    [
        ("count", "人", "-1", "The value cannot be negative."),
        ("count", "人", "10.5", "A count must be a whole number."),
        ("percentage", "%", "100.5", "This percentage cannot be above 100."),
        ("rank", "位", "0", "A rank must be a whole number of 1 or more."),
        ("rank", "位", "2.5", "A rank must be a whole number of 1 or more."),
        ("milestone", "", "2", "A milestone is 1 (done) or 0 (not done)."),
    ],
)
def test_a_value_must_fit_the_indicators_kind(gangqu, year_2024, kind, unit, value, message):
    indicator = IndicatorFactory(
        kind=kind,
        unit=unit,
        direction=Direction.LOWER_BETTER if kind == "rank" else Direction.HIGHER_BETTER,
        rollup=RollupRule.NONE,
    )
    report = ProgressReport(
        indicator=indicator, region=gangqu, period=year_2024, value=Decimal(value)
    )
    assert message in errors_of(report)["value"]


@pytest.mark.parametrize(
    ("kind", "unit", "value"),
    [
        ("count", "人", "0"),
        ("amount", "万元", "12.5"),
        ("percentage", "%", "100"),
        ("rank", "位", "1"),
        ("milestone", "", "1"),
        ("milestone", "", "0"),
    ],
)
def test_values_that_fit_pass(gangqu, year_2024, kind, unit, value):
    indicator = IndicatorFactory(
        kind=kind,
        unit=unit,
        direction=Direction.LOWER_BETTER if kind == "rank" else Direction.HIGHER_BETTER,
        rollup=RollupRule.NONE,
    )
    ProgressReport(
        indicator=indicator, region=gangqu, period=year_2024, value=Decimal(value)
    ).full_clean()


def test_an_uncapped_percentage_may_exceed_100(gangqu, year_2024):
    growth = IndicatorFactory(kind="percentage", unit="%", rollup="mean", capped_at_100=False)
    ProgressReport(
        indicator=growth, region=gangqu, period=year_2024, value=Decimal(130)
    ).full_clean()


def test_a_milestone_has_no_unit():
    milestone = Indicator(
        code="M", name="建成", kind=IndicatorKind.MILESTONE, unit="个", rollup="none"
    )
    assert "unit" in errors_of(milestone)


def test_a_rank_cannot_be_summed():
    rank = Indicator(
        code="R", name="排名", kind="rank", unit="位", direction="lower", rollup=RollupRule.SUM
    )
    assert "rollup" in errors_of(rank)


def test_a_percentage_cannot_be_summed():
    share = Indicator(code="P", name="占比", kind="percentage", unit="%", rollup=RollupRule.SUM)
    assert "rollup" in errors_of(share)


def test_a_rank_is_lower_is_better():
    rank = Indicator(code="R", name="排名", kind="rank", unit="位", rollup="none")
    assert "direction" in errors_of(rank)


def test_the_database_refuses_a_summed_rank():
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            code="R", name="排名", kind="rank", direction="lower", rollup="sum"
        )


def test_a_rank_target_is_a_place_to_reach(gangqu, year_2024):
    rank = IndicatorFactory(kind="rank", unit="位", direction="lower", rollup="none")
    target = Target(
        indicator=rank, region=gangqu, period=year_2024, comparator=Comparator.GTE, value=3
    )
    assert "comparator" in errors_of(target)
    target.comparator = Comparator.LTE
    target.full_clean()


def test_a_milestone_target_is_done(gangqu, year_2024):
    milestone = IndicatorFactory(kind="milestone", unit="", rollup="none")
    target = Target(indicator=milestone, region=gangqu, period=year_2024, comparator="gte", value=1)
    assert "comparator" in errors_of(target)
    target.comparator = Comparator.EQ
    target.full_clean()


def test_a_comparator_against_the_direction_is_refused(gangqu, trained, year_2024):
    target = Target(indicator=trained, region=gangqu, period=year_2024, comparator="lte", value=5)
    assert "comparator" in errors_of(target)


def test_a_targets_plan_must_track_the_indicator_and_belong_above(
    gangqu, pinghu, trained, year_2024
):
    plan = PlanFactory(program=ProgramFactory(region=gangqu))
    target = Target(indicator=trained, region=gangqu, period=year_2024, value=1000, plan=plan)
    assert "plan" in errors_of(target)
    PlanIndicatorFactory(plan=plan, indicator=trained)
    target.full_clean()
    target.region = pinghu
    assert "plan" in errors_of(target)


def test_a_citys_plan_can_set_its_counties_targets(jiaxing, pinghu, trained, year_2024):
    plan = PlanFactory(program=ProgramFactory(region=jiaxing))
    PlanIndicatorFactory(plan=plan, indicator=trained)
    Target(indicator=trained, region=pinghu, period=year_2024, value=300, plan=plan).full_clean()


def test_one_progress_figure_per_region_indicator_and_period(gangqu, trained, year_2024):
    ReportFactory(indicator=trained, region=gangqu, period=year_2024)
    duplicate = ProgressReport(indicator=trained, region=gangqu, period=year_2024, value=1)
    assert "period" in errors_of(duplicate)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(indicator=trained, region=gangqu, period=year_2024, value=1)


def test_a_progress_report_keeps_its_history(gangqu, trained, year_2024):
    report = ReportFactory(indicator=trained, region=gangqu, period=year_2024, value=1100)
    report.value = Decimal(1200)
    report.save()
    assert [h.value for h in report.history.order_by("history_id")] == [1100, 1200]


@pytest.mark.parametrize(
    ("kind", "number", "valid"),
    [
        (PeriodKind.YEAR, 1, True),
        (PeriodKind.YEAR, 2, False),
        (PeriodKind.HALF, 2, True),
        (PeriodKind.HALF, 3, False),
        (PeriodKind.QUARTER, 4, True),
        (PeriodKind.QUARTER, 5, False),
        (PeriodKind.MONTH, 12, True),
        (PeriodKind.MONTH, 0, False),
    ],
)
def test_a_periods_number_fits_its_kind(kind, number, valid):
    period = PeriodFactory.build(kind=kind, year=2025, number=number)
    if valid:
        period.full_clean()
    else:
        assert "number" in errors_of(period)


def test_a_deadline_comes_after_the_opening():
    period = PeriodFactory.build(year=2025)
    period.deadline = period.opens_at
    assert "deadline" in errors_of(period)


@pytest.mark.parametrize(
    ("kind", "number", "start", "end", "label"),
    [
        ("year", 1, "2024-01-01", "2024-12-31", "2024"),
        ("half", 2, "2024-07-01", "2024-12-31", "2024 H2"),
        ("quarter", 1, "2024-01-01", "2024-03-31", "2024 Q1"),
        ("month", 2, "2024-02-01", "2024-02-29", "2024-02"),
    ],
)
def test_a_period_knows_its_dates_and_label(kind, number, start, end, label):
    period = ReportingPeriod(kind=kind, year=2024, number=number)
    assert (period.start_date.isoformat(), period.end_date.isoformat()) == (start, end)
    with translation.override("en"):
        assert str(period) == label


def test_period_labels_in_chinese():
    with translation.override("zh-hans"):
        assert str(ReportingPeriod(kind="quarter", year=2024, number=3)) == "2024年第3季度"
        assert str(ReportingPeriod(kind="year", year=2024, number=1)) == "2024年"
