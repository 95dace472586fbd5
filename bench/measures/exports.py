"""Export memory (P11): peak memory of `write_export` of ~1M rows against ~10k rows, each export
in a fresh process (`manage.py bench --export-child`)."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Count

from bench.generator import PROVINCE_CODE
from programs.models import ProgressReport
from regions.choices import Role
from regions.models import OfficialMembership, Region

from .common import BenchRefused, run_child

EXPORT_ROWS = (1_000_000, 10_000)  # P11: big, small
QUICK_EXPORT_ROWS = (50_000, 1_000)


def export_span(target: int) -> tuple[str, int, int, int]:
    """A region and years of the generated province whose export has about `target` rows:
    (code, first year, last year, rows). Tries the province and its first city, county and
    township, each over the latest years, and keeps the closest."""
    candidates = []
    province = Region.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        raise BenchRefused("No generated province: run manage.py generate_province first.")
    for level in (province.level, province.level + 1, province.level + 2, province.level + 3):
        region = (
            Region.objects.filter(path__startswith=province.path, level=level)
            .order_by("code")
            .first()
        )
        if region is None:
            continue
        per_year = dict(
            ProgressReport.objects.filter(region__path__startswith=region.path)
            .values_list("period__year")
            .annotate(n=Count("pk"))
            .values_list("period__year", "n")
        )
        total, first = 0, None
        for year in sorted(per_year, reverse=True):
            total, first = total + per_year[year], year
            if total >= target:
                break
        if first is not None:
            candidates.append((region.code, first, max(per_year), total))
    return min(candidates, key=lambda c: abs(c[3] - target) / target)


def _exporter(region: Region):
    """Who exports: the region's reviewer whose membership covers its sub-regions (an official,
    as in the export job), else an unsaved superuser (sees everything, writes nothing)."""
    membership = (
        OfficialMembership.objects.filter(
            region=region, role=Role.REVIEWER, includes_subregions=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return membership.user
    return get_user_model()(username="bench-export", is_superuser=True, is_active=True)


def peak_memory_kib() -> int:
    """This process's peak resident memory. VmHWM belongs to the process image, so it starts
    afresh at exec; ru_maxrss would carry the forking parent's peak into the child (Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def export_child(*, code: str, year_from: int, year_to: int) -> dict:
    """Run in a fresh process: write the export and report this process's peak memory."""
    from programs.exports.workbook import write_export

    region = Region.objects.get(code=code)
    user = _exporter(region)
    before = peak_memory_kib()  # Django, the apps and openpyxl loaded; nothing exported yet
    with tempfile.TemporaryDirectory(prefix="bench-export-") as workdir:
        target = Path(workdir) / "export.xlsx"
        start = time.perf_counter()
        write_export(user=user, region=region, year_from=year_from, year_to=year_to, path=target)
        seconds = time.perf_counter() - start
        size = target.stat().st_size
    return {
        "seconds": seconds,
        "max_rss_kib": peak_memory_kib(),
        "rss_before_kib": before,
        "bytes": size,
        "exported_by": user.username,
    }


def export_memory(*, sizes: tuple[int, int]) -> dict:
    measured = {}
    for name, target in zip(("big", "small"), sizes, strict=True):
        code, first, last, rows = export_span(target)
        child = run_child(["--export-child", code, str(first), str(last)])
        measured[name] = {"region": code, "years": [first, last], "rows": rows, **child}
    return measured
