"""A worker killed in the middle of an export: the job runs again on another worker, to the end,
and leaves exactly one file.

Real worker processes on the real broker and the test's PostgreSQL database (a worker process
cannot see SQLite's in-memory test database). With Redis, a message a dead worker never
acknowledged goes back on its queue only once it is older than the visibility timeout, when a
worker sweeps for such messages (kombu does so as it starts, then every 100 s); the workers here run
with a visibility timeout of a few seconds, and the second one starts once the message is older.

A worker with so short a timeout would also hand back other people's unfinished messages, since
the sweep covers the whole Redis database: the test therefore uses Redis database 15 of the same
server (or CRASH_TEST_BROKER_URL), and a queue of its own.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from openpyxl import load_workbook

from programs.choices import JobKind, JobState, PeriodKind
from programs.models import Job, ProgressReport
from programs.tasks import run_job
from talentportal.celery import app
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
    RegionFactory,
)

pytestmark = [
    pytest.mark.broker,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="worker processes need a PostgreSQL database"
    ),
]

VISIBILITY_TIMEOUT = 2  # seconds
ISOLATED_REDIS_DB = 15
REGIONS, INDICATORS, YEARS = 40, 20, range(2020, 2025)  # 20,000 figures: seconds to export


def broker_url() -> str:
    url = os.environ.get("CRASH_TEST_BROKER_URL") or os.environ["CELERY_BROKER_URL"]
    parts = urlsplit(url)
    if parts.scheme.startswith("redis") and not os.environ.get("CRASH_TEST_BROKER_URL"):
        parts = parts._replace(path=f"/{ISOLATED_REDIS_DB}")
    return urlunsplit(parts)


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}{port}/{db['NAME']}"


class Workers:
    """Worker processes consuming one queue, each logging to its own file."""

    def __init__(self, directory, queue: str, broker: str):
        self.directory, self.queue, self.processes = directory, queue, []
        (directory / "tmp").mkdir()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "MEDIA_ROOT": str(directory / "media"),
            "TMPDIR": str(directory / "tmp"),  # what a killed job leaves behind stays in here
        }

    def start(self) -> subprocess.Popen:
        number = len(self.processes) + 1
        log = open(self.directory / f"worker{number}.log", "wb")  # noqa: SIM115
        command = [
            sys.executable, "-m", "celery", "-A", "talentportal", "worker",
            "-P", "solo", "-c", "1", "-Q", self.queue, "-n", f"{self.queue}-{number}@%h",
            "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "INFO",
        ]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name} ---\n{path.read_text(errors='replace')}"
            for path in sorted(self.directory.glob("worker*.log"))
        )


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds}s for {what}")


def job_state(pk: int) -> Job:
    return Job.objects.get(pk=pk)


@pytest.fixture
def export_job(jiaxing, jiaxing_reviewer):
    """An export of 20,000 figures of 嘉兴's sub-regions, all under one program of the city."""
    regions = [RegionFactory(code=f"3304{n:02d}9", parent=jiaxing) for n in range(REGIONS)]
    indicators = [IndicatorFactory(code=f"CRASH_{n}") for n in range(INDICATORS)]
    plan = PlanFactory(program=ProgramFactory(region=jiaxing, start_year=2020, end_year=2024))
    for indicator in indicators:
        PlanIndicatorFactory(plan=plan, indicator=indicator)
    periods = [PeriodFactory(year=year) for year in YEARS] + [
        PeriodFactory(year=year, kind=PeriodKind.QUARTER, number=n)
        for year in YEARS
        for n in range(1, 5)
    ]
    ProgressReport.objects.bulk_create(
        (
            ProgressReport(region=region, indicator=indicator, period=period, value=Decimal(9))
            for region in regions
            for indicator in indicators
            for period in periods
        ),
        batch_size=5000,
    )
    return Job.objects.create(
        user=jiaxing_reviewer,
        kind=JobKind.EXPORT,
        title="crash",
        params={"region": jiaxing.pk, "year_from": YEARS[0], "year_to": YEARS[-1]},
    )


def test_an_export_whose_worker_is_killed_runs_again_to_one_file(export_job, tmp_path):
    queue, broker = f"crash-test-{uuid.uuid4().hex}", broker_url()
    workers = Workers(tmp_path, queue, broker)
    results = tmp_path / "media" / "jobs" / str(export_job.pk)
    try:
        with app.connection_for_write(broker) as producer_connection:
            run_job.apply_async(args=[export_job.pk], queue=queue, connection=producer_connection)
        first = workers.start()
        running = wait_for(
            lambda: (job := job_state(export_job.pk)).progress > 0 and job,
            seconds=60,
            what="the first worker to get going",
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert (running.state, running.attempts) == (JobState.RUNNING, 1)
        assert not results.exists() or not list(results.iterdir())

        # The unacknowledged message is handed back once older than the visibility timeout.
        age = time.time() - running.started_at.timestamp()
        time.sleep(max(0, VISIBILITY_TIMEOUT + 0.5 - age))
        workers.start()
        job = wait_for(
            lambda: (job := job_state(export_job.pk)).is_finished and job,
            seconds=90,
            what="the second worker to finish the job",
        )
        assert (job.state, job.error, job.attempts, job.progress) == (JobState.DONE, "", 2, 100)
        assert [path.name for path in results.iterdir()] == ["result.xlsx"]  # no *.part left
        workbook = load_workbook(results / "result.xlsx", read_only=True)
        rows = [sum(1 for _row in sheet.iter_rows(values_only=True)) for sheet in workbook]
        workbook.close()
        assert rows == [1 + REGIONS * INDICATORS * len(YEARS) * 5] * 2  # all data, the program
    except BaseException:
        workers.stop()
        print(workers.logs())
        raise
    finally:
        workers.stop()
        keys = (queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        redis.Redis.from_url(broker).delete(*keys)
