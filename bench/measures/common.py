"""What every measurement shares: the goals, a figure's JSON entry, rolled-back transactions, the
database as a URL for child processes, and the refusal to run anywhere but on PostgreSQL."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from bench.generator import PROVINCE_CODE
from programs.choices import PeriodKind
from programs.models import ReportingPeriod

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


class BenchRefused(Exception):
    """The benchmark cannot run here; the message says why."""


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
