"""Generating the province: everything in one transaction, then the dashboards' figures."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from programs import demo, rollups
from programs.choices import ReportState
from programs.models import ProgressReport, RegionFigure, Target
from regions.choices import RegionKind, RegionLevel

from .bulk import TableWriter, foreign_keys_suspended
from .catalog import indicator_specs
from .clearing import clear_province, province_exists
from .reports import REPORT_COLUMNS, TARGET_COLUMNS, latest_states, report_tails, write_indicator
from .saving import quarter_period, save_catalog, save_officials, save_regions
from .shape import Shape, default_last_year, province_shape
from .tree import build_tree
from .values import indicator_series


class ProvinceExists(Exception):
    """A generated province is there already; pass clear=True to replace it."""


@dataclass
class GenerationResult:
    shape: Shape
    regions: dict[str, int] = field(default_factory=dict)
    indicators: int = 0
    programs: int = 0
    plans: int = 0
    targets: int = 0
    reports: dict[str, int] = field(default_factory=dict)
    cleared_reports: int = 0
    method: str = ""
    seconds: float = 0.0

    @property
    def report_count(self) -> int:
        return sum(self.reports.values())


def generate_province(
    *,
    scale: float = 1.0,
    seed: int = 1,
    last_year: int | None = None,
    clear: bool = False,
    log: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Build the synthetic province in one transaction (see the module docstring)."""
    started = time.monotonic()
    shape = province_shape(scale)
    last_year = last_year or default_last_year()
    log = log or (lambda message: None)
    result = GenerationResult(shape=shape)
    big_tables = [ProgressReport, Target]
    with transaction.atomic(), connection.cursor() as cursor:
        if province_exists() and not clear:
            raise ProvinceExists
        with foreign_keys_suspended(cursor, big_tables):
            if province_exists():
                result.cleared_reports = clear_province()
                log(f"cleared the previous province ({result.cleared_reports} reports)")
            _generate(cursor, result, seed=seed, last_year=last_year, log=log)
            log("checking the foreign keys")
        log("rebuilding the dashboards' figures")
        rollups.refresh_all()
        if connection.vendor == "postgresql":
            tables = ", ".join(
                connection.ops.quote_name(m._meta.db_table) for m in [*big_tables, RegionFigure]
            )
            cursor.execute(f"ANALYZE {tables}")  # fresh statistics for the benchmarks' plans
    result.seconds = time.monotonic() - started
    return result


def _generate(
    cursor, result: GenerationResult, *, seed: int, last_year: int, log: Callable[[str], None]
) -> None:
    shape = result.shape
    first_year = last_year - shape.years + 1

    def stream(name: str) -> random.Random:
        # One stream per purpose, so changing one part leaves the others' numbers alone.
        return random.Random(f"{seed}:{name}")  # noqa: S311 - test data, not secrets

    nodes = build_tree(shape, stream("tree"))
    save_regions(nodes)
    for node in nodes:
        key = RegionLevel(node.level).name.lower()
        key += "_zone" if node.kind == RegionKind.ZONE else ""
        result.regions[key] = result.regions.get(key, 0) + 1
    reporter, reviewer = save_officials(nodes)
    specs = indicator_specs()
    indicator_ids, primary_plan, result.programs, result.plans = save_catalog(
        specs, first_year, last_year, stream("catalog")
    )
    result.indicators = len(specs)
    years = range(first_year, last_year + 1)
    year_periods = [demo.year_period(year) for year in years]
    periods = [quarter_period(year, number) for year in years for number in (1, 2, 3, 4)]
    log(f"{len(nodes)} regions, {len(specs)} indicators, {len(periods)} quarters")

    counts = dict.fromkeys(ReportState.values, 0)
    reports = TableWriter(cursor, ProgressReport, REPORT_COLUMNS)
    targets = TableWriter(cursor, Target, TARGET_COLUMNS)
    states = latest_states(nodes, stream("states"))
    tails = report_tails(reports, nodes, periods, reporter, reviewer, states, stream("times"))
    for number, spec in enumerate(specs, 1):
        rng = stream(spec.code)
        write_indicator(
            spec=spec,
            series=indicator_series(spec, nodes, shape.years, rng),
            indicator_id=indicator_ids[spec.code],
            plan_id=primary_plan[spec.code],
            nodes=nodes,
            tails=tails,
            states=states,
            reports=reports,
            targets=targets,
            year_periods=year_periods,
            rng=rng,
            counts=counts,
        )
        if number % 10 == 0:
            log(f"{number} indicators, {reports.count + len(reports.buffer)} reports")
    reports.flush()
    targets.flush()
    result.reports = counts
    result.targets = targets.count
    result.method = "COPY" if reports.use_copy else "INSERT"
