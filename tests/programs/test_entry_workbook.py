"""The Excel round-trip of the data-entry grid (programs.entry_workbook and its views): template,
upload, preview, confirmation."""

import io
import time
import zipfile
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from programs import entry_workbook, selectors, services
from programs.choices import IndicatorKind, ReportState, RollupRule
from programs.entry_workbook import COLUMN, FIRST_ROW, INPUTS, META_SHEET
from programs.models import Indicator, Plan, ProgressReport
from programs.selectors import EntryRow
from programs.views.excel import TOKEN_SALT
from tests.factories import (
    IndicatorFactory,
    MembershipFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
    ReportFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CODES = ["VT_TRAINED", "SKILLED_NEW", "HS_SHARE", "CADRE_COLLEGE"]


# --- The cast's data: 嘉兴港区's program, open for entry now ---------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def period(db):
    now = timezone.now()
    return PeriodFactory(
        year=timezone.localdate().year,
        opens_at=now - timedelta(days=30),
        deadline=now + timedelta(days=30),
    )


@pytest.fixture
def last_year(period):
    return PeriodFactory(year=period.year - 1)


@pytest.fixture
def program(gangqu, period):
    return ProgramFactory(
        region=gangqu,
        name="嘉兴港区人才工作“五大计划”",
        start_year=period.year - 1,
        end_year=period.year + 1,
    )


@pytest.fixture
def plan(program):
    return PlanFactory(program=program, name="优培赋能强提升计划", order=1)


@pytest.fixture
def ind(plan, gangqu, period, last_year):
    trained = IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数", unit="人")
    skilled = IndicatorFactory(code="SKILLED_NEW", name="新增技能人才", unit="人")
    share = IndicatorFactory(
        code="HS_SHARE",
        name="高技能人才占技能人才比例",
        unit="%",
        kind=IndicatorKind.PERCENTAGE,
        rollup=RollupRule.MEAN,
    )
    college = IndicatorFactory(
        code="CADRE_COLLEGE", name="建成乡村干部技能学院", unit="", kind=IndicatorKind.MILESTONE
    )
    for order, indicator in enumerate([trained, skilled, share, college]):
        PlanIndicatorFactory(plan=plan, indicator=indicator, order=order)
    TargetFactory(indicator=trained, region=gangqu, period=period, value=Decimal(1000), plan=plan)
    TargetFactory(indicator=skilled, region=gangqu, period=period, value=Decimal(800), plan=plan)
    ReportFactory(
        indicator=trained,
        region=gangqu,
        period=last_year,
        value=Decimal(900),
        state=ReportState.APPROVED,
    )
    ReportFactory(
        indicator=skilled,
        region=gangqu,
        period=last_year,
        value=Decimal(497),
        state=ReportState.APPROVED,
    )
    return SimpleNamespace(trained=trained, skilled=skilled, share=share, college=college)


@pytest.fixture
def urls(gangqu, period, program):
    args = [gangqu.code, period.pk, program.pk]
    return SimpleNamespace(
        template=reverse("programs:excel_template", args=args),
        upload=reverse("programs:excel_upload", args=args),
        grid=reverse("programs:grid", args=args),
    )


@pytest.fixture
def other_gangqu_reporter(gangqu):
    return MembershipFactory(user=UserFactory(username="gangqu2"), region=gangqu).user


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# --- Workbook helpers -------------------------------------------------------------------------


def rows_by_code(sheet) -> dict[str, int]:
    found = {}
    for (cell,) in sheet.iter_rows(min_row=FIRST_ROW, max_col=1):
        if cell.value:
            found[cell.value] = cell.row
    return found


def fill(content: bytes, values: dict[str, dict], extra_rows=()) -> bytes:
    """What an official does in Excel: type into the input cells, maybe add rows."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    rows = rows_by_code(sheet)
    for code, inputs in values.items():
        for key, value in inputs.items():
            sheet.cell(rows[code], COLUMN[key]).value = value
    for extra in extra_rows:
        number = sheet.max_row + 1
        for key, value in extra.items():
            sheet.cell(number, COLUMN[key]).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post_file(client, url, content: bytes, name="filled.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type=XLSX)})


def errors_of(response) -> list[tuple]:
    return [(e.row, e.column, e.message) for e in response.context["result"].errors]


def imports(media) -> list:
    """The uploads kept for a confirmation."""
    folder = media / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def kept(media, token: str):
    """Where the upload a preview's token stands for is kept (the key is signed in the token)."""
    key = signing.loads(token, salt=TOKEN_SALT)["upload"]
    return media / "uploads" / f"{key}.xlsx"


def letter(key: str) -> str:
    return entry_workbook.LETTER[key]


# --- Access -----------------------------------------------------------------------------------


def test_the_reporter_downloads_the_template_of_the_grid(
    gangqu_reporter, gangqu, period, program, ind, urls
):
    response = client_for(gangqu_reporter).get(urls.template)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="talentportal-3304Z01-{period.year}-')
    assert f"filename*=UTF-8''{quote('嘉兴港区')}" in disposition
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    title_block = [c.value for row in sheet.iter_rows(max_row=5) for c in row if c.value]
    assert "嘉兴港区 (3304Z01)" in title_block
    assert program.name in title_block
    assert period.label in title_block
    rows = rows_by_code(sheet)
    assert list(rows) == CODES
    trained = rows["VT_TRAINED"]
    assert sheet.cell(trained, COLUMN["indicator"]).value == "职业技能培训人数"
    assert sheet.cell(trained, COLUMN["plan"]).value == "优培赋能强提升计划"
    assert sheet.cell(trained, COLUMN["unit"]).value == "persons"
    assert sheet.cell(trained, COLUMN["target"]).value == "≥ 1,000"
    assert sheet.cell(trained, COLUMN["last_year"]).value == 900
    assert sheet.cell(rows["SKILLED_NEW"], COLUMN["last_year"]).value == 497
    assert sheet.cell(rows["CADRE_COLLEGE"], COLUMN["target"]).value is None


def test_only_the_input_cells_of_the_template_are_unlocked(gangqu_reporter, ind, urls):
    content = client_for(gangqu_reporter).get(urls.template).content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]

    assert sheet.protection.sheet is True
    assert workbook[META_SHEET].sheet_state == "veryHidden"
    meta = dict(workbook[META_SHEET].iter_rows(values_only=True))
    assert meta["region"] == "3304Z01"
    for number in rows_by_code(sheet).values():
        for key, column in COLUMN.items():
            assert sheet.cell(number, column).protection.locked is (key not in INPUTS), key
    assert sheet.cell(entry_workbook.HEADER_ROW, COLUMN["value"]).protection.locked is True
    assert sheet["B2"].protection.locked is True


def test_the_lower_bound_list_is_in_chinese_by_default(gangqu_reporter, ind, urls):
    client = Client()
    client.force_login(gangqu_reporter)
    sheet = load_workbook(io.BytesIO(client.get(urls.template).content)).worksheets[0]

    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert '"是,否"' in lists


def test_no_cell_of_the_template_can_run_as_a_formula(
    gangqu_reporter, gangqu, period, program, plan, ind, urls
):
    program.name = '=HYPERLINK("http://evil.example","点我")'
    program.save()
    plan.name = "+计划"
    plan.save()
    ind.trained.name = "@SUM(A1)"
    ind.trained.save()
    ReportFactory(
        indicator=ind.skilled,
        region=gangqu,
        period=period,
        note="=cmd|' /C calc'!A0",
        state=ReportState.DRAFT,
    )
    ReportFactory(
        indicator=ind.share, region=gangqu, period=period, value=Decimal(20), note="\tTab"
    )

    content = client_for(gangqu_reporter).get(urls.template).content
    workbook = load_workbook(io.BytesIO(content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    values.append(cell.value)
    assert values
    assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=cmd|' /C calc'!A0" in values
    assert "'@SUM(A1)" in values


def test_a_reporter_of_another_region_gets_404(pinghu_reporter, ind, urls):
    client = client_for(pinghu_reporter)

    assert client.get(urls.template).status_code == 404
    assert client.get(urls.upload).status_code == 404
    assert post_file(client, urls.upload, b"x").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(ind, urls):
    client = Client()
    for response in (
        client.get(urls.template),
        client.get(urls.upload),
        client.post(urls.upload, {"confirm": "0" * 32}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_reviewer_downloads_but_cannot_upload(
    jiaxing_reviewer, gangqu_reporter, period, ind, urls, media
):
    template = client_for(gangqu_reporter).get(urls.template).content
    client = client_for(jiaxing_reviewer)

    assert client.get(urls.template).status_code == 200
    assert client.get(urls.upload).status_code == 403
    filled = fill(template, {"VT_TRAINED": {"value": 1200}})
    assert post_file(client, urls.upload, filled).status_code == 403
    assert not ProgressReport.objects.filter(period=period).exists()
    assert imports(media) == []


def test_the_upload_page_shows_a_labelled_file_input(gangqu_reporter, ind, urls):
    response = client_for(gangqu_reporter).get(urls.upload)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_file">' in html
    assert urls.template in html


# --- Round trip -------------------------------------------------------------------------------


def test_a_filled_template_is_previewed_then_saved_as_drafts_with_history(
    gangqu_reporter, gangqu, period, ind, urls, media
):
    client = client_for(gangqu_reporter)
    template = client.get(urls.template).content
    filled = fill(
        template,
        {
            "VT_TRAINED": {"value": "1,200"},
            "SKILLED_NEW": {"value": 850, "lower_bound": "是", "note": "含企业自主评价"},
            "HS_SHARE": {"value": " 35.5 "},
            "CADRE_COLLEGE": {"value": "Done"},
        },
    )

    preview = post_file(client, urls.upload, filled)

    assert preview.status_code == 200
    changes = {c.indicator.code: c for c in preview.context["result"].changes}
    assert list(changes) == CODES
    assert changes["VT_TRAINED"].value == Decimal(1200)
    assert changes["SKILLED_NEW"].is_lower_bound is True
    assert changes["HS_SHARE"].value == Decimal("35.5")
    assert changes["CADRE_COLLEGE"].value == Decimal(1)
    html = preview.content.decode()
    assert "1,200" in html and "含企业自主评价" in html
    assert not ProgressReport.objects.filter(period=period).exists()
    token = preview.context["token"]
    assert imports(media) == [kept(media, token)]

    done = client.post(urls.upload, {"confirm": token})

    assert done.status_code == 302
    assert done.url == urls.grid
    saved = {r.indicator.code: r for r in ProgressReport.objects.filter(period=period)}
    assert {code: r.value for code, r in saved.items()} == {
        "VT_TRAINED": Decimal(1200),
        "SKILLED_NEW": Decimal(850),
        "HS_SHARE": Decimal("35.5"),
        "CADRE_COLLEGE": Decimal(1),
    }
    assert saved["SKILLED_NEW"].is_lower_bound is True
    assert saved["SKILLED_NEW"].note == "含企业自主评价"
    for report in saved.values():
        assert report.state == ReportState.DRAFT
        assert report.region == gangqu
        assert report.updated_by == gangqu_reporter
        assert report.history.count() == 1
        assert report.history.first().history_user == gangqu_reporter
    assert imports(media) == []
    assert [str(m) for m in get_messages(done.wsgi_request)] == [
        "4 figures from filled.xlsx saved as drafts."
    ]


def test_changing_an_existing_draft_keeps_its_history(gangqu_reporter, gangqu, period, ind, urls):
    draft = services.report_save(
        user=gangqu_reporter,
        indicator=ind.trained,
        region=gangqu,
        period=period,
        change=services.Change(value=Decimal(600), note="上半年"),
        version=None,
    )
    client = client_for(gangqu_reporter)
    filled = fill(client.get(urls.template).content, {"VT_TRAINED": {"value": 1300}})

    preview = post_file(client, urls.upload, filled)
    (change,) = preview.context["result"].changes
    assert (change.old_value, change.value, change.version) == (Decimal(600), Decimal(1300), 1)
    client.post(urls.upload, {"confirm": preview.context["token"]})

    draft.refresh_from_db()
    assert (draft.value, draft.note, draft.version) == (Decimal(1300), "上半年", 2)
    assert [h.value for h in draft.history.order_by("history_id")] == [
        Decimal(600),
        Decimal(1300),
    ]


def test_an_untouched_template_changes_nothing(gangqu_reporter, gangqu, period, ind, urls, media):
    ReportFactory(
        indicator=ind.share, region=gangqu, period=period, value=Decimal("35.5"), note="抽样"
    )
    ReportFactory(indicator=ind.college, region=gangqu, period=period, value=Decimal(1))
    client = client_for(gangqu_reporter)

    response = post_file(client, urls.upload, client.get(urls.template).content)

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.changes, result.errors, result.unchanged) == ([], [], 2)
    assert "token" not in response.context
    assert imports(media) == []


# --- Bad files and bad rows -------------------------------------------------------------------


def test_one_bad_row_among_good_ones_writes_nothing_and_every_error_is_listed(
    gangqu_reporter, period, ind, urls, media
):
    client = client_for(gangqu_reporter)
    template = client.get(urls.template).content
    filled = fill(
        template,
        {
            "VT_TRAINED": {"value": 1200, "note": "x" * 2001},
            "SKILLED_NEW": {"value": "八百"},
            "HS_SHARE": {"value": 120, "lower_bound": "maybe"},
            "CADRE_COLLEGE": {"value": "Done"},
        },
        extra_rows=[{"code": "NO_SUCH", "value": 5}, {"code": "VT_TRAINED", "value": 7}],
    )
    rows = rows_by_code(load_workbook(io.BytesIO(template)).worksheets[0])
    last = max(rows.values())

    response = post_file(client, urls.upload, filled)

    assert response.status_code == 422
    found = [(row, column) for row, column, _message in errors_of(response)]
    assert found == [
        (rows["VT_TRAINED"], letter("note")),
        (rows["SKILLED_NEW"], letter("value")),
        (rows["HS_SHARE"], letter("value")),
        (rows["HS_SHARE"], letter("lower_bound")),
        (last + 1, letter("code")),
        (last + 2, letter("code")),
    ]
    messages = [message for *_where, message in errors_of(response)]
    assert messages[0] == "The note has 2001 characters; at most 2000 are allowed."
    assert messages[1].startswith("“八百” is not a number.")
    assert messages[2] == "This percentage cannot be above 100."
    assert messages[3] == "Answer Yes or No, or leave the cell blank."
    assert messages[4] == "Unknown indicator code “NO_SUCH”: it is not in this program."
    assert messages[5] == f"The indicator VT_TRAINED is already on row {rows['VT_TRAINED']}."
    assert response.context["result"].changes == []
    html = response.content.decode()
    assert "<caption>Errors in the file</caption>" in html
    assert "This percentage cannot be above 100." in html
    assert not ProgressReport.objects.filter(period=period).exists()
    assert imports(media) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,200", Decimal(1200)),
        (" 1200 ", Decimal(1200)),
        ("１，２００", Decimal(1200)),
        (1200, Decimal(1200)),
        (1200.0, Decimal(1200)),
    ],
)
def test_a_count_is_read_from_a_number_or_from_text(gangqu, period, program, ind, typed, expected):
    rows = selectors.entry_rows(region=gangqu, period=period, program=program)
    template = entry_workbook.build_template(
        region=gangqu, period=period, program=program, rows=rows
    )
    filled = fill(template, {"VT_TRAINED": {"value": typed}})

    result = entry_workbook.parse_upload(
        file=filled, region=gangqu, period=period, program=program, rows=rows
    )

    assert result.errors == []
    assert [(c.indicator.code, c.value) for c in result.changes] == [("VT_TRAINED", expected)]


@pytest.mark.parametrize(
    ("code", "typed", "message"),
    [
        ("VT_TRAINED", "1200人", "“1200人” is not a number."),
        ("VT_TRAINED", "1.2.3", "“1.2.3” is not a number."),
        ("VT_TRAINED", "12,00", "“12,00” is not a number."),
        ("VT_TRAINED", 10.5, "A count must be a whole number."),
        ("VT_TRAINED", -3, "The value cannot be negative."),
        ("VT_TRAINED", True, "“True” is not a number."),
        ("VT_TRAINED", "=600+600", "This cell holds a formula (=600+600)"),
        ("HS_SHARE", "35.12345", "Use at most 4 decimal places."),
        ("CADRE_COLLEGE", "2", "Answer Done or Not done (or 1 / 0)."),
    ],
)
def test_a_value_that_does_not_fit_is_refused_at_its_cell(
    gangqu, period, program, ind, code, typed, message
):
    rows = selectors.entry_rows(region=gangqu, period=period, program=program)
    template = entry_workbook.build_template(
        region=gangqu, period=period, program=program, rows=rows
    )
    filled = fill(template, {code: {"value": typed}})

    with translation.override("en"):
        result = entry_workbook.parse_upload(
            file=filled, region=gangqu, period=period, program=program, rows=rows
        )

    (error,) = result.errors
    number = rows_by_code(load_workbook(io.BytesIO(template)).worksheets[0])[code]
    assert (error.sheet, error.row, error.column) == (result.sheet, number, letter("value"))
    assert error.message.startswith(message)
    assert result.changes == []


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in files.items():
            package.writestr(name, content)
    return buffer.getvalue()


def _blank_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,value\nVT_TRAINED,1200\n", "This is not an Excel workbook (.xlsx)."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "This is not an Excel workbook"),
        (_zip({"word/document.xml": b"<w/>"}), "This is not an Excel workbook"),
        (_blank_workbook()[:300], "This is not an Excel workbook"),
        (
            _zip({"[Content_Types].xml": b"<broken", "xl/workbook.xml": b"<broken"}),
            "The file could not be read as an Excel workbook",
        ),
        (_blank_workbook(), "The sheet “Sheet” is empty."),
    ],
    ids=["csv", "xls", "docx-like zip", "truncated", "damaged", "empty sheet"],
)
def test_a_file_that_is_not_a_filled_template_gets_one_clear_message(
    gangqu_reporter, period, ind, urls, media, content, message
):
    response = post_file(client_for(gangqu_reporter), urls.upload, content)

    assert response.status_code == 422
    ((row, column, text),) = errors_of(response)
    assert (row, column) == (None, "")
    assert text.startswith(message)
    assert message in response.content.decode()
    assert not ProgressReport.objects.filter(period=period).exists()
    assert imports(media) == []


def test_a_file_larger_than_5_mb_is_refused_unread(gangqu_reporter, period, ind, urls):
    content = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024)

    response = post_file(client_for(gangqu_reporter), urls.upload, content)

    assert response.status_code == 422
    assert errors_of(response) == [
        (None, "", "The file is larger than 5 MB: upload only the filled template.")
    ]


def test_a_file_for_another_region_is_refused(
    gangqu_reporter, pinghu, gangqu, period, program, ind, urls
):
    rows = selectors.entry_rows(region=pinghu, period=period, program=program)
    template = entry_workbook.build_template(
        region=pinghu, period=period, program=program, rows=rows
    )
    filled = fill(template, {"VT_TRAINED": {"value": 1200}})

    response = post_file(client_for(gangqu_reporter), urls.upload, filled)

    assert response.status_code == 422
    assert errors_of(response) == [
        (
            None,
            "",
            "This file was made for another region (code 330482), not for 嘉兴港区 (3304Z01). "
            "Download the template of 嘉兴港区 (3304Z01).",
        )
    ]
    assert not ProgressReport.objects.filter(indicator=ind.trained, period=period).exists()


def test_a_file_for_another_period_is_refused(
    gangqu_reporter, gangqu, period, last_year, program, ind, urls
):
    rows = selectors.entry_rows(region=gangqu, period=last_year, program=program)
    template = entry_workbook.build_template(
        region=gangqu, period=last_year, program=program, rows=rows
    )
    filled = fill(template, {"VT_TRAINED": {"value": 1200}})

    response = post_file(client_for(gangqu_reporter), urls.upload, filled)

    assert response.status_code == 422
    ((_row, _column, message),) = errors_of(response)
    assert message == f"This file was made for another reporting period, not for {period.label}."


def test_a_percentage_typed_in_a_percent_formatted_cell_is_read_as_shown(
    gangqu, period, program, ind
):
    rows = selectors.entry_rows(region=gangqu, period=period, program=program)
    template = entry_workbook.build_template(
        region=gangqu, period=period, program=program, rows=rows
    )
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    cell = sheet.cell(rows_by_code(sheet)["HS_SHARE"], COLUMN["value"])
    cell.value, cell.number_format = 0.355, "0.0%"  # Excel shows 35.5%
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = entry_workbook.parse_upload(
        file=buffer.getvalue(), region=gangqu, period=period, program=program, rows=rows
    )

    assert result.errors == []
    assert [(c.indicator.code, c.value) for c in result.changes] == [("HS_SHARE", Decimal("35.5"))]


# --- Formulas ---------------------------------------------------------------------------------


def test_a_formula_in_a_note_is_stored_as_text_and_never_sent_back_as_one(
    gangqu_reporter, period, ind, urls
):
    client = client_for(gangqu_reporter)
    filled = fill(
        client.get(urls.template).content,
        {
            "VT_TRAINED": {"value": 1200, "note": "=1+1"},  # openpyxl writes this as a formula
            "SKILLED_NEW": {"value": 800, "note": "@SUM(A1)"},
        },
    )
    assert (
        load_workbook(io.BytesIO(filled)).worksheets[0].cell(FIRST_ROW, COLUMN["note"]).data_type
        == "f"
    )

    preview = post_file(client, urls.upload, filled)
    client.post(urls.upload, {"confirm": preview.context["token"]})

    notes = dict(
        ProgressReport.objects.filter(period=period).values_list("indicator__code", "note")
    )
    assert notes == {"VT_TRAINED": "=1+1", "SKILLED_NEW": "@SUM(A1)"}
    again = client.get(urls.template).content
    sheet = load_workbook(io.BytesIO(again)).worksheets[0]
    rows = rows_by_code(sheet)
    note = sheet.cell(rows["VT_TRAINED"], COLUMN["note"])
    assert (note.value, note.data_type) == ("'=1+1", "s")
    # The escaped note reads back as it was saved: the untouched template changes nothing.
    response = post_file(client, urls.upload, again)
    assert response.context["result"].changes == []
    assert response.context["result"].unchanged == 2


# --- Confirmation -----------------------------------------------------------------------------


def test_another_users_session_cannot_confirm_an_upload(
    gangqu_reporter, other_gangqu_reporter, period, ind, urls, media
):
    owner = client_for(gangqu_reporter)
    filled = fill(owner.get(urls.template).content, {"VT_TRAINED": {"value": 1200}})
    token = post_file(owner, urls.upload, filled).context["token"]

    refused = client_for(other_gangqu_reporter).post(urls.upload, {"confirm": token})

    assert refused.status_code == 400
    assert "This upload cannot be confirmed" in refused.content.decode()
    assert not ProgressReport.objects.filter(period=period).exists()
    assert imports(media) == [kept(media, token)]
    # The owner still can.
    assert owner.post(urls.upload, {"confirm": token}).status_code == 302
    assert ProgressReport.objects.get(period=period).updated_by == gangqu_reporter


def test_a_token_is_used_once(gangqu_reporter, period, ind, urls):
    client = client_for(gangqu_reporter)
    filled = fill(client.get(urls.template).content, {"VT_TRAINED": {"value": 1200}})
    token = post_file(client, urls.upload, filled).context["token"]

    assert client.post(urls.upload, {"confirm": token}).status_code == 302
    assert client.post(urls.upload, {"confirm": token}).status_code == 400
    assert client.post(urls.upload, {"confirm": "../../settings"}).status_code == 400
    assert ProgressReport.objects.get(period=period).history.count() == 1


def test_a_figure_saved_by_someone_else_after_the_preview_is_a_conflict(
    gangqu_reporter, other_gangqu_reporter, gangqu, period, ind, urls, media
):
    client = client_for(gangqu_reporter)
    filled = fill(
        client.get(urls.template).content,
        {"VT_TRAINED": {"value": 1200}, "SKILLED_NEW": {"value": 850}},
    )
    token = post_file(client, urls.upload, filled).context["token"]
    # Meanwhile a colleague saves the second row on the grid.
    services.report_save(
        user=other_gangqu_reporter,
        indicator=ind.skilled,
        region=gangqu,
        period=period,
        change=services.Change(value=Decimal(820)),
        version=None,
    )

    response = client.post(urls.upload, {"confirm": token})

    assert response.status_code == 409
    assert "saved this figure in the meantime" in response.content.decode()
    # The first row was saved inside the transaction, then rolled back with it.
    assert not ProgressReport.objects.filter(indicator=ind.trained, period=period).exists()
    assert ProgressReport.objects.get(indicator=ind.skilled, period=period).value == Decimal(820)
    assert imports(media) == []


def test_a_figure_the_file_matched_at_the_preview_but_changed_since_is_a_conflict(
    gangqu_reporter, other_gangqu_reporter, gangqu, period, ind, urls
):
    share = services.report_save(
        user=other_gangqu_reporter,
        indicator=ind.share,
        region=gangqu,
        period=period,
        change=services.Change(value=Decimal(30)),
        version=None,
    )
    client = client_for(gangqu_reporter)
    filled = fill(client.get(urls.template).content, {"VT_TRAINED": {"value": 1200}})
    token = post_file(client, urls.upload, filled).context["token"]
    services.report_save(
        user=other_gangqu_reporter,
        indicator=ind.share,
        region=gangqu,
        period=period,
        change=services.Change(value=Decimal(40)),
        version=share.version,
    )

    response = client.post(urls.upload, {"confirm": token})

    assert response.status_code == 409
    assert "changed by someone else after your preview" in response.content.decode()
    assert not ProgressReport.objects.filter(indicator=ind.trained, period=period).exists()
    assert ProgressReport.objects.get(indicator=ind.share, period=period).value == Decimal(40)


def test_apply_changes_is_all_or_nothing(gangqu_reporter, gangqu, period, ind):
    skilled = services.report_save(
        user=gangqu_reporter,
        indicator=ind.skilled,
        region=gangqu,
        period=period,
        change=services.Change(value=Decimal(700)),
        version=None,
    )
    new = entry_workbook.RowChange(
        indicator=ind.trained,
        value=Decimal(1200),
        is_lower_bound=False,
        note="",
        report=None,
        version=None,
        old_value=None,
        row=8,
    )
    stale = entry_workbook.RowChange(
        indicator=ind.skilled,
        value=Decimal(850),
        is_lower_bound=False,
        note="",
        report=skilled,
        version=skilled.version + 1,
        old_value=Decimal(700),
        row=9,
    )

    with pytest.raises(services.ConflictError) as error:
        entry_workbook.apply_changes(
            user=gangqu_reporter, region=gangqu, period=period, changes=[new, stale]
        )

    assert error.value.row_change is stale
    assert not ProgressReport.objects.filter(indicator=ind.trained, period=period).exists()
    skilled.refresh_from_db()
    assert skilled.value == Decimal(700)
    assert (
        entry_workbook.apply_changes(
            user=gangqu_reporter, region=gangqu, period=period, changes=[new]
        )
        == 1
    )


# --- Figures that cannot change, periods that are closed --------------------------------------


def test_a_submitted_figure_is_locked_in_the_template_and_refused_in_the_upload(
    gangqu_reporter, gangqu, period, ind, urls
):
    ReportFactory(
        indicator=ind.trained,
        region=gangqu,
        period=period,
        value=Decimal(1000),
        state=ReportState.SUBMITTED,
    )
    client = client_for(gangqu_reporter)
    template = client.get(urls.template).content
    sheet = load_workbook(io.BytesIO(template)).worksheets[0]
    row = rows_by_code(sheet)["VT_TRAINED"]
    assert sheet.cell(row, COLUMN["value"]).value == 1000
    assert sheet.cell(row, COLUMN["value"]).protection.locked is True

    unchanged = post_file(client, urls.upload, template)
    changed = post_file(client, urls.upload, fill(template, {"VT_TRAINED": {"value": 1100}}))

    assert unchanged.status_code == 200
    assert unchanged.context["result"].unchanged == 1
    assert changed.status_code == 422
    assert errors_of(changed) == [
        (row, letter("value"), "This figure is “Submitted”: it cannot be changed from Excel.")
    ]
    assert ProgressReport.objects.get(indicator=ind.trained, period=period).value == Decimal(1000)


def test_no_upload_is_taken_when_the_period_is_closed(gangqu_reporter, period, ind, urls):
    client = client_for(gangqu_reporter)
    filled = fill(client.get(urls.template).content, {"VT_TRAINED": {"value": 1200}})
    period.deadline = timezone.now() - timedelta(hours=1)
    period.save()

    page = client.get(urls.upload)
    posted = post_file(client, urls.upload, filled)

    assert page.status_code == 200
    assert "is closed for entry" in page.content.decode()
    assert 'type="file"' not in page.content.decode()
    assert posted.status_code == 422
    assert not ProgressReport.objects.filter(period=period).exists()


# --- Scale ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_sheet_of_ten_thousand_rows_is_read(gangqu, period, program):
    plan = Plan(program=program, name="计划")
    indicators = [
        Indicator(pk=n, code=f"K{n:05d}", name=f"指标 {n}", unit="人", kind=IndicatorKind.COUNT)
        for n in range(1, 10_001)
    ]

    def rows(with_reports: bool) -> list[EntryRow]:
        return [
            EntryRow(
                plan=plan,
                measure=None,
                indicator=indicator,
                target=None,
                report=ProgressReport(indicator=indicator, value=Decimal(indicator.pk))
                if with_reports
                else None,
                previous_value=None,
                last_year_value=None,
            )
            for indicator in indicators
        ]

    # A template holding 10k figures, read back against a grid where none is saved yet.
    content = entry_workbook.build_template(
        region=gangqu, period=period, program=program, rows=rows(with_reports=True)
    )
    started = time.perf_counter()
    result = entry_workbook.parse_upload(
        file=content, region=gangqu, period=period, program=program, rows=rows(False)
    )
    elapsed = time.perf_counter() - started

    assert result.errors == []
    assert len(result.changes) == 10_000
    assert (result.changes[-1].row, result.changes[-1].value) == (FIRST_ROW + 9_999, 10_000)
    assert elapsed < 20
