"""Catalog import: template, dry run with every error, confirmation as a job, idempotent reruns."""

import io
from decimal import Decimal

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from programs.catalog_import import (
    INDICATORS,
    MEASURES,
    PLAN_INDICATORS,
    PLANS,
    PROGRAM,
    SHEETS,
    TARGETS,
    import_catalog,
)
from programs.choices import Comparator, JobKind, JobState
from programs.jobs import JobFailed
from programs.models import (
    Indicator,
    Job,
    Measure,
    Plan,
    PlanIndicator,
    Program,
    ReportingPeriod,
    Target,
)
from programs.services.jobs import job_start
from regions.choices import Role
from regions.models import Region
from tests.factories import IndicatorFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CATALOG = [Program, Plan, Measure, Indicator, PlanIndicator, Target, ReportingPeriod]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def urls():
    return {
        "upload": reverse("programs:catalog_import"),
        "template": reverse("programs:catalog_import_template"),
        "jobs": reverse("programs:jobs"),
    }


@pytest.fixture
def client_en(admin_client_en, jiaxing, pinghu, nanhu, gangqu):
    """The catalog admin of Zhejiang (33 and below), with 嘉兴's slice of the tree in place."""
    return admin_client_en


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
    folder = media / "jobs" / "uploads"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def errors_of(response) -> set[tuple[str, int | None, str]]:
    return {(error.sheet, error.row, error.column) for error in response.context["check"].errors}


def import_file(user, media, content: bytes) -> dict:
    path = media / "direct.xlsx"
    path.write_bytes(content)
    return import_catalog(path=path, user=user, progress=lambda percent, step="": None)


# --- Template ---------------------------------------------------------------------------------


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


# --- Errors -----------------------------------------------------------------------------------


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


# --- Importing --------------------------------------------------------------------------------


def test_a_good_workbook_is_imported_by_a_job_then_a_second_run_changes_nothing(
    client_en, catalog_admin, urls, media, django_capture_on_commit_callbacks
):
    content = as_bytes(jiaxing_workbook(client_en, urls))
    preview = upload(client_en, urls, content)
    assert preview.status_code == 200
    assert preview.context["check"].counts() == {"created": 14, "updated": 0, "unchanged": 1}

    response = confirm(
        client_en, urls, preview.context["token"], django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    assert response["Location"] == urls["jobs"]
    job = Job.objects.get()
    assert (job.kind, job.state, job.error) == (JobKind.CATALOG_IMPORT, JobState.DONE, "")
    assert job.title == "Catalog import: 嘉兴市技能人才工作计划"
    assert job.summary == {"created": 14, "updated": 0, "unchanged": 1}
    program = Program.objects.get(region__code="3304", name="嘉兴市技能人才工作计划")
    assert (program.start_year, program.end_year) == (2024, 2026)
    assert list(program.plans.values_list("name", "order")) == [
        ("技能人才培育计划", 1),
        ("高技能人才引领计划", 2),
    ]
    measure = Measure.objects.get()
    assert (measure.plan.name, measure.owner_office, measure.milestone_state) == (
        "技能人才培育计划",
        "人力社保局",
        "in_progress",
    )
    indicator = Indicator.objects.get(code="VT_TRAINING_TIMES")
    assert (indicator.unit, indicator.kind, indicator.rollup) == ("人次", "count", "sum")
    assert PlanIndicator.objects.get(indicator=indicator).measure == measure
    target = Target.objects.get(indicator=indicator, region__code="3304Z01")
    assert (target.value, target.comparator, target.plan.name, target.note) == (
        Decimal(1000),
        Comparator.GTE,
        "技能人才培育计划",
        "五大计划",
    )
    assert Target.objects.get(region__code="3304Z01", period__year=2025).baseline == 380
    assert set(ReportingPeriod.objects.values_list("year", flat=True)) == {2024, 2025}

    # The same file again: the preview offers nothing to confirm, and a run changes nothing.
    before = counts()
    stamps = {
        "targets": list(Target.objects.order_by("pk").values_list("pk", "value", "plan_id")),
        "target_history": Target.history.count(),
        "measure_history": Measure.history.count(),
    }
    again = upload(client_en, urls, content)
    assert again.status_code == 200
    assert again.context["check"].counts() == {"created": 0, "updated": 0, "unchanged": 13}
    assert "token" not in again.context
    assert uploads(media) == []  # the imported upload has served; an unchanged one is not kept

    (media / job.params["upload"]).write_bytes(content)  # the same file, imported again
    with django_capture_on_commit_callbacks(execute=True):
        rerun = job_start(
            user=catalog_admin,
            kind=JobKind.CATALOG_IMPORT,
            title="again",
            params=job.params,
        )
    rerun.refresh_from_db()
    assert rerun.state == JobState.DONE
    assert rerun.summary == {"created": 0, "updated": 0, "unchanged": 13}
    assert rerun.summary_text() == "0 created, 0 changed, 13 unchanged"
    assert counts() == before
    assert stamps == {
        "targets": list(Target.objects.order_by("pk").values_list("pk", "value", "plan_id")),
        "target_history": Target.history.count(),
        "measure_history": Measure.history.count(),
    }


def test_changing_one_target_value_changes_one_row(catalog_admin, client_en, urls, media):
    workbook = jiaxing_workbook(client_en, urls)
    import_file(catalog_admin, media, as_bytes(workbook))
    history = Target.history.count()
    sheet_of(workbook, TARGETS)["E3"] = 2100  # 平湖 2024: 2000 → 2100

    preview = upload(client_en, urls, as_bytes(workbook))

    check = preview.context["check"]
    assert check.counts() == {"created": 0, "updated": 1, "unchanged": 12}
    [changed] = [item for item in check.items if item.action == "update"]
    assert (changed.sheet, changed.row) == ("targets", 3)
    assert [(change.old, change.new) for change in changed.changes] == [("2,000", "2,100")]
    assert "2,100" in preview.content.decode()

    summary = import_file(catalog_admin, media, as_bytes(workbook))
    assert summary == {"created": 0, "updated": 1, "unchanged": 12}
    assert Target.objects.get(region__code="330482").value == 2100
    assert Target.history.count() == history + 1


def test_a_region_deleted_after_the_preview_fails_the_job_and_writes_nothing(
    client_en, urls, media, django_capture_on_commit_callbacks
):
    workbook = jiaxing_workbook(client_en, urls)
    sheet_of(workbook, TARGETS).append(["VT_TRAINING_TIMES", "330402", 2024, "", 900, "", "", ""])
    preview = upload(client_en, urls, as_bytes(workbook))
    assert preview.status_code == 200
    Region.objects.filter(code="330402").delete()  # 南湖区 goes before the confirmation
    before = counts()

    confirm(client_en, urls, preview.context["token"], django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert job.state == JobState.FAILED
    assert "330402" in job.error
    assert "Targets, row 7, column B" in job.error
    assert counts() == before


def test_import_catalog_raises_job_failed_with_the_first_errors(
    catalog_admin, client_en, urls, media
):
    workbook = jiaxing_workbook(client_en, urls)
    targets = sheet_of(workbook, TARGETS)
    for row in range(2, 7):
        targets.cell(row, 5, -1)
    before = counts()
    with pytest.raises(JobFailed) as failure:
        import_file(catalog_admin, media, as_bytes(workbook))
    message = str(failure.value)
    assert message.startswith("The workbook has 5 errors; nothing was imported.")
    assert "Targets, row 2, column E" in message
    assert "Targets, row 5, column E" not in message  # the first few only
    assert counts() == before


# --- Access -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(urls):
    for url in (urls["upload"], urls["template"]):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_reporter_may_not_import(gangqu_reporter, urls):
    client = Client()
    client.force_login(gangqu_reporter)
    assert client.get(urls["upload"]).status_code == 403
    assert client.get(urls["template"]).status_code == 403
    response = client.post(urls["upload"], {"file": SimpleUploadedFile("a.xlsx", b"x", XLSX)})
    assert response.status_code == 403


def test_the_upload_page_has_a_labelled_file_input_and_the_template_link(client_en, urls):
    response = client_en.get(urls["upload"])
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_file">' in html
    assert urls["template"] in html


def test_a_region_outside_the_admins_scope_is_refused_at_its_cell(
    client_en, zhengxiang, urls, media
):
    workbook = jiaxing_workbook(client_en, urls)
    sheet_of(workbook, TARGETS).append(["VT_TRAINING_TIMES", "430408", 2024, "", 5, "", "", ""])
    response = upload(client_en, urls, as_bytes(workbook))
    assert response.status_code == 422
    assert errors_of(response) == {("Targets", 7, "B")}
    [error] = response.context["check"].errors
    assert "may not edit the catalog" in error.message

    sheet_of(workbook, PROGRAM)["A2"] = "430408"  # a program of 蒸湘区
    response = upload(client_en, urls, as_bytes(workbook))
    assert ("Program", 2, "A") in errors_of(response)


def test_a_county_admin_cannot_set_the_citys_targets(jiaxing, pinghu, gangqu, urls):
    admin = UserFactory(username="gangqu-admin")
    MembershipFactory(user=admin, region=gangqu, role=Role.CATALOG_ADMIN)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    workbook = download_template(client, urls)
    sheet_of(workbook, TARGETS).append(["VT_TRAINING_TIMES", "3304", 2024, "", 5, "", "", ""])
    response = upload(client, urls, as_bytes(workbook))
    assert response.status_code == 422
    assert errors_of(response) == {("Targets", 3, "B")}


def test_a_tampered_or_another_users_token_is_refused(
    client_en, jiaxing, urls, media, django_capture_on_commit_callbacks
):
    preview = upload(client_en, urls, client_en.get(urls["template"]).content)
    token = preview.context["token"]
    other = UserFactory(username="other-admin")
    MembershipFactory(user=other, region=jiaxing, role=Role.CATALOG_ADMIN)
    other_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_client.force_login(other)
    forged = signing.dumps(
        {
            "user": other.pk,
            "upload": signing.loads(token, salt="programs.catalog_import")["upload"],
        },
        salt="wrong salt",
    )

    for client, value in [
        (other_client, token),
        (client_en, token[:-2] + "xx"),
        (other_client, forged),
    ]:
        response = confirm(client, urls, value, django_capture_on_commit_callbacks)
        assert response.status_code == 400
        assert response.context["problems"]
    assert not Job.objects.exists()

    response = confirm(client_en, urls, token, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Job.objects.get().state == JobState.DONE


def test_the_upload_folder_holds_only_what_awaits_confirmation(client_en, urls, media):
    content = client_en.get(urls["template"]).content
    upload(client_en, urls, b"not a workbook")
    assert uploads(media) == []
    upload(client_en, urls, content)
    [name] = uploads(media)
    assert len(name) == len("0" * 32 + ".xlsx")


def test_a_superuser_may_import_anywhere(superuser, zhengxiang, urls):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    workbook = download_template(client, urls)
    sheet_of(workbook, PROGRAM)["A2"] = "430408"
    sheet_of(workbook, TARGETS)["B2"] = "430408"
    response = upload(client, urls, as_bytes(workbook))
    assert response.status_code == 200
    assert response.context["check"].counts()["created"] == 7


def test_a_template_downloaded_in_chinese_is_read_whatever_the_uploaders_language(
    admin_client_zh, client_en, urls
):
    content = admin_client_zh.get(urls["template"]).content
    response = upload(client_en, urls, content)
    assert response.status_code == 200
    assert response.context["check"].counts()["created"] == 7
