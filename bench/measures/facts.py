"""The machine and the database the figures were measured on (the JSON's "machine", "database")."""

from __future__ import annotations

import os
import platform

import django
from django.conf import settings
from django.db import connection

from programs.models import ProgressReport, RegionFigure
from regions.models import Region


def estimated_rows(model) -> int:
    """The planner's row estimate: a count(*) of 28M rows would take seconds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] > 0 else model.objects.count()


def database_facts() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "name": connection.settings_dict["NAME"],
        "postgresql": version,
        "regions": Region.objects.count(),
        "progress_reports": estimated_rows(ProgressReport),
        "region_figures": estimated_rows(RegionFigure),
    }


def machine_facts() -> dict:
    memory = None
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
