"""The precomputed figures behind the dashboards (`RegionFigure`), rebuilt from approved reports.

The rules, in SQL that PostgreSQL and SQLite both run:
- own figures (OWN_CTES, OWN_SELECT): each region's figure per indicator and year. A year report
  wins; otherwise the finest kind of sub-period reported is skipped for the coarsest (quarters and
  halves of a year overlap): a flow adds up its periods, a stock takes the latest —
  `figures.year_to_date`'s rule;
- roll-ups through every level (ROLLUP_SELECT): each parent's figure from its children's
  *effective* figures — a child's own figure where it has one, else its own roll-up — by the
  indicator's rule, leaving out zones already counted in their parent (at every level: nothing of
  such a zone's subtree reaches the parent). So a township's figure reaches its county, city and
  province unless a region between them reported a figure of its own, which then stands for its
  subtree. `figures.rollup`'s rule, applied bottom-up. A mean is taken over the children's
  figures as stored (four decimals): a mean of means, not of every township;
- lower bounds (`figures.rollup_is_lower_bound`): a figure marked as a lower bound says the true
  value is at least the figure. A sum, a mean (over the same children) and a maximum that include
  a lower bound can only be larger in truth: they are lower bounds. A minimum is exact when one
  of the children at the minimum is exact (the true minimum can be no larger than that exact
  value, and no smaller than the figures, each itself no larger than the truth); it is a lower
  bound only when every child at the minimum is one. A maximum is a lower bound even when its
  lower-bound child is below it (that child's truth may be above). Children without a figure
  are left out, as before, and do not make a lower bound. `rollup_is_lower_bound` holds the flag.
- coverage: how much of the year a figure stands for. An own figure covers `through` months (the
  used period with the highest number at the coarsest grain: a year report 12, half n 6n,
  quarter n 3n, month n n); a roll-up covers `rollup_through`, the least of its children's
  effective coverages (own `through`, else their `rollup_through`), and is `rollup_mixed` when
  those differ or a child's effective figure is itself a mixed roll-up — so "2026年上半年" is
  not shown as the year's, and a roll-up over partly reported children says so.

Regions are placed by depth (the number of codes in their path: a province is 1). `refresh_all()`
rebuilds the table (nightly, and after bulk loads) with one INSERT … SELECT, `rebuild_query`: own
figures as a CTE, then one CTE per depth from the deepest up, each rolling its regions' effective
figures (own, else the roll-up of the CTE below) into their parents, and a full join of own
figures and roll-ups (on SQLite before 3.39, which lacks FULL JOIN: OWN_SQL, then ROLLUP_SQL once
per depth, bottom-up). `refresh(reports)` recomputes what an approval or reopening touched inside
its transaction, so the public never sees a figure without its roll-ups: the reports' own figures
(OWN_SQL), then the roll-ups of the regions and of every ancestor, deepest first (ROLLUP_SQL over
the table, upserting). tests/programs/test_rollups.py checks both against the pure functions and
against each other.
"""

import sqlite3
from collections.abc import Iterable

from django.db import connection, transaction

from regions.models import PATH_SEPARATOR, Region

from .models import ProgressReport

TABLE = "programs_regionfigure"
COLUMNS = (
    "region_id, indicator_id, year, value, is_lower_bound, approved_at, rollup, "
    "rollup_is_lower_bound, through, rollup_through, rollup_mixed"
)
# A region's depth from its materialized path ("33/3304/330482/" is 3).
DEPTH = "(LENGTH({r}.path) - LENGTH(REPLACE({r}.path, '/', '')))"

OWN_CTES = """approved AS (
    SELECT r.region_id, r.indicator_id, p.year, p.number, r.value, r.reviewed_at,
           CASE WHEN r.is_lower_bound THEN 1 ELSE 0 END AS lower_bound,
           i.time_nature,
           p.number * CASE p.kind WHEN 'year' THEN 12 WHEN 'half' THEN 6 WHEN 'quarter' THEN 3
                                  ELSE 1 END AS through,
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
       MAX(lower_bound) AS lower_bound, MAX(reviewed_at) AS approved_at,
       MAX(through) AS through
FROM used
GROUP BY region_id, indicator_id, year"""

# The children's effective figures {figures} (region_id, indicator_id, year, value, lower_bound
# as 0/1, value never NULL) rolled into their parents. Rounded to the table's four decimals here,
# so that a parent's mean is the same whether its children come from the table or from a CTE.
# The minimum is a lower bound when no exact child is at it (the least exact figure is above it).
# Coverage: {figures} also give each child's effective `through` (the last month its figure
# covers) and `mixed` (0/1: its own roll-up mixes coverages); the parent's roll-up covers the
# least of them, and is mixed when they differ or one of them is mixed.
ROLLUP_SELECT = """SELECT child.parent_id AS region_id, e.indicator_id, e.year,
       ROUND(CASE i.rollup WHEN 'sum' THEN SUM(e.value) WHEN 'mean' THEN AVG(e.value)
                           WHEN 'max' THEN MAX(e.value) WHEN 'min' THEN MIN(e.value) END, 4)
           AS rollup,
       CASE WHEN i.rollup <> 'min' THEN MAX(e.lower_bound)
            WHEN COALESCE(MIN(CASE WHEN e.lower_bound = 0 THEN e.value END) > MIN(e.value), TRUE)
            THEN 1 ELSE 0 END AS lower_bound,
       MIN(e.through) AS through,
       CASE WHEN MAX(e.through) <> MIN(e.through) OR MAX(e.mixed) = 1 THEN 1 ELSE 0 END AS mixed
FROM {figures} e
JOIN regions_region child ON child.id = e.region_id
JOIN programs_indicator i ON i.id = e.indicator_id
WHERE child.parent_id IS NOT NULL AND NOT child.counted_in_parent AND i.rollup <> 'none' {scope}
GROUP BY child.parent_id, e.indicator_id, e.year, i.rollup"""

# A stored row's effective figure: its own value, else its roll-up (with their coverage).
TABLE_EFFECTIVE = f"""(SELECT region_id, indicator_id, year, COALESCE(value, rollup) AS value,
        CASE WHEN (CASE WHEN value IS NULL THEN rollup_is_lower_bound ELSE is_lower_bound END)
             THEN 1 ELSE 0 END AS lower_bound,
        CASE WHEN value IS NULL THEN rollup_through ELSE through END AS through,
        CASE WHEN value IS NULL AND rollup_mixed THEN 1 ELSE 0 END AS mixed
    FROM {TABLE} WHERE value IS NOT NULL OR rollup IS NOT NULL)"""  # noqa: S608 - constants

# Statement texts hold only table and column names and %s placeholders: every id is a parameter.
# OWN_SQL and ROLLUP_SQL take a `scope` (an `AND …` condition, or "" for everything).
OWN_SQL = (
    f"INSERT INTO {TABLE} ({COLUMNS})\n"
    f"WITH {OWN_CTES}\n"
    "SELECT region_id, indicator_id, year, value, lower_bound = 1, approved_at, NULL, FALSE,\n"
    "       through, NULL, FALSE\n"
    "FROM (\n"
    f"{OWN_SELECT}\n) own\n"
)

ROLLUP_SQL = (
    f"INSERT INTO {TABLE} ({COLUMNS})\n"
    "SELECT region_id, indicator_id, year, NULL, FALSE, NULL, rollup, lower_bound = 1,\n"
    "       NULL, through, mixed = 1 FROM (\n"
    f"{ROLLUP_SELECT.replace('{figures}', TABLE_EFFECTIVE)}\n"
    # WHERE: without it SQLite would read ON CONFLICT as the join's ON.
    ") rolled WHERE TRUE\n"
    "ON CONFLICT (region_id, indicator_id, year) DO UPDATE SET rollup = excluded.rollup,\n"
    "    rollup_is_lower_bound = excluded.rollup_is_lower_bound,\n"
    "    rollup_through = excluded.rollup_through, rollup_mixed = excluded.rollup_mixed\n"
)

# The INSERT line is apart so that the benchmark can aim the same query at its scratch table (P5).
REBUILD_INSERT = f"INSERT INTO {TABLE} ({COLUMNS})\n"

# The effective figures of the regions at depth {depth}: own figures there, and where a region has
# none, the roll-up of the depth below (`rolled_{below}`) — merged by grouping, which keeps each
# step linear (an anti-join between CTEs, which have no index, may not be).
STAGE_FIGURES = """(SELECT region_id, indicator_id, year,
        COALESCE(MAX(own_value), MAX(rolled_value)) AS value,
        CASE WHEN MAX(own_value) IS NULL THEN MAX(rolled_bound) ELSE MAX(own_bound) END
            AS lower_bound,
        CASE WHEN MAX(own_value) IS NULL THEN MAX(rolled_through) ELSE MAX(own_through) END
            AS through,
        CASE WHEN MAX(own_value) IS NULL THEN MAX(rolled_mixed) ELSE 0 END AS mixed
    FROM (SELECT region_id, indicator_id, year, value AS own_value, lower_bound AS own_bound,
                 through AS own_through, NULL AS rolled_value, NULL AS rolled_bound,
                 NULL AS rolled_through, NULL AS rolled_mixed
          FROM own WHERE depth = {depth}
          UNION ALL
          SELECT region_id, indicator_id, year, NULL, NULL, NULL, rollup, lower_bound, through,
                 mixed
          FROM rolled_{below}) merged
    GROUP BY region_id, indicator_id, year)"""

# The deepest regions' figures are all own figures, which carry their region's parent: rolled
# up without joining the regions again (most rows are there).
DEEPEST_ROLLUP = (
    ROLLUP_SELECT.replace("JOIN regions_region child ON child.id = e.region_id\n", "")
    .replace("child.", "e.")
    .replace("{figures}", "own")
    .replace("{scope}", "AND e.depth = {depth}")
)


def rebuild_query(depth: int) -> str:
    """The whole table in one SELECT, for a tree `depth` regions deep: own figures (with their
    region's depth), the roll-ups depth by depth from the bottom (`rolled_d` rolls the effective
    figures of depth d into depth d - 1), and a full join of the two."""
    deepest = max(depth, 2)
    stages = []
    for level in range(deepest, 1, -1):
        if level == deepest:
            select = DEEPEST_ROLLUP.format(depth=level)
        else:
            source = STAGE_FIGURES.format(depth=level, below=level + 1)
            select = ROLLUP_SELECT.format(figures=source, scope="")
        stages.append(f"rolled_{level} AS (\n{select}\n)")
    rolled = "\nUNION ALL\n".join(
        f"SELECT * FROM rolled_{level}"  # noqa: S608 - a number
        for level in range(deepest, 1, -1)
    )
    return (
        f"WITH {OWN_CTES.format(scope='')},\n"
        f"own AS (\nSELECT g.*, {DEPTH.format(r='c')} AS depth, c.parent_id, c.counted_in_parent,\n"
        "       0 AS mixed\n"
        f"FROM (\n{OWN_SELECT}\n) g\n"
        "JOIN regions_region c ON c.id = g.region_id\n),\n"
        + ",\n".join(stages)
        + f",\nrolled AS (\n{rolled}\n)\n"
        "SELECT COALESCE(o.region_id, r.region_id), COALESCE(o.indicator_id, r.indicator_id),\n"
        "       COALESCE(o.year, r.year), o.value, COALESCE(o.lower_bound = 1, FALSE),\n"
        "       o.approved_at, r.rollup, COALESCE(r.lower_bound = 1, FALSE),\n"
        "       o.through, r.through, COALESCE(r.mixed = 1, FALSE)\n"
        "FROM own o FULL JOIN rolled r ON r.region_id = o.region_id\n"
        "    AND r.indicator_id = o.indicator_id AND r.year = o.year\n"
    )


def tree_depth() -> int:
    """How many regions deep the tree is (0 without regions)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({DEPTH.format(r='r')}) FROM regions_region r")  # noqa: S608
        return cursor.fetchone()[0] or 0


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
    depth = tree_depth()
    with connection.cursor() as cursor:
        _serialize(cursor)
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - a constant
        if _has_full_join():
            cursor.execute(REBUILD_INSERT + rebuild_query(depth))
            return cursor.rowcount
        # The same table in steps: own figures, then the roll-ups upserted depth by depth.
        cursor.execute(OWN_SQL.format(scope=""))
        for level in range(depth, 1, -1):
            child_depth = f"AND {DEPTH.format(r='child')} = %s"
            cursor.execute(ROLLUP_SQL.format(scope=child_depth), [level])
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608 - a constant
        return cursor.fetchone()[0]


def _with_ancestors(regions: set[int]) -> dict[int, list[int]]:
    """These regions and all their ancestors, by depth (two queries)."""
    paths = Region.objects.filter(pk__in=regions).values_list("path", flat=True)
    codes = {code for path in paths for code in path.split(PATH_SEPARATOR) if code}
    by_depth: dict[int, list[int]] = {}
    for pk, path in Region.objects.filter(code__in=codes).values_list("pk", "path"):
        by_depth.setdefault(path.count(PATH_SEPARATOR), []).append(pk)
    return by_depth


@transaction.atomic
def refresh(reports: Iterable[ProgressReport]) -> None:
    """Recompute the figures of these reports' regions, indicators and years, and the roll-ups
    that depend on them up to the root (a few keys too many are harmless: they are recomputed
    alike)."""
    keys = {(r.region_id, r.indicator_id, r.period.year) for r in reports}
    if not keys:
        return
    regions = {region for region, _, _ in keys}
    indicators = {indicator for _, indicator, _ in keys}
    years = {year for _, _, year in keys}
    # Roll-ups to redo: every ancestor's (a figure below changed) and the regions' own (their
    # rows are rebuilt below, and a rebuilt row starts without its roll-up); deepest first, so
    # that each parent rolls up its children's fresh figures.
    by_depth = _with_ancestors(regions)
    rolled = {pk for pks in by_depth.values() for pk in pks}
    touched, touched_params = _scope(region_id=regions, indicator_id=indicators, year=years)
    own, own_params = _scope(r__region_id=regions, r__indicator_id=indicators, p__year=years)
    parents, parents_params = _scope(region_id=rolled, indicator_id=indicators, year=years)
    with connection.cursor() as cursor:
        _serialize(cursor)
        cursor.execute(f"DELETE FROM {TABLE} WHERE {touched}", touched_params)  # noqa: S608
        cursor.execute(OWN_SQL.format(scope=f"AND {own}"), own_params)
        cursor.execute(
            f"UPDATE {TABLE} SET rollup = NULL, rollup_is_lower_bound = FALSE, "  # noqa: S608
            f"rollup_through = NULL, rollup_mixed = FALSE WHERE {parents}",
            parents_params,
        )
        for depth in sorted(by_depth, reverse=True):
            children, children_params = _scope(
                child__parent_id=set(by_depth[depth]), e__indicator_id=indicators, e__year=years
            )
            cursor.execute(ROLLUP_SQL.format(scope=f"AND {children}"), children_params)
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE value IS NULL AND rollup IS NULL AND {parents}",  # noqa: S608
            parents_params,
        )
