"""The entry workbook's layout (rows, columns, fills), what a parse returns, and how a figure
and its target read in a cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter

from ..choices import Comparator, IndicatorKind, ReportState
from ..figures import comparator_sign, plain_number
from ..models import Indicator, ProgressReport
from ..selectors import EntryRow
from ..xlsx import (
    RowError,
)

# Bump when the layout changes: files made from an older layout are refused, not misread.
FORMAT_VERSION = "1"
META_SHEET = "_meta"
NOTE_MAX_LENGTH = 2000
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 7, 8

COLUMNS = (
    "code",
    "plan",
    "indicator",
    "unit",
    "target",
    "previous",
    "last_year",
    "state",
    "value",
    "lower_bound",
    "note",
)
INPUTS = ("value", "lower_bound", "note")
COLUMN = {key: index for index, key in enumerate(COLUMNS, start=1)}
LETTER = {key: get_column_letter(index) for key, index in COLUMN.items()}
WIDTHS = {
    "code": 14,
    "plan": 24,
    "indicator": 36,
    "unit": 8,
    "target": 14,
    "previous": 12,
    "last_year": 12,
    "state": 10,
    "value": 14,
    "lower_bound": 10,
    "note": 40,
}
EDITABLE_STATES = {ReportState.DRAFT, ReportState.RETURNED}

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
LOCKED_INPUT_FILL = PatternFill("solid", fgColor="EDEDED")
UNLOCKED = Protection(locked=False)
WHOLE_FORMAT, DECIMAL_FORMAT = "#,##0", "#,##0.0###"


# --- Results ----------------------------------------------------------------------------------


@dataclass
class RowChange:
    """One figure the file would save: the new value beside what is saved now."""

    indicator: Indicator
    value: Decimal
    is_lower_bound: bool
    note: str
    report: ProgressReport | None  # the current figure, if any
    version: int | None  # the report's version when the file was read (None: a new figure)
    old_value: Decimal | None
    row: int = 0  # as Excel shows it

    @property
    def new_display(self) -> str:
        return display_value(self.indicator, self.value)

    @property
    def old_display(self) -> str:
        return display_value(self.indicator, self.old_value)

    @property
    def old_is_lower_bound(self) -> bool | None:
        return self.report.is_lower_bound if self.report else None

    @property
    def old_note(self) -> str:
        return self.report.note if self.report else ""


@dataclass
class ParseResult:
    changes: list[RowChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sheet: str = ""
    unchanged: int = 0  # rows equal to what is saved
    skipped: int = 0  # rows left blank

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Figures as the template shows them ------------------------------------------------------


def display_value(indicator: Indicator, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if indicator.kind == IndicatorKind.MILESTONE:
        return _("Done") if value == 1 else _("Not done")
    return plain_number(value)


def target_text(row: EntryRow) -> str:
    """A target as the plans write it: "≥ 1,000", "≤ 3", "Done"."""
    target = row.target
    if target is None:
        return ""
    if row.indicator.kind == IndicatorKind.MILESTONE:
        return _("Done")
    # A target to reach exactly is the bare number here, as the template always wrote it.
    sign = comparator_sign(target.comparator) if target.comparator != Comparator.EQ else ""
    number = plain_number(target.value)
    return f"{sign} {number}" if sign else number
