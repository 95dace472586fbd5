"""The catalog workbook's layout: its sheets, their columns in order, and the dropdowns' lists.

Every title and header is an English msgid; the template writes it in the user's language and an
upload is read whatever language it was downloaded in (`all_languages`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.utils import get_column_letter

from ..choices import (
    Comparator,
    Direction,
    IndicatorKind,
    MilestoneState,
    RollupRule,
    TimeNature,
    Unit,
)
from ..figures import COMPARATOR_SIGNS

HEADER_ROW, FIRST_ROW = 1, 2
TEMPLATE_ROWS = 1000  # rows of each sheet that get the dropdowns
LISTS_SHEET = "_lists"
MIN_YEAR, MAX_YEAR = 2000, 2100
LIST_SEPARATOR = " / "
IDEOGRAPHIC_COMMA = "\u3001"  # how a list is written in Chinese; tags may be separated by it


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # English msgid; the cell holds it translated
    width: int
    required: bool = False
    choices: str = ""  # the name of a dropdown list of LISTS
    number: bool = False  # read a cell formatted as 35% as 35


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str  # English msgid
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def letter(self, key: str) -> str:
        for index, column in enumerate(self.columns, start=1):
            if column.key == key:
                return get_column_letter(index)
        return ""


PROGRAM = SheetSpec(
    "program",
    gettext_noop("Program"),
    (
        Column("region", gettext_noop("Region code"), 14, required=True),
        Column("name", gettext_noop("Program name"), 40, required=True),
        Column("start_year", gettext_noop("Start year"), 11, required=True),
        Column("end_year", gettext_noop("End year"), 11, required=True),
        Column("source_title", gettext_noop("Source document"), 40),
        Column("source_url", gettext_noop("Source link"), 30),
        Column("summary", gettext_noop("Program summary"), 50),
    ),
)
PLANS = SheetSpec(
    "plans",
    gettext_noop("Plans"),
    (
        Column("name", gettext_noop("Plan name"), 30, required=True),
        Column("order", gettext_noop("Order"), 8),
        Column("tags", gettext_noop("Tags"), 30),
        Column("description", gettext_noop("Description"), 50),
    ),
)
MEASURES = SheetSpec(
    "measures",
    gettext_noop("Measures"),
    (
        Column("plan", gettext_noop("Plan name"), 30, required=True),
        Column("name", gettext_noop("Measure"), 50, required=True),
        Column("owner_office", gettext_noop("Owner office"), 20),
        Column("milestone_state", gettext_noop("Milestone state"), 14, choices="milestone"),
        Column("order", gettext_noop("Order"), 8),
    ),
)
INDICATORS = SheetSpec(
    "indicators",
    gettext_noop("Indicators"),
    (
        Column("code", gettext_noop("Indicator code"), 22, required=True),
        Column("name", gettext_noop("Indicator name"), 30),
        Column("unit", gettext_noop("Unit"), 8, choices="unit"),
        Column("kind", gettext_noop("Kind"), 12, choices="kind"),
        Column("direction", gettext_noop("Direction"), 16, choices="direction"),
        Column("time_nature", gettext_noop("Time nature"), 18, choices="time_nature"),
        Column("rollup", gettext_noop("Roll-up rule"), 14, choices="rollup"),
        Column("capped_at_100", gettext_noop("Capped at 100"), 12, choices="yes_no"),
        Column("description", gettext_noop("Description"), 40),
    ),
)
PLAN_INDICATORS = SheetSpec(
    "plan_indicators",
    gettext_noop("Plan indicators"),
    (
        Column("plan", gettext_noop("Plan name"), 30, required=True),
        Column("indicator", gettext_noop("Indicator code"), 22, required=True),
        Column("measure", gettext_noop("Measure"), 50),
        Column("order", gettext_noop("Order"), 8),
    ),
)
TARGETS = SheetSpec(
    "targets",
    gettext_noop("Targets"),
    (
        Column("indicator", gettext_noop("Indicator code"), 22, required=True),
        Column("region", gettext_noop("Region code"), 14, required=True),
        Column("year", gettext_noop("Year"), 8, required=True),
        Column("comparator", gettext_noop("Comparator"), 16, choices="comparator"),
        Column("value", gettext_noop("Target value"), 14, required=True, number=True),
        Column("baseline", gettext_noop("Baseline"), 12, number=True),
        Column("plan", gettext_noop("Plan name"), 30),
        Column("note", gettext_noop("Note"), 30),
    ),
)
SHEETS = (PROGRAM, PLANS, MEASURES, INDICATORS, PLAN_INDICATORS, TARGETS)
INSTRUCTIONS_TITLE = gettext_noop("Instructions")

# Dropdown lists: what each list offers (what the cell may hold; labels in any language and the
# stored values are accepted too).
CHOICES: dict[str, type[models.TextChoices]] = {
    "milestone": MilestoneState,
    "kind": IndicatorKind,
    "direction": Direction,
    "time_nature": TimeNature,
    "rollup": RollupRule,
    "comparator": Comparator,
}
# A comparator may also be typed as the sign the plans write (figures.COMPARATOR_SIGNS), or as
# its ASCII spelling.
SIGN_COMPARATORS: dict[str, str] = {
    **{sign: Comparator(comparator) for comparator, sign in COMPARATOR_SIGNS.items()},
    ">=": Comparator.GTE,
    "<=": Comparator.LTE,
    "==": Comparator.EQ,
}


def all_languages(text: str) -> set[str]:
    """`text` translated into every language of the site, normalized for comparison."""
    found = {normal(text)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(normal(_(text)))
    return found


def normal(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def dropdown(name: str) -> list[str]:
    """What a dropdown offers, in the current language."""
    if name == "unit":
        return [value for value, _label in Unit.choices]
    if name == "yes_no":
        return [_("Yes"), _("No")]
    return [str(label) for _value, label in CHOICES[name].choices]
