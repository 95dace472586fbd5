"""The catalog workbook a catalog admin downloads: instructions, a sheet per part of a program with
its headers and an example row, and dropdowns fed from a very hidden sheet."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from regions.access import Action, regions_where

from ..choices import (
    Comparator,
    Direction,
    IndicatorKind,
    MilestoneState,
    RollupRule,
    TimeNature,
    Unit,
)
from ..models import PlanTag
from ..xlsx import HEADER_FILL, INPUT_HEADER_FILL, safe_text, sheet_title
from .sheets import (
    CHOICES,
    FIRST_ROW,
    HEADER_ROW,
    INSTRUCTIONS_TITLE,
    LIST_SEPARATOR,
    LISTS_SHEET,
    SHEETS,
    TEMPLATE_ROWS,
    dropdown,
)


def _example_rows(user) -> dict[str, list]:
    """One example per sheet, after the demo program of the Jiaxing port zone; importable as is."""
    scope = regions_where(user, Action.EDIT_CATALOG)
    region = scope.filter(code="3304Z01").first() or scope.order_by("path").first()
    region_code = region.code if region else "3304Z01"
    tag = PlanTag.objects.order_by("category", "name").first()
    plan = "技能人才培育计划"
    measure = "加快打造“30分钟职业技能培训圈”"
    code = "VT_TRAINING_TIMES"
    return {
        "program": [
            region_code,
            "嘉兴港区人才工作“五大计划”(示例)",
            2024,
            2026,
            "浙江乍浦开发区(嘉兴港区)党工委书记冯中海:建强“三支队伍”赋能“三港一城”",
            "",
            "聚焦“三支队伍”建设,大力实施“五大计划”。",
        ],
        "plans": [plan, 1, tag.name if tag else "", "培育高素养劳动者队伍"],
        "measures": [plan, measure, "人力社保局", MilestoneState.IN_PROGRESS.label, 1],
        "indicators": [
            code,
            "职业技能培训人次",
            Unit.PERSON_TIME.value,
            IndicatorKind.COUNT.label,
            Direction.HIGHER_BETTER.label,
            TimeNature.FLOW.label,
            RollupRule.SUM.label,
            "",
            "",
        ],
        "plan_indicators": [plan, code, measure, 1],
        "targets": [code, region_code, 2024, Comparator.GTE.label, 1000, "", plan, ""],
    }


def _instructions(sheet, lists_titles: dict[str, str]) -> None:
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    lines = [
        (_("TalentPortal catalog import"), ""),
        (
            _("What it holds"),
            _(
                "One workbook describes one program: its plans, their measures, the indicators "
                "they track and the targets per region and year."
            ),
        ),
        (
            _("How to fill"),
            _(
                "Replace the example on row 2 of each sheet with your own rows. Columns with a "
                "yellow header must be filled in; keep the sheets, their names and their columns "
                "as they are."
            ),
        ),
        (
            _("Matching"),
            _(
                "Rows are matched to the stored catalog by: program — region code and name; plan "
                "— name; measure — plan and text; indicator — code; target — indicator, region "
                "and year. A matched row is updated; importing the same file again changes "
                "nothing. Nothing is ever deleted."
            ),
        ),
        (
            _("Indicators"),
            _(
                "Indicators are shared by every region. To use an existing indicator, enter its "
                "code alone; a new code creates a new indicator (its name and kind are then "
                "required). Existing indicators are changed in the admin only."
            ),
        ),
        (
            _("Targets"),
            _(
                "A target's region is given by its code and must be the program's region or one "
                "below it, within your scope. A blank comparator means ≥ for indicators where "
                "higher is better, ≤ for ranks and where lower is better, and = for milestones "
                "(whose value is 1). A percentage is typed as a number: 35 for 35%. A blank plan "
                "means the one plan of the program that tracks the indicator."
            ),
        ),
        (
            _("Plans"),
            _(
                "Tags are names of plan tags defined in the admin (listed below), separated by "
                "commas. A blank order means the row's place in the sheet."
            ),
        ),
        (
            _("Upload"),
            _(
                "Upload the file on the catalog import page: you will see every change and every "
                "error before anything is saved."
            ),
        ),
        ("", ""),
        (_("Allowed values"), ""),
    ]
    for key, title in lists_titles.items():
        lines.append((title, LIST_SEPARATOR.join(dropdown(key))))
    tags = list(PlanTag.objects.order_by("category", "name").values_list("name", flat=True))
    lines.append((_("Tags"), LIST_SEPARATOR.join(tags) or "—"))
    for number, (label, text) in enumerate(lines, start=1):
        sheet.cell(number, 1, safe_text(label)).font = Font(bold=True)
        if text:
            cell = sheet.cell(number, 2, safe_text(text))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(1, 1).font = Font(bold=True, size=14)


def build_template(*, user) -> bytes:
    """The .xlsx a catalog admin fills: the sheets, their headers, an example row, dropdowns."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = sheet_title(_(INSTRUCTIONS_TITLE))

    # The dropdowns' lists live on a hidden sheet: an inline list is limited to 255 characters
    # and cannot hold a comma.
    lists = {name: dropdown(name) for name in [*CHOICES, "unit", "yes_no"]}
    list_ranges = {}
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        list_ranges[name] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"

    lists_titles: dict[str, str] = {}
    examples = _example_rows(user)
    for spec in SHEETS:
        sheet = workbook.create_sheet(sheet_title(_(spec.title)))
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(HEADER_ROW, index, safe_text(_(column.header)))
            cell.font = Font(bold=True)
            cell.fill = INPUT_HEADER_FILL if column.required else HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sheet.column_dimensions[letter].width = column.width
            value = examples[spec.key][index - 1]
            if isinstance(value, int):
                sheet.cell(FIRST_ROW, index, value)
            elif value:
                sheet.cell(FIRST_ROW, index, safe_text(str(value)))
            if column.choices:
                lists_titles.setdefault(column.choices, _(column.header))
                validation = DataValidation(
                    type="list",
                    formula1=list_ranges[column.choices],
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=_("Check the value")[:32],
                    error=_("Choose a value from the list.")[:255],
                )
                validation.add(f"{letter}{FIRST_ROW}:{letter}{TEMPLATE_ROWS}")
                sheet.add_data_validation(validation)
        sheet.freeze_panes = f"A{FIRST_ROW}"
    _instructions(instructions, lists_titles)

    hidden = workbook.create_sheet(LISTS_SHEET)
    for index, values in enumerate(lists.values(), start=1):
        for number, value in enumerate(values, start=1):
            hidden.cell(number, index, safe_text(value))
    hidden.sheet_state = "veryHidden"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
