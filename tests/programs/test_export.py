"""数据导出: every figure of a subtree over some years, as an xlsx written by a job."""

from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from programs.choices import Comparator, JobKind, JobState, PeriodKind, ReportState
from programs.exports.workbook import export_filename, write_export
from programs.models import Job, ProgressReport
from programs.services.jobs import job_start
from programs.tasks import run_job as run
from regions.choices import RegionLevel
from regions.models import Region

from ..factories import (
    IndicatorFactory,
    MembershipFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
    RegionFactory,
    ReportFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read(path: Path) -> dict[str, list[dict]]:
    """Each sheet as a list of {header: value}."""
    workbook = load_workbook(path)
    sheets = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        sheets[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return sheets


def keys(rows) -> set[tuple]:
    return {(row["Region code"], row["Indicator code"], row["Period"]) for row in rows}


@pytest.fixture
def catalog(zhejiang, jiaxing, pinghu, nanhu, gangqu, zhengxiang):
    """Three programs over 嘉兴's figures (the city's, the zone's, the province's), one elsewhere,
    and figures inside and outside the subtree and the years."""
    hangzhou = RegionFactory(code="3301", name="杭州市", level=RegionLevel.CITY, parent=zhejiang)
    trained = IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数")
    skilled = IndicatorFactory(code="SKILLED_NEW", name="新增技能人才")
    evil = IndicatorFactory(code="EVIL", name=EVIL, unit="万元", kind="amount")
    city = ProgramFactory(region=jiaxing, name="嘉兴人才计划", start_year=2023, end_year=2025)
    first = PlanFactory(program=city, name="引才计划", order=1)
    second = PlanFactory(program=city, name="育才计划", order=2)
    for plan in (first, second):  # tracked twice in one program: still one row on its sheet
        PlanIndicatorFactory(plan=plan, indicator=trained)
    PlanIndicatorFactory(plan=first, indicator=skilled)
    zone = ProgramFactory(region=gangqu, name="五大计划", start_year=2024, end_year=2026)
    PlanIndicatorFactory(plan=PlanFactory(program=zone, name="优培计划"), indicator=trained)
    province = ProgramFactory(
        region=zhejiang, name="浙江省人才计划", start_year=2020, end_year=2035
    )
    PlanIndicatorFactory(plan=PlanFactory(program=province, name="金蓝领"), indicator=evil)
    elsewhere = ProgramFactory(region=zhengxiang, name="培引用", start_year=2020, end_year=2030)
    PlanIndicatorFactory(plan=PlanFactory(program=elsewhere), indicator=trained)

    y2022, y2023, y2024, y2025 = (PeriodFactory(year=year) for year in (2022, 2023, 2024, 2025))
    q1 = PeriodFactory(year=2024, kind=PeriodKind.QUARTER, number=1)
    figures = [
        (pinghu, trained, y2023, "1200", ReportState.APPROVED),
        (pinghu, trained, y2024, "1350.5", ReportState.SUBMITTED),
        (pinghu, trained, q1, "300", ReportState.DRAFT),
        (nanhu, skilled, y2024, "80", ReportState.RETURNED),
        (gangqu, trained, y2023, "900", ReportState.APPROVED),
        (gangqu, trained, y2024, "1100", ReportState.DRAFT),
        (jiaxing, evil, y2024, "12.25", ReportState.APPROVED),
        # outside the years, the subtree or any program
        (pinghu, trained, y2022, "1", ReportState.APPROVED),
        (pinghu, trained, y2025, "2", ReportState.APPROVED),
        (hangzhou, trained, y2024, "3", ReportState.APPROVED),
        (zhengxiang, trained, y2024, "4", ReportState.APPROVED),
    ]
    for region, indicator, period, value, state in figures:
        ReportFactory(
            region=region, indicator=indicator, period=period, value=Decimal(value), state=state
        )
    ProgressReport.objects.filter(region=nanhu).update(note="@SUM(A1)", review_comment="-1+1")
    TargetFactory(indicator=trained, region=pinghu, period=y2024, value=Decimal(1500))
    TargetFactory(
        indicator=skilled, region=nanhu, period=y2024, value=Decimal(3), comparator=Comparator.EQ
    )
    return {"city": city, "zone": zone, "province": province, "trained": trained}


def test_the_export_holds_every_figure_of_the_subtree_in_the_years(catalog, jiaxing, tmp_path):
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2023, year_to=2024, path=path
    )
    sheets = read(path)
    # Program sheets go down the region tree: the province's, the city's, the zone's.
    assert list(sheets) == ["All data", "浙江省人才计划", "嘉兴人才计划", "五大计划"]
    assert keys(sheets["All data"]) == {
        ("330482", "VT_TRAINED", "2023"),
        ("330482", "VT_TRAINED", "2024"),
        ("330482", "VT_TRAINED", "2024 Q1"),
        ("330402", "SKILLED_NEW", "2024"),
        ("3304Z01", "VT_TRAINED", "2023"),
        ("3304Z01", "VT_TRAINED", "2024"),
        ("3304", "EVIL", "2024"),
    }
    assert len(sheets["All data"]) == 7
    states = {row["State"] for row in sheets["All data"]}
    assert states == {"Draft", "Submitted", "Approved", "Returned"}


def test_a_program_sheet_holds_its_figures_once_with_every_plan_tracking_them(
    catalog, jiaxing, tmp_path
):
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2023, year_to=2024, path=path
    )
    sheets = read(path)
    city = sheets["嘉兴人才计划"]
    assert len(city) == 6  # every figure of the city but the province's indicator
    assert "Program" not in city[0]
    trained = [row for row in city if row["Indicator code"] == "VT_TRAINED"]
    assert {row["Plan"] for row in trained} == {"引才计划; 育才计划"}
    # The zone's program starts in 2024; the province's covers its subtree.
    assert keys(sheets["五大计划"]) == {("3304Z01", "VT_TRAINED", "2024")}
    assert keys(sheets["浙江省人才计划"]) == {("3304", "EVIL", "2024")}
    rows = {(row["Region code"], row["Period"]): row for row in sheets["All data"]}
    assert rows["3304Z01", "2024"]["Program"] == "嘉兴人才计划; 五大计划"
    assert rows["3304Z01", "2023"]["Program"] == "嘉兴人才计划"


def test_numbers_stay_numbers_with_their_targets(catalog, jiaxing, tmp_path):
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2024, year_to=2024, path=path
    )
    rows = {(row["Region code"], row["Period"]): row for row in read(path)["All data"]}
    pinghu = rows["330482", "2024"]
    assert pinghu["Value"] == 1350.5
    assert (pinghu["Target comparator"], pinghu["Target"]) == ("≥", 1500)
    assert isinstance(pinghu["Year"], int)
    assert pinghu["Version"] == 1
    # A quarter's figure is set against its year's target when it has none of its own.
    assert rows["330482", "2024 Q1"]["Target"] == 1500
    assert rows["330482", "2024 Q1"]["Value"] == 300
    assert (rows["330402", "2024"]["Target comparator"], rows["330402", "2024"]["Target"]) == (
        "=",
        3,
    )
    assert rows["3304", "2024"]["Target"] is None
    assert rows["3304", "2024"]["Unit"] == "10k yuan"


def test_text_that_starts_like_a_formula_is_never_run(catalog, jiaxing, tmp_path):
    Region.objects.filter(pk=jiaxing.pk).update(name="+嘉兴市")
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2024, year_to=2024, path=path
    )
    workbook = load_workbook(path)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    rows = {(row["Region code"], row["Period"]): row for row in read(path)["All data"]}
    assert rows["3304", "2024"]["Indicator"] == "'" + EVIL
    assert rows["3304", "2024"]["Region"] == "'+嘉兴市"
    assert rows["330402", "2024"]["Note"] == "'@SUM(A1)"
    assert rows["330402", "2024"]["Review comment"] == "'-1+1"


def test_each_sheet_has_a_bold_frozen_header_with_a_filter(catalog, jiaxing, tmp_path):
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2024, year_to=2024, path=path
    )
    workbook = load_workbook(path)
    everything, province = workbook["All data"], workbook["浙江省人才计划"]
    assert everything.freeze_panes == province.freeze_panes == "A2"
    assert everything.auto_filter.ref == "A1:U6"
    assert province.auto_filter.ref == "A1:T2"
    assert all(cell.font.bold for cell in everything[1])
    assert not everything["A2"].font.bold


def test_an_export_of_no_figures_is_a_workbook_with_headers(catalog, jiaxing, tmp_path):
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2010, year_to=2011, path=path
    )
    assert read(path) == {"All data": []}


def test_progress_is_reported_and_never_goes_back(catalog, jiaxing, tmp_path, monkeypatch):
    monkeypatch.setattr("programs.exports.workbook.PROGRESS_EVERY", 1)
    seen = []
    write_export(
        user=UserFactory(is_superuser=True),
        region=jiaxing,
        year_from=2023,
        year_to=2024,
        path=tmp_path / "export.xlsx",
        progress=lambda percent, step: seen.append((percent, step)),
    )
    percents = [percent for percent, _step in seen]
    assert percents == sorted(percents)
    assert percents[-1] == 99
    assert any("All data" in step for _percent, step in seen)


def test_past_excel_s_row_limit_the_rows_go_on_in_a_numbered_sheet(
    catalog, jiaxing, tmp_path, monkeypatch
):
    monkeypatch.setattr("programs.exports.workbook.SHEET_MAX_ROWS", 3)
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2023, year_to=2024, path=path
    )
    sheets = {title: len(rows) for title, rows in read(path).items()}
    assert sheets == {
        "All data": 3,
        "All data (2)": 3,
        "All data (3)": 1,
        "浙江省人才计划": 1,
        "嘉兴人才计划": 3,
        "嘉兴人才计划 (2)": 3,
        "五大计划": 1,
    }


def test_sheet_names_are_unique_and_fit_excel(catalog, jiaxing, pinghu, tmp_path):
    twin = ProgramFactory(region=pinghu, name="五大计划", start_year=2023, end_year=2024)
    PlanIndicatorFactory(plan=PlanFactory(program=twin), indicator=catalog["trained"])
    long = ProgramFactory(region=pinghu, name="平湖市/人才:计划*" + "长" * 40)
    PlanIndicatorFactory(plan=PlanFactory(program=long), indicator=catalog["trained"])
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2024, year_to=2024, path=path
    )
    titles = list(read(path))
    # Down the region tree: 平湖's programs (the newest first), then the zone's.
    assert titles[-3:] == ["平湖市 人才 计划 " + "长" * 21, "五大计划", "嘉兴港区 五大计划"]
    assert all(len(title) <= 31 for title in titles)


def test_the_file_name_names_the_region_and_years(jiaxing):
    assert export_filename(jiaxing, 2023, 2024) == "嘉兴市_2023-2024_data_export.xlsx"
    assert export_filename(jiaxing, 2024, 2024) == "嘉兴市_2024_data_export.xlsx"
    jiaxing.name = 'a/b:c*"d"'
    assert export_filename(jiaxing, 2024, 2024) == "a_b_c__d__2024_data_export.xlsx"


def _figures(parent: Region, count: int) -> None:
    """`count` figures (a multiple of 50) in sub-regions of `parent`, under one program."""
    regions = [
        RegionFactory(code=f"{parent.code}{n:02d}", parent=parent) for n in range(count // 50)
    ]
    indicators = [IndicatorFactory(code=f"BULK_{n}") for n in range(10)]
    plan = PlanFactory(program=ProgramFactory(region=parent, start_year=2024, end_year=2024))
    for indicator in indicators:
        PlanIndicatorFactory(plan=plan, indicator=indicator)
    periods = [PeriodFactory(year=2024)] + [
        PeriodFactory(year=2024, kind=PeriodKind.QUARTER, number=n) for n in range(1, 5)
    ]
    ProgressReport.objects.bulk_create(
        ProgressReport(region=region, indicator=indicator, period=period, value=Decimal(7))
        for region in regions
        for indicator in indicators
        for period in periods
    )


def test_the_number_of_queries_does_not_grow_with_the_figures(jiaxing, pinghu, tmp_path):
    _figures(jiaxing, 50)
    admin = UserFactory(is_superuser=True)
    with CaptureQueriesContext(connection) as few:
        write_export(
            user=admin, region=jiaxing, year_from=2024, year_to=2024, path=tmp_path / "few.xlsx"
        )
    _figures(pinghu, 500)
    with CaptureQueriesContext(connection) as many:
        write_export(
            user=admin, region=jiaxing, year_from=2024, year_to=2024, path=tmp_path / "many.xlsx"
        )
    assert len(read(tmp_path / "many.xlsx")["All data"]) == 550
    assert len(many) == len(few) + 1  # one more program: one more sheet
    assert len(many) <= 8


def test_the_demo_exports_with_a_sheet_per_program(demo, tmp_path):
    jiaxing = Region.objects.get(code="3304")
    path = tmp_path / "export.xlsx"
    write_export(
        user=UserFactory(is_superuser=True), region=jiaxing, year_from=2023, year_to=2024, path=path
    )
    sheets = read(path)
    expected = ProgressReport.objects.filter(
        region__path__startswith=jiaxing.path, period__year__in=[2023, 2024]
    )
    assert len(sheets["All data"]) == expected.count() > 0
    assert len(sheets) > 1
    for title, rows in sheets.items():
        assert rows, title


# --- Through the job runner ---------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _export(user, region, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            user=user,
            kind=JobKind.EXPORT,
            title="x",
            params={"region": region.pk, "year_from": 2024, "year_to": 2024},
        )
    job.refresh_from_db()
    return job


def test_an_export_job_stores_one_workbook_only_its_owner_downloads(
    catalog, jiaxing, jiaxing_reviewer, pinghu_reporter, media, client,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    job = _export(jiaxing_reviewer, jiaxing, django_capture_on_commit_callbacks)
    assert (job.state, job.progress, job.error) == (JobState.DONE, 100, "")
    assert job.result_name == "嘉兴市_2024_data_export.xlsx"
    files = list((media / "jobs" / str(job.pk)).iterdir())
    assert [file.name for file in files] == ["result.xlsx"]
    assert len(read(files[0])["All data"]) == 5

    url = reverse("programs:job_download", args=[job.pk])
    client.force_login(jiaxing_reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert quote("嘉兴市_2024_data_export.xlsx") in response["Content-Disposition"]
    download = media / "download.xlsx"
    download.write_bytes(b"".join(response.streaming_content))  # the client closes the file
    assert len(read(download)["All data"]) == 5

    client.force_login(pinghu_reporter)
    assert client.get(url).status_code == 404


def test_running_an_export_job_again_leaves_one_file(
    catalog, jiaxing, jiaxing_reviewer, media, django_capture_on_commit_callbacks
):
    job = _export(jiaxing_reviewer, jiaxing, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED)
    assert run(job.pk) == JobState.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert [file.name for file in (media / "jobs" / str(job.pk)).iterdir()] == ["result.xlsx"]


def test_an_export_of_a_region_out_of_reach_fails_with_a_reason(
    catalog, jiaxing, pinghu_reporter, media, django_capture_on_commit_callbacks
):
    job = _export(pinghu_reporter, jiaxing, django_capture_on_commit_callbacks)
    assert job.state == JobState.FAILED
    assert job.error == "You can no longer see this region's figures."
    assert not job.result
    assert not (media / "jobs").exists()


def test_an_export_job_of_someone_without_any_region_fails(
    catalog, jiaxing, media, django_capture_on_commit_callbacks
):
    job = _export(UserFactory(username="nobody"), jiaxing, django_capture_on_commit_callbacks)
    assert job.state == JobState.FAILED
    assert job.error


def test_a_membership_without_its_sub_regions_exports_none_of_theirs(catalog, jiaxing, tmp_path):
    city_only = MembershipFactory(region=jiaxing, includes_subregions=False).user
    path = tmp_path / "export.xlsx"
    write_export(user=city_only, region=jiaxing, year_from=2023, year_to=2024, path=path)
    codes = {row["Region code"] for row in read(path)["All data"]}
    assert codes == {jiaxing.code}
