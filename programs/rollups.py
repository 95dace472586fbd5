"""The precomputed figures behind the dashboards (`RegionFigure`), rebuilt from approved reports.

The rules, in SQL that PostgreSQL and SQLite both run:
- own figures (OWN_CTES, OWN_SELECT): each region's figure per indicator and year. A year report
  wins; otherwise the finest kind of sub-period reported is skipped for the coarsest (quarters and
  halves of a year overlap): a flow adds up its periods, a stock takes the latest —
  `figures.year_to_date`'s rule;
- roll-ups (ROLLUP_SELECT): each parent's figure from its children's, by the indicator's rule,
  leaving out zones already counted in their county — `figures.rollup`'s rule.

`refresh(keys)` recomputes the rows an approval or reopening touched, inside its transaction, so
the public never sees a figure without its roll-up (OWN_SQL, then ROLLUP_SQL upserting over the
table); `refresh_all()` rebuilds the table (nightly, and after bulk loads) with REBUILD_SQL, one
INSERT … SELECT computing both (on SQLite before 3.39, which lacks FULL JOIN, with OWN_SQL and
ROLLUP_SQL unscoped). tests/programs/test_rollups.py checks both against the pure
functions and against each other.
"""

import sqlite3
from collections.abc import Iterable

from django.db import connection, transaction

from regions.models import Region

from .models import ProgressReport

TABLE = "programs_regionfigure"
COLUMNS = "region_id, indicator_id, year, value, is_lower_bound, approved_at, rollup"

OWN_CTES = """approved AS (
    SELECT r.region_id, r.indicator_id, p.year, p.number, r.value, r.reviewed_at,
           CASE WHEN r.is_lower_bound THEN 1 ELSE 0 END AS lower_bound,
           i.time_nature,
           CASE p.kind WHEN 'year' THEN 0 WHEN 'half' THEN 1 WHEN 'quarter' THEN 2 ELSE 3 END
               AS grain,
           MIN(CASE p.kind WHEN 'year' THEN 0 WHEN 'half' THEN 1 WHEN 'quarter' THEN 2 ELSE 3 END)
               OVER (PARTITION BY r.region_id, r.indicator_id, p.year) AS coarsest
    FROM programs_progressreport r
    JOIN programs_reportingperiod p ON p.id = r.period_id
    JOIN programs_indicator i ON i.id = r.indicator_id
    WHERE r.state = 'approved' {scope}
), used AS (
    SELECT approved.*, ROW_NUMBER() OVER (
        PARTITION BY region_id, indicator_id, year ORDER BY number DESC
    ) AS from_last
    FROM approved WHERE grain = coarsest
)"""

OWN_SELECT = """SELECT region_id, indicator_id, year,
       CASE WHEN MAX(time_nature) = 'stock' THEN MAX(CASE WHEN from_last = 1 THEN value END)
            ELSE SUM(value) END AS value,
       MAX(lower_bound) = 1 AS is_lower_bound, MAX(reviewed_at) AS approved_at
FROM used
GROUP BY region_id, indicator_id, year"""

# Over {figures}: the table (incremental refresh) or the own figures' CTE (full rebuild).
ROLLUP_SELECT = """SELECT child.parent_id AS region_id, f.indicator_id, f.year,
       CASE i.rollup WHEN 'sum' THEN SUM(f.value) WHEN 'mean' THEN AVG(f.value)
                     WHEN 'max' THEN MAX(f.value) WHEN 'min' THEN MIN(f.value) END AS rollup
FROM {figures} f
JOIN regions_region child ON child.id = f.region_id
JOIN programs_indicator i ON i.id = f.indicator_id
WHERE child.parent_id IS NOT NULL AND NOT child.counted_in_parent AND f.value IS NOT NULL
      AND i.rollup <> 'none' {scope}
GROUP BY child.parent_id, f.indicator_id, f.year, i.rollup"""

# Statement texts hold only table and column names and %s placeholders: every id is a parameter.
# OWN_SQL and ROLLUP_SQL take a `scope` (an `AND …` condition, or "" for everything).
OWN_SQL = (
    f"INSERT INTO {TABLE} (region_id, indicator_id, year, value, is_lower_bound, approved_at)\n"
    f"WITH {OWN_CTES}\n{OWN_SELECT}\n"
)

ROLLUP_SQL = (
    f"INSERT INTO {TABLE} ({COLUMNS})\n"
    "SELECT region_id, indicator_id, year, NULL, FALSE, NULL, rollup FROM (\n"
    f"{ROLLUP_SELECT.replace('{figures}', TABLE)}\n"
    # WHERE: without it SQLite would read ON CONFLICT as the join's ON.
    ") rolled WHERE TRUE\n"
    "ON CONFLICT (region_id, indicator_id, year) DO UPDATE SET rollup = excluded.rollup\n"
)

# The whole table in one pass: own figures and roll-ups side by side, merged by a full join. The
# INSERT line is apart so that the benchmark can aim the same query at its scratch table (P5).
REBUILD_INSERT = f"INSERT INTO {TABLE} ({COLUMNS})\n"
REBUILD_QUERY = (
    f"WITH {OWN_CTES.format(scope='')},\nown AS (\n{OWN_SELECT}\n),\n"
    f"rolled AS (\n{ROLLUP_SELECT.format(figures='own', scope='')}\n)\n"
    "SELECT COALESCE(o.region_id, r.region_id), COALESCE(o.indicator_id, r.indicator_id),\n"
    "       COALESCE(o.year, r.year), o.value, COALESCE(o.is_lower_bound, FALSE),\n"
    "       o.approved_at, r.rollup\n"
    "FROM own o FULL JOIN rolled r ON r.region_id = o.region_id\n"
    "    AND r.indicator_id = o.indicator_id AND r.year = o.year\n"
)
REBUILD_SQL = REBUILD_INSERT + REBUILD_QUERY


def _in(column: str, ids: set[int]) -> tuple[str, list[int]]:
    """`column IN (%s, …)` with its parameters."""
    ids = sorted(ids)
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def _scope(**columns: set[int]) -> tuple[str, list[int]]:
    parts = [_in(column.replace("__", "."), ids) for column, ids in columns.items()]
    return " AND ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


# One refresh at a time (PostgreSQL; SQLite has one writer anyway): two approvals under one
# parent would otherwise both insert its row, or each roll it up from a snapshot without the
# other's child. Held until the transaction ends, so each refresh sees the previous one's rows.
LOCK_KEY = 7_261_001


def _serialize(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _has_full_join() -> bool:
    # SQLite has had FULL JOIN since 3.39 (2022); the SQLite of Ubuntu 22.04 or RHEL 9 is older.
    return connection.vendor != "sqlite" or sqlite3.sqlite_version_info >= (3, 39)


@transaction.atomic
def refresh_all() -> int:
    """Rebuild every figure; returns the number of rows. One transaction: until it commits,
    readers keep seeing the previous figures (never an empty or half-built table)."""
    with connection.cursor() as cursor:
        _serialize(cursor)
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - a constant
        if _has_full_join():
            cursor.execute(REBUILD_SQL)
            return cursor.rowcount
        # The same table in two passes: own figures, then the roll-ups upserted over them.
        cursor.execute(OWN_SQL.format(scope=""))
        cursor.execute(ROLLUP_SQL.format(scope=""))
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608 - a constant
        return cursor.fetchone()[0]


@transaction.atomic
def refresh(reports: Iterable[ProgressReport]) -> None:
    """Recompute the figures of these reports' regions, indicators and years, and the roll-ups
    that depend on them (a few keys too many are harmless: they are recomputed alike)."""
    keys = {(r.region_id, r.indicator_id, r.period.year) for r in reports}
    if not keys:
        return
    regions = {region for region, _, _ in keys}
    indicators = {indicator for _, indicator, _ in keys}
    years = {year for _, _, year in keys}
    # Roll-ups to redo: the parents' (a child changed) and the regions' own (their rows are
    # rebuilt below, and a rebuilt row starts without its roll-up).
    rolled = regions | set(
        Region.objects.filter(pk__in=regions, parent__isnull=False).values_list(
            "parent_id", flat=True
        )
    )
    touched, touched_params = _scope(region_id=regions, indicator_id=indicators, year=years)
    own, own_params = _scope(r__region_id=regions, r__indicator_id=indicators, p__year=years)
    parents, parents_params = _scope(region_id=rolled, indicator_id=indicators, year=years)
    children, children_params = _scope(
        child__parent_id=rolled, f__indicator_id=indicators, f__year=years
    )
    with connection.cursor() as cursor:
        _serialize(cursor)
        cursor.execute(f"DELETE FROM {TABLE} WHERE {touched}", touched_params)  # noqa: S608
        cursor.execute(OWN_SQL.format(scope=f"AND {own}"), own_params)
        cursor.execute(
            f"UPDATE {TABLE} SET rollup = NULL WHERE {parents}",  # noqa: S608
            parents_params,
        )
        cursor.execute(ROLLUP_SQL.format(scope=f"AND {children}"), children_params)
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE value IS NULL AND rollup IS NULL AND {parents}",  # noqa: S608
            parents_params,
        )
