"""Importing values (P7): the bulk API and the Excel upload path against PostgreSQL's COPY of the
same rows, all in rolled-back transactions."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.generator import INDICATOR_PREFIX, PROVINCE_CODE, copy_rows, copy_text
from programs.choices import IndicatorKind, PeriodKind, ReportState
from programs.models import Indicator, ProgressReport, ReportingPeriod
from regions.choices import Role
from regions.models import OfficialMembership, Region

from .common import check_deferred_constraints, rolled_back, vacuum

IMPORT_VALUES = 100_000  # P7: what the issue asks for
IMPORT_BUDGET_SECONDS = 180  # P7: past this, the app's time per value is extrapolated
QUICK_IMPORT_BUDGET_SECONDS = 5
EXCEL_BUDGET_SECONDS = 20  # P7: the Excel path's time per value, for information only


PROGRESS_COLUMNS = (
    "value",
    "is_lower_bound",
    "note",
    "state",
    "review_comment",
    "version",
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "indicator_id",
    "region_id",
    "period_id",
)
SAMPLE_VALUE = {
    IndicatorKind.MILESTONE: "1",
    IndicatorKind.RANK: "3",
    IndicatorKind.PERCENTAGE: "50",
}


def _scratch_periods(year: int) -> list[ReportingPeriod]:
    """Twelve month periods open for entry now (the generator makes none; rolled back after)."""
    now = timezone.now()
    taken = set(
        ReportingPeriod.objects.filter(kind=PeriodKind.MONTH, year=year).values_list(
            "number", flat=True
        )
    )
    return [
        ReportingPeriod.objects.create(
            kind=PeriodKind.MONTH,
            year=year,
            number=number,
            opens_at=now - timedelta(days=1),
            deadline=now + timedelta(days=30),
        )
        for number in range(1, 13)
        if number not in taken
    ]


def _reporter(region: Region):
    membership = (
        OfficialMembership.objects.filter(region=region, role=Role.REPORTER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _filled_template(*, region, period, program, rows) -> bytes:
    """The template of the page, filled as an official would: every value typed in."""
    from openpyxl import load_workbook

    from programs import entry_workbook

    content = entry_workbook.build_template(
        region=region, period=period, program=program, rows=rows
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for offset, row in enumerate(rows):
        value = SAMPLE_VALUE.get(row.indicator.kind, str(100 + offset))
        sheet.cell(entry_workbook.FIRST_ROW + offset, entry_workbook.COLUMN["value"], value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import_groups(year: int, periods: list[ReportingPeriod]) -> Iterator[tuple]:
    """(region, period, program, reporter) pages an official would upload, region by region."""
    from programs.selectors import programs_for

    regions = Region.objects.filter(path__startswith=f"{PROVINCE_CODE}/").order_by("level", "code")
    for period in periods:
        for region in regions.iterator():
            user = _reporter(region)
            if user is None:
                continue
            for program in programs_for(region, year):
                yield region, period, program, user


BULK_ITEMS = 5_000  # P7: items per request of the bulk API


def _bulk_bodies(year_periods: list[ReportingPeriod], values: int) -> Iterator[str]:
    """The rows COPY writes, in its order, as JSON bodies of the bulk API (made before timing)."""
    indicators = list(
        Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).values_list("code", "kind")
    )
    regions = list(
        Region.objects.filter(path__startswith=f"{PROVINCE_CODE}/").values_list("code", flat=True)
    )
    items: list[dict] = []
    count = 0
    for period in year_periods:
        for region in regions:
            for code, kind in indicators:
                if count >= values:
                    break
                value = SAMPLE_VALUE.get(kind, "120")
                items.append(
                    {"region": region, "indicator": code, "period": period.pk, "value": value}
                )
                count += 1
                if len(items) == BULK_ITEMS:
                    yield json.dumps({"items": items})
                    items = []
    if items:
        yield json.dumps({"items": items})


def app_import(*, year: int, values: int, budget: float) -> dict:
    """POST the rows `copy_import` writes to the bulk API (`api:progress-bulk`), BULK_ITEMS a
    request, through the test Client and the whole middleware stack, as a reporter of the province
    and every region below it, until `values` are saved or `budget` seconds are spent. The bodies
    are made before the timed part. Everything is rolled back."""
    from rest_framework.authtoken.models import Token

    timed, saved, requests = 0.0, 0, 0
    with rolled_back():
        periods = _scratch_periods(year)
        user = get_user_model().objects.create_user(username=f"bench-import-{os.getpid()}")
        OfficialMembership.objects.create(
            user=user,
            region=Region.objects.get(code=PROVINCE_CODE),
            role=Role.REPORTER,
            includes_subregions=True,
        )
        client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        url = reverse("api:progress-bulk")
        for body in list(_bulk_bodies(periods, values)):
            if timed >= budget:
                break
            start = time.perf_counter()
            response = client.post(url, body, content_type="application/json")
            timed += time.perf_counter() - start
            if response.status_code != 200:
                raise RuntimeError(f"the bulk API refused the items: {response.content[:500]!r}")
            saved += response.json()["created"]
            requests += 1
        start = time.perf_counter()
        check_deferred_constraints()
        timed += time.perf_counter() - start
    vacuum(ProgressReport._meta.db_table)
    return {"seconds": timed, "values": saved, "requests": requests}


def excel_import(*, year: int, values: int, budget: float) -> dict:
    """Upload filled templates through parse_upload + apply_changes (what the upload page does on
    confirmation) until `values` are saved or `budget` seconds of app time are spent. The files
    are made between the timed parts. Everything is rolled back. (P7's informative Excel figure.)"""
    from programs import entry_workbook, selectors

    timed, saved, files = 0.0, 0, 0
    with rolled_back():
        periods = _scratch_periods(year)
        for region, period, program, user in _import_groups(year, periods):
            if saved >= values or timed >= budget:
                break
            rows = selectors.entry_rows(region=region, period=period, program=program)
            content = _filled_template(region=region, period=period, program=program, rows=rows)
            start = time.perf_counter()
            rows = selectors.entry_rows(region=region, period=period, program=program)
            result = entry_workbook.parse_upload(
                file=content, region=region, period=period, program=program, rows=rows
            )
            if result.errors:
                raise RuntimeError(f"the filled template was refused: {result.errors[:3]}")
            saved += entry_workbook.apply_changes(
                user=user, region=region, period=period, changes=result.changes
            )
            timed += time.perf_counter() - start
            files += 1
        start = time.perf_counter()
        check_deferred_constraints()
        timed += time.perf_counter() - start
    vacuum(ProgressReport._meta.db_table)
    return {"seconds": timed, "values": saved, "files": files}


def copy_import(*, year: int, values: int) -> dict:
    """COPY `values` new draft rows, shaped as the app saves them, into the progress table."""
    table = ProgressReport._meta.db_table
    with rolled_back():
        periods = _scratch_periods(year)
        now = timezone.now()
        indicators = list(
            Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).values_list("pk", flat=True)
        )
        regions = list(
            Region.objects.filter(path__startswith=f"{PROVINCE_CODE}/").values_list("pk", flat=True)
        )
        lines = []
        for period in periods:
            for region_id in regions:
                for indicator_id in indicators:
                    if len(lines) >= values:
                        break
                    row = (
                        Decimal(120),
                        False,
                        "",
                        ReportState.DRAFT,
                        "",
                        1,
                        now,
                        now,
                        None,
                        None,
                        indicator_id,
                        region_id,
                        period.pk,
                    )
                    lines.append("\t".join(map(copy_text, row)) + "\n")
        with connection.cursor() as cursor:
            start = time.perf_counter()
            copy_rows(cursor, table, PROGRESS_COLUMNS, lines)
            check_deferred_constraints()
            seconds = time.perf_counter() - start
    vacuum(table)
    return {"seconds": seconds, "values": len(lines)}
