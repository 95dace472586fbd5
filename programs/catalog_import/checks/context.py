"""The context every sheet's check shares: what the file and the stored catalog hold so far.

The checks run sheet after sheet, parents first (program, plans, measures, indicators, plan
indicators, targets), and each leaves in the context what the next ones match against: the
program, the plans and measures by name, the indicators by code, which plans track which
indicator. The context also records every error at its cell, and every row's fate and save in the
`CatalogCheck`.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from regions.access import Action, can
from regions.models import Region

from ...figures import plain_number
from ...models import Indicator, Measure, Plan, Program, Target
from ...xlsx import Cell, CellError, RowError
from ..reading import Choices, Sheet, read_text
from ..results import CREATE, UNCHANGED, UPDATE, CatalogCheck, FieldChange, Item


def display(model: type[models.Model], name: str, value) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, models.Model):
        return str(value)
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


class CheckContext:
    """Reads rows through their readers, matches them to the stored catalog, and collects the
    errors and the saves."""

    def __init__(self, *, user, sheets: dict[str, Sheet], check: CatalogCheck):
        self.user = user
        self.sheets = sheets
        self.check = check
        self.choices = Choices()
        self.program: Program | None = None
        self.plans: dict[str, Plan] = {}  # by name: the file's, then the stored ones
        self.measures: dict[tuple[str, str], Measure] = {}  # by (plan name, measure text)
        self.indicators: dict[str, Indicator] = {}  # by code
        self.tracked: dict[str, set[str]] = {}  # indicator code -> names of the plans tracking it
        self.regions: dict[str, Region] = {}
        self.targets: dict[int, Target] = {}  # the file's targets by row, as they would be saved

    # Errors and results ---------------------------------------------------------------------------

    def error(self, sheet: Sheet, row: int, key: str, message: str) -> None:
        self.check.errors.append(RowError(sheet.title, row, sheet.spec.letter(key), str(message)))

    def model_errors(self, sheet: Sheet, row: int, error: ValidationError, fields: dict) -> None:
        """A model's full_clean errors at the columns of their fields (`fields`: field → key)."""
        for name, messages in error.message_dict.items():
            key = fields.get(name, "")
            if name == NON_FIELD_ERRORS or not key:
                key = sheet.spec.columns[0].key
            for message in messages:
                self.error(sheet, row, key, message)

    def read(self, sheet: Sheet, row: int, cells: dict[str, Cell], readers: dict) -> dict | None:
        """Each cell through its reader; None (with the errors recorded) if any cannot be read."""
        values, ok = {}, True
        for key, reader in readers.items():
            cell = cells[key]
            column = next(column for column in sheet.spec.columns if column.key == key)
            if column.required and cell.blank:
                self.error(sheet, row, key, _("This cell must be filled in."))
                ok = False
                continue
            try:
                values[key] = reader(cell)
            except CellError as problem:
                self.error(sheet, row, key, str(problem))
                ok = False
        return values if ok else None

    def first_seen(self, seen: dict, key, sheet: Sheet, row: int, column: str) -> bool:
        if key in seen:
            self.error(
                sheet,
                row,
                column,
                _("This row repeats row %(row)d of the same sheet.") % {"row": seen[key]},
            )
            return False
        seen[key] = row
        return True

    def item(self, sheet, row, label, action, changes=()) -> None:
        self.check.items.append(Item(sheet.spec.key, row, label, action, list(changes)))

    @staticmethod
    def compare(instance: models.Model, values: dict) -> tuple[str, list[FieldChange]]:
        """Set `values` on `instance`: whether it is new, changed (and how) or as stored."""
        changes = []
        for name, new in values.items():
            old = getattr(instance, name)
            if instance.pk is not None and old != new:
                model = type(instance)
                changes.append(
                    FieldChange(
                        str(capfirst(model._meta.get_field(name).verbose_name)),
                        display(model, name, old),
                        display(model, name, new),
                    )
                )
            setattr(instance, name, new)
        action = CREATE if instance.pk is None else (UPDATE if changes else UNCHANGED)
        return action, changes

    def record(self, sheet, row, label, instance, action, changes, then=None) -> None:
        self.item(sheet, row, label, action, changes)
        if action != UNCHANGED:
            self.check.saves.append((instance, then))

    # Regions --------------------------------------------------------------------------------------

    def codes(self, *columns: tuple[str, str]) -> set[str]:
        """The codes typed in these (sheet, column)s, for loading what they name in one query."""
        codes = set()
        for key, column in columns:
            for _number, cells in self.sheets[key].rows:
                with contextlib.suppress(CellError):
                    codes.add(read_text(cells[column]))
        return codes

    def load_regions(self) -> None:
        codes = self.codes(("program", "region"), ("targets", "region"))
        self.regions = {region.code: region for region in Region.objects.filter(code__in=codes)}

    def region(self, sheet: Sheet, row: int, key: str, code: str) -> Region | None:
        region = self.regions.get(code)
        if region is None:
            self.error(sheet, row, key, _("Unknown region code “%(code)s”.") % {"code": code[:50]})
            return None
        if not can(self.user, Action.EDIT_CATALOG, region):
            self.error(
                sheet,
                row,
                key,
                _("You may not edit the catalog of %(region)s.") % {"region": region},
            )
            return None
        return region

    # Plans and indicators by name and code --------------------------------------------------------

    def plan(self, sheet, number, key, name) -> Plan | None:
        plan = self.plans.get(name)
        if plan is None:
            self.error(
                sheet,
                number,
                key,
                _("Unknown plan “%(plan)s”: add it to the sheet “%(sheet)s”.")
                % {"plan": name[:50], "sheet": self.sheets["plans"].title},
            )
        return plan

    def load_indicators(self) -> None:
        codes = self.codes(
            ("indicators", "code"), ("plan_indicators", "indicator"), ("targets", "indicator")
        )
        stored = Indicator.objects.filter(code__in=codes)
        self.indicators = {indicator.code: indicator for indicator in stored}

    def indicator(self, sheet, number, key, code) -> Indicator | None:
        indicator = self.indicators.get(code)
        if indicator is None:
            self.error(
                sheet,
                number,
                key,
                _("Unknown indicator code “%(code)s”: add the indicator to the sheet “%(sheet)s”.")
                % {"code": code[:50], "sheet": self.sheets["indicators"].title},
            )
        return indicator
