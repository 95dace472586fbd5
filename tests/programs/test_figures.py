"""Unit tests of the derived figures: plain values in, plain values out, no database."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from programs.choices import Comparator, IndicatorKind, RollupRule, Status, TimeNature
from programs.figures import (
    Completion,
    Pace,
    RollupInput,
    as_percent,
    completion,
    expected_pace,
    growth,
    pace,
    period_change,
    rank,
    rollup,
    year_to_date,
)

D = Decimal

GTE, LTE, EQ = Comparator.GTE, Comparator.LTE, Comparator.EQ
FLOW, STOCK = TimeNature.FLOW, TimeNature.STOCK
COUNT = IndicatorKind.COUNT
AMOUNT = IndicatorKind.AMOUNT
PERCENTAGE = IndicatorKind.PERCENTAGE
RANK = IndicatorKind.RANK
MILESTONE = IndicatorKind.MILESTONE
RATIO_KINDS = [COUNT, AMOUNT, PERCENTAGE]


def _decimals(values: list[str | None]) -> list[Decimal | None]:
    return [None if value is None else D(value) for value in values]


# --- Every kind x comparator x time nature, from quarterly values to a badge ----------------------

# kind, comparator, time nature, quarterly values, target, year to date, ratio, met
MATRIX = [
    # Counts: new skilled workers (flow), talent resource total in 10k persons (stock) ...
    (COUNT, GTE, FLOW, ["200", "250", "210", "240"], "800", "900", D("1.125"), True),
    (COUNT, GTE, STOCK, ["48", "49", "50.5", "51"], "50", "51", D("1.02"), True),
    (COUNT, LTE, FLOW, ["1", "0", "2", None], "4", "3", D(4) / D(3), True),
    (
        COUNT,
        LTE,
        STOCK,
        ["120", "110", "105", "104"],
        "100",
        "104",
        D(100) / D(104),
        False,
    ),
    (COUNT, EQ, FLOW, ["3", "3", "3", "3"], "12", "12", D(1), True),
    (COUNT, EQ, STOCK, ["4", "4", "5", "6"], "5", "6", D("1.2"), False),
    # Amounts in 10k yuan
    (
        AMOUNT,
        GTE,
        FLOW,
        ["1000.5", "1200", None, "1300"],
        "5000",
        "3500.5",
        D("0.7001"),
        False,
    ),
    (AMOUNT, GTE, STOCK, ["1.5", "2.5"], "2", "2.5", D("1.25"), True),
    (AMOUNT, LTE, FLOW, ["100", "120", "90"], "300", "310", D(300) / D(310), False),
    (AMOUNT, LTE, STOCK, ["60", "45"], "50", "45", D(50) / D(45), True),
    (AMOUNT, EQ, FLOW, ["50", "50", "50", "50"], "200", "200", D(1), True),
    (AMOUNT, EQ, STOCK, ["200", "180"], "200", "180", D("0.9"), False),
    # Percentages: coverage at least 90%, unemployment at most 3.5%
    (PERCENTAGE, GTE, FLOW, ["12.5"], "10", "12.5", D("1.25"), True),
    (PERCENTAGE, GTE, STOCK, ["85", "88", "94.5"], "90", "94.5", D("1.05"), True),
    (PERCENTAGE, LTE, FLOW, ["2.8"], "3.5", "2.8", D("1.25"), True),
    (PERCENTAGE, LTE, STOCK, ["3.9", "3.6", "3.4", "3.5"], "3.5", "3.5", D(1), True),
    (PERCENTAGE, EQ, FLOW, ["100"], "100", "100", D(1), True),
    (PERCENTAGE, EQ, STOCK, ["100", "99.5"], "100", "99.5", D("0.995"), False),
    # Ranks: met or not, never a ratio ("top 3 of the province" is lte 3)
    (RANK, GTE, FLOW, [None, "5"], "3", "5", None, True),
    (RANK, GTE, STOCK, ["4", "2"], "3", "2", None, False),
    (RANK, LTE, FLOW, ["4", "2"], "3", "6", None, False),
    (RANK, LTE, STOCK, ["5", "4", "2"], "3", "2", None, True),
    (RANK, EQ, FLOW, ["1"], "1", "1", None, True),
    (RANK, EQ, STOCK, ["1", "2"], "1", "2", None, False),
    # Milestones: 1 is done
    (MILESTONE, GTE, FLOW, ["0", "0", "1"], "1", "1", None, True),
    (MILESTONE, GTE, STOCK, ["0", "0"], "1", "0", None, False),
    (MILESTONE, LTE, FLOW, ["0"], "0", "0", None, True),
    (MILESTONE, LTE, STOCK, ["0", "1"], "0", "1", None, False),
    (MILESTONE, EQ, FLOW, ["0", "1", None], "1", "1", None, True),
    (MILESTONE, EQ, STOCK, ["1", "0"], "1", "0", None, False),
]


@pytest.mark.parametrize(
    ("kind", "comparator", "time_nature", "quarters", "target", "ytd", "ratio", "met"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}-{row[2]}") for row in MATRIX],
)
def test_every_kind_comparator_and_time_nature_gives_the_right_completion(
    kind, comparator, time_nature, quarters, target, ytd, ratio, met
):
    actual = year_to_date(_decimals(quarters), time_nature=time_nature)
    assert actual == D(ytd)

    result = completion(actual=actual, target=D(target), comparator=comparator, kind=kind)

    assert result == Completion(ratio=ratio, met=met, status=Status.MET if met else Status.NOT_MET)


def test_the_matrix_covers_every_kind_comparator_and_time_nature():
    covered = {(row[0], row[1], row[2]) for row in MATRIX}
    assert covered == {
        (kind, comparator, time_nature)
        for kind in IndicatorKind
        for comparator in Comparator
        for time_nature in TimeNature
    }


# --- completion -----------------------------------------------------------------------------------


def test_seed_1200_against_at_least_1000_is_120_percent_and_met():
    result = completion(actual=D("1200"), target=D("1000"), comparator=GTE, kind=COUNT)

    assert result.ratio == D("1.2")
    assert result.met is True
    assert result.status == Status.MET
    assert as_percent(result.ratio) == D("120.0")


# Jiaxing Port District 2024: vocational skills training >= 1000, new skilled workers >= 800,
# new high-skilled workers >= 400.
@pytest.mark.parametrize(
    ("actual", "target", "ratio", "percent", "status"),
    [
        pytest.param("1600", "1000", D("1.6"), D("160.0"), Status.MET, id="training-1600"),
        pytest.param("1000", "1000", D(1), D("100.0"), Status.MET, id="training-exactly"),
        pytest.param("999", "1000", D("0.999"), D("99.9"), Status.NOT_MET, id="training-999"),
        pytest.param("800", "800", D(1), D("100.0"), Status.MET, id="skilled-exactly"),
        pytest.param("799", "800", D("0.99875"), D("99.9"), Status.NOT_MET, id="skilled-799"),
        pytest.param("1288", "800", D("1.61"), D("161.0"), Status.MET, id="skilled-1288"),
        pytest.param("400", "400", D(1), D("100.0"), Status.MET, id="high-skilled-exactly"),
        pytest.param("200", "400", D("0.5"), D("50.0"), Status.NOT_MET, id="high-skilled-200"),
        pytest.param("0", "400", D(0), D("0.0"), Status.NOT_MET, id="high-skilled-none-yet"),
    ],
)
def test_jiaxing_port_district_2024_targets(actual, target, ratio, percent, status):
    result = completion(actual=D(actual), target=D(target), comparator=GTE, kind=COUNT)

    assert result.ratio == ratio
    assert as_percent(result.ratio) == percent
    assert result.status == status
    assert result.met is (status == Status.MET)


@pytest.mark.parametrize("kind", RATIO_KINDS)
@pytest.mark.parametrize(
    ("comparator", "actual", "target", "ratio", "met"),
    [
        # Higher is better: ratio = actual / target.
        (GTE, "1200", "1000", D("1.2"), True),
        (GTE, "1000", "1000", D(1), True),
        (GTE, "800", "1000", D("0.8"), False),
        (GTE, "0", "1000", D(0), False),
        # Lower is better: ratio = target / actual, so beating the ceiling is above 1.
        (LTE, "2.8", "3.5", D("1.25"), True),
        (LTE, "3.5", "3.5", D(1), True),
        (LTE, "7", "3.5", D("0.5"), False),
        # Exactly: ratio = actual / target, met only on the dot.
        (EQ, "100", "100", D(1), True),
        (EQ, "120", "100", D("1.2"), False),
        (EQ, "80", "100", D("0.8"), False),
    ],
)
def test_completion_ratio_and_met_follow_the_comparator(
    kind, comparator, actual, target, ratio, met
):
    result = completion(actual=D(actual), target=D(target), comparator=comparator, kind=kind)

    assert result.ratio == ratio
    assert result.met is met
    assert result.status == (Status.MET if met else Status.NOT_MET)


@pytest.mark.parametrize("kind", list(IndicatorKind))
@pytest.mark.parametrize("comparator", list(Comparator))
@pytest.mark.parametrize(("actual", "target"), [(None, D("1000")), (None, None), (None, D(0))])
def test_completion_without_actual_is_no_data(kind, comparator, actual, target):
    result = completion(actual=actual, target=target, comparator=comparator, kind=kind)

    assert result == Completion(ratio=None, met=None, status=Status.NO_DATA)


@pytest.mark.parametrize("kind", list(IndicatorKind))
@pytest.mark.parametrize("comparator", list(Comparator))
@pytest.mark.parametrize("actual", [D("1200"), D(0)])
def test_completion_of_a_value_without_target_is_no_target_not_no_data(kind, comparator, actual):
    # "未设目标": the figure is there, only the target is missing ("暂无数据" said otherwise).
    result = completion(actual=actual, target=None, comparator=comparator, kind=kind)

    assert result == Completion(ratio=None, met=None, status=Status.NO_TARGET)


@pytest.mark.parametrize("kind", RATIO_KINDS)
@pytest.mark.parametrize(
    ("comparator", "actual", "met"),
    [
        (GTE, "0", True),
        (GTE, "5", True),
        (GTE, "-1", False),
        (EQ, "0", True),
        (EQ, "3", False),
        (LTE, "0", True),
        (LTE, "-1", True),
    ],
)
def test_zero_target_has_no_ratio_but_is_still_met_or_not(kind, comparator, actual, met):
    result = completion(actual=D(actual), target=D(0), comparator=comparator, kind=kind)

    assert result.ratio is None
    assert result.met is met
    assert result.status == (Status.MET if met else Status.NOT_MET)


@pytest.mark.parametrize("kind", RATIO_KINDS)
def test_a_ceiling_of_zero_broken_scores_zero_percent(kind):
    result = completion(actual=D(2), target=D(0), comparator=LTE, kind=kind)

    assert result.ratio == D(0)
    assert result.met is False
    assert result.status == Status.NOT_MET


@pytest.mark.parametrize("kind", RATIO_KINDS)
def test_zero_actual_under_a_ceiling_is_met_without_a_ratio(kind):
    result = completion(actual=D(0), target=D("3.5"), comparator=LTE, kind=kind)

    assert result == Completion(ratio=None, met=True, status=Status.MET)


@pytest.mark.parametrize(
    ("comparator", "actual", "target", "met"),
    [
        # A negative target (a fall of at least 5%) makes a share of it meaningless.
        (GTE, "-3", "-5", True),
        (GTE, "-6", "-5", False),
        (EQ, "-5", "-5", True),
        # Negative values under a ceiling would invert target / actual.
        (LTE, "-6", "-5", True),
        (LTE, "-1", "2", True),
        (LTE, "3", "-2", False),
    ],
)
def test_negative_values_have_no_ratio(comparator, actual, target, met):
    result = completion(actual=D(actual), target=D(target), comparator=comparator, kind=PERCENTAGE)

    assert result.ratio is None
    assert result.met is met


def test_a_negative_actual_against_a_positive_floor_has_a_negative_ratio():
    # A growth rate of -10% against a target of +5% is honestly -200%.
    result = completion(actual=D("-10"), target=D("5"), comparator=GTE, kind=PERCENTAGE)

    assert result.ratio == D(-2)
    assert result.met is False


def test_completion_ratio_is_exact_not_rounded():
    result = completion(actual=D(1), target=D(3), comparator=GTE, kind=COUNT)

    assert result.ratio == D(1) / D(3)
    assert result.ratio != D("0.333")
    assert as_percent(result.ratio) == D("33.3")


@pytest.mark.parametrize(
    ("actual", "met"),
    [("1", True), ("2", True), ("3", True), ("4", False), ("5", False)],
)
def test_rank_within_top_three_is_met_without_a_ratio(actual, met):
    result = completion(actual=D(actual), target=D(3), comparator=LTE, kind=RANK)

    assert result.ratio is None
    assert result.met is met
    assert result.status == (Status.MET if met else Status.NOT_MET)


@pytest.mark.parametrize(("actual", "met"), [("1", True), ("50", True), ("51", False)])
def test_rank_within_top_fifty(actual, met):
    result = completion(actual=D(actual), target=D(50), comparator=LTE, kind=RANK)

    assert result == Completion(ratio=None, met=met, status=Status.MET if met else Status.NOT_MET)


@pytest.mark.parametrize("comparator", [GTE, EQ])
@pytest.mark.parametrize(
    ("actual", "target", "met"),
    [
        ("1", "1", True),
        ("0", "1", False),
        # Done is done: the milestone's actual decides, whatever its target was set to.
        ("1", "0", True),
        ("0", "0", False),
        ("2", "1", True),
    ],
)
def test_milestone_is_met_when_done(comparator, actual, target, met):
    result = completion(actual=D(actual), target=D(target), comparator=comparator, kind=MILESTONE)

    assert result == Completion(ratio=None, met=met, status=Status.MET if met else Status.NOT_MET)


@pytest.mark.parametrize(
    ("comparator", "actual", "target", "kind", "ratio", "met"),
    [
        ("gte", "1200", "1000", "count", D("1.2"), True),
        ("lte", "2", "3", "rank", None, True),
        ("eq", "1", "1", "milestone", None, True),
        ("lte", "2.8", "3.5", "percentage", D("1.25"), True),
    ],
)
def test_completion_accepts_the_stored_string_values_of_the_choices(
    comparator, actual, target, kind, ratio, met
):
    result = completion(actual=D(actual), target=D(target), comparator=comparator, kind=kind)

    assert result.ratio == ratio
    assert result.met is met


def test_completion_rejects_an_unknown_comparator():
    with pytest.raises(ValueError, match="comparator"):
        completion(actual=D(1), target=D(1), comparator="gt", kind=COUNT)


def test_completion_is_immutable():
    result = completion(actual=D(1), target=D(1), comparator=GTE, kind=COUNT)

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.met = False


# --- year_to_date ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "time_nature", "expected"),
    [
        # Flows add up the known periods.
        (["200", "250", "210", "240"], FLOW, D("900")),
        (["200", None, "210"], FLOW, D("410")),
        ([None, "150"], FLOW, D("150")),
        (["0.1", "0.2"], FLOW, D("0.3")),
        (["0", "0"], FLOW, D("0")),
        (["300", "-20"], FLOW, D("280")),
        (["800"], FLOW, D("800")),
        # Stocks are the last known value.
        (["48", "49", "50.5"], STOCK, D("50.5")),
        (["48", "49", None], STOCK, D("49")),
        (["48", None, None, None], STOCK, D("48")),
        (["48", "0"], STOCK, D("0")),
        (["50"], STOCK, D("50")),
    ],
)
def test_year_to_date(values, time_nature, expected):
    assert year_to_date(_decimals(values), time_nature=time_nature) == expected


@pytest.mark.parametrize("time_nature", list(TimeNature))
@pytest.mark.parametrize("values", [[], [None], [None, None, None, None]])
def test_year_to_date_without_any_value_is_none(values, time_nature):
    assert year_to_date(values, time_nature=time_nature) is None


def test_year_to_date_of_a_flow_does_not_mistake_zero_for_missing():
    result = year_to_date([D(0)], time_nature=FLOW)

    assert result is not None
    assert result == D(0)


def test_year_to_date_rejects_an_unknown_time_nature():
    with pytest.raises(ValueError, match="time nature"):
        year_to_date([D(1)], time_nature="average")


# --- expected_pace --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "as_of", "expected"),
    [
        # A target of 366 in leap 2024 expects one per day, the day itself included.
        (2024, date(2024, 1, 1), D(1)),
        (2024, date(2024, 2, 29), D(60)),
        (2024, date(2024, 7, 1), D(183)),
        (2024, date(2024, 12, 30), D(365)),
        (2024, date(2024, 12, 31), D(366)),
        # Clamped outside the year.
        (2024, date(2023, 12, 31), D(0)),
        (2024, date(2020, 6, 1), D(0)),
        (2024, date(2025, 1, 1), D(366)),
        (2024, date(2030, 6, 1), D(366)),
    ],
)
def test_expected_pace_in_a_leap_year(year, as_of, expected):
    assert expected_pace(annual_target=D(366), year=year, as_of=as_of) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2023, 1, 1), D(1)),
        (date(2023, 2, 1), D(32)),
        (date(2023, 3, 1), D(60)),
        (date(2023, 12, 31), D(365)),
    ],
)
def test_expected_pace_in_a_common_year(as_of, expected):
    assert expected_pace(annual_target=D(365), year=2023, as_of=as_of) == expected


@pytest.mark.parametrize(
    ("annual_target", "as_of", "expected"),
    [
        # Jiaxing Port District 2024: half the year gone (183 of 366 days), half of each target.
        (D(1000), date(2024, 7, 1), D(500)),
        (D(800), date(2024, 7, 1), D(400)),
        (D(400), date(2024, 7, 1), D(200)),
        (D(800), date(2024, 1, 1), D(800) / D(366)),
        (D(0), date(2024, 7, 1), D(0)),
    ],
)
def test_expected_pace_is_a_linear_share_of_the_target(annual_target, as_of, expected):
    assert expected_pace(annual_target=annual_target, year=2024, as_of=as_of) == expected


def test_expected_pace_is_not_rounded():
    result = expected_pace(annual_target=D(800), year=2024, as_of=date(2024, 1, 1))

    assert result != D("2.19")
    assert D("2.185") < result < D("2.186")


# --- pace -----------------------------------------------------------------------------------------

MID_2024 = date(2024, 7, 1)  # 183 of 366 days: half the target expected


@pytest.mark.parametrize("comparator", [GTE, EQ])
@pytest.mark.parametrize(
    ("ytd", "ratio", "status"),
    [
        ("500", D("1.25"), Status.ON_TRACK),
        ("400", D(1), Status.ON_TRACK),
        ("399", D("0.9975"), Status.BEHIND),
        ("0", D(0), Status.BEHIND),
        ("800", D(2), Status.MET),
        ("900", D("2.25"), Status.MET),
    ],
)
def test_pace_of_a_floor(comparator, ytd, ratio, status):
    result = pace(
        year_to_date=D(ytd),
        annual_target=D(800),
        comparator=comparator,
        year=2024,
        as_of=MID_2024,
    )

    assert result == Pace(expected=D(400), ratio=ratio, status=status)


@pytest.mark.parametrize("comparator", [GTE, EQ])
@pytest.mark.parametrize(
    ("ytd", "status"),
    [("700", Status.BEHIND), ("800", Status.MET), ("810", Status.MET)],
)
def test_pace_of_a_floor_after_the_year(comparator, ytd, status):
    result = pace(
        year_to_date=D(ytd),
        annual_target=D(800),
        comparator=comparator,
        year=2024,
        as_of=date(2025, 1, 15),
    )

    assert result.expected == D(800)
    assert result.status == status


@pytest.mark.parametrize(
    ("ytd", "ratio", "status"),
    [
        ("40", D("0.8"), Status.ON_TRACK),
        ("50", D(1), Status.ON_TRACK),
        ("0", D(0), Status.ON_TRACK),
        # Already at or under the whole cap, but the rest of the year can still break it.
        ("100", D(2), Status.BEHIND),
        ("60", D("1.2"), Status.BEHIND),
        ("120", D("2.4"), Status.BEHIND),
    ],
)
def test_pace_of_a_ceiling_inside_the_year(ytd, ratio, status):
    result = pace(
        year_to_date=D(ytd),
        annual_target=D(100),
        comparator=LTE,
        year=2024,
        as_of=MID_2024,
    )

    assert result == Pace(expected=D(50), ratio=ratio, status=status)


def test_pace_of_a_ceiling_early_in_the_year_under_the_cap_is_not_yet_met():
    result = pace(
        year_to_date=D(0),
        annual_target=D(100),
        comparator=LTE,
        year=2024,
        as_of=MID_2024,
    )

    assert result.status == Status.ON_TRACK
    assert result.status != Status.MET


@pytest.mark.parametrize("as_of", [date(2024, 12, 31), date(2025, 1, 15)])
@pytest.mark.parametrize(
    ("ytd", "status"),
    [
        ("90", Status.MET),
        ("100", Status.MET),
        ("101", Status.BEHIND),
        ("0", Status.MET),
    ],
)
def test_pace_of_a_ceiling_once_the_year_is_over(as_of, ytd, status):
    result = pace(
        year_to_date=D(ytd),
        annual_target=D(100),
        comparator=LTE,
        year=2024,
        as_of=as_of,
    )

    assert result.expected == D(100)
    assert result.status == status


@pytest.mark.parametrize(("comparator", "status"), [(GTE, Status.ON_TRACK), (LTE, Status.ON_TRACK)])
def test_pace_before_the_year_expects_nothing(comparator, status):
    result = pace(
        year_to_date=D(0),
        annual_target=D(800),
        comparator=comparator,
        year=2024,
        as_of=date(2023, 12, 1),
    )

    assert result == Pace(expected=D(0), ratio=None, status=status)


@pytest.mark.parametrize("comparator", list(Comparator))
def test_pace_without_year_to_date_is_no_data_but_still_shows_the_expected_pace(
    comparator,
):
    result = pace(
        year_to_date=None,
        annual_target=D(800),
        comparator=comparator,
        year=2024,
        as_of=MID_2024,
    )

    assert result == Pace(expected=D(400), ratio=None, status=Status.NO_DATA)


@pytest.mark.parametrize("comparator", list(Comparator))
@pytest.mark.parametrize("ytd", [None, D(500)])
def test_pace_without_annual_target_is_no_data(comparator, ytd):
    result = pace(
        year_to_date=ytd,
        annual_target=None,
        comparator=comparator,
        year=2024,
        as_of=MID_2024,
    )

    assert result == Pace(expected=None, ratio=None, status=Status.NO_DATA)


@pytest.mark.parametrize(("ytd", "status"), [("0", Status.MET), ("5", Status.MET)])
def test_pace_against_a_zero_target_has_no_ratio(ytd, status):
    result = pace(
        year_to_date=D(ytd),
        annual_target=D(0),
        comparator=GTE,
        year=2024,
        as_of=MID_2024,
    )

    assert result == Pace(expected=D(0), ratio=None, status=status)


def test_pace_rejects_an_unknown_comparator():
    with pytest.raises(ValueError, match="comparator"):
        pace(
            year_to_date=D(1),
            annual_target=D(1),
            comparator="gt",
            year=2024,
            as_of=MID_2024,
        )


@pytest.mark.parametrize(
    ("quarters", "as_of", "status"),
    [
        # Jiaxing Port District, new skilled workers >= 800 in 2024, reported per quarter.
        (["150", "260"], date(2024, 7, 1), Status.ON_TRACK),
        (["150", "240"], date(2024, 7, 1), Status.BEHIND),
        (["150", None], date(2024, 7, 1), Status.BEHIND),
        (["300", "260", "250"], date(2024, 10, 1), Status.MET),
        ([None, None], date(2024, 7, 1), Status.NO_DATA),
    ],
)
def test_pace_of_quarterly_flow_reports(quarters, as_of, status):
    ytd = year_to_date(_decimals(quarters), time_nature=FLOW)

    result = pace(year_to_date=ytd, annual_target=D(800), comparator=GTE, year=2024, as_of=as_of)

    assert result.status == status


# --- growth and period_change ---------------------------------------------------------------------

GROWTH_CASES = [
    # The seed text's new skilled workers: +61.02%.
    pytest.param(D("1610.2"), D("1000"), D("0.6102"), id="seed-plus-61.02-percent"),
    pytest.param(D("1288"), D("800"), D("0.61"), id="doubled-short"),
    pytest.param(D("1600"), D("800"), D(1), id="doubled"),
    pytest.param(D("600"), D("800"), D("-0.25"), id="decline"),
    pytest.param(D("800"), D("800"), D(0), id="no-change"),
    pytest.param(D("0"), D("800"), D(-1), id="fell-to-zero"),
    pytest.param(D("3.2"), D("4"), D("-0.2"), id="percentage-points-base"),
    pytest.param(D("5"), D("0"), None, id="from-zero"),
    pytest.param(D("0"), D("0"), None, id="zero-to-zero"),
    pytest.param(None, D("800"), None, id="no-current"),
    pytest.param(D("800"), None, None, id="no-previous"),
    pytest.param(None, None, None, id="neither"),
    pytest.param(None, D("0"), None, id="no-current-zero-previous"),
]


@pytest.mark.parametrize(("current", "previous", "expected"), GROWTH_CASES)
def test_growth(current, previous, expected):
    assert growth(current=current, previous=previous) == expected


@pytest.mark.parametrize(("current", "previous", "expected"), GROWTH_CASES)
def test_period_change_follows_the_same_rule_as_growth(current, previous, expected):
    assert period_change(current=current, previous=previous) == expected


def test_seed_growth_prints_as_61_02_percent():
    assert as_percent(growth(current=D("1610.2"), previous=D("1000")), places=2) == D("61.02")


def test_growth_is_exact_not_rounded():
    result = growth(current=D(4), previous=D(3))

    assert result == D(1) / D(3)
    assert as_percent(result, places=2) == D("33.33")


# --- rollup ---------------------------------------------------------------------------------------


def _inputs(*values: str | None, counted: tuple[str | None, ...] = ()) -> list[RollupInput]:
    own = [RollupInput(value=None if value is None else D(value)) for value in values]
    zones = [
        RollupInput(value=None if value is None else D(value), counted_in_parent=True)
        for value in counted
    ]
    return own + zones


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RollupRule.SUM, D(60)),
        (RollupRule.MEAN, D(20)),
        (RollupRule.MAX, D(30)),
        (RollupRule.MIN, D(10)),
        (RollupRule.NONE, None),
    ],
)
def test_rollup_rules_skip_missing_values_and_zones_already_counted(rule, expected):
    # The zone's 100 is already inside one of the counties' figures and is larger than all of them,
    # so counting it would change every rule's result.
    values = _inputs("10", "20", None, "30", counted=("100", None))

    assert rollup(values, rule=rule) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RollupRule.SUM, D(160)),
        (RollupRule.MEAN, D(40)),
        (RollupRule.MAX, D(100)),
        (RollupRule.MIN, D(10)),
    ],
)
def test_rollup_counts_a_zone_not_counted_elsewhere(rule, expected):
    values = [
        *_inputs("10", "20", "30"),
        RollupInput(value=D(100), counted_in_parent=False),
    ]

    assert rollup(values, rule=rule) == expected


def test_rollup_input_is_not_counted_in_parent_by_default():
    assert RollupInput(value=D(1)).counted_in_parent is False


@pytest.mark.parametrize("rule", list(RollupRule))
@pytest.mark.parametrize(
    "values",
    [
        pytest.param([], id="empty"),
        pytest.param(_inputs(None, None), id="all-missing"),
        pytest.param(_inputs(counted=("100", "200")), id="only-zones-already-counted"),
        pytest.param(_inputs(None, counted=("100",)), id="missing-and-counted"),
    ],
)
def test_rollup_of_nothing_is_none(values, rule):
    assert rollup(values, rule=rule) is None


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RollupRule.SUM, D(0)),
        (RollupRule.MEAN, D(0)),
        (RollupRule.MAX, D(0)),
        (RollupRule.MIN, D(0)),
    ],
)
def test_rollup_keeps_zero_values(rule, expected):
    result = rollup(_inputs("0", "0"), rule=rule)

    assert result is not None
    assert result == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("1", "2"), D("1.5")),
        (("1", "1", "2"), D(4) / D(3)),
        (("0.1", "0.1", "0.1"), D("0.1")),
        (("3.5", "2.8", "4.1"), D("3.466666666666666666666666667")),
    ],
)
def test_rollup_mean_is_an_exact_decimal_division(values, expected):
    result = rollup(_inputs(*values), rule=RollupRule.MEAN)

    assert result == expected
    assert isinstance(result, Decimal)


def test_rollup_mean_is_not_rounded():
    assert rollup(_inputs("1", "1", "2"), rule=RollupRule.MEAN) != D("1.33")


def test_rollup_sum_of_decimals_is_exact():
    assert rollup(_inputs("0.1", "0.2"), rule=RollupRule.SUM) == D("0.3")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RollupRule.MAX, D("-1")),
        (RollupRule.MIN, D("-7.5")),
        (RollupRule.SUM, D("-11.5")),
    ],
)
def test_rollup_of_negative_values(rule, expected):
    assert rollup(_inputs("-1", "-7.5", "-3"), rule=rule) == expected


def test_rollup_of_the_port_district_targets_into_its_county():
    # Pinghu counts Jiaxing Port District's 800 new skilled workers inside its own figure already.
    values = [
        RollupInput(value=D(3200)),  # Pinghu (including the zone)
        RollupInput(value=D(2500)),  # another county
        RollupInput(value=D(800), counted_in_parent=True),  # Jiaxing Port District
    ]

    assert rollup(values, rule=RollupRule.SUM) == D(5700)


def test_rollup_rejects_an_unknown_rule():
    with pytest.raises(ValueError, match="roll-up rule"):
        rollup(_inputs("1"), rule="median")


# --- rank -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "higher_is_better", "expected"),
    [
        # Standard competition ranking: "1224".
        (
            {"a": "30", "b": "20", "c": "20", "d": "10"},
            True,
            {"a": 1, "b": 2, "c": 2, "d": 4},
        ),
        (
            {"a": "30", "b": "20", "c": "20", "d": "10"},
            False,
            {"d": 1, "b": 2, "c": 2, "a": 4},
        ),
        # Ties at the top share first place and the next is third.
        ({"a": "5", "b": "5", "c": "3"}, True, {"a": 1, "b": 1, "c": 3}),
        ({"a": "5", "b": "5", "c": "3"}, False, {"c": 1, "a": 2, "b": 2}),
        # Several tie groups.
        (
            {"a": "5", "b": "5", "c": "3", "d": "3", "e": "3", "f": "1"},
            True,
            {"a": 1, "b": 1, "c": 3, "d": 3, "e": 3, "f": 6},
        ),
        # Everyone tied.
        ({"a": "7", "b": "7", "c": "7"}, True, {"a": 1, "b": 1, "c": 1}),
        ({"a": "7", "b": "7", "c": "7"}, False, {"a": 1, "b": 1, "c": 1}),
        # A single region.
        ({"a": "42"}, True, {"a": 1}),
        # Zero and negative values are values, not gaps.
        ({"a": "0", "b": "-2", "c": "1"}, True, {"c": 1, "a": 2, "b": 3}),
        ({"a": "0", "b": "-2", "c": "1"}, False, {"b": 1, "a": 2, "c": 3}),
        # Equal numbers written differently are a tie.
        ({"a": "1.0", "b": "1.00", "c": "2"}, True, {"c": 1, "a": 2, "b": 2}),
        # Regions without a value get no place and take no place from others.
        ({"a": None, "b": "20", "c": None, "d": "10"}, True, {"b": 1, "d": 2}),
        ({"a": None, "b": "20", "c": None, "d": "10"}, False, {"d": 1, "b": 2}),
    ],
)
def test_rank(values, higher_is_better, expected):
    result = rank(
        {key: None if value is None else D(value) for key, value in values.items()},
        higher_is_better=higher_is_better,
    )

    assert result == expected


@pytest.mark.parametrize("higher_is_better", [True, False])
@pytest.mark.parametrize("values", [{}, {"a": None}, {"a": None, "b": None}])
def test_rank_of_nothing_is_empty(values, higher_is_better):
    assert rank(values, higher_is_better=higher_is_better) == {}


def test_rank_is_ordered_by_place_then_input_order():
    result = rank(
        {"d": D(10), "c": D(20), "a": D(30), "b": D(20)},
        higher_is_better=True,
    )

    assert list(result.items()) == [("a", 1), ("c", 2), ("b", 2), ("d", 4)]


def test_rank_keeps_the_callers_keys():
    # Region ids, as a selector would pass them.
    result = rank({330482: D(800), 330481: D(1200), 330402: None}, higher_is_better=True)

    assert result == {330481: 1, 330482: 2}


def test_rank_accepts_any_hashable_key():
    result = rank({("33", 2024): D(1), ("32", 2024): D(2)}, higher_is_better=False)

    assert result == {("33", 2024): 1, ("32", 2024): 2}


def test_rank_of_jiaxing_port_district_new_skilled_workers_among_siblings():
    # The district's 1288 new skilled workers (+61% on 800) against three sibling zones.
    values = {
        "jiaxing-port": D(1288),
        "zhapu": D(900),
        "zone-c": D(1288),
        "zone-d": None,
    }

    assert rank(values, higher_is_better=True) == {
        "jiaxing-port": 1,
        "zone-c": 1,
        "zhapu": 3,
    }


# --- as_percent -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "places", "expected"),
    [
        (D("1.2"), 1, "120.0"),
        (D("0.6102"), 2, "61.02"),
        (D("0.6102"), 1, "61.0"),
        (D("1"), 1, "100.0"),
        (D("0"), 1, "0.0"),
        (D("0.5"), 0, "50"),
        # Half up, not the bankers' rounding Decimal does by default.
        (D("0.0125"), 1, "1.3"),
        (D("0.985"), 0, "99"),
        (D("0.12345"), 2, "12.35"),
        (D("0.99875"), 1, "99.9"),
        (D("0.99950"), 1, "100.0"),
        # Negative growth rounds away from zero on a half.
        (D("-0.25"), 1, "-25.0"),
        (D("-0.0125"), 1, "-1.3"),
        (D(1) / D(3), 1, "33.3"),
        (D(2) / D(3), 2, "66.67"),
        (D("12.3456"), 3, "1234.560"),
    ],
)
def test_as_percent(ratio, places, expected):
    result = as_percent(ratio, places=places)

    assert result == D(expected)
    # The number of decimals is part of how official reports print it.
    assert str(result) == expected


def test_as_percent_defaults_to_one_decimal():
    assert str(as_percent(D("0.6102"))) == "61.0"


@pytest.mark.parametrize("places", [0, 1, 2])
def test_as_percent_of_none_is_none(places):
    assert as_percent(None, places=places) is None
