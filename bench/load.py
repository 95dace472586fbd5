"""Load test: gunicorn on loopback, N public users and M officials saving drafts for T seconds.

    .venv/bin/python bench/load.py --database-url postgres://…/tp_gen_bench [--redis]
        [--users 200] [--officials 20] [--tabs 2] [--duration 60] [--workers 3]
        [--port 8765] [--only NAMES] [--hostile] [--json]

What it does, all on 127.0.0.1:
1. collects the static files into a scratch STATIC_ROOT (DEBUG=0 serves them from the manifest);
2. optionally starts a private redis-server for the cache (--redis: as in production, where all
   gunicorn workers share one cache; without it each worker has its own local-memory cache);
3. starts gunicorn as docker-compose does (talentportal.wsgi, sync workers, DEBUG=0; plain http,
   so DJANGO_SECURE=0) against the given database, and waits for /healthz;
4. runs the users: each one requests the public URLs in turn, as fast as answers come, opening a
   connection per request (gunicorn's sync workers close it after each answer);
5. meanwhile the officials (--officials, each the reporter of their own county, with an API
   token) save drafts through the officials' API (`POST /api/v1/progress/` once per figure, then
   `PATCH` with the version last read) of a scratch month period opened for the run, each save a
   new value, one after the other as fast as answers come. Each official works in --tabs sessions
   at once on the same figures, so saves race: a save made with a version another tab has
   already moved past must answer 409 with the current figure (counted as a conflict, not an
   error), and the tab goes on from there;
   With --hostile, a reporter also uploads bench/hostile.py's workbooks in a loop through the
   grid's Excel upload, each to be refused (422); public_p95_ms shows the public pages meanwhile;
6. prints p50 / p95 / p99 / max latency, requests per second and the errors (any status but
   200/201, or 409 to a racing save; a refused or dropped connection, or no answer within
   --timeout), overall and per URL; then checks that no acknowledged save was lost: each
   figure holds the value acknowledged with its highest version, no two saves of a figure were
   acknowledged with the same version (one would have overwritten the other), and the history
   holds every acknowledged value ("lost saves" must be 0); removes the scratch period, its
   figures and the tokens, and stops gunicorn (and redis).

The URLs are the public pages of the generated province (manage.py generate_province): home,
region pages of every level (province 90, city 9001, county 900101, township 900101001), a
program page, an indicator page, and the open-data API (a region's summary, approved figures).
The load generator is plain asyncio (no locust or wrk dependency); it shares the machine's cores
with gunicorn and PostgreSQL, which the figures include.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench import hostile  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--officials", type=int, default=0, help="Officials saving drafts through the API."
    )
    parser.add_argument(
        "--tabs", type=int, default=1, help="Sessions per official saving the same figures."
    )
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds of load.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (compose: 3).")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=30.0, help="Per request, in seconds.")
    parser.add_argument("--redis", action="store_true", help="Share a private redis cache.")
    parser.add_argument(
        "--only",
        help="Comma-separated URL names to hit (default: all): home, region_province, "
        "region_city, region_county, region_township, program, indicator, api_summary, "
        "api_progress.",
    )
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="One reporter uploads hostile workbooks in a loop through the grid upload.",
    )
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("give --database-url postgres://… (a database with a generated province)")
    return args


# --- The URLs ---------------------------------------------------------------------------------


def public_urls(env: dict) -> dict[str, str]:
    """Name → path of the pages to hit, read from the database (in a child process, so this one
    never holds a database connection or Django's state)."""
    code = """
import json
from bench.measures import default_year
from programs.models import Indicator, Program
from regions.models import Region
year = default_year()
codes = {"province": "90", "city": "9001", "county": "900101", "township": "900101001"}
codes = {k: c for k, c in codes.items() if Region.objects.filter(code=c).exists()}
program = Program.objects.filter(region__code="90").order_by("pk").first()
indicator = Indicator.objects.filter(code__startswith="GEN90-").order_by("code").first()
urls = {"home": "/"}
urls |= {f"region_{k}": f"/regions/{c}/?year={year}" for k, c in codes.items()}
if program:
    urls["program"] = f"/programs/{program.pk}/?year={year}"
if indicator:
    urls["indicator"] = f"/indicators/{indicator.code}/?region=9001&year={year}"
urls["api_summary"] = f"/api/v1/regions/9001/summary/?year={year}"
urls["api_progress"] = f"/api/v1/open/progress/?region=9001&year={year}"
print(json.dumps(urls))
"""
    return manage_shell(env, code)


# --- The officials ----------------------------------------------------------------------------

OFFICIALS_SETUP = """
import json, sys
from datetime import timedelta
from django.utils import timezone
from rest_framework.authtoken.models import Token
from bench.measures import default_year
from programs.choices import IndicatorKind, PeriodKind
from programs.models import ReportingPeriod
from programs.selectors import entry_rows, programs_for
from regions.choices import Role
from regions.models import OfficialMembership
wanted = int(sys.argv[-1])
year = default_year()
now = timezone.now()
months = ReportingPeriod.objects.filter(kind=PeriodKind.MONTH, year=year)
number = min(set(range(1, 13)) - set(months.values_list("number", flat=True)))
period = ReportingPeriod.objects.create(
    kind=PeriodKind.MONTH, year=year, number=number,
    opens_at=now - timedelta(days=1), deadline=now + timedelta(days=30),
)
officials, seen = [], set()
for membership in (
    OfficialMembership.objects.filter(role=Role.REPORTER, region__level=3, user__is_active=True)
    .select_related("user", "region").order_by("region__code")
):
    if len(officials) >= wanted:
        break
    if membership.user_id in seen:
        continue
    region = membership.region
    codes = [
        row.indicator.code
        for program in programs_for(region, year)
        for row in entry_rows(region=region, period=period, program=program)
        if row.indicator.kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT)
    ]
    if not codes:
        continue
    token, created = Token.objects.get_or_create(user=membership.user)
    seen.add(membership.user_id)
    officials.append({"token": token.key, "made_token": created, "region": region.code,
                      "indicators": sorted(set(codes))[:12]})
print(json.dumps({"period": period.pk, "officials": officials}))
"""

OFFICIALS_CHECK = """
import json, sys
from django.db.models import Q
from rest_framework.authtoken.models import Token
from programs.models import ProgressReport, ReportingPeriod
state = json.loads(open(sys.argv[-1]).read())
reports = {r.pk: r for r in ProgressReport.objects.filter(period_id=state["period"])}
history = ProgressReport.history.model.objects.filter(period_id=state["period"])
seen = {(h.id, str(h.value)) for h in history}
checked = lost = 0
for pk, saves in state["acknowledged"].items():  # [version, value] per acknowledged save
    report = reports.get(int(pk))
    for version, value in saves:
        checked += 1
        if (int(pk), value) not in seen:
            lost += 1
    lost += len(saves) - len({version for version, _ in saves})  # two saves, one version
    last = max(saves)
    if report is None or (report.version, str(report.value)) != (last[0], last[1]):
        lost += 1
ProgressReport.objects.filter(period_id=state["period"]).delete()
history.delete()  # after the figures: deleting them records deletion rows
ReportingPeriod.objects.filter(pk=state["period"]).delete()
Token.objects.filter(key__in=state["made_tokens"]).delete()
print(json.dumps({"checked": checked, "lost": lost, "figures": len(state["acknowledged"])}))
"""


def manage_shell(env: dict, code: str, *args: str) -> dict:
    """Run `code` in `manage.py shell` (a child process: this one holds no database connection);
    its last printed line is JSON."""
    done = subprocess.run(  # noqa: S603 - our interpreter and our own code
        [sys.executable, "-c", SHELL_RUNNER, code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# sys.argv inside the code is [.., *args]; django.setup() as manage.py shell would do.
SHELL_RUNNER = (
    "import sys, django; django.setup(); code = sys.argv[1]; sys.argv = sys.argv[1:]; exec(code)"
)


async def api_request(port, method, path, token, body, timeout) -> tuple[int, dict]:
    """One JSON request with a token; (status, JSON answer or {})."""

    async def exchange() -> tuple[int, dict]:
        payload = json.dumps(body).encode()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
                f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
                f"Accept: application/json\r\nContent-Length: {len(payload)}\r\n"
                "User-Agent: talentportal-load\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
            answer = await reader.read()
        finally:
            writer.close()
        head, _, content = answer.partition(b"\r\n\r\n")
        parts = head.split(b"\r\n", 1)[0].split()
        status = int(parts[1]) if len(parts) > 1 else 0
        try:
            return status, json.loads(content or b"{}")
        except ValueError:
            return status, {}

    return await asyncio.wait_for(exchange(), timeout)


async def official(who, tab, period, port, deadline, timeout, samples, failures, acknowledged):
    """One session of an official saving drafts one after another: a figure is created (or, when
    another tab made it first, found through the 409), then changed with the version last read."""
    figures: dict[str, tuple[int, int]] = {}  # indicator code → (report id, version)
    turn = 0
    while time.perf_counter() < deadline:
        code = who["indicators"][turn % len(who["indicators"])]
        value = str((tab + 1) * 10_000_000 + turn)  # never the same in two tabs
        turn += 1
        if code in figures:
            pk, version = figures[code]
            method, path = "PATCH", f"/api/v1/progress/{pk}/"
            body = {"value": value, "version": version}
        else:
            method, path = "POST", "/api/v1/progress/"
            body = {"indicator": code, "region": who["region"], "period": period, "value": value}
        start = time.perf_counter()
        try:
            status, answer = await api_request(port, method, path, who["token"], body, timeout)
        except (TimeoutError, OSError) as error:
            status, answer, failure = 0, {}, type(error).__name__
        else:
            failure = "" if status in (200, 201, 409) else f"HTTP {status}"
        samples["official_save"].append(time.perf_counter() - start)
        if failure:
            failures[("official_save", failure)] += 1
            continue
        if status == 409:  # another tab saved first: go on from the figure as it is now
            samples["official_conflict"].append(time.perf_counter() - start)
            answer = answer["current"]
        else:
            if method == "PATCH" and answer["version"] != version + 1:
                # Accepted over a version this tab never saw: another tab's save was overwritten.
                failures[("official_save", "stale version accepted")] += 1
            key = str(answer["id"])
            acknowledged.setdefault(key, []).append([answer["version"], str(answer["value"])])
        figures[code] = (answer["id"], answer["version"])


# --- The servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:g} s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- The users --------------------------------------------------------------------------------


async def one_request(port: int, path: str, timeout: float) -> int:
    """GET `path`; the status (0 when the connection failed)."""

    async def exchange() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
                "Accept-Encoding: identity\r\nUser-Agent: talentportal-load\r\n\r\n".encode()
            )
            await writer.drain()
            status_line = await reader.readline()
            await reader.read()  # the whole answer: the server closes when it is sent
            parts = status_line.split()
            return int(parts[1]) if len(parts) > 1 else 0
        finally:
            writer.close()

    return await asyncio.wait_for(exchange(), timeout)


async def user(number, port, urls, deadline, timeout, samples, failures) -> None:
    names = list(urls)
    turn = number  # users start on different pages
    while time.perf_counter() < deadline:
        name = names[turn % len(names)]
        turn += 1
        start = time.perf_counter()
        try:
            status = await one_request(port, urls[name], timeout)
        except (TimeoutError, OSError) as error:
            status, failure = 0, type(error).__name__
        else:
            failure = "" if status == 200 else f"HTTP {status}"
        samples[name].append(time.perf_counter() - start)
        if failure:
            failures[(name, failure)] += 1


async def load(
    port,
    urls,
    users,
    duration,
    timeout,
    officials=(),
    tabs=1,
    period=None,
    acknowledged=None,
    uploads=None,
):
    samples: dict[str, list[float]] = defaultdict(list)
    failures: Counter = Counter()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(
        *(user(n, port, urls, deadline, timeout, samples, failures) for n in range(users)),
        *(
            official(who, tab, period, port, deadline, timeout, samples, failures, acknowledged)
            for who in officials
            for tab in range(tabs)
        ),
        *(
            [hostile.uploader(port, uploads, deadline, timeout, samples, failures)]
            if uploads
            else []
        ),
    )
    return samples, failures, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def stats(values: list[float]) -> dict:
    return {
        "requests": len(values),
        "p50_ms": round(percentile(values, 0.50) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
    }


# --- Main -------------------------------------------------------------------------------------


def server_env(args, scratch: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "DJANGO_SECURE": "0",  # plain http on loopback: no redirect to https
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(scratch / "static"),
        "DJANGO_SETTINGS_MODULE": "talentportal.settings",
    }


def start_redis(env: dict) -> subprocess.Popen:
    """A private Redis as the site's cache (env gets its URL)."""
    port = free_port()
    server = shutil.which("redis-server") or "redis-server"
    options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    redis = subprocess.Popen(  # noqa: S603 - fixed arguments
        [server, "--port", str(port), *options], stdout=subprocess.DEVNULL
    )
    env["REDIS_CACHE_URL"] = f"redis://127.0.0.1:{port}/0"
    return redis


def start_gunicorn(args, env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "talentportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )


def chosen_urls(args, env: dict) -> dict[str, str]:
    urls = public_urls(env)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        urls = {name: path for name, path in urls.items() if name in wanted}
        if not urls:
            raise SystemExit(f"--only names none of the URLs: {args.only}")
    return urls


OTHER_PATHS = {"official_save": "/api/v1/progress/ (POST, PATCH)", "hostile_upload": "Excel upload"}


def run_load(args, urls: dict, setup: dict | None, acknowledged: dict, uploads=None) -> dict:
    """Warm every worker's cache, then load the site; the report without the officials' check."""
    base = f"http://127.0.0.1:{args.port}"
    wait_until_up(base + "/healthz")
    for _ in range(args.workers):  # fill each worker's cache once (a real site is warm)
        for path in urls.values():
            asyncio.run(one_request(args.port, path, 120))
    load_before = os.getloadavg()
    samples, failures, elapsed = asyncio.run(
        load(
            args.port,
            urls,
            args.users,
            args.duration,
            args.timeout,
            officials=setup["officials"] if setup else (),
            tabs=args.tabs,
            period=setup["period"] if setup else None,
            acknowledged=acknowledged,
            uploads=uploads,
        )
    )
    conflicts = len(samples.pop("official_conflict", []))
    everything = [value for values in samples.values() for value in values]
    return {
        "users": args.users,
        "duration_s": round(elapsed, 1),
        "workers": args.workers,
        "cache": "redis" if args.redis else "local memory per worker",
        "requests": len(everything),
        "requests_per_s": round(len(everything) / elapsed, 1),
        "errors": sum(failures.values()),
        "error_kinds": {f"{name}: {kind}": n for (name, kind), n in failures.items()},
        **stats(everything),
        "public_p95_ms": stats([v for name in urls for v in samples.get(name, [])])["p95_ms"],
        "per_url": {
            name: {"path": urls.get(name) or OTHER_PATHS[name], **stats(v)}
            for name, v in samples.items()
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "conflicts": conflicts,
    }


def check_saves(env: dict, scratch: Path, setup: dict, acknowledged: dict) -> dict:
    """Every acknowledged save is in the database (and the tokens made for the run are gone)."""
    state = scratch / "officials.json"
    made = [who["token"] for who in setup["officials"] if who["made_token"]]
    state.write_text(
        json.dumps({"period": setup["period"], "acknowledged": acknowledged, "made_tokens": made})
    )
    return manage_shell(env, OFFICIALS_CHECK, str(state))


def print_report(report: dict, args, saves: dict | None) -> None:
    print(
        f"{report['users']} users, {report['duration_s']} s, {report['workers']} workers, "
        f"cache: {report['cache']}\n"
        f"{report['requests']} requests, {report['requests_per_s']}/s, "
        f"errors: {report['errors']}\n"
        f"latency p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
        f"p99 {report['p99_ms']} ms, max {report['max_ms']} ms; "
        f"public pages p95 {report['public_p95_ms']} ms"
    )
    for name, entry in report["per_url"].items():
        print(
            f"  {name:<16} {entry['requests']:>6}  p50 {entry['p50_ms']:>8} ms  "
            f"p95 {entry['p95_ms']:>8} ms  max {entry['max_ms']:>8} ms  {entry['path']}"
        )
    for kind, count in report["error_kinds"].items():
        print(f"  error {kind}: {count}")
    if saves is not None:
        print(
            f"{args.officials} officials × {args.tabs} tabs: {saves['checked']} acknowledged "
            f"saves of {saves['figures']} figures, {report['conflicts']} refused as stale (409), "
            f"lost: {saves['lost']}"
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="tp-load-"))
    env = server_env(args, scratch)
    redis = gunicorn = None
    setup, acknowledged, saves, uploads = None, {}, None, None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        if args.redis:
            redis = start_redis(env)
        urls = chosen_urls(args, env)
        if args.officials:
            setup = manage_shell(env, OFFICIALS_SETUP, str(args.officials))
            if len(setup["officials"]) < args.officials:
                raise SystemExit(f"only {len(setup['officials'])} reporters of counties found")
        if args.hostile:
            uploads = manage_shell(env, hostile.SETUP)
            uploads["files"] = hostile.files(uploads["meta"])
        gunicorn = start_gunicorn(args, env)
        report = run_load(args, urls, setup, acknowledged, uploads)
    finally:
        stop(gunicorn)
        if uploads:
            manage_shell(env, hostile.CLEANUP, json.dumps({**uploads, "files": []}))
        if setup:  # check and clean up even when the run failed
            saves = check_saves(env, scratch, setup, acknowledged)
        stop(redis)
        shutil.rmtree(scratch, ignore_errors=True)
    if saves is not None:
        report["officials"] = args.officials
        report["tabs"] = args.tabs
        report["saves_acknowledged"] = saves["checked"]
        report["lost_saves"] = saves["lost"]
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report, args, saves)
    lost = saves["lost"] if saves else 0
    return 0 if report["errors"] == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
