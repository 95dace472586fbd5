"""Reading a catalog workbook: its sheets found by title in any language, their rows checked
against the template's headers, and each cell read as text, a number, a year or a choice.

The file goes through `programs.xlsx` as every upload does: its size, its package and its rows are
limited there, formulas are refused as input and escaped text is read back as typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ..choices import Unit
from ..xlsx import (
    MAX_ROWS,
    NUMBER_RE,
    UNREADABLE,
    Cell,
    CellError,
    RowError,
    answer_words,
    open_workbook,
    parse_number,
    read_rows,
    sheet_title,
    text_of,
    unescape,
)
from .sheets import (
    CHOICES,
    FIRST_ROW,
    HEADER_ROW,
    IDEOGRAPHIC_COMMA,
    LIST_SEPARATOR,
    MAX_YEAR,
    MIN_YEAR,
    SHEETS,
    SIGN_COMPARATORS,
    SheetSpec,
    all_languages,
    dropdown,
    normal,
)

# --- Sheets -----------------------------------------------------------------------------------


@dataclass
class Sheet:
    spec: SheetSpec
    title: str  # as in the file
    rows: list[tuple[int, dict[str, Cell]]]


def read_sheet(worksheet, spec: SheetSpec, errors: list[RowError]) -> Sheet | None:
    """The sheet's filled rows, by column key; None, with the errors recorded, if it is unusable."""
    read = read_rows(
        worksheet,
        first_row=FIRST_ROW,
        width=len(spec.columns),
        percent={index for index, column in enumerate(spec.columns, start=1) if column.number},
    )
    if read.too_long:
        errors.append(
            RowError(
                worksheet.title,
                None,
                "",
                _("The sheet has more than %(max)d rows: upload only the filled template.")
                % {"max": MAX_ROWS},
            )
        )
        return None
    header = read.above[HEADER_ROW - 1] if read.above else ()
    if all(cell.blank for cell in header):
        errors.append(
            RowError(
                worksheet.title,
                HEADER_ROW,
                "",
                _(
                    "The sheet “%(sheet)s” is empty: keep the template's header row and fill in "
                    "the rows below it."
                )
                % {"sheet": worksheet.title},
            )
        )
        return None
    if not _header_ok(worksheet.title, spec, header, errors):
        return None
    keys = [column.key for column in spec.columns]
    rows = [(number, dict(zip(keys, cells, strict=True))) for number, cells in read.rows]
    return Sheet(spec, worksheet.title, rows)


def _header_ok(title: str, spec: SheetSpec, header: tuple[Cell, ...], errors) -> bool:
    """Whether every column has the template's header (in any language), in its place."""
    ok = True
    for index, (column, cell) in enumerate(zip(spec.columns, header, strict=True), start=1):
        if cell.blank or normal(text_of(cell)) not in all_languages(column.header):
            ok = False
            errors.append(
                RowError(
                    title,
                    HEADER_ROW,
                    get_column_letter(index),
                    _(
                        "This column should be “%(header)s”, as in the template: keep the "
                        "template's columns in their order."
                    )
                    % {"header": _(column.header)},
                )
            )
    return ok


def read_workbook(data: bytes, errors: list[RowError], scan=None) -> dict[str, Sheet] | None:
    """The sheets of the template found in the file, by key; None when it cannot be used.

    `scan` is what `xlsx.scan_upload` learnt of the file: each sheet is read up to its last row
    holding a value."""
    workbook = None
    titles = {spec.key: all_languages(spec.title) for spec in SHEETS}
    try:
        workbook = open_workbook(data, scan)
        sheets: dict[str, Sheet] = {}
        found: dict[str, object] = {}
        for worksheet in workbook.worksheets:
            for key, names in titles.items():
                if normal(worksheet.title) in names and key not in found:
                    found[key] = worksheet
        for spec in SHEETS:
            worksheet = found.get(spec.key)
            if worksheet is None:
                errors.append(
                    RowError(
                        sheet_title(_(spec.title)),
                        None,
                        "",
                        _(
                            "The sheet “%(sheet)s” is missing: download the template and keep "
                            "its sheets and their names."
                        )
                        % {"sheet": sheet_title(_(spec.title))},
                    )
                )
                continue
            sheet = read_sheet(worksheet, spec, errors)
            if sheet is not None:
                sheets[spec.key] = sheet
        return None if errors else sheets
    except Exception:
        # openpyxl raises many kinds of errors on a damaged file (zip, XML, KeyError, ValueError):
        # the admin gets one clear message instead of a server error.
        errors.append(RowError("", None, "", _(UNREADABLE)))
        return None
    finally:
        if workbook is not None:
            workbook.close()


# --- Cells ------------------------------------------------------------------------------------


def read_text(cell: Cell) -> str:
    if cell.blank:
        return ""
    if cell.formula is not None:
        raise CellError(
            _("This cell holds a formula (%(formula)s): type the text itself.")
            % {"formula": cell.formula[:50]}
        )
    if cell.data_type == "e":
        raise CellError(_("This cell shows an Excel error (%(error)s).") % {"error": cell.value})
    return unescape(text_of(cell)).strip()


def read_decimal(cell: Cell) -> Decimal:
    raw = cell.value
    if cell.formula is None and cell.data_type != "e":
        text = unicodedata.normalize("NFKC", str(raw)).strip() if isinstance(raw, str) else ""
        if isinstance(raw, bool | datetime | date | time) or (
            isinstance(raw, str) and not NUMBER_RE.fullmatch(text)
        ):
            raise CellError(
                _("“%(text)s” is not a number: type digits only, such as 1200 or 1,200.")
                % {"text": text_of(cell).strip()[:50]}
            )
    return parse_number(cell)


def read_integer(cell: Cell, low: int, high: int) -> int:
    value = read_decimal(cell)
    if value != value.to_integral_value() or not low <= value <= high:
        raise CellError(
            _("Type a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return int(value)


def read_year(cell: Cell) -> int:
    return read_integer(cell, MIN_YEAR, MAX_YEAR)


def read_order(cell: Cell) -> int | None:
    """A row's place among its siblings; None (blank) means its place in the sheet."""
    return None if cell.blank else read_integer(cell, 0, 32767)


class Choices:
    """What a dropdown cell may hold: the stored value or its label in any language."""

    def __init__(self):
        self.lookup: dict[str, dict[str, str]] = {}
        for name, enum in CHOICES.items():
            words = {}
            for value, label in enum.choices:
                words[normal(value)] = value
                for text in all_languages(label):
                    words[text] = value
            self.lookup[name] = words
        self.lookup["comparator"].update(SIGN_COMPARATORS)
        self.lookup["unit"] = {}
        for value, label in Unit.choices:
            self.lookup["unit"][normal(value)] = value
            for text in all_languages(label):
                self.lookup["unit"][text] = value
        self.yes, self.no = answer_words()

    def read(self, cell: Cell, name: str) -> str:
        text = read_text(cell)
        if not text:
            return ""
        value = self.lookup[name].get(normal(text))
        if value is None:
            raise CellError(
                _("“%(text)s” is not one of the allowed values: %(allowed)s.")
                % {"text": text[:50], "allowed": LIST_SEPARATOR.join(dropdown(name))}
            )
        return value

    def answer(self, cell: Cell) -> bool | None:
        if cell.blank:
            return None
        if isinstance(cell.value, bool):
            return cell.value
        text = normal(read_text(cell))
        if text in self.yes:
            return True
        if text in self.no:
            return False
        raise CellError(
            _("Answer %(yes)s or %(no)s, or leave the cell blank.")
            % {"yes": _("Yes"), "no": _("No")}
        )


def split_tags(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)  # full-width commas and semicolons
    for separator in (IDEOGRAPHIC_COMMA, ";", "\n"):
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]
