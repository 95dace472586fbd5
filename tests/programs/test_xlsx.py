"""The workbook helpers every .xlsx goes through: escaping, sheet names, numbers, and the limits
on what an upload may hold."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from programs import xlsx
from programs.xlsx import Cell, CellError


@pytest.fixture(autouse=True)
def english():
    """Messages in English, the msgids (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+86 573", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_excel_would_run_is_escaped_and_reads_back_as_typed(text):
    escaped = xlsx.safe_text(text)
    assert escaped == "'" + text
    assert xlsx.unescape(escaped) == text


def test_plain_text_is_left_alone_and_illegal_characters_are_dropped():
    assert xlsx.safe_text("嘉兴港区") == "嘉兴港区"
    assert xlsx.safe_text("a\x00b\x07c") == "abc"
    assert xlsx.unescape("'quoted'") == "'quoted'"  # an apostrophe of the text itself stays


def test_a_sheet_title_fits_excel():
    assert xlsx.sheet_title("平湖市/人才:计划*[1]?") == "平湖市 人才 计划  1  "
    assert len(xlsx.sheet_title("长" * 40)) == 31
    assert xlsx.sheet_title("") == "Sheet1"


def test_sheet_titles_are_unique_whatever_the_case():
    titles = xlsx.SheetTitles()
    assert titles.claim("Plan") == "Plan"
    assert titles.claim("plan", "Other") == "Other"
    assert titles.claim("PLAN") == "PLAN (2)"
    assert titles.claim("'''", "Fallback") == "Fallback"  # nothing left once made valid


def test_a_number_cell_is_an_int_when_whole():
    assert xlsx.number_cell(Decimal("1200.0000")) == 1200
    assert isinstance(xlsx.number_cell(Decimal("1200.0000")), int)
    assert xlsx.number_cell(Decimal("35.5")) == 35.5
    assert xlsx.number_cell(None) is None


# --- Reading an upload ------------------------------------------------------------------------


class Upload(io.BytesIO):
    """An uploaded file as Django gives it: a file object that knows its size."""

    def __init__(self, data: bytes, size: int | None = None):
        super().__init__(data)
        self.size = len(data) if size is None else size


def test_the_bytes_of_an_upload_a_path_or_bytes_are_read(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"content")
    for file in (b"content", Upload(b"content"), path):
        assert xlsx.read_bytes(file) == (b"content", "")


def test_an_upload_over_the_limit_is_refused_unread():
    data, problem = xlsx.read_bytes(Upload(b"x", size=xlsx.MAX_UPLOAD_BYTES + 1))
    assert data is None
    assert "larger than 5 MB" in problem
    data, problem = xlsx.read_bytes(b"x" * (xlsx.MAX_UPLOAD_BYTES + 1))
    assert data is None and "larger than" in problem


def test_an_empty_upload_says_so():
    assert xlsx.read_bytes(Upload(b"")) == (None, "The file is empty.")


def test_a_workbook_passes_the_package_check():
    assert xlsx.check_package(workbook_bytes(Workbook())) == ""


@pytest.mark.parametrize("data", [b"name,value\n", b"PK\x03\x04 broken", b"\xd0\xcf\x11\xe0 xls"])
def test_what_is_not_an_xlsx_is_refused_before_openpyxl_opens_it(data):
    assert "This is not an Excel workbook (.xlsx)" in xlsx.check_package(data)


def test_a_zip_without_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w/>")
    assert "This is not an Excel workbook" in xlsx.check_package(buffer.getvalue())


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_UNPACKED_BYTES", 100)
    assert "too large once unpacked" in xlsx.check_package(workbook_bytes(Workbook()))


def sheet_with(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    return xlsx.open_workbook(workbook_bytes(workbook)).worksheets[0]


def test_rows_are_read_as_cells_headers_apart_and_blank_rows_skipped():
    sheet = sheet_with([["Code", "Value"], ["A", 1], [None, None], ["B"]])
    read = xlsx.read_rows(sheet, first_row=2, width=3)
    assert [[cell.value for cell in row] for row in read.above] == [["Code", "Value", None]]
    assert [(number, [cell.value for cell in row]) for number, row in read.rows] == [
        (2, ["A", 1, None]),
        (4, ["B", None, None]),
    ]
    assert read.anything and not read.too_long


def test_rows_past_the_limit_are_not_read(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    read = xlsx.read_rows(sheet_with([["h"], *[[n] for n in range(10)]]), first_row=2, width=1)
    assert [number for number, _row in read.rows] == [2, 3, 4]
    assert read.too_long


def test_an_empty_sheet_holds_nothing():
    read = xlsx.read_rows(sheet_with([]), first_row=2, width=2)
    assert not read.anything


def test_only_the_columns_asked_for_note_a_percent_format():
    workbook = Workbook()
    workbook.active.append([0.35, 0.35])
    for cell in workbook.active[1]:
        cell.number_format = "0%"
    sheet = xlsx.open_workbook(workbook_bytes(workbook)).worksheets[0]
    [(_number, row)] = xlsx.read_rows(sheet, first_row=1, width=2, percent={2}).rows
    assert [cell.percent for cell in row] == [False, True]


# --- Reading cells ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (Cell(1200, "n"), Decimal(1200)),
        (Cell("1,200", "s"), Decimal(1200)),
        (Cell("１２００", "s"), Decimal(1200)),  # full-width digits
        (Cell(" 35.5 ", "s"), Decimal("35.5")),
        (Cell(0.35, "n", percent=True), Decimal(35)),
        (Cell(1.10000, "n"), Decimal("1.1")),
        (Cell("1.23450", "s"), Decimal("1.2345")),
    ],
)
def test_a_number_is_read_from_a_number_or_from_text(cell, expected):
    assert xlsx.parse_number(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (Cell("=A1*2", "f"), "This cell holds a formula"),
        (Cell("#REF!", "e"), "This cell shows an Excel error"),
        (Cell("about 1200", "s"), "is not a number"),
        (Cell(float("inf"), "n"), "is not a number"),
        (Cell(True, "b"), "is not a number"),
        (Cell("1e400", "s"), "is not a number"),
        (Cell(10**15, "n"), "This number is too large."),
        (Cell("1.23456", "s"), "Use at most 4 decimal places."),
    ],
)
def test_a_cell_that_is_not_a_figure_says_why(cell, message):
    with pytest.raises(CellError, match=message):
        xlsx.parse_number(cell)


def test_a_blank_cell_and_a_formula_cell():
    assert xlsx.EMPTY_CELL.blank and Cell("  ", "s").blank and not Cell(0, "n").blank
    assert Cell("=SUM(A1:A2)", "f").formula == "=SUM(A1:A2)"
    assert Cell("=SUM(A1:A2)", "s").formula is None


def test_yes_and_no_are_read_in_every_language_of_the_site():
    yes, no = xlsx.answer_words()
    assert {"yes", "是"} <= yes and {"no", "否"} <= no
    yes, no = xlsx.answer_words(milestone=True)
    assert {"done", "已完成"} <= yes
