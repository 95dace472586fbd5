"""Hostile workbooks, written at the zip level (bench/hostile.py), against both uploads: the
grid's Excel upload (`entry_workbook.parse_upload`) and the catalog import (`parse_catalog`).

Each file is small (a few KB to a few hundred) and unpacks to what a careless reader pays for in
gigabytes or hours: one row of two million cells, a million empty `<c/>`, three million shared
strings, rows numbered two billion in the data or in the hidden sheet, a hidden sheet saying the
figures start at row two billion, a million rows, a huge dimension, a 40-million-character
string, a cell a million elements deep, a million styles. Each must end, within a second of CPU
and 512 MB of address space, with the message for the person who uploaded it; through the pages
it is a 422 with that message. Hypothesis then writes workbook XML itself and fuzzes the reader.
"""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import hostile
from programs import catalog_import, entry_workbook, xlsx
from programs.models import Program, ReportingPeriod
from regions.models import Region
from tests.factories import PeriodFactory, ProgramFactory

ROOT = Path(__file__).resolve().parents[2]
ADDRESS_SPACE = 512 * 1024 * 1024
CPU_SECONDS = 3.0  # for each upload to refuse a hostile file (unbounded reads take minutes or
# run out of the 512 MB; measured 0.001–0.4 s alone, up to 1 s beside a busy xdist worker)

EXPECTED = {  # what the person is told, in English; the catalog's where it differs
    "wide_row": f"Row 2 of the sheet “Data” has more than {xlsx.MAX_ROW_CELLS} cells",
    "empty_cells": f"The sheet “Data” has more than {xlsx.MAX_SHEET_CELLS} cells",
    "shared_strings": f"more than {xlsx.MAX_SHARED_STRINGS} different texts",
    "far_row": "The sheet “Data” goes down to row 2,000,000,000",
    "far_meta_row": "The sheet “_meta” goes down to row 2,000,000,000",
    "far_first_row": "it says the figures start at row 2,000,000,000",
    "many_rows": f"The sheet “Data” goes down to row {xlsx.MAX_SHEET_ROWS + 1:,}",
    "huge_dimension": "The sheet “Data” has no indicator rows.",
    "huge_text": f"holds more than {xlsx.MAX_TEXT_CHARS} characters",
    "deep_text": "The file could not be read as an Excel workbook",
    "many_styles": "The file could not be read as an Excel workbook",
}
# The catalog reads no hidden sheet and looks for its own sheets, which these files lack.
CATALOG_EXPECTED = {
    "far_first_row": "is missing",
    "huge_dimension": "is missing",
}

# Run in a child process held to ADDRESS_SPACE: a reader that materialises the file dies there
# (or raises MemoryError) instead of taking the machine; the objects need no database.
CHILD = f"""
import json, resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE}, {ADDRESS_SPACE}))
import django
django.setup()
from django.utils import translation
from programs import catalog_import, entry_workbook
from programs.models import Program, ReportingPeriod
from regions.models import Region

path = Path(sys.argv[1])
answer = {{}}
with translation.override("en"):
    started = time.process_time()
    result = entry_workbook.parse_upload(
        file=path, region=Region(code="HOSTILE"), period=ReportingPeriod(pk=1),
        program=Program(pk=1), rows=[],
    )
    answer["entry"] = [[error.message for error in result.errors], time.process_time() - started]
    started = time.process_time()
    check = catalog_import.parse_catalog(file=path, user=None)
    answer["catalog"] = [[error.message for error in check.errors], time.process_time() - started]
print(json.dumps(answer))
"""


@pytest.mark.parametrize("name", hostile.WORKBOOKS)
def test_each_upload_refuses_a_hostile_workbook_fast_in_512_mb(name, tmp_path):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(hostile.build(name))
    assert path.stat().st_size < xlsx.MAX_UPLOAD_BYTES
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "talentportal.settings"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    answer = json.loads(child.stdout.strip().splitlines()[-1])
    for upload, expected in (
        ("entry", EXPECTED[name]),
        ("catalog", CATALOG_EXPECTED.get(name, EXPECTED[name])),
    ):
        messages, seconds = answer[upload]
        assert any(expected in message for message in messages), (upload, messages)
        assert seconds < CPU_SECONDS, (upload, seconds)


# --- Through the pages ------------------------------------------------------------------------

XLSX_TYPE = xlsx.XLSX_TYPE


@pytest.fixture
def grid(gangqu, gangqu_reporter):
    now = timezone.now()
    period = PeriodFactory(
        year=now.year, opens_at=now - timedelta(days=30), deadline=now + timedelta(days=30)
    )
    program = ProgramFactory(region=gangqu, start_year=now.year - 1, end_year=now.year + 1)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(gangqu_reporter)
    meta = {"region": gangqu.code, "period": str(period.pk), "program": str(program.pk)}
    url = reverse("programs:excel_upload", args=[gangqu.code, period.pk, program.pk])
    return client, url, meta


def post(client, url, content: bytes):
    upload = SimpleUploadedFile("hostile.xlsx", content, content_type=XLSX_TYPE)
    return client.post(url, {"file": upload})


@pytest.mark.django_db
@pytest.mark.parametrize("name", hostile.WORKBOOKS)
def test_the_grid_upload_page_answers_a_hostile_workbook_with_its_message(grid, name):
    client, url, meta = grid
    started = time.perf_counter()
    response = post(client, url, hostile.build(name, meta))
    assert response.status_code == 422
    assert escape(EXPECTED[name]) in response.content.decode()
    assert time.perf_counter() - started < 10  # a busy machine: the CPU bound is tested above


@pytest.mark.django_db
@pytest.mark.parametrize("name", hostile.WORKBOOKS)
def test_the_catalog_import_page_answers_a_hostile_workbook_with_its_message(
    catalog_admin, settings, tmp_path, name
):
    settings.MEDIA_ROOT = tmp_path
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(catalog_admin)
    response = post(client, reverse("programs:catalog_import"), hostile.build(name))
    assert response.status_code == 422
    expected = CATALOG_EXPECTED.get(name, EXPECTED[name])
    assert escape(expected) in response.content.decode()


@pytest.mark.django_db
def test_the_message_is_in_chinese_for_a_chinese_user(catalog_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(catalog_admin)
    response = post(client, reverse("programs:catalog_import"), hostile.build("wide_row"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "第 2 行" in page and str(xlsx.MAX_ROW_CELLS) in page
    with translation.override("zh-hans"):
        _scan, problem = xlsx.scan_upload(hostile.build("far_row"))
    assert "2,000,000,000" in problem and "行" in problem


def test_a_real_template_is_read_to_its_last_row_holding_a_value_only():
    """Styled empty rows after the data are not walked through: the scan says where values end."""
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>'
    rows += '<row r="3"><c r="A3"><v>7</v></c></row>'
    rows += "".join(
        f'<row r="{n}" ht="20" customHeight="1"><c s="0"/></row>' for n in range(4, 999)
    )
    content = hostile.package(hostile.sheet(rows.encode()))
    scan, problem = xlsx.scan_upload(content)
    assert problem == "" and scan.last_rows["xl/worksheets/sheet1.xml"] == 3
    workbook = xlsx.open_workbook(content, scan)
    try:
        sheet = workbook["Data"]
        assert sheet.last_value_row == 3
        read = xlsx.read_rows(sheet, first_row=2, width=2)
        assert [number for number, _row in read.rows] == [3]
    finally:
        workbook.close()


# --- Hypothesis: workbook XML written by the strategy itself ----------------------------------

SMALL = {  # limits low enough that examples pass them cheaply
    "MAX_SHEET_ROWS": 300,
    "MAX_ROW_CELLS": 40,
    "MAX_SHEET_CELLS": 2_000,
    "MAX_CELLS": 3_000,
    "MAX_SHARED_STRINGS": 500,
    "MAX_TEXT_CHARS": 2_000,
}
LIMIT_WORDS = ("goes down to row", "cells: upload", "different texts", "characters")
ROW_NUMBERS = st.one_of(
    st.none(),
    st.integers(min_value=1, max_value=400).map(str),
    st.sampled_from(
        ["2000000000", "1048577", "5.0", "1e9", "0", "-3", "x", "", "99999999999999999"]
    ),
)
CELL_TYPES = st.sampled_from([None, "n", "s", "str", "b", "e", "inlineStr", "d", "zz"])
TEXTS = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
    st.integers(min_value=0, max_value=3_000).map(lambda n: "y" * n),
    st.sampled_from(["1", "-1", "1e400", "3", "#REF!", "=1+1", "TRUE", "2026-01-01"]),
)


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


@st.composite
def cell_xml(draw) -> str:
    kind = draw(CELL_TYPES)
    kind_attr = f' t="{kind}"' if kind else ""
    text = xml_text(draw(TEXTS))
    body = draw(
        st.sampled_from(
            ["", f"<v>{text}</v>", f"<f>{text}</f>", f"<is><t>{text}</t></is>", f"<is>{text}"]
        )
    )
    if body == f"<is>{text}":
        depth = draw(st.integers(min_value=0, max_value=80))
        body += "<r>" * depth + "</r>" * depth + "</is>"
    return f"<c{kind_attr}>{body}</c>"


@st.composite
def rows_xml(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        number = draw(ROW_NUMBERS)
        number_attr = "" if number is None else f' r="{number}"'
        cells = "".join(draw(st.lists(cell_xml(), max_size=4)))
        times = draw(st.sampled_from([1, 1, 2, 30, 600]))
        cells *= draw(st.sampled_from([1, 1, 5, 20]))
        parts.append(f"<row{number_attr}>{cells}</row>" * times)
    return "".join(parts)


@st.composite
def workbook_xml(draw) -> bytes:
    head = draw(st.sampled_from(["", '<dimension ref="A1:XFD1048576"/>', '<dimension ref="Q"/>']))
    data = hostile.sheet(draw(rows_xml()).encode(), head=head)
    meta_rows = draw(rows_xml())
    meta = hostile.meta_sheet({"first_row": draw(st.sampled_from(["8", "2000000000", "x"]))})
    meta = b"".join(meta).replace(b"</sheetData>", meta_rows.encode() + b"</sheetData>")
    strings = "".join(f"<si><t>{xml_text(t)}</t></si>" for t in draw(st.lists(TEXTS, max_size=5)))
    strings *= draw(st.sampled_from([1, 10, 600]))
    sst = f'<sst xmlns="{hostile.MAIN}">{strings}</sst>'.encode()
    content = hostile.package(data, meta=meta, strings=sst)
    if draw(st.booleans()):  # sometimes cut short or with a byte changed
        cut = draw(st.integers(min_value=0, max_value=len(content)))
        content = content[:cut] + draw(st.binary(max_size=3)) + content[cut + 3 :]
    return content


@pytest.fixture
def small_limits(monkeypatch):
    for name, value in SMALL.items():
        monkeypatch.setattr(xlsx, name, value)


def messages_of(result) -> list[str]:
    return [error.message for error in result.errors]


@pytest.mark.django_db
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=workbook_xml())
def test_the_reader_answers_any_workbook_xml_with_messages_in_bounded_time(
    small_limits, catalog_admin, content
):
    region, period, program = Region(code="HOSTILE"), ReportingPeriod(pk=1), Program(pk=1)
    with translation.override("en"):
        started = time.process_time()
        result = entry_workbook.parse_upload(
            file=content, region=region, period=period, program=program, rows=[]
        )
        check = catalog_import.parse_catalog(file=content, user=catalog_admin)
        seconds = time.process_time() - started
    assert seconds < 5
    _scan, problem = xlsx.scan_upload(content)
    # The catalog import needs sheets no generated file has: always refused, with a message. A
    # grid upload that reads cleanly may hold no figure (rows of empty cells): then it changes
    # nothing and says nothing wrong; otherwise it is refused with a message.
    assert messages_of(check)
    assert messages_of(result) or (result.changes == [] and _scan is not None)
    for messages in (messages_of(result), messages_of(check)):
        assert all(isinstance(message, str) and message.strip() for message in messages)
    if problem and any(word in problem for word in LIMIT_WORDS):
        # A limit passed is said the same way by both uploads, and nothing else is said.
        assert messages_of(result) == [problem] == messages_of(check)


def test_the_strategy_reaches_every_limit():
    """The examples above pass each limit, not only the package check (else they test little)."""
    seen = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(content=workbook_xml())
    def collect(content):
        _scan, problem = xlsx.scan_upload(content)
        seen.update(word for word in LIMIT_WORDS if word in problem)

    with pytest.MonkeyPatch.context() as patch, translation.override("en"):
        for name, value in SMALL.items():
            patch.setattr(xlsx, name, value)
        collect()
    assert seen == set(LIMIT_WORDS)
