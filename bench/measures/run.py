"""The whole run behind `manage.py bench --json`: every measurement in turn (a failure in one is
reported, not raised), then the figures; and what a child process measures on another database."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from programs.models import ReportingPeriod
from regions.models import Region

from .approval import approval_latency
from .common import DEFAULT_REGION, BenchRefused, default_year, require_postgresql, run_child
from .exports import EXPORT_ROWS, QUICK_EXPORT_ROWS, export_memory
from .facts import database_facts, machine_facts
from .importing import (
    EXCEL_BUDGET_SECONDS,
    IMPORT_BUDGET_SECONDS,
    IMPORT_VALUES,
    QUICK_IMPORT_BUDGET_SECONDS,
    app_import,
    copy_import,
    excel_import,
)
from .listing import report_list_figures
from .pages import cached_page_figures, page_figures, raw_page_figures
from .refresh import refresh_figures
from .results import Failed, failed, p1, p2, p3, p4, p5, p7, p8, p11, p12


def attempt(log: Callable[[str], None], what: str, measure: Callable[[], dict | None]):
    """Run one measurement; a failure is reported, not raised, so that one broken part does not
    lose the minutes the others took."""
    log(what)
    try:
        return measure()
    except Exception as error:
        log(f"  {what} failed: {error!r}")
        return Failed(error)


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
    with override_settings(ALLOWED_HOSTS=hosts), timezone.override(settings.TIME_ZONE):
        parts = measure_all(
            region=region,
            year=year,
            repeat=repeat,
            large_database_url=large_database_url,
            quick=quick,
            log=log,
        )
    result.update(figures(parts, quick=quick))
    result["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def measure_all(
    *,
    region: str,
    year: int,
    repeat: int,
    large_database_url: str | None,
    quick: bool,
    log: Callable[[str], None],
) -> dict:
    """Every measurement, in order, by name; a failed one is a `Failed`."""
    latest = ReportingPeriod.objects.aggregate(Max("year"))["year__max"]
    budget = QUICK_IMPORT_BUDGET_SECONDS if quick else IMPORT_BUDGET_SECONDS
    # --quick gives the informative Excel path the same few seconds as the bulk API (its files are
    # made between the timed parts, so 20 s of timed uploads took about a minute).
    excel_budget = QUICK_IMPORT_BUDGET_SECONDS if quick else EXCEL_BUDGET_SECONDS
    large_args = ["--page-only", "--region", region, "--year", str(year), "--repeat", str(repeat)]
    steps: list[tuple[str, str, Callable[[], dict | None]]] = [
        (
            "page",
            "P1/P2/P4: region page, uncached",
            lambda: page_figures(code=region, year=year, repeat=repeat),
        ),
        (
            "raw",
            "P2: the raw statement",
            lambda: raw_page_figures(code=region, year=year, repeat=repeat),
        ),
        (
            "cached",
            "P3: cached page and trivial view",
            lambda: cached_page_figures(code=region, year=year, repeat=repeat),
        ),
    ]
    if large_database_url:
        steps.append(
            (
                "large",
                "P1/P4: region page on the large database (child process)",
                lambda: run_child(large_args, database=large_database_url),
            )
        )
    steps += [
        ("refresh", "P5: roll-up refresh", lambda: refresh_figures(repeat=repeat)),
        (
            "app",
            "P7: import through the bulk API",
            lambda: app_import(year=latest, values=IMPORT_VALUES, budget=budget),
        ),
        (
            "excel_path",
            "P7: import through Excel uploads (informative)",
            lambda: excel_import(year=latest, values=IMPORT_VALUES, budget=excel_budget),
        ),
        (
            "copy",
            "P7: COPY",
            lambda: copy_import(year=latest, values=10_000 if quick else IMPORT_VALUES),
        ),
        ("listing", "P8: officials' progress list", lambda: report_list_figures(repeat=repeat)),
        (
            "exports",
            "P11: export memory (child processes)",
            lambda: export_memory(sizes=QUICK_EXPORT_ROWS if quick else EXPORT_ROWS),
        ),
        ("approval", "P12: approval to public page", lambda: approval_latency(repeat=repeat)),
    ]
    parts: dict = {"large": None}
    for name, what, measure in steps:
        parts[name] = attempt(log, what, measure)
    return parts


def figures(parts: dict, *, quick: bool) -> dict:
    """The figures P1–P12 from the measurements of `measure_all`."""
    page, large, raw, cached = parts["page"], parts["large"], parts["raw"], parts["cached"]
    refresh, app, copy = parts["refresh"], parts["app"], parts["copy"]
    listing, exports, approval = parts["listing"], parts["exports"], parts["approval"]
    return {
        "P1": failed("P1", page, large) or p1(page, large),
        "P2": failed("P2", page, raw) or p2(page, raw),
        "P3": failed("P3", cached) or p3(cached),
        "P4": failed("P4", page, large) or p4(page, large),
        "P5": failed("P5", refresh) or p5(refresh),
        "P7": failed("P7", app, copy) or p7(app, copy, parts["excel_path"]),
        "P8": failed("P8", listing) or p8(listing),
        "P11": failed("P11", exports) or p11(exports, quick=quick),
        "P12": failed("P12", approval) or p12(approval),
    }


def page_only(*, region: str, year: int, repeat: int) -> dict:
    """What a child process reports for P1/P4 on another database."""
    require_postgresql()
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts), timezone.override(settings.TIME_ZONE):
        page = page_figures(code=region, year=year, repeat=repeat)
    return {**page, "database": database_facts()}
