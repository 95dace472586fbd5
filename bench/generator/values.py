"""The figures: each indicator's quarterly values per region (flows with a season, stocks that
grow, parents following their children by the roll-up rule, ranks, milestones), and the yearly
targets near them."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from programs.choices import Comparator, Direction, IndicatorKind, RollupRule, TimeNature

from .catalog import IndicatorSpec
from .shape import QUARTERS
from .tree import Node

SEASON = (0.2, 0.25, 0.24, 0.31)  # a year's flow by quarter: slow start, busy year end


def _walk_ranks(
    nodes: list[Node], members: list[int], periods: int, rng: random.Random
) -> dict[int, list[float]]:
    """Places among siblings, drifting over time; the province's place among 31 provinces."""
    member_set = set(members)
    values: dict[int, list[float]] = {}
    root = members[0]
    place = rng.randint(3, 20)
    values[root] = []
    for _ in range(periods):
        if rng.random() < 0.15:
            place = min(31, max(1, place + rng.choice((-1, 1))))
        values[root].append(place)
    for parent in members:
        group = [c for c in nodes[parent].children if c in member_set]
        if not group:
            continue
        scores = {c: rng.gauss(0, 1) for c in group}
        for c in group:
            values[c] = []
        for _ in range(periods):
            for c in group:
                scores[c] += rng.gauss(0, 0.15)
            for place, c in enumerate(sorted(group, key=lambda c: -scores[c]), 1):
                values[c].append(place)
    return values


def _milestones(
    members: list[int], years: int, periods: int, rng: random.Random
) -> tuple[dict[int, list[float]], dict[int, int]]:
    """0 until the quarter the milestone is done, then 1; and the year index it is due."""
    values, due = {}, {}
    for index in members:
        due_year = rng.randint(1, years - 1) if years > 1 else 0
        draw = rng.random()
        if draw < 0.7:
            done = rng.randint(max(0, QUARTERS * due_year - QUARTERS), QUARTERS * due_year + 3)
        elif draw < 0.9:
            done = QUARTERS * due_year + QUARTERS + rng.randint(0, 3)
        else:
            done = periods
        values[index] = [1 if t >= done else 0 for t in range(periods)]
        due[index] = due_year
    return values, due


def _leaf(spec: IndicatorSpec, node: Node, years: int, rng: random.Random) -> list[float]:
    additive = spec.rollup == RollupRule.SUM
    size = node.weight if additive else rng.lognormvariate(0, 0.3)
    periods = years * QUARTERS
    higher = spec.direction == Direction.HIGHER_BETTER
    if spec.kind == IndicatorKind.PERCENTAGE:
        start = spec.base + rng.uniform(-8, 8) * (spec.base / 50 if spec.base < 50 else 1)
        drift = spec.growth * rng.uniform(0.5, 1.5) / QUARTERS
        ceiling = 100.0 if spec.capped else 1000.0
        return [
            min(ceiling, max(0.0, start + drift * t + rng.gauss(0, 0.4))) for t in range(periods)
        ]
    growth = spec.growth + rng.gauss(0, 0.03)
    if spec.time_nature == TimeNature.FLOW:
        base = spec.base * size * rng.uniform(0.8, 1.2)
        values = []
        for year in range(years):
            annual = base * (1 + growth) ** year * max(0.2, 1 + rng.gauss(0, 0.06))
            for share in SEASON:
                values.append(annual * share * max(0.1, 1 + rng.gauss(0, 0.1)))
        if spec.kind == IndicatorKind.COUNT:  # whole numbers whose sum keeps the expected size
            return [math.floor(x + rng.random()) for x in values]
        return values
    level = spec.base * size * rng.uniform(0.7, 1.3)
    offset = rng.random()  # a region's own rounding, so small stocks do not flicker
    values, previous = [], 0.0
    for t in range(periods):
        x = level * (1 + growth) ** (t / QUARTERS) * (1 + rng.gauss(0, 0.015))
        if spec.kind == IndicatorKind.COUNT:
            x = math.floor(x + offset)
        if higher:  # a stock that is built up does not shrink
            x = max(x, previous)
        values.append(x)
        previous = x
    return values


def _aggregate(
    spec: IndicatorSpec, parts: list[list[float]], rng: random.Random, *, province: bool
) -> list[float]:
    """A parent's own figure from its children's, by the roll-up rule, plus a little of its own."""
    columns = list(zip(*parts, strict=True))
    rule = spec.rollup
    if rule == RollupRule.SUM:
        extra = 1 + rng.uniform(0, 0.02 if province else 0.05)
        values = [sum(column) * extra for column in columns]
    elif rule == RollupRule.MEAN:
        values = [sum(c) / len(c) * (1 + rng.gauss(0, 0.01)) for c in columns]
    elif rule == RollupRule.MAX:
        extra = 1 + rng.uniform(0, 0.05)
        values = [max(c) * extra for c in columns]
    else:
        extra = 1 - rng.uniform(0, 0.05)
        values = [min(c) * extra for c in columns]
    if spec.kind == IndicatorKind.PERCENTAGE and spec.capped:
        values = [min(100.0, v) for v in values]
    if spec.kind == IndicatorKind.COUNT:
        return [math.floor(v + 0.5) for v in values]
    return values


@dataclass
class Series:
    members: list[int]  # the regions reporting the indicator, top-down
    values: dict[int, list[float]]
    milestone_due: dict[int, int] = field(default_factory=dict)


def indicator_series(
    spec: IndicatorSpec, nodes: list[Node], years: int, rng: random.Random
) -> Series:
    periods = years * QUARTERS
    members = [i for i, node in enumerate(nodes) if node.level <= spec.lowest_level]
    if spec.kind == IndicatorKind.RANK:
        return Series(members, _walk_ranks(nodes, members, periods, rng))
    if spec.kind == IndicatorKind.MILESTONE:
        values, due = _milestones(members, years, periods, rng)
        return Series(members, values, due)
    member_set = set(members)
    values: dict[int, list[float]] = {}
    for index in reversed(members):
        node = nodes[index]
        parts = [
            values[c] for c in node.children if c in member_set and not nodes[c].counted_in_parent
        ]
        if parts and spec.rollup != RollupRule.NONE:
            values[index] = _aggregate(spec, parts, rng, province=node.parent is None)
        else:
            values[index] = _leaf(spec, node, years, rng)
    return Series(members, values)


def format_value(spec: IndicatorSpec, value: float) -> str:
    if spec.decimals == 0:
        return str(int(value))
    return f"{max(0.0, value):.{spec.decimals}f}"


def year_figure(spec: IndicatorSpec, values: list[float], year: int) -> float:
    """The year's figure from its quarters: a flow adds up, a stock is the Q4 level."""
    quarters = values[year * QUARTERS : (year + 1) * QUARTERS]
    return sum(quarters) if spec.time_nature == TimeNature.FLOW else quarters[-1]


def round_target(spec: IndicatorSpec, value: float) -> float:
    """A target as plans state it: round numbers."""
    if spec.kind == IndicatorKind.PERCENTAGE:
        value = round(value, 1)
        return min(100.0, value) if spec.capped else value
    if spec.decimals:
        return round(value, spec.decimals)
    if value >= 1000:
        value = round(value, 1 - int(math.log10(value)))
    elif value >= 100:
        value = round(value, -1)
    value = round(value)
    return max(1, value) if spec.comparator == Comparator.GTE else value


def target_values(
    spec: IndicatorSpec, series: Series, index: int, year: int, rng: random.Random
) -> tuple[str, str, str | None] | None:
    """(comparator, value, baseline) of a region's target for a year, or None for no target."""
    values = series.values[index]
    if spec.kind == IndicatorKind.MILESTONE:
        return (Comparator.EQ, "1", None) if series.milestone_due[index] == year else None
    if spec.kind == IndicatorKind.RANK:
        place = int(values[year * QUARTERS - 1] if year else values[0])
        if spec.comparator == Comparator.LTE:
            place = max(1, place - rng.randint(0, 1))
        return spec.comparator, str(place), None
    actual = year_figure(spec, values, year)
    low, high = (0.95, 1.15) if spec.comparator == Comparator.LTE else (0.88, 1.12)
    value = round_target(spec, actual * rng.uniform(low, high))
    baseline = format_value(spec, year_figure(spec, values, year - 1)) if year else None
    return spec.comparator, format_value(spec, value), baseline
