"""The province-scale benchmark behind `manage.py bench --json` (docs/performance.md).

Each figure is a ratio of two times (or counts) measured in the same run, the median of several
repetitions, so that it says how close the app stays to a floor whatever the machine:

- P1  SQL queries of the region page at 10× ÷ at 1× (the 10× province is another database,
      measured by a child process of this command);
- P2  uncached region page ÷ RAW_PAGE_SQL, one statement computing the page's figures from the
      progress reports (what PostgreSQL alone needs without the precomputed table);
- P3  cached region page ÷ a trivial Django view (`trivial` below, through the same middleware);
- P4  uncached region page time at 10× ÷ at 1×;
- P5  `rollups.refresh_all()` ÷ rollups' one INSERT … SELECT run alone into an unindexed table
      (`single_statement_refresh_sql`): the same rows without the lock, delete and key;
- P7  importing 100k values through the bulk API (POST /api/v1/progress/bulk/, a few thousand
      items a request, per value) ÷ PostgreSQL COPY of the same rows into the progress table (per
      value); the Excel upload path (parse_upload + apply_changes) is timed too, for information;
- P8  last ÷ first page of the officials' progress list (`programs:report_list`);
- P11 peak memory (max RSS) of `write_export` of ~1M rows ÷ of ~10k rows, each in a fresh process;
- P12 seconds from `services.report_approve` to the new value on the anonymous region page.

Nothing is left changed: writes happen in transactions that are rolled back, except P12's approval,
which must commit to be seen; it is then undone (the report's fields, its history rows, the
notices and the figures are restored). Only sequences advance. Pages go through Django's test
Client (the whole middleware stack, no network); uncached means the public data version was bumped
just before, as an approval does. See docs/performance.md for how to read and reproduce the figures.
"""

from __future__ import annotations

import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Max
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import path, reverse
from django.utils import timezone

from regions.access import Action, users_who_can
from regions.choices import Role
from regions.models import OfficialMembership, Region

from . import dashboard, rollups
from .choices import IndicatorKind, PeriodKind, ReportState, TimeNature
from .figures import plain_number
from .generator import INDICATOR_PREFIX, PROVINCE_CODE, copy_rows, copy_text
from .models import Indicator, Notification, ProgressReport, RegionFigure, ReportingPeriod

GOALS = {
    "P1": ("=", 1.0),
    "P2": ("<=", 3.0),
    "P3": ("<=", 1.5),
    "P4": ("<=", 1.5),
    "P5": ("<=", 1.5),
    "P7": ("<=", 8.0),
    "P8": ("<=", 2.0),
    "P11": ("<=", 1.5),
    "P12": ("<=", 5.0),
}
PAGE_QUERY_BUDGET = 8  # P1 also asks for at most this many queries on the region page
DEFAULT_REGION = f"{PROVINCE_CODE}01"  # the generated province's first city
IMPORT_VALUES = 100_000  # P7: what the issue asks for
IMPORT_BUDGET_SECONDS = 180  # P7: past this, the app's time per value is extrapolated
QUICK_IMPORT_BUDGET_SECONDS = 5
EXCEL_BUDGET_SECONDS = 20  # P7: the Excel path's time per value, for information only
EXPORT_ROWS = (1_000_000, 10_000)  # P11: big, small
QUICK_EXPORT_ROWS = (50_000, 1_000)
FAST_BATCH = 100  # requests per repetition for the ~1 ms cached and trivial pages
APPROVAL_TIMEOUT = 30.0  # P12: give up (null) after this many seconds


class BenchRefused(Exception):
    """The benchmark cannot run here; the message says why."""


# --- Helpers ------------------------------------------------------------------------------------


def trivial(request):
    """P3's floor: the cheapest view Django can serve through the same middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


# A URLconf of one view, used only while P3 measures the floor (override_settings below).
urlpatterns = [path("trivial/", trivial)]


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """A transaction that is always rolled back: what happens inside leaves no trace."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def check_deferred_constraints() -> None:
    """Run the deferred foreign-key checks now, as a commit would (they cost time too)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def vacuum(*tables: str) -> None:
    """Clear what rolled-back bulk writes left behind, so the next repetition starts alike."""
    quote_name = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {quote_name(table)}")


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 2)


def figure(key: str, value: float | None, *, reason: str = "", **details) -> dict:
    """One P-figure of the JSON: its value, the goal, whether it is met, and its raw parts."""
    op, goal = GOALS[key]
    entry = {"value": value, "goal": f"{op} {goal:g}"}
    if value is None:
        entry["met"] = None
        entry["reason"] = reason or "not measured"
    else:
        entry["met"] = value == goal if op == "=" else value <= goal
    entry.update(details)
    return entry


def database_url() -> str:
    """The current database as a URL, for child processes (in tests: the test database)."""
    db = connection.settings_dict
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def run_child(args: list[str], *, database: str | None = None, timeout: int = 3600) -> dict:
    """`manage.py bench <args>` in a fresh process on `database`; its last output line as JSON."""
    env = {**os.environ, "DATABASE_URL": database or database_url()}
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", *args]
    done = subprocess.run(  # noqa: S603 - our own interpreter and command, no shell
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BenchRefused(
            f"The benchmark runs on PostgreSQL only (this database is {connection.vendor}): "
            "its floors are PostgreSQL's own COPY, INSERT … SELECT and query times. Set "
            "DATABASE_URL=postgres://… to a database holding a generated province "
            "(manage.py generate_province)."
        )


def default_year() -> int:
    """The generated data's latest complete year: the last locked year period."""
    locked = ReportingPeriod.objects.filter(kind=PeriodKind.YEAR, locked=True).aggregate(
        Max("year")
    )["year__max"]
    if locked:
        return locked
    latest = ReportingPeriod.objects.aggregate(Max("year"))["year__max"]
    return (latest or timezone.localdate().year) - 1


def estimated_rows(model) -> int:
    """The planner's row estimate: a count(*) of 28M rows would take seconds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] > 0 else model.objects.count()


def database_facts() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "name": connection.settings_dict["NAME"],
        "postgresql": version,
        "regions": Region.objects.count(),
        "progress_reports": estimated_rows(ProgressReport),
        "region_figures": estimated_rows(RegionFigure),
    }


def machine_facts() -> dict:
    memory = None
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# --- Pages (P1–P4) ------------------------------------------------------------------------------


class Pages:
    """Requests through the test Client, as the browser's would go through the middleware."""

    def __init__(self):
        self.client = Client(raise_request_exception=True)
        # Production redirects plain http to https; ask for https directly.
        self.secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))

    def get(self, url: str, *, status: int = 200) -> HttpResponse:
        response = self.client.get(url, secure=self.secure)
        if response.status_code != status:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not {status}")
        return response

    def timed(self, url: str, *, before: Callable[[], None] | None = None) -> float:
        if before:
            before()
        start = time.perf_counter()
        self.get(url)
        return time.perf_counter() - start

    def batch(self, url: str, count: int = FAST_BATCH) -> float:
        """Seconds per request over `count` requests (for pages of about a millisecond), after
        one untimed request (a URLconf switch rebuilds the resolver on the next request)."""
        self.get(url)
        start = time.perf_counter()
        for _ in range(count):
            self.get(url)
        return (time.perf_counter() - start) / count


def region_url(code: str, year: int) -> str:
    return reverse("public:region", args=[code]) + f"?year={year}"


def page_figures(*, code: str, year: int, repeat: int) -> dict:
    """The uncached region page: its queries and its median time (P1, P2, P4)."""
    pages, url = Pages(), region_url(code, year)
    pages.timed(url, before=dashboard.bump_public_version)  # warm up: imports, templates
    dashboard.bump_public_version()
    with CaptureQueriesContext(connection) as queries:
        pages.get(url)
    query_count = len(queries)  # now: the next request empties the log the count reads
    samples = [pages.timed(url, before=dashboard.bump_public_version) for _ in range(repeat)]
    region = Region.objects.get(code=code)
    return {
        "region": code,
        "year": year,
        "children": Region.objects.filter(parent=region).count(),
        "queries": query_count,
        "seconds": median(samples),
        "samples_ms": [ms(s) for s in samples],
    }


def cached_page_figures(*, code: str, year: int, repeat: int) -> dict:
    """P3: the cached region page against a trivial view, both ~FAST_BATCH requests a sample."""
    pages, url = Pages(), region_url(code, year)
    pages.get(url)  # now cached
    if pages.get(url).get("X-Cache") != "hit":
        raise RuntimeError("the region page was not served from the cache")
    cached, floor = [], []
    for _ in range(repeat):
        cached.append(pages.batch(url))
        with override_settings(ROOT_URLCONF=__name__):
            floor.append(pages.batch("/trivial/"))
    return {"cached": median(cached), "trivial": median(floor)}


# P2's floor: the region page's figures computed from the progress reports in one statement — the
# region's own figure for every indicator and year (its history), its children's and siblings'
# figures for the year (comparison, ranking) and the roll-up of its children for the year — by the
# rules of rollups.OWN_SQL / ROLLUP_SQL: a year report wins, else the coarsest sub-periods; a flow
# sums them, a stock takes the latest; zones counted in their parent are left out of the roll-up.
# The reports are fetched by (region, period) through the index, the year's periods for the
# neighbours and every period for the region itself.
RAW_PAGE_SQL = """
WITH scope AS (
    SELECT id, parent_id, counted_in_parent FROM regions_region
    WHERE id = %(region)s OR parent_id = %(region)s OR parent_id = %(parent)s
), reports AS (
    SELECT region_id, indicator_id, period_id, value, is_lower_bound, reviewed_at, state
    FROM programs_progressreport
    WHERE region_id IN (SELECT id FROM scope WHERE id <> %(region)s)
      AND period_id IN (SELECT id FROM programs_reportingperiod WHERE year = %(year)s)
    UNION ALL
    SELECT region_id, indicator_id, period_id, value, is_lower_bound, reviewed_at, state
    FROM programs_progressreport WHERE region_id = %(region)s
), approved AS (
    SELECT r.region_id, r.indicator_id, p.year, p.number, r.value, r.reviewed_at,
           r.is_lower_bound, i.time_nature, g.grain,
           MIN(g.grain) OVER (PARTITION BY r.region_id, r.indicator_id, p.year) AS coarsest
    FROM reports r
    JOIN programs_reportingperiod p ON p.id = r.period_id
    JOIN programs_indicator i ON i.id = r.indicator_id
    JOIN (VALUES ('year', 0), ('half', 1), ('quarter', 2), ('month', 3)) AS g (kind, grain)
      ON g.kind = p.kind
    WHERE r.state = 'approved'
), used AS (
    SELECT approved.*, ROW_NUMBER() OVER (
        PARTITION BY region_id, indicator_id, year ORDER BY number DESC
    ) AS from_last
    FROM approved WHERE grain = coarsest
), own AS (
    SELECT region_id, indicator_id, year,
           CASE WHEN MAX(time_nature) = 'stock' THEN MAX(CASE WHEN from_last = 1 THEN value END)
                ELSE SUM(value) END AS value,
           BOOL_OR(is_lower_bound) AS is_lower_bound, MAX(reviewed_at) AS approved_at
    FROM used GROUP BY region_id, indicator_id, year
)
SELECT region_id, indicator_id, year, value, is_lower_bound, approved_at, NULL AS rollup FROM own
UNION ALL
SELECT %(region)s, o.indicator_id, o.year, NULL, NULL, NULL,
       CASE i.rollup WHEN 'sum' THEN SUM(o.value) WHEN 'mean' THEN AVG(o.value)
                     WHEN 'max' THEN MAX(o.value) WHEN 'min' THEN MIN(o.value) END
FROM own o JOIN scope s ON s.id = o.region_id JOIN programs_indicator i ON i.id = o.indicator_id
WHERE s.parent_id = %(region)s AND NOT s.counted_in_parent AND i.rollup <> 'none'
      AND o.year = %(year)s AND o.value IS NOT NULL
GROUP BY o.indicator_id, o.year, i.rollup
"""

FOUR_PLACES = Decimal("0.0001")


def _four(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(FOUR_PLACES)


def raw_page_figures(*, code: str, year: int, repeat: int) -> dict:
    """P2's floor: RAW_PAGE_SQL's median time, and whether it agrees with the page's table."""
    region = Region.objects.get(code=code)
    params = {"region": region.pk, "parent": region.parent_id, "year": year}

    def run() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(RAW_PAGE_SQL, params)
            return cursor.fetchall()

    rows = run()  # warm up (plan, buffers), as the page's warm-up request does
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)

    # The same figures as the page reads them from RegionFigure (region_summary's filter).
    neighbours = set(Region.objects.filter(parent_id=region.pk).values_list("pk", flat=True)) | set(
        Region.objects.filter(parent_id=region.parent_id).values_list("pk", flat=True)
        if region.parent_id
        else []
    )
    stored = RegionFigure.objects.filter(region=region) | RegionFigure.objects.filter(
        region_id__in=neighbours, year=year
    )
    expected_values = {
        (f.region_id, f.indicator_id, f.year): _four(f.value) for f in stored if f.value is not None
    }
    expected_rollup = {
        f.indicator_id: _four(f.rollup)
        for f in stored
        if f.region_id == region.pk and f.year == year and f.rollup is not None
    }
    raw_values = {(r[0], r[1], r[2]): _four(r[3]) for r in rows if r[6] is None}
    raw_rollup = {r[1]: _four(r[6]) for r in rows if r[6] is not None}
    return {
        "seconds": median(samples),
        "rows": len(rows),
        "same_figures": raw_values == expected_values and raw_rollup == expected_rollup,
    }


# --- Roll-up refresh (P5) -----------------------------------------------------------------------

SCRATCH_FIGURES = "bench_regionfigure"
FIGURE_COLUMNS = "region_id, indicator_id, year, value, is_lower_bound, approved_at, rollup"


def single_statement_refresh_sql() -> str:
    """rollups.REBUILD_SQL's query (own figures and roll-ups in one INSERT … SELECT), aimed at the
    scratch table: the same rows, without the real table's old rows and index to maintain."""
    return f"INSERT INTO {SCRATCH_FIGURES} ({FIGURE_COLUMNS})\n{rollups.REBUILD_QUERY}"


SIGNATURE_SQL = (
    "SELECT count(*), sum(value), sum(rollup), count(approved_at), "
    "sum(CASE WHEN is_lower_bound THEN 1 ELSE 0 END) FROM {table}"
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


# --- Import (P7) --------------------------------------------------------------------------------

PROGRESS_COLUMNS = (
    "value",
    "is_lower_bound",
    "note",
    "state",
    "review_comment",
    "version",
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "indicator_id",
    "region_id",
    "period_id",
)
SAMPLE_VALUE = {
    IndicatorKind.MILESTONE: "1",
    IndicatorKind.RANK: "3",
    IndicatorKind.PERCENTAGE: "50",
}


def _scratch_periods(year: int) -> list[ReportingPeriod]:
    """Twelve month periods open for entry now (the generator makes none; rolled back after)."""
    now = timezone.now()
    taken = set(
        ReportingPeriod.objects.filter(kind=PeriodKind.MONTH, year=year).values_list(
            "number", flat=True
        )
    )
    return [
        ReportingPeriod.objects.create(
            kind=PeriodKind.MONTH,
            year=year,
            number=number,
            opens_at=now - timedelta(days=1),
            deadline=now + timedelta(days=30),
        )
        for number in range(1, 13)
        if number not in taken
    ]


def _reporter(region: Region):
    membership = (
        OfficialMembership.objects.filter(region=region, role=Role.REPORTER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _filled_template(*, region, period, program, rows) -> bytes:
    """The template of the page, filled as an official would: every value typed in."""
    from openpyxl import load_workbook

    from . import excel

    content = excel.build_template(region=region, period=period, program=program, rows=rows)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for offset, row in enumerate(rows):
        value = SAMPLE_VALUE.get(row.indicator.kind, str(100 + offset))
        sheet.cell(excel.FIRST_ROW + offset, excel.COLUMN["value"], value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import_groups(year: int, periods: list[ReportingPeriod]) -> Iterator[tuple]:
    """(region, period, program, reporter) pages an official would upload, region by region."""
    from .selectors import programs_for

    regions = Region.objects.filter(path__startswith=f"{PROVINCE_CODE}/").order_by("level", "code")
    for period in periods:
        for region in regions.iterator():
            user = _reporter(region)
            if user is None:
                continue
            for program in programs_for(region, year):
                yield region, period, program, user


BULK_ITEMS = 5_000  # P7: items per request of the bulk API


def _bulk_bodies(year_periods: list[ReportingPeriod], values: int) -> Iterator[str]:
    """The rows COPY writes, in its order, as JSON bodies of the bulk API (made before timing)."""
    indicators = list(
        Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).values_list("code", "kind")
    )
    regions = list(
        Region.objects.filter(path__startswith=f"{PROVINCE_CODE}/").values_list("code", flat=True)
    )
    items: list[dict] = []
    count = 0
    for period in year_periods:
        for region in regions:
            for code, kind in indicators:
                if count >= values:
                    break
                value = SAMPLE_VALUE.get(kind, "120")
                items.append(
                    {"region": region, "indicator": code, "period": period.pk, "value": value}
                )
                count += 1
                if len(items) == BULK_ITEMS:
                    yield json.dumps({"items": items})
                    items = []
    if items:
        yield json.dumps({"items": items})


def app_import(*, year: int, values: int, budget: float) -> dict:
    """POST the rows `copy_import` writes to the bulk API (`api:progress-bulk`), BULK_ITEMS a
    request, through the test Client and the whole middleware stack, as a reporter of the province
    and every region below it, until `values` are saved or `budget` seconds are spent. The bodies
    are made before the timed part. Everything is rolled back."""
    from rest_framework.authtoken.models import Token

    timed, saved, requests = 0.0, 0, 0
    with rolled_back():
        periods = _scratch_periods(year)
        user = get_user_model().objects.create_user(username=f"bench-import-{os.getpid()}")
        OfficialMembership.objects.create(
            user=user,
            region=Region.objects.get(code=PROVINCE_CODE),
            role=Role.REPORTER,
            includes_subregions=True,
        )
        client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        url = reverse("api:progress-bulk")
        for body in list(_bulk_bodies(periods, values)):
            if timed >= budget:
                break
            start = time.perf_counter()
            response = client.post(url, body, content_type="application/json")
            timed += time.perf_counter() - start
            if response.status_code != 200:
                raise RuntimeError(f"the bulk API refused the items: {response.content[:500]!r}")
            saved += response.json()["created"]
            requests += 1
        start = time.perf_counter()
        check_deferred_constraints()
        timed += time.perf_counter() - start
    vacuum(ProgressReport._meta.db_table)
    return {"seconds": timed, "values": saved, "requests": requests}


def excel_import(*, year: int, values: int, budget: float) -> dict:
    """Upload filled templates through parse_upload + apply_changes (what the upload page does on
    confirmation) until `values` are saved or `budget` seconds of app time are spent. The files
    are made between the timed parts. Everything is rolled back. (P7's informative Excel figure.)"""
    from . import excel, selectors

    timed, saved, files = 0.0, 0, 0
    with rolled_back():
        periods = _scratch_periods(year)
        for region, period, program, user in _import_groups(year, periods):
            if saved >= values or timed >= budget:
                break
            rows = selectors.entry_rows(region=region, period=period, program=program)
            content = _filled_template(region=region, period=period, program=program, rows=rows)
            start = time.perf_counter()
            rows = selectors.entry_rows(region=region, period=period, program=program)
            result = excel.parse_upload(
                file=content, region=region, period=period, program=program, rows=rows
            )
            if result.errors:
                raise RuntimeError(f"the filled template was refused: {result.errors[:3]}")
            saved += excel.apply_changes(
                user=user, region=region, period=period, changes=result.changes
            )
            timed += time.perf_counter() - start
            files += 1
        start = time.perf_counter()
        check_deferred_constraints()
        timed += time.perf_counter() - start
    vacuum(ProgressReport._meta.db_table)
    return {"seconds": timed, "values": saved, "files": files}


def copy_import(*, year: int, values: int) -> dict:
    """COPY `values` new draft rows, shaped as the app saves them, into the progress table."""
    table = ProgressReport._meta.db_table
    with rolled_back():
        periods = _scratch_periods(year)
        now = timezone.now()
        indicators = list(
            Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).values_list("pk", flat=True)
        )
        regions = list(
            Region.objects.filter(path__startswith=f"{PROVINCE_CODE}/").values_list("pk", flat=True)
        )
        lines = []
        for period in periods:
            for region_id in regions:
                for indicator_id in indicators:
                    if len(lines) >= values:
                        break
                    row = (
                        Decimal(120),
                        False,
                        "",
                        ReportState.DRAFT,
                        "",
                        1,
                        now,
                        now,
                        None,
                        None,
                        indicator_id,
                        region_id,
                        period.pk,
                    )
                    lines.append("\t".join(map(copy_text, row)) + "\n")
        with connection.cursor() as cursor:
            start = time.perf_counter()
            copy_rows(cursor, table, PROGRESS_COLUMNS, lines)
            check_deferred_constraints()
            seconds = time.perf_counter() - start
    vacuum(table)
    return {"seconds": seconds, "values": len(lines)}


# --- Officials' progress list (P8) --------------------------------------------------------------


def report_list_figures(*, repeat: int) -> dict | None:
    """P8: first and last page of `programs:report_list` for a superuser (who sees every figure);
    None when the page does not exist."""
    from django.urls import NoReverseMatch

    try:
        url = reverse("programs:report_list")
    except NoReverseMatch:
        return None
    first, last = [], []
    with rolled_back():
        user = get_user_model().objects.create_superuser(
            username=f"bench-{os.getpid()}", email="", password=None
        )
        pages = Pages()
        pages.client.force_login(user)
        page = pages.get(url)
        has_last_link = b"last=1" in page.content
        pages.get(url + "?last=1")  # warm up
        for _ in range(repeat):
            first.append(pages.timed(url))
            last.append(pages.timed(url + "?last=1"))
        with CaptureQueriesContext(connection) as queries:
            pages.get(url)
        first_queries = len(queries)  # now: the next request empties the log the count reads
        with CaptureQueriesContext(connection) as queries:
            pages.get(url + "?last=1")
        last_queries = len(queries)
    return {
        "first": median(first),
        "last": median(last),
        "first_queries": first_queries,
        "last_queries": last_queries,
        "has_last_link": has_last_link,
    }


# --- Export memory (P11) ------------------------------------------------------------------------


def export_span(target: int) -> tuple[str, int, int, int]:
    """A region and years of the generated province whose export has about `target` rows:
    (code, first year, last year, rows). Tries the province and its first city, county and
    township, each over the latest years, and keeps the closest."""
    candidates = []
    province = Region.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        raise BenchRefused("No generated province: run manage.py generate_province first.")
    for level in (province.level, province.level + 1, province.level + 2, province.level + 3):
        region = (
            Region.objects.filter(path__startswith=province.path, level=level)
            .order_by("code")
            .first()
        )
        if region is None:
            continue
        per_year = dict(
            ProgressReport.objects.filter(region__path__startswith=region.path)
            .values_list("period__year")
            .annotate(n=Count("pk"))
            .values_list("period__year", "n")
        )
        total, first = 0, None
        for year in sorted(per_year, reverse=True):
            total, first = total + per_year[year], year
            if total >= target:
                break
        if first is not None:
            candidates.append((region.code, first, max(per_year), total))
    return min(candidates, key=lambda c: abs(c[3] - target) / target)


def _exporter(region: Region):
    """Who exports: the region's reviewer whose membership covers its sub-regions (an official,
    as in the export job), else an unsaved superuser (sees everything, writes nothing)."""
    membership = (
        OfficialMembership.objects.filter(
            region=region, role=Role.REVIEWER, includes_subregions=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return membership.user
    return get_user_model()(username="bench-export", is_superuser=True, is_active=True)


def peak_memory_kib() -> int:
    """This process's peak resident memory. VmHWM belongs to the process image, so it starts
    afresh at exec; ru_maxrss would carry the forking parent's peak into the child (Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def export_child(*, code: str, year_from: int, year_to: int) -> dict:
    """Run in a fresh process: write the export and report this process's peak memory."""
    from .exports.workbook import write_export

    region = Region.objects.get(code=code)
    user = _exporter(region)
    before = peak_memory_kib()  # Django, the apps and openpyxl loaded; nothing exported yet
    with tempfile.TemporaryDirectory(prefix="bench-export-") as workdir:
        target = Path(workdir) / "export.xlsx"
        start = time.perf_counter()
        write_export(user=user, region=region, year_from=year_from, year_to=year_to, path=target)
        seconds = time.perf_counter() - start
        size = target.stat().st_size
    return {
        "seconds": seconds,
        "max_rss_kib": peak_memory_kib(),
        "rss_before_kib": before,
        "bytes": size,
        "exported_by": user.username,
    }


def export_memory(*, sizes: tuple[int, int]) -> dict:
    measured = {}
    for name, target in zip(("big", "small"), sizes, strict=True):
        code, first, last, rows = export_span(target)
        child = run_child(["--export-child", code, str(first), str(last)])
        measured[name] = {"region": code, "years": [first, last], "rows": rows, **child}
    return measured


# --- Approval to public page (P12) --------------------------------------------------------------


def _approval_candidate(year: int):
    """A submitted report of `year` whose indicator is a headline figure of its region's page
    (where the page shows the value), with a reviewer who did not submit it."""
    reports = (
        ProgressReport.objects.filter(
            state=ReportState.SUBMITTED,
            period__year=year,
            indicator__time_nature=TimeNature.FLOW,
            value__gt=0,
        )
        .select_related("region", "indicator", "period")
        .order_by("region__level", "region__code", "pk")[:200]
    )
    headlines = {}
    for report in reports:
        region = report.region
        if region.pk not in headlines:
            summary = dashboard.region_summary(region, year)
            headlines[region.pk] = {f.indicator.pk for f in summary.headline}
        if report.indicator_id not in headlines[region.pk]:
            continue
        reviewer = users_who_can(Action.REVIEW, region).exclude(pk=report.submitted_by_id).first()
        if reviewer is not None:
            return report, reviewer
        if len(headlines) > 20:
            break
    return None, None


def _marker(value) -> bytes:
    return f'class="figure-value">{plain_number(value)}'.encode()


def approval_latency(*, repeat: int) -> dict:
    """P12: approve (committed), then GET the anonymous page until it shows the new figure; then
    undo the approval."""
    year = ReportingPeriod.objects.aggregate(Max("year"))["year__max"]
    report, reviewer = _approval_candidate(year) if year else (None, None)
    if report is None:
        return {"reason": "no submitted report of a headline indicator with a reviewer"}
    from . import services

    pages, url = Pages(), region_url(report.region.code, year)
    history = ProgressReport.history.model
    fields = [
        "state",
        "reviewed_by_id",
        "reviewed_at",
        "review_comment",
        "version",
        "updated_by_id",
        "updated_at",
    ]
    samples, polls, changed = [], [], True
    for _ in range(repeat):
        saved = ProgressReport.objects.filter(pk=report.pk).values(*fields).get()
        last_history = history.objects.aggregate(Max("history_id"))["history_id__max"] or 0
        last_notice = Notification.objects.aggregate(Max("pk"))["pk__max"] or 0
        before = pages.get(url).content  # cached from here on, as the public sees it
        if pages.get(url).get("X-Cache") != "hit":
            raise RuntimeError("the region page was not served from the cache")
        start = time.perf_counter()
        services.report_approve(user=reviewer, report=report)  # commits
        new = RegionFigure.objects.get(
            region=report.region, indicator=report.indicator, year=year
        ).value
        marker, count, seen = _marker(new), 0, None
        while time.perf_counter() - start < APPROVAL_TIMEOUT:
            count += 1
            if marker in pages.get(url).content:
                seen = time.perf_counter() - start
                break
        changed = changed and marker not in before
        with transaction.atomic():  # undo: the report as it was, its history, its notices
            ProgressReport.objects.filter(pk=report.pk).update(**saved)
            history.objects.filter(id=report.pk, history_id__gt=last_history).delete()
            Notification.objects.filter(report=report, pk__gt=last_notice).delete()
            rollups.refresh([report])
            transaction.on_commit(dashboard.bump_public_version)
        if seen is None:
            return {"reason": f"the new value did not show within {APPROVAL_TIMEOUT:g} s"}
        samples.append(seen)
        polls.append(count)
    return {
        "seconds": median(samples),
        "report": report.pk,
        "page": url,
        "requests_until_shown": max(polls),
        "value_changed_on_page": changed,
    }


# --- The whole run ------------------------------------------------------------------------------


class Failed:
    """A measurement that raised: its figures become null with the error as the reason."""

    def __init__(self, error: Exception):
        self.reason = f"failed: {type(error).__name__}: {error}"[:1000]


def attempt(log: Callable[[str], None], what: str, measure: Callable[[], dict | None]):
    """Run one measurement; a failure is reported, not raised, so that one broken part does not
    lose the minutes the others took."""
    log(what)
    try:
        return measure()
    except Exception as error:
        log(f"  {what} failed: {error!r}")
        return Failed(error)


def failed(key: str, *parts) -> dict | None:
    """The null figure of the first failed part, if any."""
    for part in parts:
        if isinstance(part, Failed):
            return figure(key, None, reason=part.reason)
    return None


def run(
    *,
    repeat: int = 5,
    year: int | None = None,
    region: str = DEFAULT_REGION,
    large_database_url: str | None = None,
    quick: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> dict:
    """Every figure, as the JSON object `manage.py bench --json` prints."""
    require_postgresql()
    if not Region.objects.filter(code=region).exists():
        raise BenchRefused(
            f"No region {region}: generate a province first (manage.py generate_province) "
            "or pass --region."
        )
    year = year or default_year()
    latest = ReportingPeriod.objects.aggregate(Max("year"))["year__max"]
    started = time.perf_counter()
    result: dict = {
        "machine": machine_facts(),
        "database": database_facts(),
        "region": region,
        "year": year,
        "repeat": repeat,
        "quick": quick,
    }
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    budget = QUICK_IMPORT_BUDGET_SECONDS if quick else IMPORT_BUDGET_SECONDS
    # --quick gives the informative Excel path the same few seconds as the bulk API (its files are
    # made between the timed parts, so 20 s of timed uploads took about a minute).
    excel_budget = QUICK_IMPORT_BUDGET_SECONDS if quick else EXCEL_BUDGET_SECONDS
    large_args = ["--page-only", "--region", region, "--year", str(year), "--repeat", str(repeat)]
    with override_settings(ALLOWED_HOSTS=hosts), timezone.override(settings.TIME_ZONE):
        page = attempt(
            log,
            "P1/P2/P4: region page, uncached",
            lambda: page_figures(code=region, year=year, repeat=repeat),
        )
        raw = attempt(
            log,
            "P2: the raw statement",
            lambda: raw_page_figures(code=region, year=year, repeat=repeat),
        )
        cached = attempt(
            log,
            "P3: cached page and trivial view",
            lambda: cached_page_figures(code=region, year=year, repeat=repeat),
        )
        large = None
        if large_database_url:
            large = attempt(
                log,
                "P1/P4: region page on the large database (child process)",
                lambda: run_child(large_args, database=large_database_url),
            )
        refresh = attempt(log, "P5: roll-up refresh", lambda: refresh_figures(repeat=repeat))
        app = attempt(
            log,
            "P7: import through the bulk API",
            lambda: app_import(year=latest, values=IMPORT_VALUES, budget=budget),
        )
        excel_path = attempt(
            log,
            "P7: import through Excel uploads (informative)",
            lambda: excel_import(year=latest, values=IMPORT_VALUES, budget=excel_budget),
        )
        copy = attempt(
            log,
            "P7: COPY",
            lambda: copy_import(year=latest, values=10_000 if quick else IMPORT_VALUES),
        )
        listing = attempt(
            log, "P8: officials' progress list", lambda: report_list_figures(repeat=repeat)
        )
        exports = attempt(
            log,
            "P11: export memory (child processes)",
            lambda: export_memory(sizes=QUICK_EXPORT_ROWS if quick else EXPORT_ROWS),
        )
        approval = attempt(
            log, "P12: approval to public page", lambda: approval_latency(repeat=repeat)
        )

    result["P1"] = failed("P1", page, large) or p1(page, large)
    result["P2"] = failed("P2", page, raw) or p2(page, raw)
    result["P3"] = failed("P3", cached) or p3(cached)
    result["P4"] = failed("P4", page, large) or p4(page, large)
    result["P5"] = failed("P5", refresh) or p5(refresh)
    result["P7"] = failed("P7", app, copy) or p7(app, copy, excel_path)
    result["P8"] = failed("P8", listing) or p8(listing)
    result["P11"] = failed("P11", exports) or p11(exports, quick=quick)
    result["P12"] = failed("P12", approval) or p12(approval)
    result["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


NO_LARGE = "no --large-database-url given: the 10× province was not measured"


def p1(page: dict, large: dict | None) -> dict:
    within = page["queries"] <= PAGE_QUERY_BUDGET and (
        large is None or large["queries"] <= PAGE_QUERY_BUDGET
    )
    entry = figure(
        "P1",
        ratio(large["queries"], page["queries"]) if large else None,
        reason=NO_LARGE,
        queries_1x=page["queries"],
        queries_10x=large["queries"] if large else None,
        query_budget=PAGE_QUERY_BUDGET,
        within_budget=within,
    )
    if entry["met"] is not None:
        entry["met"] = entry["met"] and within
    return entry


def p2(page: dict, raw: dict) -> dict:
    return figure(
        "P2",
        ratio(page["seconds"], raw["seconds"]),
        page_ms=ms(page["seconds"]),
        raw_sql_ms=ms(raw["seconds"]),
        raw_rows=raw["rows"],
        raw_matches_page_figures=raw["same_figures"],
        page_samples_ms=page["samples_ms"],
    )


def p3(cached: dict) -> dict:
    return figure(
        "P3",
        ratio(cached["cached"], cached["trivial"]),
        cached_page_ms=ms(cached["cached"]),
        trivial_view_ms=ms(cached["trivial"]),
    )


def p4(page: dict, large: dict | None) -> dict:
    return figure(
        "P4",
        ratio(large["seconds"], page["seconds"]) if large else None,
        reason=NO_LARGE,
        page_1x_ms=ms(page["seconds"]),
        page_10x_ms=ms(large["seconds"]) if large else None,
        page_10x_samples_ms=large["samples_ms"] if large else None,
        children_1x=page["children"],
        children_10x=large["children"] if large else None,
        database_10x=large["database"] if large else None,
    )


def p5(refresh: dict) -> dict:
    return figure(
        "P5",
        ratio(refresh["refresh_all"], refresh["single_statement"]),
        refresh_all_s=round(refresh["refresh_all"], 3),
        single_statement_s=round(refresh["single_statement"], 3),
        rows=refresh["rows"],
        same_rows=refresh["same_rows"],
    )


def p7(app: dict, copy: dict, excel_path: dict | Failed | None = None) -> dict:
    per_value_app = app["seconds"] / app["values"] if app["values"] else None
    per_value_copy = copy["seconds"] / copy["values"] if copy["values"] else None
    per_value_excel = None
    if isinstance(excel_path, dict) and excel_path["values"]:
        per_value_excel = excel_path["seconds"] / excel_path["values"]
    return figure(
        "P7",
        ratio(per_value_app, per_value_copy),
        reason="no value could be imported (no reporter accounts?)",
        app_path="bulk API",
        app_values=app["values"],
        app_requests=app["requests"],
        app_s=round(app["seconds"], 3),
        app_ms_per_value=ms(per_value_app),
        app_s_for_100k=round(per_value_app * IMPORT_VALUES, 1) if per_value_app else None,
        extrapolated=app["values"] < IMPORT_VALUES,
        copy_values=copy["values"],
        copy_s=round(copy["seconds"], 3),
        copy_s_for_100k=round(per_value_copy * IMPORT_VALUES, 2) if per_value_copy else None,
        excel_values=excel_path["values"] if isinstance(excel_path, dict) else None,
        excel_files=excel_path["files"] if isinstance(excel_path, dict) else None,
        excel_ms_per_value=ms(per_value_excel),
        excel_ratio=ratio(per_value_excel, per_value_copy),
    )


def p8(listing: dict | None) -> dict:
    if listing is None:
        return figure("P8", None, reason="the route programs:report_list does not exist")
    return figure(
        "P8",
        ratio(listing["last"], listing["first"]),
        first_page_ms=ms(listing["first"]),
        last_page_ms=ms(listing["last"]),
        first_page_queries=listing["first_queries"],
        last_page_queries=listing["last_queries"],
        has_last_link=listing["has_last_link"],
    )


def p11(exports: dict, *, quick: bool) -> dict:
    big, small = exports["big"], exports["small"]
    return figure(
        "P11",
        ratio(big["max_rss_kib"], small["max_rss_kib"]),
        scaled_down=quick,
        big=big,
        small=small,
        big_max_rss_mib=round(big["max_rss_kib"] / 1024, 1),
        small_max_rss_mib=round(small["max_rss_kib"] / 1024, 1),
    )


def p12(approval: dict) -> dict:
    return figure(
        "P12",
        round(approval["seconds"], 3) if "seconds" in approval else None,
        reason=approval.get("reason", ""),
        **{k: v for k, v in approval.items() if k not in ("seconds", "reason")},
    )


def page_only(*, region: str, year: int, repeat: int) -> dict:
    """What a child process reports for P1/P4 on another database."""
    require_postgresql()
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts), timezone.override(settings.TIME_ZONE):
        page = page_figures(code=region, year=year, repeat=repeat)
    return {**page, "database": database_facts()}


def summary_text(result: dict) -> str:
    """The figures as lines a person reads: value, goal, met, and the times behind them."""
    lines = [
        f"Region {result['region']}, year {result['year']}, median of {result['repeat']}"
        f"{' (quick)' if result['quick'] else ''}; database {result['database']['name']} "
        f"({result['database']['progress_reports']:,} reports)",
    ]
    for key in GOALS:
        entry = result[key]
        state = {True: "met", False: "MISSED", None: "n/a"}[entry["met"]]
        value = "null" if entry["value"] is None else f"{entry['value']:g}"
        details = ", ".join(
            f"{name}={detail}"
            for name, detail in entry.items()
            if name not in ("value", "goal", "met") and not isinstance(detail, dict | list)
        )
        lines.append(f"{key:>4} {value:>8}  goal {entry['goal']:<7} {state:<7} {details}")
    return "\n".join(lines)
