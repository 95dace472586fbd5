"""On SQLite, concurrent saves wait for the write lock and end in 200 or 409, never a 500; a lock
held past SQLITE_TIMEOUT answers 503 with Retry-After, and nothing is saved.

SQLite allows one writer: a transaction that read first and then wrote used to fail at once with
"database is locked" when another had begun writing meanwhile (a 500). The settings now take the
lock when a transaction begins (transaction_mode IMMEDIATE) and wait SQLITE_TIMEOUT seconds for it.

It needs several processes on one database file, so it makes its own: a SQLite file with the demo,
served by gunicorn with threads. It does not use the test database, so it runs whatever
DATABASE_URL the suite has.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from programs.demo_data import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn (one worker, eight threads) on a fresh SQLite file with the demo loaded."""
    database = tmp_path_factory.mktemp("sqlite") / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_CACHE_URL", "SQLITE_TIMEOUT"}
    }
    env |= {"DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1", "SQLITE_TIMEOUT": "1"}
    for command in (["migrate", "-v0"], ["load_regions"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    bind = f"127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(gunicorn), "talentportal.wsgi", "-w", "1", "--threads", "8", "-b", bind],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not up, or still booting
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield url, database
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def api(server):
    url, _database = server
    answer = requests.post(
        f"{url}/api/v1/auth/token/",
        json={"username": "gangqu", "password": DEMO_PASSWORD},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    session = requests.Session()
    session.headers["Authorization"] = f"Token {answer.json()['token']}"
    return session


def a_draft(url, api) -> dict:
    figures = api.get(f"{url}/api/v1/progress/?state=draft&page_size=50", timeout=10).json()
    drafts = [  # a count (a milestone's value is 0 or 1)
        figure
        for figure in figures["results"]
        if figure["state"] == "draft" and figure["value"] is not None and float(figure["value"]) > 1
    ]
    assert drafts, figures
    return drafts[0]


def test_concurrent_saves_of_one_figure_end_in_200_or_409(server, api):
    url, _database = server
    for round_ in range(3):
        draft = a_draft(url, api)

        def save(number, draft=draft, round_=round_):
            body = {"value": str(100 + round_ * 10 + number), "version": draft["version"]}
            return api.patch(f"{url}/api/v1/progress/{draft['id']}/", json=body, timeout=30)

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(save, range(8)))
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200] + [409] * 7, [a.text[:200] for a in answers]
        saved = api.get(f"{url}/api/v1/progress/{draft['id']}/", timeout=10).json()
        assert saved["version"] == draft["version"] + 1


def test_a_lock_held_too_long_answers_503_and_saves_nothing(server, api):
    url, database = server
    draft = a_draft(url, api)
    body = {"value": "4321", "version": draft["version"]}
    other = sqlite3.connect(database, isolation_level=None, timeout=5)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer keeps the lock
        started = time.monotonic()
        busy = api.patch(f"{url}/api/v1/progress/{draft['id']}/", json=body, timeout=30)
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert busy.status_code == 503, busy.text[:500]
    assert busy.headers["Retry-After"] == "5"
    assert "数据库正忙" in busy.json()["detail"]
    assert waited >= 1  # it waited SQLITE_TIMEOUT for the lock first
    assert api.get(f"{url}/api/v1/progress/{draft['id']}/", timeout=10).json() == draft
    again = api.patch(f"{url}/api/v1/progress/{draft['id']}/", json=body, timeout=30)
    assert again.status_code == 200, again.text[:500]
