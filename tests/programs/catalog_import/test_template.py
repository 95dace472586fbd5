"""The catalog workbook's template: its sheets, headers, example and dropdowns, read back as it
was downloaded, in any language."""

import io

import pytest
from openpyxl import load_workbook

from programs.catalog_import import INDICATORS, PLANS, SHEETS, TARGETS
from tests.programs.catalog_import.helpers import XLSX, counts, sheet_of, upload, uploads

pytestmark = pytest.mark.django_db


def test_the_template_has_every_sheet_with_headers_an_example_and_dropdowns(client_en, urls):
    response = client_en.get(urls["template"])
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Instructions",
        "Program",
        "Plans",
        "Measures",
        "Indicators",
        "Plan indicators",
        "Targets",
        "_lists",
    ]
    assert workbook["_lists"].sheet_state == "veryHidden"
    for spec in SHEETS:
        sheet = sheet_of(workbook, spec)
        assert sheet.max_row == 2  # the headers and one example
        assert sheet.cell(1, 1).value
    assert sheet_of(workbook, PLANS)["A2"].value == "技能人才培育计划"
    assert sheet_of(workbook, INDICATORS)["B2"].value == "职业技能培训人次"
    # The example region is 嘉兴港区, which the admin of Zhejiang may edit.
    assert sheet_of(workbook, TARGETS)["B2"].value == "3304Z01"
    dropdowns = {
        str(validation.sqref): validation.formula1
        for validation in sheet_of(workbook, INDICATORS).data_validations.dataValidation
    }
    assert dropdowns["D2:D1000"].startswith("'_lists'!")  # kind
    assert len(dropdowns) == 6  # unit, kind, direction, time nature, roll-up, capped
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(value, str) and value.startswith("=") for value in row)


def test_the_template_as_downloaded_previews_what_it_creates(client_en, urls, media):
    content = client_en.get(urls["template"]).content
    before = counts()
    response = upload(client_en, urls, content)
    assert response.status_code == 200
    check = response.context["check"]
    assert check.errors == []
    assert check.counts() == {"created": 7, "updated": 0, "unchanged": 0}
    assert [sheet.title for sheet in check.sheets()] == [
        "Program",
        "Plans",
        "Measures",
        "Indicators",
        "Plan indicators",
        "Targets",
    ]
    assert "技能人才培育计划" in response.content.decode()
    assert response.context["token"]
    assert len(uploads(media)) == 1  # kept for the job
    assert counts() == before  # a dry run writes nothing


def test_a_template_downloaded_in_chinese_is_read_whatever_the_uploaders_language(
    admin_client_zh, client_en, urls
):
    content = admin_client_zh.get(urls["template"]).content
    response = upload(client_en, urls, content)
    assert response.status_code == 200
    assert response.context["check"].counts()["created"] == 7
