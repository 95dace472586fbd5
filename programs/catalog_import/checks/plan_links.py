"""The sheet "Plan indicators": which plan tracks which indicator, under which measure."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ...models import PlanIndicator
from ..reading import read_order, read_text
from ..results import UPDATE, FieldChange
from .context import CheckContext


def check_plan_links(ctx: CheckContext) -> None:
    sheet = ctx.sheets["plan_indicators"]
    stored_plans = [plan for plan in ctx.plans.values() if plan.pk]
    stored = {}
    for link in PlanIndicator.objects.filter(plan__in=stored_plans).select_related(
        "plan", "indicator", "measure"
    ):
        stored[(link.plan.name, link.indicator.code)] = link
        ctx.tracked.setdefault(link.indicator.code, set()).add(link.plan.name)
    seen: dict[tuple[str, str], int] = {}
    positions: dict[str, int] = {}
    for number, cells in sheet.rows:
        values = ctx.read(
            sheet,
            number,
            cells,
            {
                "plan": read_text,
                "indicator": read_text,
                "measure": read_text,
                "order": read_order,
            },
        )
        if values is None:
            continue
        plan = ctx.plan(sheet, number, "plan", values["plan"])
        indicator = ctx.indicator(sheet, number, "indicator", values["indicator"])
        measure = None
        if values["measure"] and plan is not None:
            measure = ctx.measures.get((values["plan"], values["measure"]))
            if measure is None:
                ctx.error(
                    sheet,
                    number,
                    "measure",
                    _(
                        "The plan “%(plan)s” has no measure “%(measure)s”: add it to the "
                        "sheet “%(sheet)s” or leave this cell blank."
                    )
                    % {
                        "plan": values["plan"][:50],
                        "measure": values["measure"][:50],
                        "sheet": ctx.sheets["measures"].title,
                    },
                )
                continue
        if plan is None or indicator is None:
            continue
        key = (values["plan"], values["indicator"])
        if not ctx.first_seen(seen, key, sheet, number, "indicator"):
            continue
        ctx.tracked.setdefault(values["indicator"], set()).add(values["plan"])
        positions[values["plan"]] = positions.get(values["plan"], 0) + 1
        order = values["order"] if values["order"] is not None else positions[values["plan"]]
        link = stored.get(key) or PlanIndicator(plan=plan, indicator=indicator)
        action, changes = ctx.compare(link, {"order": order})
        if (
            link.pk is None
            or link.measure_id != (measure.pk if measure else None)
            or (measure is not None and measure.pk is None)
        ):
            if link.pk is not None:
                changes.append(
                    FieldChange(
                        str(capfirst(PlanIndicator._meta.get_field("measure").verbose_name)),
                        link.measure.name if link.measure_id else "—",
                        measure.name if measure else "—",
                    )
                )
                action = UPDATE
            link.measure = measure
        ctx.record(sheet, number, f"{plan.name} · {values['indicator']}", link, action, changes)
