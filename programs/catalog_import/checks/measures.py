"""The sheet "Measures": each plan's measures, matched by plan and text."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ...models import Measure
from ..reading import read_order, read_text
from .context import CheckContext


def check_measures(ctx: CheckContext) -> None:
    sheet = ctx.sheets["measures"]
    stored_plans = [plan for plan in ctx.plans.values() if plan.pk]
    stored: dict[tuple[str, str], Measure] = {}
    for measure in Measure.objects.filter(plan__in=stored_plans).select_related("plan"):
        stored.setdefault((measure.plan.name, measure.name), measure)
    seen: dict[tuple[str, str], int] = {}
    positions: dict[str, int] = {}
    for number, cells in sheet.rows:
        values = ctx.read(
            sheet,
            number,
            cells,
            {
                "plan": read_text,
                "name": read_text,
                "owner_office": read_text,
                "milestone_state": lambda cell: ctx.choices.read(cell, "milestone"),
                "order": read_order,
            },
        )
        if values is None:
            continue
        key = (values["plan"], values["name"])
        plan = ctx.plan(sheet, number, "plan", values["plan"])
        if plan is None or not ctx.first_seen(seen, key, sheet, number, "name"):
            continue
        positions[values["plan"]] = positions.get(values["plan"], 0) + 1
        order = values["order"] if values["order"] is not None else positions[values["plan"]]
        measure = stored.get(key) or Measure(plan=plan, name=values["name"])
        action, changes = ctx.compare(
            measure,
            {
                "owner_office": values["owner_office"],
                "milestone_state": values["milestone_state"],
                "order": order,
            },
        )
        ctx.measures[key] = measure
        try:
            measure.full_clean(exclude=["plan"], validate_constraints=False)
        except ValidationError as error:
            fields = {name: name for name in ("name", "owner_office", "milestone_state")}
            ctx.model_errors(sheet, number, error, {**fields, "order": "order"})
            continue
        ctx.record(sheet, number, f"{plan.name} · {measure.name}", measure, action, changes)
    for key, measure in stored.items():
        ctx.measures.setdefault(key, measure)
