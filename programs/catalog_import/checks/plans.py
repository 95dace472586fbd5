"""The sheet "Plans": the program's plans, matched by name, with their tags."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ...models import Plan, PlanTag
from ..reading import read_order, read_text, split_tags
from ..results import UPDATE, FieldChange
from ..sheets import LIST_SEPARATOR
from .context import CheckContext


def check_plans(ctx: CheckContext) -> None:
    sheet = ctx.sheets["plans"]
    stored = {}
    if ctx.program is not None and ctx.program.pk:
        stored = {plan.name: plan for plan in ctx.program.plans.prefetch_related("tags")}
    tags = {tag.name: tag for tag in PlanTag.objects.all()}
    seen: dict[str, int] = {}
    for position, (number, cells) in enumerate(sheet.rows, start=1):
        values = ctx.read(
            sheet,
            number,
            cells,
            {
                "name": read_text,
                "order": read_order,
                "tags": read_text,
                "description": read_text,
            },
        )
        if values is None or not ctx.first_seen(seen, values["name"], sheet, number, "name"):
            if values is not None:
                ctx.plans.setdefault(values["name"], Plan(name=values["name"]))
            continue
        wanted = []
        for name in split_tags(values["tags"]):
            if name not in tags:
                ctx.error(
                    sheet,
                    number,
                    "tags",
                    _("Unknown tag “%(tag)s”. Tags are defined in the admin; known: %(known)s.")
                    % {"tag": name[:50], "known": LIST_SEPARATOR.join(sorted(tags)) or "—"},
                )
            else:
                wanted.append(tags[name])
        plan = stored.get(values["name"]) or Plan(name=values["name"])
        if ctx.program is not None:
            plan.program = ctx.program
        order = values["order"] if values["order"] is not None else position
        action, changes = ctx.compare(
            plan,
            {"order": order, "description": values["description"]},
        )
        old_tags = sorted(tag.name for tag in plan.tags.all()) if plan.pk else []
        new_tags = sorted(tag.name for tag in wanted)
        if old_tags != new_tags and plan.pk:
            changes.append(
                FieldChange(
                    str(capfirst(Plan._meta.get_field("tags").verbose_name)),
                    LIST_SEPARATOR.join(old_tags) or "—",
                    LIST_SEPARATOR.join(new_tags) or "—",
                )
            )
            action = UPDATE
        ctx.plans[plan.name] = plan
        try:
            plan.full_clean(exclude=["program", "tags", "indicators"])
        except ValidationError as error:
            fields = {"name": "name", "order": "order", "description": "description"}
            ctx.model_errors(sheet, number, error, fields)
            continue
        then = None
        if old_tags != new_tags:

            def then(plan=plan, wanted=wanted):
                plan.tags.set(wanted)

        ctx.record(sheet, number, plan.name, plan, action, changes, then)
    for name, plan in stored.items():
        ctx.plans.setdefault(name, plan)
