"""Loading the demo catalog, figures and accounts of programs/demo_data.py (idempotent)."""

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from regions.choices import RegionKind, RegionLevel
from regions.models import OfficialMembership, Region

from . import demo_data, rollups
from .choices import PeriodKind, ReportState
from .models import (
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
    year = resolve_year(year)
    zone = ZoneInfo(settings.TIME_ZONE)
    opens = datetime.combine(datetime(year, 1, 1), time.min, zone)
    deadline = datetime.combine(datetime(year + 1, 1, 31), time(23, 59, 59), zone)
    period, _ = ReportingPeriod.objects.get_or_create(
        kind=PeriodKind.YEAR,
        year=year,
        number=1,
        defaults={"opens_at": opens, "deadline": deadline, "locked": deadline < timezone.now()},
    )
    return period


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


def load_catalog() -> None:
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


def plan_tracking(region: Region, indicator: Indicator) -> Plan | None:
    """The plan of the region's (or an ancestor's) program that tracks the indicator."""
    return (
        Plan.objects.filter(
            program__region__in=region.ancestors() | Region.objects.filter(pk=region.pk),
            plan_indicators__indicator=indicator,
        )
        .order_by("-program__region__level")
        .first()
    )


def load_targets() -> None:
    for region_code, code, year, comparator, value, baseline, note in demo_data.TARGETS:
        region, indicator = Region.objects.get(code=region_code), Indicator.objects.get(code=code)
        Target.objects.get_or_create(
            indicator=indicator,
            region=region,
            period=year_period(year),
            defaults={
                "comparator": comparator,
                "value": Decimal(value),
                "baseline": None if baseline is None else Decimal(baseline),
                "plan": plan_tracking(region, indicator),
                "note": note,
            },
        )


def load_report(*, region, indicator, year, value, lower_bound, state, text, reporter, reviewer):
    year = resolve_year(year)
    if ProgressReport.objects.filter(
        region=region, indicator=indicator, period__kind=PeriodKind.YEAR, period__year=year
    ).exists():
        return
    period = year_period(year)
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
    report.full_clean()
    report.save()


def load_reports(users: dict) -> None:
    reviewer = users["jiaxing"]
    reporters = {
        "3304Z01": users["gangqu"],
        "330482": users["pinghu"],
        "430408": users["zhengxiang"],
    }
    for region_code, code, year, value, lower_bound, state, text in demo_data.REPORTS:
        load_report(
            region=Region.objects.get(code=region_code),
            indicator=Indicator.objects.get(code=code),
            year=year,
            value=value,
            lower_bound=lower_bound,
            state=state,
            text=text,
            reporter=reporters.get(region_code, users["admin"]),
            reviewer=reviewer if region_code.startswith("3304") else users["admin"],
        )
    for code, figures in demo_data.CITY_FIGURES.items():
        for region_code, values in figures.items():
            for year, value in zip((2023, 2024), values, strict=True):
                load_report(
                    region=Region.objects.get(code=region_code),
                    indicator=Indicator.objects.get(code=code),
                    year=year,
                    value=value,
                    lower_bound=False,
                    state=ReportState.APPROVED,
                    text="",
                    reporter=reporters.get(region_code, users["admin"]),
                    reviewer=reviewer,
                )


@transaction.atomic
def load_demo() -> None:
    for year in range(FIRST_DEMO_YEAR, timezone.localdate().year + 1):
        year_period(year)
    load_catalog()
    users = load_accounts()
    load_targets()
    load_reports(users)
    rollups.refresh_all()
