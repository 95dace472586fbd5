"""Helpers of the catalog import's tests: the template filled as 嘉兴市's program, uploads and
confirmations through the pages, and counts of the catalog's rows."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from programs.catalog_import import (
    INDICATORS,
    MEASURES,
    PLAN_INDICATORS,
    PLANS,
    PROGRAM,
    SHEETS,
    TARGETS,
    UPLOAD_FOLDER,
    import_catalog,
)
from programs.models import (
    Indicator,
    Measure,
    Plan,
    PlanIndicator,
    Program,
    ReportingPeriod,
    Target,
)
from tests.factories import IndicatorFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CATALOG = [Program, Plan, Measure, Indicator, PlanIndicator, Target, ReportingPeriod]


def sheet_of(workbook, spec):
    """The template's sheets are in a fixed order: instructions first, then SHEETS."""
    return workbook.worksheets[1 + SHEETS.index(spec)]


def download_template(client, urls):
    response = client.get(urls["template"])
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def as_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill(sheet, rows, *, first=2):
    """Replace the sheet's data rows (from `first` on) with `rows`."""
    if sheet.max_row >= first:
        sheet.delete_rows(first, sheet.max_row - first + 1)
    for number, row in enumerate(rows, start=first):
        for column, value in enumerate(row, start=1):
            sheet.cell(number, column, value)


def jiaxing_workbook(client, urls):
    """嘉兴市's skills program: two plans, a measure, a new and an existing indicator, targets
    for the city, 平湖 and 嘉兴港区 in 2024 and 2025."""
    IndicatorFactory(code="HIGH_SKILLED_NEW", name="新增高技能人才", unit="人")
    workbook = download_template(client, urls)
    fill(sheet_of(workbook, PROGRAM), [["3304", "嘉兴市技能人才工作计划", 2024, 2026, "", "", ""]])
    fill(
        sheet_of(workbook, PLANS),
        [["技能人才培育计划", 1, "", ""], ["高技能人才引领计划", 2, "", "高技能"]],
    )
    fill(
        sheet_of(workbook, MEASURES),
        [["技能人才培育计划", "打造30分钟职业技能培训圈", "人力社保局", "In progress", ""]],
    )
    fill(
        sheet_of(workbook, INDICATORS),
        [
            ["VT_TRAINING_TIMES", "职业技能培训人次", "人次", "Count", "", "", "", "", ""],
            ["HIGH_SKILLED_NEW", "", "", "", "", "", "", "", ""],
        ],
    )
    fill(
        sheet_of(workbook, PLAN_INDICATORS),
        [
            ["技能人才培育计划", "VT_TRAINING_TIMES", "打造30分钟职业技能培训圈", ""],
            ["高技能人才引领计划", "HIGH_SKILLED_NEW", "", ""],
        ],
    )
    fill(
        sheet_of(workbook, TARGETS),
        [
            ["VT_TRAINING_TIMES", "3304", 2024, "≥", 10000, "", "", ""],
            ["VT_TRAINING_TIMES", "330482", 2024, "", 2000, "", "", ""],
            ["VT_TRAINING_TIMES", "3304Z01", 2024, "", 1000, "", "技能人才培育计划", "五大计划"],
            ["HIGH_SKILLED_NEW", "3304Z01", 2024, "", 400, "", "", ""],
            ["HIGH_SKILLED_NEW", "3304Z01", 2025, "", 420, 380, "", ""],
        ],
    )
    return workbook


def upload(client, urls, content: bytes, name="catalog.xlsx"):
    return client.post(urls["upload"], {"file": SimpleUploadedFile(name, content, XLSX)})


def confirm(client, urls, token, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(urls["upload"], {"confirm": token})


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CATALOG}


def uploads(media) -> list[str]:
    """The uploads kept: awaiting their confirmation, or confirmed and awaiting their job."""
    folders = (media / "uploads", media / UPLOAD_FOLDER)
    return sorted(path.name for folder in folders if folder.exists() for path in folder.iterdir())


def errors_of(response) -> set[tuple[str, int | None, str]]:
    return {(error.sheet, error.row, error.column) for error in response.context["check"].errors}


def import_file(user, media, content: bytes) -> dict:
    path = media / "direct.xlsx"
    path.write_bytes(content)
    return import_catalog(path=path, user=user, progress=lambda percent, step="": None)
