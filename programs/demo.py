"""Loading the demo catalog, figures and accounts of programs/demo_data.py (idempotent)."""

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from regions.choices import RegionKind, RegionLevel
from regions.loading import read_rows
from regions.models import OfficialMembership, Region

from . import demo_data, rollups, services
from .choices import PeriodKind, ReportState
from .models import (
    Correction,
    Indicator,
    Measure,
    Plan,
    PlanIndicator,
    PlanTag,
    Program,
    ProgressReport,
    ReportingPeriod,
    Target,
)

CATALOG_ADMIN_GROUP = "Catalog admins"
FIRST_DEMO_YEAR = 2018


def resolve_year(year: int | str) -> int:
    return timezone.localdate().year if year == demo_data.CURRENT_YEAR else year


def year_period(year: int | str) -> ReportingPeriod:
    """A year's period: entry from 1 January, deadline at the end of January of the next year."""
    return demo_period(PeriodKind.YEAR, resolve_year(year), 1)


def demo_period(kind: str, year: int, number: int) -> ReportingPeriod:
    """A period of the calendar: entry from its first day until the end of the month after it
    (a year's deadline is the end of January of the next year)."""
    period = ReportingPeriod(kind=kind, year=year, number=number)
    zone = ZoneInfo(settings.TIME_ZONE)
    after = period.end_date + timedelta(days=1)
    last_day = calendar.monthrange(after.year, after.month)[1]
    opens = datetime.combine(period.start_date, time.min, zone)
    deadline = datetime.combine(after.replace(day=last_day), time(23, 59, 59), zone)
    period, _ = ReportingPeriod.objects.get_or_create(
        kind=kind,
        year=year,
        number=number,
        defaults={"opens_at": opens, "deadline": deadline, "locked": deadline < timezone.now()},
    )
    return period


def sub_year_demo_year(today: date | None = None) -> int:
    """The year of the demo's half-year and quarterly figures: the current year once its third
    quarter has ended (its first three quarters can have been approved), else the year before."""
    today = today or timezone.localdate()
    return today.year if today.month >= 10 else today.year - 1


def catalog_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name=CATALOG_ADMIN_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["regions", "programs"])
    )
    return group


def load_accounts() -> dict:
    users = {}
    User = get_user_model()
    for username, (role, region_code, subregions, staff, superuser) in demo_data.ACCOUNTS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "is_staff": staff,
                "is_superuser": superuser,
                "email": f"{username}@example.gov.cn",
            },
        )
        if created:
            user.set_password(demo_data.DEMO_PASSWORD)
            user.save()
        if role:
            OfficialMembership.objects.get_or_create(
                user=user,
                region=Region.objects.get(code=region_code),
                role=role,
                defaults={"includes_subregions": subregions},
            )
        if role == "catalog_admin":
            user.groups.add(catalog_admin_group())
        users[username] = user
    return users


def load_townships() -> None:
    """demo_data.TOWNSHIPS as the national list has them (code, name, county)."""
    codes = set(demo_data.TOWNSHIPS)
    for row in read_rows("streets.csv"):
        if row["code"] in codes:
            region = Region.objects.filter(code=row["code"]).first() or Region(code=row["code"])
            region.name, region.parent = row["name"], Region.objects.get(code=row["areaCode"])
            region.level, region.kind = RegionLevel.TOWNSHIP, RegionKind.ADMIN
            region.full_clean()
            region.save()


def load_catalog() -> None:
    load_townships()
    for zone in demo_data.ZONES:
        parent = Region.objects.get(code=zone["parent"])
        region = Region.objects.filter(code=zone["code"]).first() or Region(code=zone["code"])
        region.name, region.parent = zone["name"], parent
        region.level, region.kind = RegionLevel.COUNTY, RegionKind.ZONE
        region.counted_in_parent = zone["counted_in_parent"]
        region.save()
    tags = {}
    for name, category in demo_data.TAGS:
        tags[name], _ = PlanTag.objects.get_or_create(name=name, defaults={"category": category})
    for code, (name, unit, kind, direction, nature, rollup) in demo_data.INDICATORS.items():
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "kind": kind,
                "direction": direction,
                "time_nature": nature,
                "rollup": rollup,
            },
        )
    for spec in demo_data.PROGRAMS:
        program, _ = Program.objects.get_or_create(
            region=Region.objects.get(code=spec["region"]),
            name=spec["name"],
            defaults={
                "start_year": resolve_year(spec["years"][0]),
                "end_year": resolve_year(spec["years"][1]),
                "source_title": spec["source_title"],
                "summary": spec["summary"],
            },
        )
        for order, (plan_name, tag_names, measures, indicators) in enumerate(spec["plans"], 1):
            plan, _ = Plan.objects.get_or_create(
                program=program, name=plan_name, defaults={"order": order}
            )
            plan.tags.add(*(tags[name] for name in tag_names))
            plan_measures = []
            for measure_order, (measure_name, office, state) in enumerate(measures, 1):
                measure, _ = Measure.objects.get_or_create(
                    plan=plan,
                    name=measure_name,
                    defaults={
                        "owner_office": office,
                        "milestone_state": state,
                        "order": measure_order,
                    },
                )
                plan_measures.append(measure)
            for indicator_order, (code, measure_index) in enumerate(indicators, 1):
                PlanIndicator.objects.get_or_create(
                    plan=plan,
                    indicator=Indicator.objects.get(code=code),
                    defaults={
                        "order": indicator_order,
                        "measure": None if measure_index is None else plan_measures[measure_index],
                    },
                )


def plan_tracking(region: Region, indicator: Indicator, year: int) -> Plan | None:
    """The plan of the region's (or an ancestor's) program running that year that tracks the
    indicator; None when no program does (the target alone makes the indicator tracked)."""
    return (
        Plan.objects.filter(
            program__region__in=region.ancestors() | Region.objects.filter(pk=region.pk),
            program__start_year__lte=year,
            program__end_year__gte=year,
            plan_indicators__indicator=indicator,
        )
        .order_by("-program__region__level")
        .first()
    )


def load_targets() -> None:
    for region_code, code, year, comparator, value, baseline, note in demo_data.TARGETS:
        region, indicator = Region.objects.get(code=region_code), Indicator.objects.get(code=code)
        period = year_period(year)
        Target.objects.get_or_create(
            indicator=indicator,
            region=region,
            period=period,
            defaults={
                "comparator": comparator,
                "value": Decimal(value),
                "baseline": None if baseline is None else Decimal(baseline),
                "plan": plan_tracking(region, indicator, period.year),
                "note": note,
            },
        )


# The foreign keys a demo report is given as loaded objects (the existence check is a query each).
DEMO_TRUSTED_KEYS = [
    "region",
    "indicator",
    "period",
    "created_by",
    "updated_by",
    "submitted_by",
    "reviewed_by",
]


def load_report(*, region, indicator, period, value, lower_bound, state, text, reporter, reviewer):
    """One report written as it would stand after its review (unless there is one already)."""
    if ProgressReport.objects.filter(region=region, indicator=indicator, period=period).exists():
        return
    at = min(period.deadline, timezone.now())
    report = ProgressReport(
        region=region,
        indicator=indicator,
        period=period,
        value=Decimal(value),
        is_lower_bound=lower_bound,
        state=state,
        created_by=reporter,
        updated_by=reporter,
    )
    if state == ReportState.RETURNED:
        report.review_comment = text
    else:
        report.note = text
    if state != ReportState.DRAFT:
        report.submitted_by, report.submitted_at = reporter, at
    if state in (ReportState.APPROVED, ReportState.RETURNED):
        report.reviewed_by, report.reviewed_at = reviewer, at
    report._history_user = reporter
    # Every rule of the model, without a query per foreign key: these are objects in hand.
    report.full_clean(exclude=DEMO_TRUSTED_KEYS, validate_unique=False)
    report.save()


def load_reports(users: dict) -> None:
    reviewer = users["jiaxing"]
    reporters = {
        "3304Z01": users["gangqu"],
        "330482": users["pinghu"],
        "430408": users["zhengxiang"],
    }
    regions, indicators = {}, {}  # by code: each read once

    def load(
        region_code, code, period, value, lower_bound=False, state=ReportState.APPROVED, text=""
    ):
        if region_code not in regions:
            regions[region_code] = Region.objects.get(code=region_code)
        if code not in indicators:
            indicators[code] = Indicator.objects.get(code=code)
        load_report(
            region=regions[region_code],
            indicator=indicators[code],
            period=period,
            value=value,
            lower_bound=lower_bound,
            state=state,
            text=text,
            reporter=reporters.get(region_code, users["admin"]),
            reviewer=reviewer if region_code.startswith("3304") else users["admin"],
        )

    for region_code, code, year, value, lower_bound, state, text in demo_data.REPORTS:
        load(region_code, code, year_period(year), value, lower_bound, state, text)
    for code, figures in demo_data.CITY_FIGURES.items():
        for region_code, values in figures.items():
            for year, value in zip((2023, 2024), values, strict=True):
                note = demo_data.CITY_LOWER_BOUNDS.get((region_code, code, year))
                load(region_code, code, year_period(year), value, bool(note), text=note or "")
    year = sub_year_demo_year()
    for region_code, code, kind, number, value, lower_bound, text in demo_data.SUB_YEAR_REPORTS:
        load(region_code, code, demo_period(kind, year, number), value, lower_bound, text=text)


def load_correction(users: dict) -> None:
    """demo_data.CORRECTION as officials make it: a catalog admin reopens the period for the
    region, the reviewer reopens the approved figure with the reason, the reporter enters the
    new value and submits it, the reviewer approves it (once: the correction exists after)."""
    spec = demo_data.CORRECTION
    report = ProgressReport.objects.get(
        region__code=spec["region"],
        indicator__code=spec["indicator"],
        period=year_period(spec["year"]),
    )
    if Correction.objects.filter(report=report).exists():
        return
    reviewer, reporter = users["jiaxing"], users[spec["reporter"]]
    services.period_reopen(
        user=users["catalog"],
        period=report.period,
        region=report.region,
        reason=spec["period_reason"],
        until=timezone.now() + timedelta(days=1),
    )
    report = services.report_reopen(user=reviewer, report=report, reason=spec["reason"])
    report = services.report_save(
        user=reporter,
        indicator=report.indicator,
        region=report.region,
        period=report.period,
        change=services.Change(value=Decimal(spec["value"]), note=spec["note"]),
        version=report.version,
    )
    report = services.report_submit(user=reporter, report=report)
    services.report_approve(user=reviewer, report=report)


@transaction.atomic
def load_demo() -> None:
    for year in range(FIRST_DEMO_YEAR, timezone.localdate().year + 1):
        year_period(year)
    load_catalog()
    users = load_accounts()
    load_targets()
    load_reports(users)
    load_correction(users)
    rollups.refresh_all()
