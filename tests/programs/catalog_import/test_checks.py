"""The dry run of a catalog workbook: every error at its cell, nothing written, nothing kept."""

import pytest

from programs.catalog_import import INDICATORS, MEASURES, PLANS, PROGRAM, TARGETS
from programs.models import Indicator
from tests.programs.catalog_import.helpers import (
    as_bytes,
    counts,
    download_template,
    errors_of,
    jiaxing_workbook,
    sheet_of,
    upload,
    uploads,
)

pytestmark = pytest.mark.django_db


def test_a_workbook_with_bad_rows_writes_nothing_and_lists_every_error(client_en, urls, media):
    workbook = jiaxing_workbook(client_en, urls)
    sheet_of(workbook, PROGRAM)["F2"] = "not a link"
    plans = sheet_of(workbook, PLANS)
    plans["A4"] = '=HYPERLINK("http://evil","x")'  # a formula
    plans["A5"] = "技能人才培育计划"  # a repeated plan
    measures = sheet_of(workbook, MEASURES)
    measures.append(["没有的计划", "某举措", "", "", ""])  # row 3: an unknown plan
    indicators = sheet_of(workbook, INDICATORS)
    indicators.append(["RANK_X", "排名", "位", "Rank", "", "", "Sum", "", ""])  # rank summed
    indicators.append(["BAD_KIND", "某指标", "人", "Sometimes", "", "", "", "", ""])
    targets = sheet_of(workbook, TARGETS)
    targets["E3"] = -5  # negative
    targets.append(["NO_SUCH", "3304", 2024, "", 1, "", "", ""])  # row 7: unknown indicator
    targets.append(["VT_TRAINING_TIMES", "3304", 2030, "", 1, "", "", ""])  # outside the years
    targets.append(["VT_TRAINING_TIMES", "330402", 2025, "≤", 1, "", "", ""])  # against direction
    targets.append(["VT_TRAINING_TIMES", "330482", 2025, "", "many", "", "", ""])  # not a number
    before = counts()

    response = upload(client_en, urls, as_bytes(workbook))

    assert response.status_code == 422
    assert errors_of(response) == {
        ("Program", 2, "F"),
        ("Plans", 4, "A"),
        ("Plans", 5, "A"),
        ("Measures", 3, "A"),
        ("Indicators", 4, "G"),
        ("Indicators", 5, "D"),
        ("Targets", 3, "E"),
        ("Targets", 7, "A"),
        ("Targets", 8, "C"),
        ("Targets", 9, "D"),
        ("Targets", 10, "E"),
    }
    assert response.context["check"].items == []
    assert "token" not in response.context
    html = response.content.decode()
    assert "The file has 11 errors" in html
    assert 'href="#import-errors"' in html
    assert "This cell holds a formula" in html
    assert counts() == before
    assert uploads(media) == []  # a refused file is not kept


def test_an_existing_shared_indicator_is_referenced_never_changed(client_en, urls):
    workbook = jiaxing_workbook(client_en, urls)
    sheet_of(workbook, INDICATORS)["B3"] = "高技能人才新增数"  # stored: 新增高技能人才
    response = upload(client_en, urls, as_bytes(workbook))
    assert response.status_code == 422
    assert errors_of(response) == {("Indicators", 3, "B")}
    assert Indicator.objects.get(code="HIGH_SKILLED_NEW").name == "新增高技能人才"


def test_a_shared_indicators_meaning_is_refused_at_its_cell_in_the_dry_run(client_en, urls):
    # The workbook only references shared indicators: a kind, unit or roll-up rule that differs
    # from the stored one is an error at its cell (changing them is the admin's, and refused
    # there once figures or targets use the indicator), never a change.
    workbook = jiaxing_workbook(client_en, urls)
    indicators = sheet_of(workbook, INDICATORS)
    indicators["C3"], indicators["D3"], indicators["G3"] = "项", "Amount", "Mean"
    response = upload(client_en, urls, as_bytes(workbook))
    assert response.status_code == 422
    assert errors_of(response) == {
        ("Indicators", 3, "C"),
        ("Indicators", 3, "D"),
        ("Indicators", 3, "G"),
    }
    stored = Indicator.objects.get(code="HIGH_SKILLED_NEW")
    assert (stored.unit, stored.kind, stored.rollup) == ("人", "count", "sum")


@pytest.mark.parametrize(
    "content",
    [b"name,value\nx,1\n", b"PK\x03\x04 not really a zip", b"\xd0\xcf\x11\xe0 an old .xls"],
    ids=["csv", "broken-zip", "xls"],
)
def test_a_file_that_is_not_a_workbook_gets_a_message_not_a_server_error(
    client_en, urls, media, content
):
    response = upload(client_en, urls, content)
    assert response.status_code == 422
    [error] = response.context["check"].errors
    assert error.row is None
    assert "Excel" in error.message
    assert uploads(media) == []


def test_an_unrelated_workbook_names_the_missing_sheets(client_en, urls):
    from openpyxl import Workbook

    response = upload(client_en, urls, as_bytes(Workbook()))
    assert response.status_code == 422
    assert {error.sheet for error in response.context["check"].errors} == {
        "Program",
        "Plans",
        "Measures",
        "Indicators",
        "Plan indicators",
        "Targets",
    }


def test_a_moved_column_is_refused_at_its_header(client_en, urls):
    workbook = download_template(client_en, urls)
    sheet_of(workbook, TARGETS).insert_cols(2)
    response = upload(client_en, urls, as_bytes(workbook))
    assert response.status_code == 422
    assert ("Targets", 1, "B") in errors_of(response)


def test_an_empty_program_sheet_is_reported(client_en, urls):
    workbook = download_template(client_en, urls)
    sheet_of(workbook, PROGRAM).delete_rows(2)
    response = upload(client_en, urls, as_bytes(workbook))
    assert response.status_code == 422
    assert ("Program", 2, "") in errors_of(response)
