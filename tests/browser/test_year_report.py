"""The issue's "done when": an official clicks 生成年度报告 for 嘉兴港区 2024 and downloads it."""

import pytest
from docx import Document
from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import screenshot
from .test_demo_round import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_official_generates_and_downloads_the_year_end_report(
    live_server, page, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    sign_in(page, live_server, "gangqu")
    page.goto(f"{live_server.url}/regions/3304Z01/?year=2024")
    page.get_by_role("button", name="生成年度报告").click()

    expect(page.get_by_role("heading", name="任务与导出", exact=True)).to_be_visible()
    row = page.locator("tr", has_text="嘉兴港区")
    expect(row.locator(".job-state")).to_have_text("已完成")
    screenshot(page, "year-report-job-done")
    assert axe_violations(page) == []
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    assert "嘉兴港区" in download.suggested_filename
    saved = tmp_path / "report.docx"
    download.save_as(saved)
    text = "\n".join(p.text for p in Document(saved).paragraphs)
    assert "嘉兴港区" in text and "1,200" in text and "120%" in text
