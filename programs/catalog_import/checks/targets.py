"""The sheet "Targets": a target per indicator, region and year, set by one plan of the program.

A year without its reporting period gets one, made as the demo makes them.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from regions.models import Region

from ...choices import Comparator, Direction, IndicatorKind, PeriodKind
from ...models import Indicator, Plan, ReportingPeriod, Target
from ...target_cascade import planned_target_shortfalls
from ...xlsx import RowError
from ..reading import read_decimal, read_text, read_year
from ..results import CREATE, UPDATE, FieldChange
from .context import CheckContext


def check_targets(ctx: CheckContext) -> None:
    sheet = ctx.sheets["targets"]
    rows = _read_targets(ctx, sheet)
    periods, stored = _stored_targets(rows)
    seen: dict[tuple[str, str, int], int] = {}
    for number, values in rows:
        indicator = ctx.indicator(sheet, number, "indicator", values["indicator"])
        region = _target_region(ctx, sheet, number, values["region"])
        year = values["year"]
        if not _in_program_years(ctx, sheet, number, year):
            continue
        if indicator is None or region is None:
            continue
        key = (values["indicator"], values["region"], year)
        if not ctx.first_seen(seen, key, sheet, number, "indicator"):
            continue
        plan = _target_plan(ctx, sheet, number, values)
        if plan is None:
            continue
        comparator = values["comparator"] or default_comparator(indicator)
        if not _fits(ctx, sheet, number, indicator, comparator, values):
            continue
        period = periods.get(year)
        if period is None:
            period = periods[year] = new_year_period(year)
            label = _("Reporting period %(period)s") % {"period": period.label}
            ctx.record(sheet, number, label, period, CREATE, [])
        target = stored.get(key) or Target(indicator=indicator, region=region, period=period)
        action, changes = ctx.compare(
            target,
            {
                "comparator": comparator,
                "value": values["value"],
                "baseline": values["baseline"],
                "note": values["note"],
            },
        )
        if target.pk is None or target.plan_id != plan.pk or plan.pk is None:
            if target.pk is not None:
                changes.append(
                    FieldChange(
                        str(capfirst(Target._meta.get_field("plan").verbose_name)),
                        target.plan.name if target.plan_id else "—",
                        plan.name,
                    )
                )
                action = UPDATE
            target.plan = plan
        label = f"{indicator.code} · {region.name} · {year}"
        ctx.record(sheet, number, label, target, action, changes)
        ctx.targets[number] = target


def check_target_cascade(ctx: CheckContext) -> None:
    """Warn where the targets, as the file would leave them, do not cascade: a region's target
    not covered by its sub-regions' (`target_cascade`). A warning, never an error: the import
    goes ahead; the row is the region's target's where the file has it."""
    sheet = ctx.sheets["targets"]
    rows = {id(target): number for number, target in ctx.targets.items()}
    for shortfall in planned_target_shortfalls(ctx.targets.values()):
        row = rows.get(id(shortfall.target))
        if row is None:  # a stored target, under which the file's sub-regions' targets fall short
            ctx.check.warnings.append(RowError("", None, "", str(shortfall)))
        else:
            column = sheet.spec.letter("value")
            ctx.check.warnings.append(RowError(sheet.title, row, column, str(shortfall)))


def _read_targets(ctx: CheckContext, sheet) -> list[tuple[int, dict]]:
    """The rows whose every cell could be read (the others have their errors recorded)."""
    rows = []
    for number, cells in sheet.rows:
        values = ctx.read(
            sheet,
            number,
            cells,
            {
                "indicator": read_text,
                "region": read_text,
                "year": read_year,
                "comparator": lambda cell: ctx.choices.read(cell, "comparator"),
                "value": read_decimal,
                "baseline": lambda cell: None if cell.blank else read_decimal(cell),
                "plan": read_text,
                "note": read_text,
            },
        )
        if values is not None:
            rows.append((number, values))
    return rows


def _stored_targets(rows) -> tuple[dict[int, ReportingPeriod], dict[tuple, Target]]:
    """The years' periods and the stored targets the rows may match, in two queries."""
    years = {values["year"] for _number, values in rows}
    periods = {
        period.year: period
        for period in ReportingPeriod.objects.filter(kind=PeriodKind.YEAR, year__in=years)
    }
    stored = {}
    regions = {values["region"] for _number, values in rows}
    codes = {values["indicator"] for _number, values in rows}
    for target in Target.objects.filter(
        indicator__code__in=codes, region__code__in=regions, period__in=periods.values()
    ).select_related("indicator", "region", "period", "plan"):
        stored[(target.indicator.code, target.region.code, target.period.year)] = target
    return periods, stored


def _target_region(ctx: CheckContext, sheet, number, code) -> Region | None:
    """The target's region: known, within the user's scope, and the program's or one below."""
    region = ctx.region(sheet, number, "region", code)
    program = ctx.program  # set when its region and years could be read, even if wrong
    if (
        region is not None
        and program is not None
        and not region.path.startswith(program.region.path)
    ):
        ctx.error(
            sheet,
            number,
            "region",
            _(
                "%(region)s is not %(program_region)s or a region below it: a "
                "program sets targets for its own region and those below it."
            )
            % {"region": region, "program_region": program.region},
        )
        return None
    return region


def _in_program_years(ctx: CheckContext, sheet, number, year: int) -> bool:
    program = ctx.program
    if (
        program is not None
        and program.start_year <= program.end_year
        and not program.start_year <= year <= program.end_year
    ):
        ctx.error(
            sheet,
            number,
            "year",
            _("%(year)d is outside the program's years %(start)d–%(end)d.")
            % {"year": year, "start": program.start_year, "end": program.end_year},
        )
        return False
    return True


def _target_plan(ctx: CheckContext, sheet, number, values) -> Plan | None:
    code, name = values["indicator"], values["plan"]
    tracking = ctx.tracked.get(code, set())
    if name:
        plan = ctx.plan(sheet, number, "plan", name)
        if plan is not None and name not in tracking:
            ctx.error(
                sheet,
                number,
                "plan",
                _(
                    "The plan “%(plan)s” does not track %(code)s: add the pair to the sheet "
                    "“%(sheet)s”."
                )
                % {
                    "plan": name[:50],
                    "code": code,
                    "sheet": ctx.sheets["plan_indicators"].title,
                },
            )
            return None
        return plan
    if len(tracking) == 1:
        return ctx.plans.get(next(iter(tracking)))
    if not tracking:
        ctx.error(
            sheet,
            number,
            "indicator",
            _("No plan of this program tracks %(code)s: add it to a plan in the sheet “%(sheet)s”.")
            % {"code": code, "sheet": ctx.sheets["plan_indicators"].title},
        )
    else:
        ctx.error(
            sheet,
            number,
            "plan",
            _("Several plans track %(code)s: name the plan that sets this target.")
            % {"code": code},
        )
    return None


def default_comparator(indicator: Indicator) -> str:
    if indicator.kind == IndicatorKind.MILESTONE:
        return Comparator.EQ
    if indicator.kind == IndicatorKind.RANK or indicator.direction == Direction.LOWER_BETTER:
        return Comparator.LTE
    return Comparator.GTE


def _fits(ctx: CheckContext, sheet, number, indicator, comparator, values) -> bool:
    """The target's own rules (Target.clean): value fits the kind, comparator fits too.

    Checked on a stand-in whose indicator has an id even when it is new in this file, and
    without the plan, whose rules (region below the program's, plan tracks the indicator)
    are checked above against the file as well as the database.
    """
    stand_in = copy.copy(indicator)
    stand_in.pk = stand_in.pk or -1
    probe = Target(
        indicator=stand_in,
        comparator=comparator,
        value=values["value"],
        baseline=values["baseline"],
        note=values["note"],
    )
    try:
        probe.full_clean(
            exclude=["indicator", "region", "period", "plan"], validate_constraints=False
        )
    except ValidationError as error:
        fields = {name: name for name in ("comparator", "value", "baseline", "note")}
        ctx.model_errors(sheet, number, error, fields)
        return False
    return True


def new_year_period(year: int) -> ReportingPeriod:
    """A missing year's period, as the demo makes them: entry from 1 January, deadline at the end
    of January of the next year; already locked when that is past (so no overdue notice goes out
    about a year long closed)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    opens = datetime.combine(date(year, 1, 1), time.min, zone)
    deadline = datetime.combine(date(year + 1, 1, 31), time(23, 59, 59), zone)
    return ReportingPeriod(
        kind=PeriodKind.YEAR,
        year=year,
        number=1,
        opens_at=opens,
        deadline=deadline,
        locked=deadline < timezone.now(),
    )
