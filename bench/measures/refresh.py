"""The roll-up refresh (P5): `rollups.refresh_all()` against rollups' one INSERT … SELECT run
alone into an unindexed scratch table."""

from __future__ import annotations

import time

from django.db import connection

from programs import rollups
from programs.models import RegionFigure

from .common import check_deferred_constraints, median, rolled_back, vacuum

SCRATCH_FIGURES = "bench_regionfigure"
FIGURE_COLUMNS = rollups.COLUMNS


def single_statement_refresh_sql() -> str:
    """rollups.rebuild_query (own figures and roll-ups through every level in one INSERT …
    SELECT), aimed at the scratch table: the same rows, without the real table's old rows and
    index to maintain."""
    query = rollups.rebuild_query(rollups.tree_depth())
    return f"INSERT INTO {SCRATCH_FIGURES} ({FIGURE_COLUMNS})\n{query}"


SIGNATURE_SQL = (
    "SELECT count(*), sum(value), sum(rollup), count(approved_at), "
    "sum(CASE WHEN is_lower_bound THEN 1 ELSE 0 END), "
    "sum(CASE WHEN rollup_is_lower_bound THEN 1 ELSE 0 END) FROM {table}"
)


def _signature(table: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(SIGNATURE_SQL.format(table=connection.ops.quote_name(table)))
        return tuple(cursor.fetchone())


def refresh_figures(*, repeat: int) -> dict:
    """P5: refresh_all() and the single statement, alternately, each in a rolled-back transaction
    (deferred foreign-key checks included, as a commit would run them)."""
    full, floor, signatures = [], [], {}
    sql = single_statement_refresh_sql()
    table = RegionFigure._meta.db_table
    for _ in range(repeat):
        vacuum(table)
        with rolled_back():
            start = time.perf_counter()
            rollups.refresh_all()
            check_deferred_constraints()
            full.append(time.perf_counter() - start)
            signatures["refresh_all"] = _signature(table)
        vacuum(table)
        with rolled_back(), connection.cursor() as cursor:
            # A logged table like the real one (not TEMP: no WAL would flatter the floor).
            cursor.execute(
                f"CREATE TABLE {SCRATCH_FIGURES} AS SELECT {FIGURE_COLUMNS} "  # noqa: S608 - constants
                f"FROM {table} WITH NO DATA"
            )
            start = time.perf_counter()
            cursor.execute(sql)
            floor.append(time.perf_counter() - start)
            signatures["single_statement"] = _signature(SCRATCH_FIGURES)
    return {
        "refresh_all": median(full),
        "single_statement": median(floor),
        "rows": signatures["refresh_all"][0],
        "same_rows": signatures["refresh_all"] == signatures["single_statement"],
    }
