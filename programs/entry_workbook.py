"""The data-entry grid as an Excel workbook: a template to fill offline, and its upload.

`build_template` writes one region's indicators for a period and program, with targets and last
year's figures beside three unlocked input columns (value, lower bound, note); everything else is
locked and the sheet protected. A very hidden sheet records the region, period, program and format
version, so a file filled for another page is refused. No cell we write is ever a formula: text that
Excel would take for one (= + - @, tab, CR) gets a leading apostrophe (`xlsx.safe_text`).

`parse_upload` reads a filled copy back and checks every row, returning either the changes or every
error with its sheet, row and column as Excel shows them; it never raises on a bad file. The file
goes through `programs.xlsx` first: its size, its package and its rows are limited there.
`apply_changes` saves the changes as drafts through `services.report_save_many`, all or nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from regions.models import Region

from . import services
from .choices import Comparator, IndicatorKind, ReportState
from .figures import comparator_sign, plain_number
from .models import Indicator, Program, ProgressReport, ReportingPeriod, check_value_fits
from .selectors import EntryRow
from .xlsx import (
    HEADER_FILL,
    INPUT_HEADER_FILL,
    MAX_ROWS,
    UNREADABLE,
    Cell,
    CellError,
    RowError,
    answer_words,
    check_package,
    number_cell,
    open_workbook,
    parse_number,
    read_bytes,
    read_rows,
    refuse_formula_or_error,
    safe_text,
    sheet_title,
    text_of,
    unescape,
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
            else number_cell(report.value)
        )
        lower_bound = _("Yes") if report.is_lower_bound else _("No")
        note = report.note or None
    return {
        "code": indicator.code,
        "plan": plan,
        "indicator": indicator.name,
        "unit": indicator.get_unit_display() if indicator.unit else "",
        "target": target_text(row),
        "previous": number_cell(row.previous_value),
        "last_year": number_cell(row.last_year_value),
        "state": report.get_state_display() if report else _("Not started"),
        "value": value,
        "lower_bound": lower_bound,
        "note": note,
    }


def _write_title(sheet, *, region: Region, period: ReportingPeriod, program: Program) -> None:
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


def _write_headers(sheet) -> None:
    for key, label in _headers().items():
        cell = sheet.cell(HEADER_ROW, COLUMN[key], safe_text(label))
        cell.font = Font(bold=True)
        cell.fill = INPUT_HEADER_FILL if key in INPUTS else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[LETTER[key]].width = WIDTHS[key]


def _write_rows(sheet, rows: list[EntryRow]) -> None:
    """One row per indicator; the inputs of a figure that may still change unlocked."""
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


def _protect_and_lay_out(sheet) -> None:
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


def _write_meta(workbook, meta: dict) -> None:
    """The very hidden sheet that says which page the file was made for."""
    sheet = workbook.create_sheet(META_SHEET)
    for number, (key, value) in enumerate(meta.items(), start=1):
        sheet.cell(number, 1, key)
        sheet.cell(number, 2, safe_text(str(value)))
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


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
    sheet.title = sheet_title(_("Entry"))
    _write_title(sheet, region=region, period=period, program=program)
    _write_headers(sheet)
    _write_rows(sheet, rows)
    _protect_and_lay_out(sheet)
    _write_meta(
        workbook,
        {
            "format": FORMAT_VERSION,
            "region": region.code,
            "period": period.pk,
            "program": program.pk,
            "sheet": sheet.title,
            "first_row": FIRST_ROW,
            "rows": len(rows),
        },
    )
    workbook.security = WorkbookProtection(lockStructure=True)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Upload -----------------------------------------------------------------------------------


def _read_meta(workbook) -> dict[str, str]:
    if META_SHEET not in workbook.sheetnames:
        return {}
    meta = {}
    for key, value, *_rest in workbook[META_SHEET].iter_rows(
        max_col=2, max_row=50, values_only=True
    ):
        if key is not None:
            meta[str(key)] = unescape(str(value)) if value is not None else ""
    return meta


def _data_sheet(workbook, meta):
    title = meta.get("sheet")
    if title and title in workbook.sheetnames:
        return workbook[title]
    for sheet in workbook.worksheets:
        if sheet.title != META_SHEET:
            return sheet
    return None


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


def _code(cell: Cell) -> str:
    return "" if cell.blank else unescape(text_of(cell).strip())


def _parse_answer(cell: Cell, words: tuple[set[str], set[str]], message: str) -> bool:
    refuse_formula_or_error(cell)
    raw = cell.value
    if isinstance(raw, bool):
        return raw
    text = text_of(cell).strip().lower()
    yes, no = words
    if text in yes:
        return True
    if text in no:
        return False
    raise CellError(message)


def _parse_value(indicator: Indicator, cell: Cell, milestone_words) -> Decimal:
    if indicator.kind == IndicatorKind.MILESTONE:
        message = _("Answer %(done)s or %(not_done)s (or 1 / 0).") % {
            "done": _("Done"),
            "not_done": _("Not done"),
        }
        value = Decimal(1 if _parse_answer(cell, milestone_words, message) else 0)
    else:
        value = parse_number(cell)
    try:
        check_value_fits(indicator, value)
    except ValidationError as error:
        raise CellError(" ".join(error.message_dict["value"])) from None
    return value


def _parse_note(cell: Cell) -> str:
    if cell.blank:
        return ""
    if cell.data_type == "e":
        raise CellError(_("This cell shows an Excel error (%(error)s).") % {"error": cell.value})
    # A formula in a note is kept as the text the official typed, never evaluated.
    text = cell.formula if cell.formula is not None else unescape(text_of(cell))
    text = text.strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise CellError(
            _("The note has %(length)d characters; at most %(max)d are allowed.")
            % {"length": len(text), "max": NOTE_MAX_LENGTH}
        )
    return text


def _read_workbook(data: bytes):
    """Open the workbook read-only and pull out what we need; None and a message if that fails."""
    workbook = None
    try:
        workbook = open_workbook(data)
        meta = _read_meta(workbook)
        sheet = _data_sheet(workbook, meta)
        if sheet is None:
            return None, _("The workbook has no sheet to read.")
        try:
            start = int(meta.get("first_row", FIRST_ROW))
        except ValueError:
            start = FIRST_ROW
        # Only the value column's format matters: a cell showing 35% holds 0.35.
        read = read_rows(
            sheet, first_row=max(start, 1), width=len(COLUMNS), percent={COLUMN["value"]}
        )
        return (meta, sheet.title, read.rows, read.anything, read.too_long), ""
    except Exception:
        # openpyxl raises many kinds of errors on a damaged file (zip, XML, KeyError, ValueError):
        # the official gets one clear message instead of a server error.
        return None, _(UNREADABLE)
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

    data, problem = read_bytes(file)
    if data is None:
        return file_error(problem)
    problem = check_package(data)
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
    indicator: Indicator, cell: dict[str, Cell], *, milestone_words, lower_words, lower_message
) -> tuple[dict, list[tuple[str, str]]]:
    """The row's value, lower bound and note, or a message for each input that cannot be read."""
    parsed, problems = {}, []
    if cell["value"].blank:
        problems.append(("value", _("Enter the value: a figure cannot be saved without one.")))
    else:
        try:
            parsed["value"] = _parse_value(indicator, cell["value"], milestone_words)
        except CellError as problem:
            problems.append(("value", str(problem)))
    try:
        lower = cell["lower_bound"]
        parsed["lower_bound"] = (
            False if lower.blank else _parse_answer(lower, lower_words, lower_message)
        )
    except CellError as problem:
        problems.append(("lower_bound", str(problem)))
    try:
        parsed["note"] = _parse_note(cell["note"])
    except CellError as problem:
        problems.append(("note", str(problem)))
    return parsed, problems


def _row_entry(cell: dict[str, Cell], number: int, by_code: dict, seen: dict, error):
    """The entry row the file's row is for, by its indicator code; None (and why) if none is."""
    inputs_blank = all(cell[key].blank for key in INPUTS)
    code = _code(cell["code"])
    if not code:
        if not inputs_blank:
            error(
                "code",
                _("This row has figures but no indicator code: keep the code as downloaded."),
            )
        return None
    if code in seen:
        error(
            "code",
            _("The indicator %(code)s is already on row %(row)d.")
            % {"code": code, "row": seen[code]},
        )
        return None
    seen[code] = number
    entry = by_code.get(code)
    if entry is None:
        error(
            "code",
            _("Unknown indicator code “%(code)s”: it is not in this program.")
            % {"code": code[:50]},
        )
    return entry


def _row_change(result: ParseResult, entry: EntryRow, parsed: dict, number: int, error) -> None:
    """Count the row as unchanged, refuse it (a figure no longer editable), or keep its change."""
    indicator, report = entry.indicator, entry.report
    new = (parsed["value"], parsed["lower_bound"], parsed["note"])
    if report is not None:
        old = (report.value, report.is_lower_bound, report.note)
        if new == old:
            result.unchanged += 1
            return
        if report.state not in EDITABLE_STATES:
            changed = [key for key, a, b in zip(INPUTS, new, old, strict=True) if a != b]
            error(
                changed[0],
                _("This figure is “%(state)s”: it cannot be changed from Excel.")
                % {"state": report.get_state_display()},
            )
            return
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


def _check_rows(result: ParseResult, data_rows, rows: Iterable[EntryRow]) -> None:
    by_code = {row.indicator.code: row for row in rows}
    seen: dict[str, int] = {}
    lower_words, milestone_words = answer_words(), answer_words(milestone=True)
    lower_message = _("Answer %(yes)s or %(no)s, or leave the cell blank.") % {
        "yes": _("Yes"),
        "no": _("No"),
    }

    for number, cells in data_rows:

        def error(key: str, message: str, number=number) -> None:
            result.errors.append(RowError(result.sheet, number, LETTER[key], message))

        cell = {key: cells[COLUMN[key] - 1] for key in COLUMNS}
        entry = _row_entry(cell, number, by_code, seen, error)
        if entry is None:
            continue
        if all(cell[key].blank for key in INPUTS):
            result.skipped += 1
            continue
        parsed, problems = _parse_inputs(
            entry.indicator,
            cell,
            milestone_words=milestone_words,
            lower_words=lower_words,
            lower_message=lower_message,
        )
        for key, message in problems:
            error(key, message)
        if not problems:
            _row_change(result, entry, parsed, number, error)


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
