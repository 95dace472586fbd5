"""Removing a generated province: its regions, catalog, accounts, figures and their history."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from programs.models import (
    Evidence,
    Indicator,
    Measure,
    Notification,
    Plan,
    Program,
    ProgressReport,
    Target,
)
from regions.choices import RegionLevel
from regions.models import Region

from .bulk import foreign_keys_suspended
from .shape import INDICATOR_PREFIX, PROVINCE_PATH, USERNAME_PREFIX


def _delete_in_province(cursor, model) -> int:
    """Delete a table's rows of the province in one statement: no signals, no history rows."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(model._meta.get_field("region").column)
    regions = quote(Region._meta.db_table)
    cursor.execute(
        f"DELETE FROM {table} WHERE {column} IN "  # noqa: S608 - names from _meta
        f"(SELECT id FROM {regions} WHERE path LIKE %s)",
        [PROVINCE_PATH + "%"],
    )
    return cursor.rowcount


def province_exists() -> bool:
    return (
        Region.objects.filter(path__startswith=PROVINCE_PATH).exists()
        or Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).exists()
        or get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).exists()
    )


@transaction.atomic
def clear_province() -> int:
    """Remove a generated province with its catalog and accounts; returns the reports removed."""
    Notification.objects.filter(report__region__path__startswith=PROVINCE_PATH).delete()
    Evidence.objects.filter(report__region__path__startswith=PROVINCE_PATH).delete()
    with connection.cursor() as cursor, foreign_keys_suspended(cursor, [ProgressReport, Target]):
        reports = _delete_in_province(cursor, ProgressReport)
        _delete_in_province(cursor, ProgressReport.history.model)
        _delete_in_province(cursor, Target)
        _delete_in_province(cursor, Target.history.model)
    programs = Program.objects.filter(region__path__startswith=PROVINCE_PATH)
    plan_ids = list(Plan.objects.filter(program__in=programs).values_list("pk", flat=True))
    programs.delete()
    Measure.history.filter(plan_id__in=plan_ids).delete()
    Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).delete()
    get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).delete()
    for level in sorted(RegionLevel.values, reverse=True):  # children before their parents
        Region.objects.filter(level=level, path__startswith=PROVINCE_PATH).delete()
    return reports
