"""`build_template`: one region's indicators for a period and program, ready to fill offline."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from regions.models import Region

from ..choices import IndicatorKind
from ..models import Indicator, Program, ReportingPeriod
from ..selectors import EntryRow
from ..xlsx import (
    HEADER_FILL,
    INPUT_HEADER_FILL,
    number_cell,
    safe_text,
    sheet_title,
)
from .layout import (
    COLUMN,
    COLUMNS,
    DECIMAL_FORMAT,
    EDITABLE_STATES,
    FIRST_ROW,
    FORMAT_VERSION,
    HEADER_ROW,
    INPUT_FILL,
    INPUTS,
    LETTER,
    LOCKED_INPUT_FILL,
    META_SHEET,
    TITLE_ROW,
    UNLOCKED,
    WHOLE_FORMAT,
    WIDTHS,
    display_value,
    target_text,
)

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
