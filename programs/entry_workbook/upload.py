"""`parse_upload` reads a filled copy back and checks every row; `apply_changes` saves the
changes as drafts through `services.report_save_many`, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from regions.models import Region

from .. import services
from ..choices import IndicatorKind
from ..models import Indicator, Program, ReportingPeriod, check_value_fits
from ..selectors import EntryRow
from ..xlsx import (
    MAX_ROWS,
    MAX_SHEET_ROWS,
    UNREADABLE,
    Cell,
    CellError,
    RowError,
    answer_words,
    open_workbook,
    parse_number,
    read_bytes,
    read_rows,
    refuse_formula_or_error,
    scan_upload,
    text_of,
    unescape,
)
from .layout import (
    COLUMN,
    COLUMNS,
    EDITABLE_STATES,
    FIRST_ROW,
    FORMAT_VERSION,
    INPUTS,
    LETTER,
    META_SHEET,
    NOTE_MAX_LENGTH,
    ParseResult,
    RowChange,
)

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


def _first_row(meta) -> tuple[int, str]:
    """The row the data start at, as the hidden sheet says; a number past the rows a sheet may
    use is refused (it would make the reading walk through that many empty rows)."""
    try:
        start = int(meta.get("first_row", FIRST_ROW))
    except ValueError:
        return FIRST_ROW, ""
    if start > MAX_SHEET_ROWS:
        return 0, _(
            "The hidden sheet “%(sheet)s” of this workbook was changed: it says the figures start "
            "at row %(row)s, past the %(max)d rows a sheet may use. Download the template again "
            "and copy your figures into it."
        ) % {"sheet": META_SHEET, "row": f"{start:,}", "max": MAX_SHEET_ROWS}
    return max(start, 1), ""


def _read_workbook(data: bytes, scan):
    """Open the workbook read-only and pull out what we need; None and a message if that fails."""
    workbook = None
    try:
        workbook = open_workbook(data, scan)
        meta = _read_meta(workbook)
        sheet = _data_sheet(workbook, meta)
        if sheet is None:
            return None, _("The workbook has no sheet to read.")
        start, problem = _first_row(meta)
        if problem:
            return None, problem
        # Only the value column's format matters: a cell showing 35% holds 0.35.
        read = read_rows(sheet, first_row=start, width=len(COLUMNS), percent={COLUMN["value"]})
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
    scan, problem = scan_upload(data)
    if scan is None:
        return file_error(problem)
    content, problem = _read_workbook(data, scan)
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
