"""The catalog import's dry run warns where the targets, as the file would leave them, do not
cascade; the warnings never stop the import."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.catalog_import import TARGETS
from programs.choices import JobState
from programs.models import Job, Target
from tests.factories import TargetFactory
from tests.programs.catalog_import.helpers import (
    as_bytes,
    confirm,
    import_file,
    jiaxing_workbook,
    sheet_of,
    upload,
)

pytestmark = pytest.mark.django_db

# 嘉兴市 ≥ 10,000 (row 2) over 平湖 2,000; 嘉兴港区's 1,000 is counted in its parent, left out.
CITY_SHORT = (
    "Targets, row 2, column E: 嘉兴市 · 职业技能培训人次 · 2024: "
    "Sub-regions' targets add up to 2,000, below this region's target 10,000"
)


def test_the_dry_run_lists_the_shortfall_and_the_import_may_still_be_confirmed(
    client_en, urls, media, django_capture_on_commit_callbacks
):
    preview = upload(client_en, urls, as_bytes(jiaxing_workbook(client_en, urls)))

    assert preview.status_code == 200
    check = preview.context["check"]
    assert check.errors == []
    assert check.warning_texts() == [CITY_SHORT]
    page = preview.content.decode()
    assert "Sub-regions&#x27; targets add up to 2,000, below this region&#x27;s target 10,000" in (
        page
    )
    assert "token" in preview.context

    response = confirm(
        client_en, urls, preview.context["token"], django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    assert Job.objects.get().state == JobState.DONE
    assert Target.objects.get(region__code="3304").value == 10000


def test_the_warning_is_in_chinese_for_a_chinese_catalog_admin(
    admin_client_zh, client_en, urls, jiaxing, pinghu, gangqu
):
    content = as_bytes(jiaxing_workbook(client_en, urls))

    preview = upload(admin_client_zh, urls, content)

    [warning] = preview.context["check"].warning_texts()
    assert warning.endswith(
        "嘉兴市 · 职业技能培训人次 · 2024：下级目标合计 2,000，低于本级目标 10,000"
    )
    assert "提醒" in preview.content.decode()


def test_the_files_values_replace_the_stored_ones(catalog_admin, client_en, urls, media):
    workbook = jiaxing_workbook(client_en, urls)
    sheet = sheet_of(workbook, TARGETS)
    sheet["E2"] = 2000  # the city's own target down to 平湖's: covered
    import_file(catalog_admin, media, as_bytes(workbook))
    assert upload(client_en, urls, as_bytes(workbook)).context["check"].warnings == []

    # The file raises the city's target again: the stored 平湖 no longer covers it.
    sheet["E2"] = 2500
    preview = upload(client_en, urls, as_bytes(workbook))
    assert preview.context["check"].warning_texts() == [
        "Targets, row 2, column E: 嘉兴市 · 职业技能培训人次 · 2024: "
        "Sub-regions' targets add up to 2,000, below this region's target 2,500"
    ]

    # The file lowers 平湖's: the stored city target is short of it, with no row of the file.
    sheet["E2"] = 2000
    sheet["E3"] = 1500
    preview = upload(client_en, urls, as_bytes(workbook))
    assert preview.context["check"].warning_texts() == [
        "Targets, row 2, column E: 嘉兴市 · 职业技能培训人次 · 2024: "
        "Sub-regions' targets add up to 1,500, below this region's target 2,000"
    ]
    sheet.delete_rows(2)  # the city's row out of the file: its stored target is checked still
    preview = upload(client_en, urls, as_bytes(workbook))
    assert preview.context["check"].warning_texts() == [
        "嘉兴市 · 职业技能培训人次 · 2024: "
        "Sub-regions' targets add up to 1,500, below this region's target 2,000"
    ]


def test_a_stored_sibling_counts_with_the_files_targets(
    catalog_admin, client_en, urls, media, nanhu
):
    workbook = jiaxing_workbook(client_en, urls)
    import_file(catalog_admin, media, as_bytes(workbook))
    # 南湖's 8,000, set outside the file: 平湖 2,000 + 南湖 8,000 = 10,000 covers the city.
    city = Target.objects.get(region__code="3304")
    TargetFactory(indicator=city.indicator, region=nanhu, period=city.period, value=Decimal(8000))

    preview = upload(client_en, urls, as_bytes(workbook))

    assert preview.context["check"].warnings == []


def test_a_file_with_errors_has_no_warnings(client_en, urls):
    workbook = jiaxing_workbook(client_en, urls)
    sheet_of(workbook, TARGETS)["E3"] = -1

    preview = upload(client_en, urls, as_bytes(workbook))

    assert preview.status_code == 422
    assert preview.context["check"].warnings == []


def test_the_dry_run_costs_the_same_queries_with_more_targets(client_en, urls):
    workbook = jiaxing_workbook(client_en, urls)
    content = as_bytes(workbook)
    with CaptureQueriesContext(connection) as few:
        upload(client_en, urls, content)
    sheet = sheet_of(workbook, TARGETS)
    for year in (2025, 2026):
        sheet.append(["VT_TRAINING_TIMES", "3304", year, "", 10000, "", "", ""])
        sheet.append(["VT_TRAINING_TIMES", "330482", year, "", 2000, "", "", ""])
    with CaptureQueriesContext(connection) as more:
        preview = upload(client_en, urls, as_bytes(workbook))
    assert len(preview.context["check"].warnings) == 3
    assert len(more.captured_queries) == len(few.captured_queries)
