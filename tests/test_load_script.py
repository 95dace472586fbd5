"""`bench/load.py` (make load) runs end to end on a tiny generated province: public users and
officials saving drafts against a real gunicorn, no error, no lost save, and the database is left
as it was. Only that it works is checked: its figures depend on the machine (docs/performance.md).

PostgreSQL only (the script refuses anything else); the test makes and drops its own database on
the server of DATABASE_URL, since gunicorn runs in other processes than the test.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import dj_database_url
import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="bench/load.py needs PostgreSQL (set DATABASE_URL)",
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def province_url():
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"tp_load_test_{os.getpid()}"
    server = dict(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
    )
    admin = psycopg2.connect(**server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["migrate", "-v0"], ["generate_province", "--scale", "0.02", "--seed", "3"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    try:
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def counts(url: str) -> tuple:
    config = dj_database_url.parse(url)
    with (
        psycopg2.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname=config["NAME"],
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT (SELECT count(*) FROM programs_progressreport),"
            " (SELECT count(*) FROM programs_historicalprogressreport),"
            " (SELECT count(*) FROM programs_reportingperiod),"
            " (SELECT count(*) FROM authtoken_token),"
            " (SELECT count(*) FROM django_session)"
        )
        return cursor.fetchone()


def test_public_users_and_officials_saving_drafts_lose_nothing(province_url):
    before = counts(province_url)
    done = subprocess.run(
        [
            sys.executable,
            "bench/load.py",
            "--database-url",
            province_url,
            "--users",
            "4",
            "--officials",
            "2",
            "--tabs",
            "2",
            "--duration",
            "4",
            "--workers",
            "1",
            "--port",
            str(free_port()),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == 0
    assert report["lost_saves"] == 0
    assert report["saves_acknowledged"] > 0
    saves = report["per_url"]["official_save"]["requests"]
    assert saves == report["saves_acknowledged"] + report["conflicts"]
    assert report["conflicts"] > 0  # two tabs on the same figures do race
    assert counts(province_url) == before  # the scratch period, its figures and tokens are gone


def test_hostile_uploads_are_refused_while_public_pages_keep_answering(province_url):
    """--hostile: a reporter uploads bench/hostile.py's workbooks in a loop through the grid's
    Excel upload; each is refused (422, else counted as an error), the public pages answer all
    the while, and the scratch period and the reporter's session are gone afterwards."""
    before = counts(province_url)
    done = subprocess.run(
        [
            sys.executable,
            "bench/load.py",
            "--database-url",
            province_url,
            "--users",
            "2",
            "--hostile",
            "--duration",
            "6",
            "--workers",
            "2",
            "--port",
            str(free_port()),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == 0, report["error_kinds"]
    assert report["per_url"]["hostile_upload"]["requests"] >= 3
    assert report["per_url"]["home"]["requests"] > 0
    assert report["public_p95_ms"] > 0
    assert counts(province_url) == before
