"""Workbook helpers shared by every .xlsx the site writes or reads, and the limits on what is read.

Writing: no cell we write is ever a formula. `safe_text` gives text Excel would run (= + - @, tab,
CR) a leading apostrophe and `unescape` undoes it when the text comes back in an upload;
`sheet_title` and `SheetTitles` make names Excel accepts; `number_cell` stores a Decimal as the
int or float a cell holds.

Reading an upload, in this order: `read_bytes` refuses a file over MAX_UPLOAD_BYTES unread,
`scan_upload` (or `check_package`, its message alone) refuses what is not an .xlsx, would unpack
past MAX_UNPACKED_BYTES (a "zip bomb") or passes a limit while `scan.scan_package` reads it as a
stream (bytes of a part, rows and row numbers, cells in a row, a sheet and the workbook, shared
strings, the length of a text), `open_workbook` opens it read-only with formulas as formulas, and
`read_rows` reads at most MAX_ROWS rows of a sheet as `Cell`s, stopping after the sheet's last
row that holds a value. A cell that cannot be read raises `CellError` with a message for the
person who typed it; `RowError` places a message at its sheet, row and column as Excel shows them.

The limits are settings (XLSX_MAX_…, read from the environment; see talentportal/settings.py).
"""

from __future__ import annotations

import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import PatternFill

from .scan import UNREADABLE as UNREADABLE
from .scan import Limits, Refused, Scan, scan_package, too_large

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- Limits on what is read -------------------------------------------------------------------

MAX_UPLOAD_BYTES = settings.XLSX_MAX_UPLOAD_BYTES
# A 5 MB xlsx can unpack to gigabytes (a "zip bomb"); a real template of 10k rows unpacks to ~5 MB.
MAX_UNPACKED_BYTES = settings.XLSX_MAX_UNPACKED_BYTES
MAX_PART_BYTES = settings.XLSX_MAX_PART_BYTES  # one part (a sheet, the shared strings)
MAX_PARTS = settings.XLSX_MAX_PARTS
MAX_ROWS = settings.XLSX_MAX_ROWS  # data rows read from one sheet
MAX_SHEET_ROWS = settings.XLSX_MAX_SHEET_ROWS  # the highest row number a sheet may use
MAX_ROW_CELLS = settings.XLSX_MAX_ROW_CELLS
MAX_SHEET_CELLS = settings.XLSX_MAX_SHEET_CELLS
MAX_CELLS = settings.XLSX_MAX_CELLS  # in the whole workbook
MAX_SHARED_STRINGS = settings.XLSX_MAX_SHARED_STRINGS
MAX_TEXT_CHARS = 32_767  # Excel's own limit on a cell's text
MAX_DEPTH = 64  # XML nesting; a part Excel writes is about 10 deep
MAX_OTHER_ELEMENTS = 200_000  # elements of a part outside its cells and strings (styles…)
TOO_LARGE = Decimal(10) ** 14  # VALUE_FIELD: 18 digits, 4 of them after the point
FOUR_PLACES = Decimal("0.0001")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# 1200, 1,200, 1200.5, -3 (refused later as negative, with its own message).
NUMBER_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31

# The fills of the templates' header rows: grey, and yellow over the columns to fill in.
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
INPUT_HEADER_FILL = PatternFill("solid", fgColor="FFD966")


# --- Writing ----------------------------------------------------------------------------------


def safe_text(text: str) -> str:
    """Text Excel will never run: a leading = + - @ tab or CR is escaped with an apostrophe."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape(text: str) -> str:
    """Undo `safe_text`, so that an untouched text reads back exactly as it was saved."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts: none of []:*?/\\, at most 31 characters, never empty."""
    return SHEET_TITLE_UNSAFE.sub(" ", text)[:SHEET_TITLE_MAX] or "Sheet1"


class SheetTitles:
    """Names for the sheets of one workbook: valid, and unique whatever the case."""

    def __init__(self):
        self.taken: set[str] = set()

    def claim(self, *wishes: str) -> str:
        """The first wish that is free once made valid; else the first one numbered (2), (3)…"""
        numbered = (f"{wishes[0][:24]} ({number})" for number in itertools.count(2))
        for wish in itertools.chain(wishes, numbered):
            title = sheet_title(ILLEGAL_CHARACTERS_RE.sub("", wish)).strip().strip("'")
            if title and title.lower() not in self.taken:
                self.taken.add(title.lower())
                return title
        raise AssertionError("unreachable: the numbered titles never run out")


def number_cell(value: Decimal | None) -> int | float | None:
    """A Decimal as a cell holds it: whole numbers as int (shown without a point), others float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- Cells and their errors -------------------------------------------------------------------


class CellError(Exception):
    """A cell's content cannot be read; the message is for the person who filled it in."""


@dataclass(frozen=True)
class RowError:
    """A problem at a cell (or with the whole file, where row is None and column empty)."""

    sheet: str
    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class Cell:
    value: object
    data_type: str
    percent: bool = False  # shown as a percentage: Excel stores "35%" as 0.35

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def formula(self) -> str | None:
        if self.data_type != "f":
            return None
        return str(getattr(self.value, "text", None) or self.value or "=")


EMPTY_CELL = Cell(None, "n")


# --- Reading an upload ------------------------------------------------------------------------


def read_bytes(file) -> tuple[bytes | None, str]:
    """The upload's bytes, or a message saying why there are none worth reading.

    `file` is an uploaded file, any binary file object, a Path or bytes.
    """
    if isinstance(file, Path):
        with file.open("rb") as handle:
            return read_bytes(handle)
    too_large = _("The file is larger than %(mb)d MB: upload only the filled template.") % {
        "mb": MAX_UPLOAD_BYTES // (1024 * 1024)
    }
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > MAX_UPLOAD_BYTES:
            return None, too_large
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return None, too_large
    if not data:
        return None, _("The file is empty.")
    return data, ""


def limits() -> Limits:
    """The limits as this module holds them now (tests lower them with monkeypatch)."""
    return Limits(
        part_bytes=MAX_PART_BYTES,
        parts=MAX_PARTS,
        sheet_rows=MAX_SHEET_ROWS,
        row_cells=MAX_ROW_CELLS,
        sheet_cells=MAX_SHEET_CELLS,
        cells=MAX_CELLS,
        shared_strings=MAX_SHARED_STRINGS,
        text_chars=MAX_TEXT_CHARS,
        depth=MAX_DEPTH,
        other_elements=MAX_OTHER_ELEMENTS,
    )


def scan_upload(data: bytes) -> tuple[Scan | None, str]:
    """An .xlsx is a zip holding a workbook; anything else (.xls, .csv, a renamed file) is not.
    Every part is then read as a stream within `limits()`, before openpyxl opens any.

    Returns what the scan learnt and "", or None and the message for the user.
    """
    not_xlsx = _(
        "This is not an Excel workbook (.xlsx). Download the template, fill it in and save it "
        "as “Excel Workbook (*.xlsx)” before uploading it."
    )
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        # zipfile raises many kinds of errors on bytes that are not a zip it can read (BadZipFile,
        # NotImplementedError for a newer zip version or compression, struct and decode errors).
        return None, not_xlsx
    with package:
        infos = package.infolist()
        if "xl/workbook.xml" not in {info.filename for info in infos}:
            return None, not_xlsx
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            return None, too_large()
        try:
            return scan_package(package, limits()), ""
        except Refused as refused:
            return None, str(refused)


def check_package(data: bytes) -> str:
    """The message `scan_upload` gives, or "" when openpyxl may open the file."""
    return scan_upload(data)[1]


def open_workbook(data: bytes, scan: Scan | None = None):
    """The workbook, read-only. Formulas are read as formulas (not their cached results) so that
    none is taken as input. With the `scan` of the file, each sheet knows its last row holding a
    value and `read_rows` stops there. The caller closes it, and turns any exception into
    `UNREADABLE`."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    if scan is not None:
        for worksheet in workbook.worksheets:
            path = str(getattr(worksheet, "_worksheet_path", "")).lstrip("/")
            worksheet.last_value_row = scan.last_rows.get(path)
    return workbook


@dataclass
class SheetRows:
    above: list[tuple[Cell, ...]] = field(default_factory=list)  # rows before the first: headers
    rows: list[tuple[int, tuple[Cell, ...]]] = field(default_factory=list)  # filled, numbered
    too_long: bool = False  # a row is filled past MAX_ROWS rows of data

    @property
    def anything(self) -> bool:
        """Whether the sheet holds anything at all."""
        return (
            self.too_long or bool(self.rows) or any(not c.blank for row in self.above for c in row)
        )


def read_rows(worksheet, *, first_row: int, width: int, percent: Collection[int] = ()) -> SheetRows:
    """The sheet's first `width` columns as cells: every row before `first_row`, then the filled
    rows from it on, up to MAX_ROWS of them. Columns in `percent` (numbered from 1) note whether
    they are formatted as a percentage; the format of the others is never looked up (a little
    per cell, and ten thousand rows)."""
    worksheet.reset_dimensions()  # a file may declare a million rows; read only those that exist
    last_row = first_row + MAX_ROWS
    stop = last_row
    known = getattr(worksheet, "last_value_row", None)  # from the scan: no value after this row
    if known is not None:
        stop = min(last_row, max(known, first_row))
    result = SheetRows()
    for number, cells in enumerate(
        worksheet.iter_rows(min_row=1, max_row=stop, max_col=width), start=1
    ):
        row = tuple(
            Cell(
                cell.value,
                cell.data_type,
                percent=index in percent and "%" in (cell.number_format or ""),
            )
            for index, cell in enumerate(cells, start=1)
        )
        row += (EMPTY_CELL,) * (width - len(row))
        if number < first_row:
            result.above.append(row)
        elif any(not cell.blank for cell in row):
            if number == last_row:
                result.too_long = True
            else:
                result.rows.append((number, row))
    return result


# --- Reading cells ----------------------------------------------------------------------------


def text_of(cell: Cell) -> str:
    """The cell's value as text, as a person would read it (12.0 as "12", a date in ISO form)."""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def refuse_formula_or_error(cell: Cell) -> None:
    """Raise CellError for a formula (we never evaluate one) or an Excel error such as #REF!."""
    if cell.formula is not None:
        raise CellError(
            _("This cell holds a formula (%(formula)s): type the figure itself.")
            % {"formula": cell.formula[:50]}
        )
    if cell.data_type == "e":
        raise CellError(_("This cell shows an Excel error (%(error)s).") % {"error": cell.value})


def parse_number(cell: Cell) -> Decimal:
    """A figure: a number cell, or text such as "1,200" (full-width digits too); as many places
    as the database keeps (4); a cell showing 35% is read as 35."""
    refuse_formula_or_error(cell)
    raw = cell.value
    not_a_number = _(
        "“%(text)s” is not a number. Type digits only, such as 1200 or 1,200 "
        "(for “1,200 or more”, set the lower bound column to %(yes)s)."
    )
    if isinstance(raw, bool | datetime | date | time):
        raise CellError(not_a_number % {"text": text_of(cell), "yes": _("Yes")})
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise CellError(not_a_number % {"text": raw, "yes": _("Yes")})
        value = Decimal(repr(raw))  # the shortest form that reads back as the same float
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()  # full-width digits and commas
        if not NUMBER_RE.fullmatch(text):
            raise CellError(not_a_number % {"text": str(raw).strip()[:50], "yes": _("Yes")})
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise CellError(not_a_number % {"text": text[:50], "yes": _("Yes")}) from None
    if cell.percent and isinstance(raw, int | float):
        value *= 100  # what the person sees: a cell showing 35% holds 0.35
    if abs(value) >= TOO_LARGE:
        raise CellError(_("This number is too large."))
    if value.as_tuple().exponent < -4:
        if value != value.quantize(FOUR_PLACES):
            raise CellError(_("Use at most 4 decimal places."))
        value = value.quantize(FOUR_PLACES)
    return value


def answer_words(*, milestone: bool = False) -> tuple[set[str], set[str]]:
    """What a yes/no cell may hold, in every language of the site, whatever the user's language;
    with `milestone`, "Done" and "Not done" too."""
    yes, no = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            yes.add(_("Yes").lower())
            no.add(_("No").lower())
            if milestone:
                yes.add(_("Done").lower())
                no.add(_("Not done").lower())
    return yes, no
