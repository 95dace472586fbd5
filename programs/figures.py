"""Derived figures: completion, pace, growth, roll-up and ranking (DESIGN.md, "Derived figures").

Pure functions over plain values, so that every number a dashboard shows can be tested without a
database. All values are ``Decimal``; ``None`` always means "not known" and never counts as zero.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, pgettext

from programs.choices import (
    Comparator,
    Direction,
    IndicatorKind,
    RollupRule,
    Status,
    TimeNature,
)

__all__ = [
    "COMPARATOR_SIGNS",
    "Completion",
    "Pace",
    "RollupInput",
    "as_percent",
    "bounded_text",
    "cascade_gap",
    "cascade_message",
    "change",
    "change_text",
    "chart_number",
    "comparator_sign",
    "completion",
    "completion_bound",
    "expected_pace",
    "figure_text",
    "growth",
    "growth_bound",
    "is_ceiling",
    "pace",
    "period_change",
    "plain_number",
    "plan_completion_bound",
    "rank",
    "rollup",
    "rollup_is_lower_bound",
    "signed_percent_text",
    "target_text",
    "value_text",
    "year_to_date",
]

K = TypeVar("K", bound=Hashable)

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


# --- Completion -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """How an actual value stands against its target."""

    ratio: Decimal | None  # actual/target as a fraction (1.2 == 120%); None where it means nothing
    met: bool | None  # None when there is no actual or no target
    # MET / NOT_MET; NO_TARGET for a value without a target, NO_DATA without a value; ON_TRACK
    # and BEHIND come only from pace()
    status: Status


_NO_COMPLETION = Completion(ratio=None, met=None, status=Status.NO_DATA)
_NO_TARGET = Completion(ratio=None, met=None, status=Status.NO_TARGET)


def _meets(*, actual: Decimal, target: Decimal, comparator: Comparator) -> bool:
    if comparator == Comparator.GTE:
        return actual >= target
    if comparator == Comparator.LTE:
        return actual <= target
    if comparator == Comparator.EQ:
        return actual == target
    raise ValueError(f"unknown comparator: {comparator!r}")


def _completion_ratio(
    *, actual: Decimal, target: Decimal, comparator: Comparator
) -> Decimal | None:
    if comparator == Comparator.LTE:
        # Lower is better: beating a ceiling of 3.5% with 2.8% is 125%, so the ratio is inverted.
        # A zero actual would be an infinite share, and negative values invert the meaning.
        if actual <= 0 or target < 0:
            return None
        return target / actual
    # A share of a zero or negative target says nothing about how far along the region is.
    if target <= 0:
        return None
    return actual / target


def completion(
    *,
    actual: Decimal | None,
    target: Decimal | None,
    comparator: Comparator,
    kind: IndicatorKind,
) -> Completion:
    """Completion of one indicator against its target.

    Counts, amounts and percentages get a ratio oriented so that above 1 is always better than
    the target: actual/target when higher is better (gte, eq), target/actual when the target is a
    ceiling (lte). Ranks and milestones are only met or not: "third place of a top 3" is not 100%.
    A milestone is done when its actual is 1, whatever its target says. Without an actual there
    is no data ("暂无数据"); an actual without a target has none to meet ("未设目标").
    """
    if actual is None:
        return _NO_COMPLETION
    if target is None:
        return _NO_TARGET

    if kind == IndicatorKind.MILESTONE and comparator in (Comparator.GTE, Comparator.EQ):
        met = actual >= _ONE
    else:
        met = _meets(actual=actual, target=target, comparator=comparator)

    if kind in (IndicatorKind.RANK, IndicatorKind.MILESTONE):
        ratio = None
    else:
        ratio = _completion_ratio(actual=actual, target=target, comparator=comparator)

    return Completion(ratio=ratio, met=met, status=Status.MET if met else Status.NOT_MET)


# --- Year to date and pace ------------------------------------------------------------------------


def year_to_date(values: list[Decimal | None], *, time_nature: TimeNature) -> Decimal | None:
    """The year's figure so far from its sub-period values, in order.

    A flow (new skilled workers) adds up over the periods; a stock (talent total) is what it was
    at the end of the latest period reported. Periods not reported are skipped, not taken as zero.
    """
    known = [value for value in values if value is not None]
    if not known:
        return None
    if time_nature == TimeNature.FLOW:
        return sum(known, _ZERO)
    if time_nature == TimeNature.STOCK:
        return known[-1]
    raise ValueError(f"unknown time nature: {time_nature!r}")


def _days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def expected_pace(*, annual_target: Decimal, year: int, as_of: date) -> Decimal:
    """The share of an annual target a steady pace would have reached by ``as_of``.

    The day ``as_of`` counts as done, so 31 December expects the whole target. Before the year
    nothing is expected yet and after it the whole target is.
    """
    start = date(year, 1, 1)
    if as_of < start:
        return _ZERO
    days_in_year = _days_in_year(year)
    days_done = (as_of - start).days + 1
    if days_done >= days_in_year:
        return annual_target
    return annual_target * days_done / days_in_year


@dataclass(frozen=True)
class Pace:
    """How a flow's year-to-date figure stands against the pace its annual target implies."""

    expected: Decimal | None  # the pace expected by the date; None only without an annual target
    ratio: Decimal | None  # year_to_date / expected
    status: Status  # ON_TRACK, BEHIND, MET (annual target already reached), NO_DATA


def pace(
    *,
    year_to_date: Decimal | None,
    annual_target: Decimal | None,
    comparator: Comparator,
    year: int,
    as_of: date,
) -> Pace:
    """Whether a flow indicator is on course inside the year.

    For a floor (gte, and eq, which is read as a floor until the year is over) reaching the annual
    target early is final: a flow never goes down. For a ceiling (lte) nothing is final until the
    year ends, since the rest of the year can still break the cap; until then staying under the
    expected pace is on track.
    """
    if annual_target is None:
        return Pace(expected=None, ratio=None, status=Status.NO_DATA)
    expected = expected_pace(annual_target=annual_target, year=year, as_of=as_of)
    if year_to_date is None:
        return Pace(expected=expected, ratio=None, status=Status.NO_DATA)

    ratio = year_to_date / expected if expected > 0 else None

    if comparator in (Comparator.GTE, Comparator.EQ):
        if year_to_date >= annual_target:
            status = Status.MET
        elif year_to_date >= expected:
            status = Status.ON_TRACK
        else:
            status = Status.BEHIND
    elif comparator == Comparator.LTE:
        year_is_over = as_of >= date(year, 12, 31)
        if year_to_date > expected:
            status = Status.BEHIND
        elif year_is_over:
            status = Status.MET
        else:
            status = Status.ON_TRACK
    else:
        raise ValueError(f"unknown comparator: {comparator!r}")

    return Pace(expected=expected, ratio=ratio, status=status)


# --- Growth and period change ---------------------------------------------------------------------


def growth(*, current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Year-over-year growth as a fraction (0.6102 == +61.02%).

    Growth from nothing has no meaning, so a zero previous value gives None rather than infinity.
    """
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def period_change(*, current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Change against the previous period; the same rule as year-over-year growth."""
    return growth(current=current, previous=previous)


# --- Roll-up up the region tree -------------------------------------------------------------------


@dataclass(frozen=True)
class RollupInput:
    """One child region's figure entering its parent's roll-up."""

    value: Decimal | None
    # A functional zone whose figures are already counted in another region of the same parent.
    counted_in_parent: bool = False
    # The true value is at least `value`.
    is_lower_bound: bool = False


def rollup(values: list[RollupInput], *, rule: RollupRule) -> Decimal | None:
    """A parent region's figure from its children's, by the indicator's roll-up rule.

    Zones already counted in a sibling are left out so nothing is counted twice, and children
    that have not reported are left out rather than taken as zero. Ranks and similar figures
    (rule NONE) have no parent figure at all.
    """
    if rule == RollupRule.NONE:
        return None
    known = [item.value for item in values if not item.counted_in_parent and item.value is not None]
    if not known:
        return None
    if rule == RollupRule.SUM:
        return sum(known, _ZERO)
    if rule == RollupRule.MEAN:
        return sum(known, _ZERO) / len(known)
    if rule == RollupRule.MAX:
        return max(known)
    if rule == RollupRule.MIN:
        return min(known)
    raise ValueError(f"unknown roll-up rule: {rule!r}")


def rollup_is_lower_bound(values: list[RollupInput], *, rule: RollupRule) -> bool:
    """Whether `rollup(values, rule=rule)` is itself a lower bound (the true value at least it).

    Each child's true value is at least its figure, so a sum, a mean over the same children and a
    maximum including a lower bound can only be larger in truth. A minimum is exact as soon as
    one child at the minimum is exact (the true minimum is no larger than that child's value and
    no smaller than the least figure); only when every child at the minimum is a lower bound is
    the minimum one.
    """
    known = [item for item in values if not item.counted_in_parent and item.value is not None]
    if rule == RollupRule.NONE or not known:
        return False
    if rule == RollupRule.MIN:
        least = min(item.value for item in known)
        return all(item.is_lower_bound for item in known if item.value == least)
    return any(item.is_lower_bound for item in known)


# --- Target cascade -------------------------------------------------------------------------------

MEAN_PLACES = Decimal("0.0001")  # as the roll-ups store a mean (rollups.ROLLUP_SELECT)


def cascade_gap(
    *, target: Decimal, comparator: str, direction: str, children: list[Decimal], rule: str
) -> Decimal | None:
    """The children's targets combined by `rule`, when they fall short of the region's `target`;
    None when they cover it, when there are none, or when the rule is "none"."""
    if rule == RollupRule.NONE or not children:
        return None
    combined = rollup([RollupInput(value) for value in children], rule=RollupRule(rule))
    if rule == RollupRule.MEAN:
        combined = combined.quantize(MEAN_PLACES, rounding=ROUND_HALF_UP)
    if is_ceiling(comparator, direction):
        return combined if combined > target else None
    return combined if combined < target else None


def is_ceiling(comparator: str, direction: str) -> bool:
    """A target that caps the figure ("≤", or "=" on a lower-is-better indicator)."""
    if comparator == Comparator.EQ:
        return direction == Direction.LOWER_BETTER
    return comparator == Comparator.LTE


# The shortfall in words, by roll-up rule: (below a floor, above a ceiling); translated in
# cascade_message.
_CASCADE_MESSAGES = {
    RollupRule.SUM: (
        gettext_noop(
            "Sub-regions' targets add up to %(children)s, below this region's target %(target)s"
        ),
        gettext_noop(
            "Sub-regions' targets add up to %(children)s, above this region's target %(target)s"
        ),
    ),
    RollupRule.MEAN: (
        gettext_noop(
            "Sub-regions' targets average %(children)s, below this region's target %(target)s"
        ),
        gettext_noop(
            "Sub-regions' targets average %(children)s, above this region's target %(target)s"
        ),
    ),
    RollupRule.MAX: (
        gettext_noop(
            "Sub-regions' highest target is %(children)s, below this region's target %(target)s"
        ),
        gettext_noop(
            "Sub-regions' highest target is %(children)s, above this region's target %(target)s"
        ),
    ),
    RollupRule.MIN: (
        gettext_noop(
            "Sub-regions' lowest target is %(children)s, below this region's target %(target)s"
        ),
        gettext_noop(
            "Sub-regions' lowest target is %(children)s, above this region's target %(target)s"
        ),
    ),
}


def cascade_message(*, rule: str, ceiling: bool, children: Decimal, target: Decimal) -> str:
    """A cascade gap in words: "下级目标合计 3,000，低于本级目标 10,000"."""
    below, above = _CASCADE_MESSAGES[RollupRule(rule)]
    return _(above if ceiling else below) % {
        "children": plain_number(children),
        "target": plain_number(target),
    }


# --- Ranking --------------------------------------------------------------------------------------


def rank(values: dict[K, Decimal | None], *, higher_is_better: bool) -> dict[K, int]:
    """Places of sibling regions on one indicator, in standard competition order ("1224").

    Equal values share a place and the next place is skipped, so a place always says how many
    regions did better. Regions without a value get no place. The result is ordered by place,
    ties in input order.
    """
    known = [(key, value) for key, value in values.items() if value is not None]
    known.sort(key=lambda item: item[1], reverse=higher_is_better)
    places: dict[K, int] = {}
    previous: Decimal | None = None
    place = 0
    for position, (key, value) in enumerate(known, start=1):
        if value != previous:
            place = position
            previous = value
        places[key] = place
    return places


# --- Display --------------------------------------------------------------------------------------


def as_percent(ratio: Decimal | None, *, places: int = 1) -> Decimal | None:
    """A fraction as a percentage rounded half-up, as official reports print it (1.2 → 120.0)."""
    if ratio is None:
        return None
    return (ratio * _HUNDRED).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain_number(value: Decimal | int | None) -> str:
    """A figure as officials write it: thousands separated, no trailing zeros (1,200 / 61.02)."""
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"


LOWER_BOUND_MARK = "+"  # "1,200+" in English; Chinese writes "1,200余" (see figure_text)

COMPARATOR_SIGNS: dict[str, str] = {Comparator.GTE: "≥", Comparator.LTE: "≤", Comparator.EQ: "="}


def comparator_sign(comparator: str | None) -> str:
    """The sign a plan writes before a target: ≥ 1,000, ≤ 3, = 1 ("" when unknown)."""
    return COMPARATOR_SIGNS.get(comparator, "") if comparator else ""


def figure_text(value: Decimal | int | None, *, lower_bound: bool = False) -> str:
    """A figure with its lower-bound mark in the active language: 1,200 / 1,200+ (English) /
    1,200余 (Chinese, as the sources write it) / —."""
    text = plain_number(value)
    if not lower_bound or value is None:
        return text
    return pgettext("a figure that is a lower bound", "%(value)s+") % {"value": text}


def bounded_text(text: str, bound: str) -> str:
    """A percentage with the bound it carries when computed from a lower bound: ≥120.0%."""
    return f"{bound}{text}" if bound and text != "—" else text


def completion_bound(*, is_lower_bound: bool, comparator: str | None) -> str:
    """How a completion computed from a lower-bound actual stands to the truth: the true actual
    is at least the figure, so actual/target (gte, eq) is at least the ratio ("≥") and a
    ceiling's target/actual (lte) at most ("≤"); "" for an exact actual."""
    if not is_lower_bound or not comparator:
        return ""
    return "≤" if comparator == Comparator.LTE else "≥"


def plan_completion_bound(items: list[tuple[Decimal | None, str]]) -> str:
    """The bound of a mean of completions capped at 100% from (ratio, bound) pairs: a ratio below
    100% from a lower bound can only be higher ("≥"; a capped 100% stays 100%), a ceiling's ratio
    from a lower bound only lower ("≤"); both at once, about ("≈"); "" when exact."""
    bounds = {
        bound
        for ratio, bound in items
        if ratio is not None and bound and (bound == "≤" or ratio < _ONE)
    }
    return bounds.pop() if len(bounds) == 1 else ("≈" if bounds else "")


def growth_bound(*, is_lower_bound: bool, last_year_is_lower_bound: bool) -> str:
    """How growth between two figures stands to the truth: at least ("≥") when only this year's
    figure is a lower bound, at most ("≤") when only last year's is, approximate ("≈") when both
    are (the truth could go either way); "" when both are exact."""
    if is_lower_bound and last_year_is_lower_bound:
        return "≈"
    if is_lower_bound:
        return "≥"
    return "≤" if last_year_is_lower_bound else ""


def chart_number(value: Decimal | int | None) -> int | float | None:
    """A figure as a chart's JSON number: whole numbers stay integers, None stays a gap."""
    if value is None:
        return None
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


# --- Words that match the figure ------------------------------------------------------------------


def value_text(
    value: Decimal | int | None, *, kind: str, lower_bound: bool = False, unit=""
) -> str:
    """A figure as its kind reads: "1,200余 人" (with its unit), a rank's place "第3位", a
    milestone's "已完成" / "未完成" (1 / 0 never shown); "—" without a value."""
    if value is None:
        return "—"
    if kind == IndicatorKind.MILESTONE:
        done = Decimal(value) >= _ONE
        return pgettext("milestone", "Done") if done else pgettext("milestone", "Not done")
    if kind == IndicatorKind.RANK:
        return pgettext("a place in a ranking", "No. %(place)s") % {"place": plain_number(value)}
    text = figure_text(value, lower_bound=lower_bound)
    return f"{text} {unit}" if unit else text


def target_text(comparator: str | None, value: Decimal | None, *, kind: str, unit: str = "") -> str:
    """A target as a plan writes it: "≥ 1,000 人", a rank's "前3位" / "第1位", a milestone's
    "完成"; "—" without one."""
    if value is None:
        return "—"
    if kind == IndicatorKind.MILESTONE:
        return pgettext("a milestone's target", "To be done")
    if kind == IndicatorKind.RANK:
        place = {"place": plain_number(value)}
        if comparator == Comparator.LTE:
            return pgettext("a rank target", "Top %(place)s") % place
        return pgettext("a place in a ranking", "No. %(place)s") % place
    text = f"{comparator_sign(comparator)} {plain_number(value)}".strip()
    return f"{text} {unit}" if unit else text


def change(*, kind: str, current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """A figure's change against an earlier one, in the measure its kind allows: growth as a
    fraction for counts and amounts, percentage points for a percentage (40% → 42% is +2, not
    +5%), places moved up for a rank (5th → 3rd is +2), nothing for a milestone."""
    if current is None or previous is None or kind == IndicatorKind.MILESTONE:
        return None
    if kind == IndicatorKind.RANK:
        return previous - current
    if kind == IndicatorKind.PERCENTAGE:
        return current - previous
    return growth(current=current, previous=previous)


def signed_percent_text(ratio: Decimal | None, *, places: int = 1) -> str:
    """Growth with its sign: 0.6102 → +61.0% ("—" for None)."""
    if ratio is None:
        return "—"
    return f"{as_percent(Decimal(ratio), places=places):+,.{places}f}%"


def change_text(value: Decimal | None, *, kind: str, bound: str = "") -> str:
    """`change()` in words: "+15.4%", "+2.1个百分点", "上升2位" / "下降1位" / "名次不变"; "—"."""
    if value is None:
        return "—"
    if kind == IndicatorKind.RANK:
        places = abs(int(value))
        if value > 0:
            return ngettext("up %(n)d place", "up %(n)d places", places) % {"n": places}
        if value < 0:
            return ngettext("down %(n)d place", "down %(n)d places", places) % {"n": places}
        return _("same place")
    if kind == IndicatorKind.PERCENTAGE:
        points = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return bounded_text(
            pgettext("percentage points", "%(points)s pp") % {"points": f"{points:+,.1f}"}, bound
        )
    return bounded_text(signed_percent_text(value), bound)
