"""`make backup` / `make restore`: a dump restored into an empty database holds every value and its
history, and the uploaded files come back."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from programs import services
from programs.choices import ReportState
from tests.factories import ReportFactory, tracked_in

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "backup.py"


def run(*args, env):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def pg_url(name: str) -> str:
    s = connection.settings_dict
    user, host, port = s["USER"] or "postgres", s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


REPORTS = (
    "SELECT id, value, state, version, reviewed_by_id FROM programs_progressreport ORDER BY id"
)
HISTORY = (
    "SELECT history_id, id, value, state, history_user_id, history_change_reason"
    " FROM programs_historicalprogressreport ORDER BY history_id"
)


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_dump_restores_every_value_and_its_history(
    gangqu, gangqu_reporter, jiaxing_reviewer, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump needs PostgreSQL")
    report = ReportFactory(
        region=gangqu, value=1200, state=ReportState.SUBMITTED, submitted_by=gangqu_reporter
    )
    tracked_in(gangqu, report.indicator)
    services.report_approve(user=jiaxing_reviewer, report=report, comment="核实无误")
    services.report_reopen(user=jiaxing_reviewer, report=report, reason="口径调整")
    ReportFactory(region=gangqu, value=800, state=ReportState.APPROVED)
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "proof.pdf").write_bytes(b"%PDF-1.4 proof")
    source = pg_url(connection.settings_dict["NAME"])
    folder = run(
        "backup", str(tmp_path / "backups"), env={"DATABASE_URL": source, "MEDIA_ROOT": str(media)}
    )

    empty = f"tp_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(pg_url("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{empty}"')
    restored_media = tmp_path / "restored-media"
    try:
        run(
            "restore",
            folder,
            env={"DATABASE_URL": pg_url(empty), "MEDIA_ROOT": str(restored_media)},
        )
        assert rows(pg_url(empty), REPORTS) == rows(source, REPORTS)
        history = rows(pg_url(empty), HISTORY)
        assert history == rows(source, HISTORY)
        assert [h[3] for h in history if h[1] == report.pk] == ["submitted", "approved", "draft"]
        assert [h[5] for h in history if h[1] == report.pk][1:] == ["核实无误", "口径调整"]
        assert (restored_media / "evidence" / "proof.pdf").read_bytes() == b"%PDF-1.4 proof"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        admin.close()


def test_an_sqlite_backup_is_a_consistent_copy_restored_in_place(tmp_path):
    live = tmp_path / "db.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("CREATE TABLE figure (id INTEGER PRIMARY KEY, value TEXT)")
        db.executemany("INSERT INTO figure (value) VALUES (?)", [("1200",), ("800",)])
    env = {"DATABASE_URL": f"sqlite:///{live}", "MEDIA_ROOT": str(tmp_path / "none")}
    folder = run("backup", str(tmp_path / "backups"), env=env)
    with sqlite3.connect(live) as db:
        db.execute("UPDATE figure SET value = '0'")
    run("restore", folder, env=env)
    with sqlite3.connect(live) as db:
        assert db.execute("SELECT value FROM figure ORDER BY id").fetchall() == [
            ("1200",),
            ("800",),
        ]
