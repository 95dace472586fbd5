"""The region page (P1–P4): its queries and time uncached, cached against a trivial view, and the
one statement (RAW_PAGE_SQL) that computes its figures from the progress reports."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import path, reverse

from programs import public_cache
from programs.models import RegionFigure
from regions.models import Region

from .common import median, ms

FAST_BATCH = 100  # requests per repetition for the ~1 ms cached and trivial pages


def trivial(request):
    """P3's floor: the cheapest view Django can serve through the same middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


# A URLconf of one view, used only while P3 measures the floor (override_settings below).
urlpatterns = [path("trivial/", trivial)]


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
    pages.timed(url, before=public_cache.bump_public_version)  # warm up: imports, templates
    public_cache.bump_public_version()
    with CaptureQueriesContext(connection) as queries:
        pages.get(url)
    query_count = len(queries)  # now: the next request empties the log the count reads
    samples = [pages.timed(url, before=public_cache.bump_public_version) for _ in range(repeat)]
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
