"""Importing a catalog workbook: the job saves all or nothing, and a second run changes nothing."""

from decimal import Decimal

import pytest

from programs.catalog_import import TARGETS
from programs.choices import Comparator, JobKind, JobState
from programs.jobs import JobFailed
from programs.models import Indicator, Job, Measure, PlanIndicator, Program, ReportingPeriod, Target
from programs.services.jobs import job_start
from regions.models import Region
from tests.programs.catalog_import.helpers import (
    as_bytes,
    confirm,
    counts,
    import_file,
    jiaxing_workbook,
    sheet_of,
    upload,
    uploads,
)

pytestmark = pytest.mark.django_db


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
