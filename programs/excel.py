"""The data-entry grid as an Excel workbook: a template to fill offline, and its upload.

`build_template` writes one region's indicators for a period and program, with targets and last
year's figures beside three unlocked input columns (value, lower bound, note); everything else is
locked and the sheet protected. A very hidden sheet records the region, period, program and format
version, so a file filled for another page is refused. No cell we write is ever a formula: text that
Excel would take for one (= + - @, tab, CR) gets a leading apostrophe.

`parse_upload` reads a filled copy back and checks every row, returning either the changes or every
error with its sheet, row and column as Excel shows them; it never raises on a bad file.
`apply_changes` saves the changes as drafts through `services.report_save_many`, all or nothing.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from regions.models import Region

from . import services
from .choices import Comparator, IndicatorKind, ReportState
from .models import Indicator, Program, ProgressReport, ReportingPeriod, check_value_fits
from .selectors import EntryRow

# Bump when the layout changes: files made from an older layout are refused, not misread.
FORMAT_VERSION = "1"
META_SHEET = "_meta"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A 5 MB xlsx can unpack to gigabytes (a "zip bomb"); a real template of 10k rows unpacks to ~5 MB.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 50_000
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
COMPARATOR_SIGNS = {Comparator.GTE: "≥", Comparator.LTE: "≤"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# 1200, 1,200, 1200.5, -3 (refused later as negative, with its own message).
NUMBER_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
FOUR_PLACES = Decimal("0.0001")
TOO_LARGE = Decimal(10) ** 14  # VALUE_FIELD: 18 digits, 4 of them after the point

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
INPUT_HEADER_FILL = PatternFill("solid", fgColor="FFD966")
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


@dataclass(frozen=True)
class RowError:
    """A problem at a cell (or with the whole file, where row is None and column empty)."""

    sheet: str
    row: int | None
    column: str
    message: str


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


# --- Shared helpers ---------------------------------------------------------------------------


def format_number(value: Decimal) -> str:
    """1200 → "1,200", 61.0200 → "61.02": the way officials write figures."""
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def display_value(indicator: Indicator, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if indicator.kind == IndicatorKind.MILESTONE:
        return _("Done") if value == 1 else _("Not done")
    return format_number(value)


def target_text(row: EntryRow) -> str:
    """A target as the plans write it: "≥ 1,000", "≤ 3", "Done"."""
    target = row.target
    if target is None:
        return ""
    if row.indicator.kind == IndicatorKind.MILESTONE:
        return _("Done")
    sign = COMPARATOR_SIGNS.get(target.comparator)
    number = format_number(target.value)
    return f"{sign} {number}" if sign else number


def safe_text(text: str) -> str:
    """Text Excel will never run: a leading = + - @ tab or CR is escaped with an apostrophe."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unescape(text: str) -> str:
    """Undo `safe_text`, so that an untouched note reads back exactly as it was saved."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _answer_words(*extra: str) -> tuple[set[str], set[str]]:
    """What a yes/no cell may hold, in every language of the site, whatever the user's language."""
    yes, no = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            yes.add(_("Yes").lower())
            no.add(_("No").lower())
            if "milestone" in extra:
                yes.add(_("Done").lower())
                no.add(_("Not done").lower())
    return yes, no


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31] or "Sheet1"


def _number_cell(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- Template ---------------------------------------------------------------------------------


def _headers() -> dict[str, str]:
    return {
        "code": _("Indicator code"),
        "plan": _("Plan"),
        "indicator": _("Indicator"),
        "unit": _("Unit"),
        "target": _("Target"),
        "previous": _("Last period"),
        "last_year": _("Last year"),
        "state": _("State"),
        "value": _("Value"),
        "lower_bound": _("Lower bound"),
        "note": _("Note"),
    }


def _validations() -> dict[str, DataValidation]:
    """What Excel itself checks while the official types; the upload checks it all again."""

    def numbers(kind, operator, formula1, formula2=None, message=""):
        return DataValidation(
            type=kind,
            operator=operator,
            formula1=formula1,
            formula2=formula2,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Check the value")[:32],
            error=message[:255],
        )

    def choices(first, second, message):
        listed = ",".join(word.replace('"', '""') for word in (first, second))
        return DataValidation(
            type="list",
            formula1=f'"{listed}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Check the value")[:32],
            error=message[:255],
        )

    yes_no = _("Choose %(yes)s or %(no)s, or leave the cell blank.")
    return {
        "count": numbers(
            "whole", "greaterThanOrEqual", "0", message=_("A count is a whole number, 0 or more.")
        ),
        "rank": numbers(
            "whole", "greaterThanOrEqual", "1", message=_("A rank is a whole number, 1 or more.")
        ),
        "capped": numbers(
            "decimal", "between", "0", "100", message=_("A percentage from 0 to 100.")
        ),
        "amount": numbers("decimal", "greaterThanOrEqual", "0", message=_("A number, 0 or more.")),
        "milestone": choices(
            _("Done"),
            _("Not done"),
            yes_no % {"yes": _("Done"), "no": _("Not done")},
        ),
        "lower_bound": choices(_("Yes"), _("No"), yes_no % {"yes": _("Yes"), "no": _("No")}),
    }


def _validation_key(indicator: Indicator) -> str:
    kind = indicator.kind
    if kind == IndicatorKind.PERCENTAGE:
        return "capped" if indicator.capped_at_100 else "amount"
    if kind in (IndicatorKind.COUNT, IndicatorKind.RANK, IndicatorKind.MILESTONE):
        return str(kind)
    return "amount"


def _row_values(row: EntryRow) -> dict:
    indicator, report = row.indicator, row.report
    plan = row.plan.name + (f" · {row.measure.name}" if row.measure else "")
    value = lower_bound = note = None
    if report is not None:
        value = (
            display_value(indicator, report.value)
            if indicator.kind == IndicatorKind.MILESTONE
            else _number_cell(report.value)
        )
        lower_bound = _("Yes") if report.is_lower_bound else _("No")
        note = report.note or None
    return {
        "code": indicator.code,
        "plan": plan,
        "indicator": indicator.name,
        "unit": indicator.get_unit_display() if indicator.unit else "",
        "target": target_text(row),
        "previous": _number_cell(row.previous_value),
        "last_year": _number_cell(row.last_year_value),
        "state": report.get_state_display() if report else _("Not started"),
        "value": value,
        "lower_bound": lower_bound,
        "note": note,
    }


def build_template(
    *,
    region: Region,
    period: ReportingPeriod,
    program: Program,
    rows: list[EntryRow],
) -> bytes:
    """The .xlsx an official fills offline: one row per indicator, only the inputs unlocked."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Entry"))

    title_block = [
        (_("TalentPortal data entry"), ""),
        (_("Region"), f"{region.name} ({region.code})"),
        (_("Period"), str(period.label)),
        (_("Program"), program.name),
        (
            _("How to fill"),
            _(
                "Fill in the yellow columns only: the value, whether it is a lower bound "
                "(such as “1,600 or more”), and a note. Leave a row blank to skip it. Then upload "
                "this file on the data-entry page of the same region, period and program."
            ),
        ),
    ]
    for offset, (label, text) in enumerate(title_block):
        sheet.cell(TITLE_ROW + offset, 1, safe_text(label)).font = Font(bold=True)
        if text:
            sheet.cell(TITLE_ROW + offset, 2, safe_text(text))
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    sheet.merge_cells(
        start_row=TITLE_ROW + 4, start_column=2, end_row=TITLE_ROW + 4, end_column=len(COLUMNS)
    )
    sheet.cell(TITLE_ROW + 4, 2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[TITLE_ROW + 4].height = 45

    for key, label in _headers().items():
        cell = sheet.cell(HEADER_ROW, COLUMN[key], safe_text(label))
        cell.font = Font(bold=True)
        cell.fill = INPUT_HEADER_FILL if key in INPUTS else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[LETTER[key]].width = WIDTHS[key]

    validations = _validations()
    ranges: dict[str, list[str]] = {key: [] for key in validations}
    for number, row in enumerate(rows, start=FIRST_ROW):
        editable = row.report is None or row.report.state in EDITABLE_STATES
        for key, value in _row_values(row).items():
            if isinstance(value, str):
                value = safe_text(value)
            cell = sheet.cell(number, COLUMN[key], value)
            if isinstance(value, int | float):
                cell.number_format = WHOLE_FORMAT if isinstance(value, int) else DECIMAL_FORMAT
            if key in INPUTS:
                if editable:
                    cell.protection = UNLOCKED
                    cell.fill = INPUT_FILL
                else:
                    cell.fill = LOCKED_INPUT_FILL
            if key in ("indicator", "plan", "note"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if editable:
            ranges[_validation_key(row.indicator)].append(f"{LETTER['value']}{number}")
            ranges["lower_bound"].append(f"{LETTER['lower_bound']}{number}")
    for key, validation in validations.items():
        if ranges[key]:
            # One sqref string: adding 10k cells one by one is quadratic in openpyxl.
            validation.sqref = MultiCellRange(" ".join(ranges[key]))
            sheet.add_data_validation(validation)

    sheet.freeze_panes = f"{LETTER['unit']}{FIRST_ROW}"
    sheet.protection.sheet = True
    # Officials may still widen columns and rows to read long names.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    meta = workbook.create_sheet(META_SHEET)
    for number, (key, value) in enumerate(
        [
            ("format", FORMAT_VERSION),
            ("region", region.code),
            ("period", period.pk),
            ("program", program.pk),
            ("sheet", sheet.title),
            ("first_row", FIRST_ROW),
            ("rows", len(rows)),
        ],
        start=1,
    ):
        meta.cell(number, 1, key)
        meta.cell(number, 2, safe_text(str(value)))
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    workbook.security = WorkbookProtection(lockStructure=True)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Upload -----------------------------------------------------------------------------------


class _CellError(Exception):
    """A cell's content cannot be read; the message is for the official."""


@dataclass(frozen=True)
class _Cell:
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


_EMPTY = _Cell(None, "n")


def _read_bytes(file) -> tuple[bytes | None, str]:
    """The upload's bytes, or a message saying why there are none worth reading."""
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


def _check_package(data: bytes) -> str:
    """An .xlsx is a zip holding a workbook; anything else (.xls, .csv, a renamed file) is not."""
    not_xlsx = _(
        "This is not an Excel workbook (.xlsx). Download the template, fill it in and save it "
        "as “Excel Workbook (*.xlsx)” before uploading it."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            unpacked = sum(info.file_size for info in package.infolist())
    except Exception:
        # zipfile raises many kinds of errors on bytes that are not a zip it can read (BadZipFile,
        # NotImplementedError for a newer zip version or compression, struct and decode errors).
        return not_xlsx
    if "xl/workbook.xml" not in names:
        return not_xlsx
    if unpacked > MAX_UNPACKED_BYTES:
        return _("The workbook is too large once unpacked: upload only the filled template.")
    return ""


def _read_meta(workbook) -> dict[str, str]:
    if META_SHEET not in workbook.sheetnames:
        return {}
    meta = {}
    for key, value, *_rest in workbook[META_SHEET].iter_rows(
        max_col=2, max_row=50, values_only=True
    ):
        if key is not None:
            meta[str(key)] = _unescape(str(value)) if value is not None else ""
    return meta


def _data_sheet(workbook, meta):
    title = meta.get("sheet")
    if title and title in workbook.sheetnames:
        return workbook[title]
    for sheet in workbook.worksheets:
        if sheet.title != META_SHEET:
            return sheet
    return None


def _read_rows(sheet, first_row: int) -> tuple[list[tuple[int, tuple[_Cell, ...]]], bool, bool]:
    """The data rows as cells; whether the sheet holds anything; whether it has too many rows."""
    sheet.reset_dimensions()  # a file may declare a million rows; read only those that exist
    last_row = first_row + MAX_ROWS
    rows, anything, too_long = [], False, False
    for number, cells in enumerate(
        sheet.iter_rows(min_row=1, max_row=last_row, max_col=len(COLUMNS)), start=1
    ):
        row = tuple(
            _Cell(
                cell.value,
                cell.data_type,
                # Only the value column's format matters; looking it up costs a little per cell.
                percent=index == COLUMN["value"] and "%" in (cell.number_format or ""),
            )
            for index, cell in enumerate(cells, start=1)
        )
        row += (_EMPTY,) * (len(COLUMNS) - len(row))
        filled = any(not cell.blank for cell in row)
        anything = anything or filled
        if number == last_row:
            too_long = filled
        elif number >= first_row and filled:
            rows.append((number, row))
    return rows, anything, too_long


def _meta_errors(meta, *, region, period, program) -> list[str]:
    if not meta:
        return [
            _(
                "This workbook was not made from the TalentPortal template. Download the template "
                "of this region, period and program, fill it in and upload it."
            )
        ]
    if meta.get("format") != FORMAT_VERSION:
        return [
            _(
                "This file was made from an older version of the template. Download the "
                "template again and copy your figures into it."
            )
        ]
    errors = []
    if meta.get("region") != region.code:
        errors.append(
            _(
                "This file was made for another region (code %(code)s), not for %(region)s. "
                "Download the template of %(region)s."
            )
            % {"code": meta.get("region") or "—", "region": f"{region.name} ({region.code})"}
        )
    if meta.get("period") != str(period.pk):
        errors.append(
            _("This file was made for another reporting period, not for %(period)s.")
            % {"period": period.label}
        )
    if meta.get("program") != str(program.pk):
        errors.append(
            _("This file was made for another program, not for “%(program)s”.")
            % {"program": program.name}
        )
    return errors


def _text_of(cell: _Cell) -> str:
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _code(cell: _Cell) -> str:
    return "" if cell.blank else _unescape(_text_of(cell).strip())


def _refuse_formula_or_error(cell: _Cell) -> None:
    if cell.formula is not None:
        raise _CellError(
            _("This cell holds a formula (%(formula)s): type the figure itself.")
            % {"formula": cell.formula[:50]}
        )
    if cell.data_type == "e":
        raise _CellError(_("This cell shows an Excel error (%(error)s).") % {"error": cell.value})


def _parse_number(cell: _Cell) -> Decimal:
    _refuse_formula_or_error(cell)
    raw = cell.value
    not_a_number = _(
        "“%(text)s” is not a number. Type digits only, such as 1200 or 1,200 "
        "(for “1,200 or more”, set the lower bound column to %(yes)s)."
    )
    if isinstance(raw, bool | datetime | date | time):
        raise _CellError(not_a_number % {"text": _text_of(cell), "yes": _("Yes")})
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise _CellError(not_a_number % {"text": raw, "yes": _("Yes")})
        value = Decimal(repr(raw))  # the shortest form that reads back as the same float
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()  # full-width digits and commas
        if not NUMBER_RE.fullmatch(text):
            raise _CellError(not_a_number % {"text": str(raw).strip()[:50], "yes": _("Yes")})
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise _CellError(not_a_number % {"text": text[:50], "yes": _("Yes")}) from None
    if cell.percent and isinstance(raw, int | float):
        value *= 100  # what the official sees: a cell showing 35% holds 0.35
    if abs(value) >= TOO_LARGE:
        raise _CellError(_("This number is too large."))
    if value.as_tuple().exponent < -4:
        if value != value.quantize(FOUR_PLACES):
            raise _CellError(_("Use at most 4 decimal places."))
        value = value.quantize(FOUR_PLACES)
    return value


def _parse_answer(cell: _Cell, words: tuple[set[str], set[str]], message: str) -> bool:
    _refuse_formula_or_error(cell)
    raw = cell.value
    if isinstance(raw, bool):
        return raw
    text = _text_of(cell).strip().lower()
    yes, no = words
    if text in yes:
        return True
    if text in no:
        return False
    raise _CellError(message)


def _parse_value(indicator: Indicator, cell: _Cell, milestone_words) -> Decimal:
    if indicator.kind == IndicatorKind.MILESTONE:
        message = _("Answer %(done)s or %(not_done)s (or 1 / 0).") % {
            "done": _("Done"),
            "not_done": _("Not done"),
        }
        value = Decimal(1 if _parse_answer(cell, milestone_words, message) else 0)
    else:
        value = _parse_number(cell)
    try:
        check_value_fits(indicator, value)
    except ValidationError as error:
        raise _CellError(" ".join(error.message_dict["value"])) from None
    return value


def _parse_note(cell: _Cell) -> str:
    if cell.blank:
        return ""
    if cell.data_type == "e":
        raise _CellError(_("This cell shows an Excel error (%(error)s).") % {"error": cell.value})
    # A formula in a note is kept as the text the official typed, never evaluated.
    text = cell.formula if cell.formula is not None else _unescape(_text_of(cell))
    text = text.strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise _CellError(
            _("The note has %(length)d characters; at most %(max)d are allowed.")
            % {"length": len(text), "max": NOTE_MAX_LENGTH}
        )
    return text


def _read_workbook(data: bytes):
    """Open the workbook read-only and pull out what we need; None and a message if that fails."""
    workbook = None
    try:
        # Formulas are read as formulas (not their cached results) so that none is taken as input.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        meta = _read_meta(workbook)
        sheet = _data_sheet(workbook, meta)
        if sheet is None:
            return None, _("The workbook has no sheet to read.")
        try:
            start = int(meta.get("first_row", FIRST_ROW))
        except ValueError:
            start = FIRST_ROW
        rows, anything, too_long = _read_rows(sheet, max(start, 1))
        return (meta, sheet.title, rows, anything, too_long), ""
    except Exception:
        # openpyxl raises many kinds of errors on a damaged file (zip, XML, KeyError, ValueError):
        # the official gets one clear message instead of a server error.
        return None, _(
            "The file could not be read as an Excel workbook: it may be damaged. Save it again "
            "in Excel as “Excel Workbook (*.xlsx)” and upload it."
        )
    finally:
        if workbook is not None:
            workbook.close()


def parse_upload(
    *,
    file,
    region: Region,
    period: ReportingPeriod,
    program: Program,
    rows: list[EntryRow],
) -> ParseResult:
    """Check every row of a filled template; the changes if all is well, every error otherwise.

    `file` is an uploaded file, any binary file object, or bytes. Never raises on bad input.
    """
    result = ParseResult()

    def file_error(message: str) -> ParseResult:
        result.errors.append(RowError(sheet=result.sheet, row=None, column="", message=message))
        return result

    data, problem = _read_bytes(file)
    if data is None:
        return file_error(problem)
    problem = _check_package(data)
    if problem:
        return file_error(problem)
    content, problem = _read_workbook(data)
    if content is None:
        return file_error(problem)
    meta, result.sheet, data_rows, anything, too_long = content
    if not anything:
        return file_error(_("The sheet “%(sheet)s” is empty.") % {"sheet": result.sheet})
    problems = _meta_errors(meta, region=region, period=period, program=program)
    if problems:
        for message in problems:
            file_error(message)
        return result
    if too_long:
        return file_error(
            _("The sheet has more than %(max)d rows: upload only the filled template.")
            % {"max": MAX_ROWS}
        )
    if not data_rows:
        return file_error(
            _("The sheet “%(sheet)s” has no indicator rows.") % {"sheet": result.sheet}
        )
    _check_rows(result, data_rows, rows)
    if result.errors:
        result.changes = []  # a file with any bad row writes nothing
    return result


def _parse_inputs(
    indicator: Indicator, cell: dict[str, _Cell], *, milestone_words, lower_words, lower_message
) -> tuple[dict, list[tuple[str, str]]]:
    """The row's value, lower bound and note, or a message for each input that cannot be read."""
    parsed, problems = {}, []
    if cell["value"].blank:
        problems.append(("value", _("Enter the value: a figure cannot be saved without one.")))
    else:
        try:
            parsed["value"] = _parse_value(indicator, cell["value"], milestone_words)
        except _CellError as problem:
            problems.append(("value", str(problem)))
    try:
        lower = cell["lower_bound"]
        parsed["lower_bound"] = (
            False if lower.blank else _parse_answer(lower, lower_words, lower_message)
        )
    except _CellError as problem:
        problems.append(("lower_bound", str(problem)))
    try:
        parsed["note"] = _parse_note(cell["note"])
    except _CellError as problem:
        problems.append(("note", str(problem)))
    return parsed, problems


def _check_rows(result: ParseResult, data_rows, rows: Iterable[EntryRow]) -> None:
    by_code = {row.indicator.code: row for row in rows}
    seen: dict[str, int] = {}
    lower_words, milestone_words = _answer_words(), _answer_words("milestone")
    lower_message = _("Answer %(yes)s or %(no)s, or leave the cell blank.") % {
        "yes": _("Yes"),
        "no": _("No"),
    }

    for number, cells in data_rows:

        def error(key: str, message: str, number=number) -> None:
            result.errors.append(RowError(result.sheet, number, LETTER[key], message))

        cell = {key: cells[COLUMN[key] - 1] for key in COLUMNS}
        inputs_blank = all(cell[key].blank for key in INPUTS)
        code = _code(cell["code"])
        if not code:
            if not inputs_blank:
                error(
                    "code",
                    _("This row has figures but no indicator code: keep the code as downloaded."),
                )
            continue
        if code in seen:
            error(
                "code",
                _("The indicator %(code)s is already on row %(row)d.")
                % {"code": code, "row": seen[code]},
            )
            continue
        seen[code] = number
        entry = by_code.get(code)
        if entry is None:
            error(
                "code",
                _("Unknown indicator code “%(code)s”: it is not in this program.")
                % {"code": code[:50]},
            )
            continue
        if inputs_blank:
            result.skipped += 1
            continue

        indicator, report = entry.indicator, entry.report
        parsed, problems = _parse_inputs(
            indicator,
            cell,
            milestone_words=milestone_words,
            lower_words=lower_words,
            lower_message=lower_message,
        )
        for key, message in problems:
            error(key, message)
        if problems:
            continue

        new = (parsed["value"], parsed["lower_bound"], parsed["note"])
        if report is not None:
            old = (report.value, report.is_lower_bound, report.note)
            if new == old:
                result.unchanged += 1
                continue
            if report.state not in EDITABLE_STATES:
                changed = [key for key, a, b in zip(INPUTS, new, old, strict=True) if a != b]
                error(
                    changed[0],
                    _("This figure is “%(state)s”: it cannot be changed from Excel.")
                    % {"state": report.get_state_display()},
                )
                continue
        result.changes.append(
            RowChange(
                indicator=indicator,
                value=parsed["value"],
                is_lower_bound=parsed["lower_bound"],
                note=parsed["note"],
                report=report,
                version=report.version if report else None,
                old_value=report.value if report else None,
                row=number,
            )
        )


# --- Saving -----------------------------------------------------------------------------------


def apply_changes(
    *,
    user,
    region: Region,
    period: ReportingPeriod,
    changes: list[RowChange],
) -> int:
    """Save every change as a draft, all or nothing, in one `services.report_save_many`.

    Each change carries the version it was previewed against, so a figure someone else saved in
    the meantime raises ConflictError instead of being overwritten. The first failing change is
    attached to the exception as `row_change` so the page can say which row it was.
    """
    entries = [
        services.Entry(
            indicator=change.indicator,
            region=region,
            period=period,
            change=services.Change(
                value=change.value, is_lower_bound=change.is_lower_bound, note=change.note
            ),
            version=change.version,
        )
        for change in changes
    ]
    try:
        result = services.report_save_many(user=user, entries=entries)
    except services.ItemErrors as error:
        first = error.items[0].index
        refused = ValidationError([item.message for item in error.items if item.index == first])
        refused.row_change = changes[first]
        raise refused from error
    except (services.ConflictError, PermissionDenied) as error:
        error.row_change = changes[getattr(error, "index", 0)] if changes else None
        raise
    return len(result.reports)
