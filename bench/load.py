"""Load test of the public pages: gunicorn on loopback, N concurrent users for T seconds.

    .venv/bin/python bench/load.py --database-url postgres://…/tp_gen_bench [--redis]
        [--users 200] [--duration 60] [--workers 3] [--port 8765] [--only NAMES] [--json]

What it does, all on 127.0.0.1:
1. collects the static files into a scratch STATIC_ROOT (DEBUG=0 serves them from the manifest);
2. optionally starts a private redis-server for the cache (--redis: as in production, where all
   gunicorn workers share one cache; without it each worker has its own local-memory cache);
3. starts gunicorn as docker-compose does (talentportal.wsgi, sync workers, DEBUG=0; plain http,
   so DJANGO_SECURE=0) against the given database, and waits for /healthz;
4. runs the users: each one requests the public URLs in turn, as fast as answers come, opening a
   connection per request (gunicorn's sync workers close it after each answer);
5. prints p50 / p95 / p99 / max latency, requests per second and the errors (any status but
   200, a refused or dropped connection, or no answer within --timeout), overall and per URL;
   then stops gunicorn (and redis).

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


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--users", type=int, default=200)
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
from programs.bench import default_year
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
    done = subprocess.run(  # noqa: S603 - our interpreter and our own code
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


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


async def load(port, urls, users, duration, timeout):
    samples: dict[str, list[float]] = defaultdict(list)
    failures: Counter = Counter()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(
        *(user(n, port, urls, deadline, timeout, samples, failures) for n in range(users))
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


def main(argv=None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="tp-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "DJANGO_SECURE": "0",  # plain http on loopback: no redirect to https
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(scratch / "static"),
        "DJANGO_SETTINGS_MODULE": "talentportal.settings",
    }
    redis = gunicorn = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        if args.redis:
            redis_port = free_port()
            redis = subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    shutil.which("redis-server") or "redis-server",
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
            )
            env["REDIS_CACHE_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        urls = public_urls(env)
        if args.only:
            wanted = {name.strip() for name in args.only.split(",")}
            urls = {name: path for name, path in urls.items() if name in wanted}
            if not urls:
                raise SystemExit(f"--only names none of the URLs: {args.only}")
        gunicorn = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
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
        base = f"http://127.0.0.1:{args.port}"
        wait_until_up(base + "/healthz")
        for _ in range(args.workers):  # fill each worker's cache once (a real site is warm)
            for path in urls.values():
                asyncio.run(one_request(args.port, path, 120))
        load_before = os.getloadavg()
        samples, failures, elapsed = asyncio.run(
            load(args.port, urls, args.users, args.duration, args.timeout)
        )
        everything = [value for values in samples.values() for value in values]
        errors = sum(failures.values())
        report = {
            "users": args.users,
            "duration_s": round(elapsed, 1),
            "workers": args.workers,
            "cache": "redis" if args.redis else "local memory per worker",
            "requests_per_s": round(len(everything) / elapsed, 1),
            "errors": errors,
            "error_kinds": {f"{name}: {kind}": n for (name, kind), n in failures.items()},
            **stats(everything),
            "per_url": {name: {"path": urls[name], **stats(v)} for name, v in samples.items()},
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        stop(gunicorn)
        stop(redis)
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(
            f"{report['users']} users, {report['duration_s']} s, {report['workers']} workers, "
            f"cache: {report['cache']}\n"
            f"{len(everything)} requests, {report['requests_per_s']}/s, errors: {errors}\n"
            f"latency p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
            f"p99 {report['p99_ms']} ms, max {report['max_ms']} ms"
        )
        for name, entry in report["per_url"].items():
            print(
                f"  {name:<16} {entry['requests']:>6}  p50 {entry['p50_ms']:>8} ms  "
                f"p95 {entry['p95_ms']:>8} ms  max {entry['max_ms']:>8} ms  {entry['path']}"
            )
        for kind, count in report["error_kinds"].items():
            print(f"  error {kind}: {count}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
