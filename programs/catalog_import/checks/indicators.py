"""The sheet "Indicators": new indicators of the shared library, and existing ones referenced.

Indicators are shared by every region: an existing one is referenced by its code and never
changed from a workbook (other regions' figures depend on it).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ...choices import Direction, IndicatorKind, RollupRule, TimeNature
from ...models import Indicator
from ..reading import read_text
from ..results import CREATE, UNCHANGED
from ..sheets import INDICATORS
from .context import CheckContext, display


def check_indicators(ctx: CheckContext) -> None:
    sheet = ctx.sheets["indicators"]
    seen: dict[str, int] = {}
    choice = ctx.choices.read
    for number, cells in sheet.rows:
        values = ctx.read(
            sheet,
            number,
            cells,
            {
                "code": read_text,
                "name": read_text,
                "unit": lambda cell: choice(cell, "unit"),
                "kind": lambda cell: choice(cell, "kind"),
                "direction": lambda cell: choice(cell, "direction"),
                "time_nature": lambda cell: choice(cell, "time_nature"),
                "rollup": lambda cell: choice(cell, "rollup"),
                "capped_at_100": ctx.choices.answer,
                "description": read_text,
            },
        )
        if values is None or not ctx.first_seen(seen, values["code"], sheet, number, "code"):
            continue
        code = values.pop("code")
        stored = ctx.indicators.get(code)
        if stored is not None and stored.pk:
            _same_as_library(ctx, sheet, number, stored, values)
            continue
        _new_indicator(ctx, sheet, number, code, values)


def _same_as_library(ctx: CheckContext, sheet, number, indicator: Indicator, values: dict) -> None:
    """An existing indicator is only referenced: a filled cell must say what is stored."""
    ok = True
    for key, new in values.items():
        if new in ("", None) or new == getattr(indicator, key):
            continue
        ok = False
        ctx.error(
            sheet,
            number,
            key,
            _(
                "The shared indicator %(code)s has “%(stored)s” here, not “%(new)s”. Shared "
                "indicators are changed in the admin only: leave this cell blank or copy the "
                "stored value."
            )
            % {
                "code": indicator.code,
                "stored": display(Indicator, key, getattr(indicator, key)),
                "new": display(Indicator, key, new),
            },
        )
    if ok:
        ctx.item(sheet, number, f"{indicator.code} {indicator.name}", UNCHANGED)


def _new_indicator(ctx: CheckContext, sheet, number, code: str, values: dict) -> None:
    missing = False
    for key in ("name", "kind"):
        if not values[key]:
            missing = True
            ctx.error(
                sheet,
                number,
                key,
                _("%(code)s is a new indicator: fill in its name and kind.") % {"code": code},
            )
    if missing:
        return
    kind = values["kind"]
    direction = values["direction"] or (
        Direction.LOWER_BETTER if kind == IndicatorKind.RANK else Direction.HIGHER_BETTER
    )
    rollup = values["rollup"] or {
        IndicatorKind.PERCENTAGE: RollupRule.MEAN,
        IndicatorKind.RANK: RollupRule.NONE,
        IndicatorKind.MILESTONE: RollupRule.NONE,
    }.get(kind, RollupRule.SUM)
    indicator = Indicator(
        code=code,
        name=values["name"],
        unit=values["unit"],
        kind=kind,
        direction=direction,
        time_nature=values["time_nature"] or TimeNature.FLOW,
        rollup=rollup,
        capped_at_100=True if values["capped_at_100"] is None else values["capped_at_100"],
        description=values["description"],
    )
    try:
        indicator.full_clean()
    except ValidationError as error:
        keys = [column.key for column in INDICATORS.columns]
        ctx.model_errors(sheet, number, error, {key: key for key in keys})
        return
    ctx.indicators[code] = indicator
    ctx.record(sheet, number, f"{code} {indicator.name}", indicator, CREATE, [])
