"""`manage.py bench`: it runs on a tiny province, prints every figure and changes nothing.

Only that the figures are there is checked; how fast anything is depends on the machine, so no
test asserts a time (docs/performance.md holds the measured figures).
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bench import measures
from programs.models import (
    Notification,
    ProgressReport,
    RegionFigure,
    ReportingPeriod,
)

FIGURES = ("P1", "P2", "P3", "P4", "P5", "P7", "P8", "P11", "P12")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.mark.django_db
def test_the_benchmark_refuses_sqlite_with_a_clear_message():
    if on_postgresql():
        pytest.skip("the refusal is for SQLite")
    with pytest.raises(CommandError, match=r"PostgreSQL only .*DATABASE_URL=postgres://"):
        call_command("bench", "--json")


def test_a_figure_without_a_value_says_why():
    entry = measures.figure("P4", None, reason="no --large-database-url given")
    assert entry == {
        "value": None,
        "goal": "<= 1.5",
        "met": None,
        "reason": "no --large-database-url given",
    }
    assert measures.figure("P1", 1.0)["met"] is True
    assert measures.figure("P2", 3.5)["met"] is False


def state_of_the_data() -> dict:
    history = ProgressReport.history.model
    return {
        "reports": sorted(
            ProgressReport.objects.values_list("pk", "state", "value", "version", "reviewed_at")
        ),
        "figures": sorted(
            RegionFigure.objects.values_list("region_id", "indicator_id", "year", "value", "rollup")
        ),
        "periods": ReportingPeriod.objects.count(),
        "history": history.objects.count(),
        "notifications": Notification.objects.count(),
    }


# Committed data (transaction=True): the child processes of P1/P4 and P11 read it too.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bench_prints_every_figure_on_a_tiny_province_and_changes_nothing():
    if not on_postgresql():
        pytest.skip("the benchmark needs PostgreSQL")
    call_command("generate_province", "--scale", "0.005", "--seed", "1", stdout=StringIO())
    before = state_of_the_data()
    out = StringIO()
    call_command(
        "bench",
        "--json",
        "--repeat",
        "1",
        "--quick",
        # The same database stands in for the 10× one: the child-process path runs.
        "--large-database-url",
        measures.database_url(),
        stdout=out,
        verbosity=0,
    )
    result = json.loads(out.getvalue())

    for key in FIGURES:
        entry = result[key]
        assert {"value", "goal", "met"} <= set(entry), key
        if entry["value"] is None:
            assert entry["reason"], key
        else:
            assert isinstance(entry["value"], int | float), key
            assert isinstance(entry["met"], bool), key
    assert result["P1"]["queries_1x"] == result["P1"]["queries_10x"] > 0
    assert result["P2"]["raw_matches_page_figures"] is True
    assert result["P5"]["same_rows"] is True
    assert result["P7"]["app_values"] > 0 and result["P7"]["copy_values"] > 0
    assert result["P11"]["scaled_down"] is True
    assert result["P11"]["big"]["rows"] > result["P11"]["small"]["rows"]
    assert result["machine"]["cpus"] and result["database"]["regions"] > 0
    assert state_of_the_data() == before


@pytest.mark.django_db
def test_bench_without_a_province_says_what_to_do():
    if not on_postgresql():
        pytest.skip("the benchmark needs PostgreSQL")
    with pytest.raises(CommandError, match="generate_province"):
        call_command("bench", "--json", "--quick", verbosity=0)
