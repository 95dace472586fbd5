"""Hypothesis-made workbooks against the real upload views: never a 500, never a partial
write, always a message.

Each example takes a real template (the progress grid's or the catalog's), breaks it the ways
files really break (wrong types, huge numbers, formulas, error values, dates, tampered metadata,
missing or empty sheets, extra rows) or replaces it with bytes that are not a workbook, and posts
it as the official would. A refused file must leave every progress figure, history row and
catalog row as it was and say why; an accepted progress file is confirmed too, and its
confirmation must either save or say why it did not, with nothing half-saved.
"""

import io
import os
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from openpyxl import Workbook, load_workbook

from programs import catalog_import, entry_workbook, selectors, xlsx
from programs.choices import IndicatorKind, JobState, RollupRule
from programs.models import (
    Indicator,
    Job,
    Measure,
    Plan,
    PlanIndicator,
    Program,
    ProgressReport,
    ReportingPeriod,
    Target,
)
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# FUZZ_EXAMPLES=500 for a longer hunt; the default keeps the file under a minute on PostgreSQL.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CATALOG = [Program, Plan, Measure, Indicator, PlanIndicator, Target, ReportingPeriod]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- What files may hold ----------------------------------------------------------------------

TRICKY_TEXT = [
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "1,2,3",
    "１２００",
    "12.34567",
    "99999999999999999999",
    "-5",
    "Done",
    "Not done",
    "Yes",
    "是",
    "",
    " ",
    "=1/0",
    "+SUM(I8:I9)",
    "@cmd",
    "'=cmd|' /C calc'!A0",
    "x" * 3000,
]
ERROR_VALUES = ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]
FORMULAS = ["=1+1", "=SUM(I8:I10)", "=A1", '=HYPERLINK("http://example.com","x")', "=1/0"]
PLAIN_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co")), max_size=40)
CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=6),
    st.sampled_from(TRICKY_TEXT + ERROR_VALUES + FORMULAS),
    PLAIN_TEXT,
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
    st.dates(min_value=date(1900, 3, 1)),
    st.times(),
    st.just(timedelta(days=3)),
)


def cell_ops(rows: int, columns: int):
    return st.tuples(
        st.just("cell"),
        st.integers(min_value=1, max_value=rows),
        st.integers(min_value=1, max_value=columns),
        CELL_VALUES,
    )


SHEET_OPS = st.one_of(
    st.tuples(st.just("drop_sheet"), st.integers(min_value=0, max_value=7)),
    st.tuples(st.just("clear_sheet"), st.integers(min_value=0, max_value=7)),
    st.tuples(st.just("rename_sheet"), st.integers(min_value=0, max_value=7), PLAIN_TEXT),
    st.tuples(st.just("empty_sheet_first")),
    st.tuples(st.just("extra_rows"), st.integers(min_value=1, max_value=40), CELL_VALUES),
    st.tuples(st.just("only_sheet")),
)


def _sheet(workbook, index):
    sheets = workbook.worksheets
    return sheets[index % len(sheets)] if sheets else None


def mutate(content: bytes, ops: list[tuple], *, sheet_index=0) -> bytes:
    """The workbook with `ops` applied, as openpyxl writes it (what a careless edit makes)."""
    workbook = load_workbook(io.BytesIO(content))
    for op in ops:
        kind = op[0]
        if kind == "cell":
            sheet = _sheet(workbook, sheet_index)
            if sheet is not None:
                try:
                    sheet.cell(op[1], op[2]).value = op[3]
                except (ValueError, TypeError):
                    sheet.cell(op[1], op[2]).value = repr(op[3])[:100]
                except AttributeError:  # a merged cell
                    pass
        elif kind == "meta":
            if entry_workbook.META_SHEET in workbook.sheetnames:
                meta = workbook[entry_workbook.META_SHEET]
                for row in range(1, meta.max_row + 1):
                    if meta.cell(row, 1).value == op[1]:
                        meta.cell(row, 2).value = op[2]
        elif kind == "drop_sheet" and len(workbook.worksheets) > 1:
            workbook.remove(_sheet(workbook, op[1]))
        elif kind == "clear_sheet":
            sheet = _sheet(workbook, op[1])
            sheet.delete_rows(1, sheet.max_row)
        elif kind == "rename_sheet":
            title = "".join(c for c in op[2] if c not in "[]:*?/\\")[:31].strip("'") or "S"
            if title not in workbook.sheetnames:
                _sheet(workbook, op[1]).title = title
        elif kind == "empty_sheet_first":
            workbook.create_sheet("Sheet0", 0)
        elif kind == "extra_rows":
            sheet = _sheet(workbook, sheet_index)
            if sheet is not None:
                start = sheet.max_row + 1
                for row in range(start, start + op[1]):
                    for column in (
                        1,
                        entry_workbook.COLUMN["value"],
                        entry_workbook.COLUMN["note"],
                    ):
                        try:
                            sheet.cell(row, column).value = op[2]
                        except (ValueError, TypeError):
                            sheet.cell(row, column).value = repr(op[2])[:100]
                        except AttributeError:  # a merged cell
                            pass
        elif kind == "only_sheet":
            for sheet in workbook.worksheets[1:]:
                workbook.remove(sheet)
    buffer = io.BytesIO()
    try:
        workbook.save(buffer)
    except (ValueError, TypeError, OverflowError):
        # A value openpyxl itself cannot write (a date it cannot convert…): a plain sheet then.
        buffer = io.BytesIO()
        Workbook().save(buffer)
    return buffer.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in files.items():
            package.writestr(name, data)
    return buffer.getvalue()


def not_a_workbook(template: bytes):
    """Bytes renamed .xlsx: random, a zip that is no workbook, a cut or damaged workbook."""
    return st.one_of(
        st.binary(max_size=2000),
        st.builds(
            zip_of,
            st.dictionaries(
                st.sampled_from(["a.txt", "xl/workbook.xml", "[Content_Types].xml", "x/y"]),
                st.binary(max_size=200),
                max_size=3,
            ),
        ),
        st.integers(min_value=0, max_value=len(template) - 1).map(lambda n: template[:n]),
        st.tuples(st.integers(0, len(template) - 1), st.binary(min_size=1, max_size=50)).map(
            lambda cut: template[: cut[0]] + cut[1] + template[cut[0] + len(cut[1]) :]
        ),
    )


def outcome(text: str) -> None:
    """Counted in --hypothesis-show-statistics, so one sees which paths the examples reached."""
    if currently_in_test_context():
        event(text)


def post_file(client, url, content: bytes, name="filled.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type=XLSX)})


def progress_state() -> tuple[list, list]:
    reports = ProgressReport.objects.order_by("pk").values_list(
        "pk", "value", "is_lower_bound", "note", "state", "version"
    )
    history = ProgressReport.history.model.objects.order_by("history_id")
    return list(reports), list(history.values_list("history_id", "value", "version"))


def catalog_state() -> list:
    return [list(model.objects.order_by("pk").values()) for model in CATALOG]


def says_why(response) -> None:
    """A refusal names its problems (at sheet/row/column or for the whole file) on the page."""
    context = response.context
    messages = list(context.get("problems") or [])
    result = context.get("result") or context.get("check")
    if result is not None:
        messages += [error.message for error in result.errors]
    form = context.get("form")
    if form is not None and form.errors:
        messages += [m for errors in form.errors.values() for m in errors]
    assert messages, response.content.decode()[:2000]
    page = response.content.decode()
    assert all(escape(message)[:60] in page for message in messages)


# --- The progress upload ----------------------------------------------------------------------


@pytest.fixture
def page(gangqu, gangqu_reporter):
    now = timezone.now()
    period = PeriodFactory(
        year=now.year, opens_at=now - timedelta(days=30), deadline=now + timedelta(days=30)
    )
    program = ProgramFactory(region=gangqu, start_year=now.year - 1, end_year=now.year + 1)
    plan = PlanFactory(program=program, name="优培赋能强提升计划")
    kinds = [
        ("VT_TRAINED", IndicatorKind.COUNT, "人", RollupRule.SUM),
        ("HS_SHARE", IndicatorKind.PERCENTAGE, "%", RollupRule.MEAN),
        ("COLLEGE", IndicatorKind.MILESTONE, "", RollupRule.SUM),
        ("SUBSIDY", IndicatorKind.AMOUNT, "万元", RollupRule.SUM),
    ]
    for order, (code, kind, unit, rollup) in enumerate(kinds):
        indicator = IndicatorFactory(code=code, kind=kind, unit=unit, rollup=rollup)
        PlanIndicatorFactory(plan=plan, indicator=indicator, order=order)
    rows = selectors.entry_rows(region=gangqu, period=period, program=program)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(gangqu_reporter)
    return {
        "client": client,
        "url": reverse("programs:excel_upload", args=[gangqu.code, period.pk, program.pk]),
        "template": entry_workbook.build_template(
            region=gangqu, period=period, program=program, rows=rows
        ),
    }


def upload_and_confirm(page, content: bytes) -> None:
    client, url = page["client"], page["url"]
    before = progress_state()
    response = post_file(client, url, content)
    assert response.status_code < 500
    outcome(f"upload answered {response.status_code}")
    token = response.context.get("token") if response.context else None
    if token is None:
        if response.status_code != 200:
            says_why(response)
        assert progress_state() == before
        return
    confirmed = client.post(url, {"confirm": token})
    assert confirmed.status_code < 500
    outcome(f"confirmation answered {confirmed.status_code}")
    if confirmed.status_code != 302:
        says_why(confirmed)
        assert progress_state() == before
    else:
        assert progress_state() != before


META_OPS = st.tuples(
    st.just("meta"),
    st.sampled_from(["format", "region", "period", "program", "sheet", "first_row", "rows"]),
    st.one_of(
        CELL_VALUES,
        st.sampled_from(["-5", "0", "999999999", "1e9", "abc", "8.5", "7", "Sheet0", "_meta"]),
    ),
)
ENTRY_CELLS = st.tuples(
    st.just("cell"),
    st.integers(min_value=entry_workbook.FIRST_ROW, max_value=entry_workbook.FIRST_ROW + 4),
    st.sampled_from([entry_workbook.COLUMN[key] for key in ("code", *entry_workbook.INPUTS)]),
    CELL_VALUES,
)


@FUZZ
@given(data=st.data())
def test_a_broken_progress_workbook_is_refused_with_a_message(page, data):
    ops = data.draw(
        st.lists(
            st.one_of(ENTRY_CELLS, cell_ops(20, 13), META_OPS, SHEET_OPS), min_size=1, max_size=6
        )
    )
    upload_and_confirm(page, mutate(page["template"], ops))


VALID_VALUES = st.tuples(
    st.just("cell"),
    st.integers(min_value=entry_workbook.FIRST_ROW, max_value=entry_workbook.FIRST_ROW + 3),
    st.just(entry_workbook.COLUMN["value"]),
    st.sampled_from([0, 1, 50, 1200, "1,200", "35.5", "Done", "Not done"]),
)


@FUZZ
@given(data=st.data())
def test_typed_values_of_every_kind_are_saved_or_refused_at_their_cell(page, data):
    ops = data.draw(st.lists(st.one_of(ENTRY_CELLS, VALID_VALUES), min_size=1, max_size=12))
    upload_and_confirm(page, mutate(page["template"], ops))


@FUZZ
@given(data=st.data())
def test_bytes_that_are_not_a_workbook_get_a_file_level_message(page, data):
    upload_and_confirm(page, data.draw(not_a_workbook(page["template"])))


def test_ten_thousand_extra_rows_are_refused_or_read_without_a_500(page):
    upload_and_confirm(page, mutate(page["template"], [("extra_rows", 10_000, "12")]))


def test_a_zip_bomb_of_shared_strings_is_refused_unread(page):
    workbook = zipfile.ZipFile(io.BytesIO(page["template"]))
    files = {name: workbook.read(name) for name in workbook.namelist()}
    # 200 MB of one repeated string: a few hundred KB compressed.
    files["xl/sharedStrings.xml"] = b"<sst>" + b"<si><t>aaaaaaaaaa</t></si>" * 8_000_000 + b"</sst>"
    content = zip_of(files)
    assert len(content) < xlsx.MAX_UPLOAD_BYTES

    upload_and_confirm(page, content)

    response = post_file(page["client"], page["url"], content)
    assert "too large once unpacked" in response.content.decode()


# --- The catalog import -----------------------------------------------------------------------


@pytest.fixture
def catalog_page(catalog_admin, jiaxing, pinghu, gangqu, django_capture_on_commit_callbacks):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(catalog_admin)
    return {
        "client": client,
        "on_commit": django_capture_on_commit_callbacks,
        "url": reverse("programs:catalog_import"),
        "template": catalog_import.build_template(user=catalog_admin),
    }


def preview_catalog(catalog_page, content: bytes) -> None:
    """Preview the file (a dry run); confirm an accepted one and run its job to the end."""
    before = catalog_state()
    response = post_file(catalog_page["client"], catalog_page["url"], content)
    assert response.status_code < 500
    outcome(f"catalog preview answered {response.status_code}")
    if response.status_code != 200:
        says_why(response)
    assert catalog_state() == before
    token = response.context.get("token")
    if token is None:
        return
    with catalog_page["on_commit"](execute=True):
        confirmed = catalog_page["client"].post(catalog_page["url"], {"confirm": token})
    assert confirmed.status_code == 302
    job = Job.objects.latest("pk")
    outcome(f"catalog import job {job.state}")
    assert job.state in (JobState.DONE, JobState.FAILED)
    if job.state == JobState.FAILED:
        assert job.error
        assert catalog_state() == before


CATALOG_CELLS = st.tuples(
    st.just("cell"),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=10),
    CELL_VALUES,
)


@FUZZ
@given(data=st.data())
def test_a_broken_catalog_workbook_is_refused_with_a_message(catalog_page, data):
    sheet_index = data.draw(st.integers(min_value=0, max_value=len(catalog_import.SHEETS)))
    ops = data.draw(st.lists(st.one_of(CATALOG_CELLS, SHEET_OPS), min_size=1, max_size=8))
    preview_catalog(catalog_page, mutate(catalog_page["template"], ops, sheet_index=sheet_index))


@FUZZ
@given(data=st.data())
def test_bytes_that_are_not_a_catalog_workbook_get_a_file_level_message(catalog_page, data):
    preview_catalog(catalog_page, data.draw(not_a_workbook(catalog_page["template"])))


def newer_zip_version(template: bytes) -> bytes:
    """The template with every central-directory entry asking for zip version 6.4.

    Python's zipfile refuses such a file with NotImplementedError rather than BadZipFile: a
    fuzzing run in CI found the upload answering it with a 500.
    """
    content = bytearray(template)
    start = content.find(b"PK\x01\x02")
    assert start != -1
    while start != -1:
        content[start + 6 : start + 8] = (64).to_bytes(2, "little")
        start = content.find(b"PK\x01\x02", start + 4)
    with pytest.raises(NotImplementedError):
        zipfile.ZipFile(io.BytesIO(bytes(content)))
    return bytes(content)


def test_a_workbook_of_a_newer_zip_version_gets_a_file_level_message(page, catalog_page):
    upload_and_confirm(page, newer_zip_version(page["template"]))
    preview_catalog(catalog_page, newer_zip_version(catalog_page["template"]))


def test_a_catalog_workbook_with_ten_thousand_extra_rows_gets_an_answer(catalog_page):
    preview_catalog(
        catalog_page,
        mutate(catalog_page["template"], [("extra_rows", 10_000, "x")], sheet_index=2),
    )


def test_mutate_writes_what_the_upload_then_reads(page):
    """The mutations reach the file (else every example above would test the bare template)."""
    content = mutate(
        page["template"], [("cell", entry_workbook.FIRST_ROW, entry_workbook.COLUMN["value"], 1200)]
    )
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.cell(entry_workbook.FIRST_ROW, entry_workbook.COLUMN["value"]).value == 1200
