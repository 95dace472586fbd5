"""The officials' round in a real browser: fill, submit, return, fix, resubmit, approve."""

import pytest
from playwright.sync_api import expect

from programs.models import ProgressReport

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="退出").click()


def test_the_yearly_round(live_server, page, skills_plan, gangqu_reporter, jiaxing_reviewer):
    for user in (gangqu_reporter, jiaxing_reviewer):
        user.set_password(PASSWORD)
        user.save()

    # The reporter fills the 2024 grid, moving down with Enter, and submits everything.
    sign_in(page, live_server, "gangqu")
    page.get_by_role("link", name="嘉兴港区 · 2024年").click()
    expect(page.get_by_role("caption")).to_have_text("五大计划")
    # The table shows before entry.js (at the end of the page) has run: typing earlier, on a busy
    # machine, lost the Enter moves and the live completion. Type once the page has loaded.
    page.wait_for_load_state()
    page.get_by_label("职业技能培训人数", exact=True).fill("1200")
    page.keyboard.press("Enter")
    page.keyboard.type("950")
    page.keyboard.press("Enter")
    page.keyboard.type("380")
    expect(page.locator("tr", has_text="职业技能培训人数").locator(".completion")).to_have_text(
        "120.0%"
    )
    screenshot(page, "round-1-grid-filled", full_page=True)
    page.get_by_role("button", name="保存并全部提交").click()
    expect(page.get_by_role("status")).to_contain_text("已提交 3 项")
    sign_out(page)

    # The reviewer returns one value with a comment and approves the others.
    sign_in(page, live_server, "jiaxing")
    page.get_by_role("link", name="2024年").first.click()
    row = page.locator("tr.review-row", has_text="新增高技能人才")
    row.get_by_label("审核意见").fill("请核实高技能人才口径。")
    row.get_by_role("button", name="退回").click()
    expect(page.get_by_role("status")).to_contain_text("已审核 1 项")
    screenshot(page, "round-2-review", full_page=True)
    page.get_by_role("button", name="全部通过").click()
    sign_out(page)

    # The reporter sees the return first, fixes the value and resubmits it.
    sign_in(page, live_server, "gangqu")
    expect(page.get_by_role("note")).to_contain_text("请核实高技能人才口径。")
    page.get_by_role("link", name="嘉兴港区 · 2024年").click()
    fixed = page.locator("tr", has_text="新增高技能人才")
    fixed.get_by_label("新增高技能人才", exact=True).fill("410")
    fixed.get_by_label("选择 新增高技能人才").check()
    page.get_by_role("button", name="保存并提交所选").click()
    expect(page.get_by_role("status")).to_contain_text("已提交 1 项")
    sign_out(page)

    # The reviewer approves it; every figure is approved, with its history.
    sign_in(page, live_server, "jiaxing")
    page.get_by_role("link", name="2024年").first.click()
    page.locator("tr.review-row", has_text="新增高技能人才").get_by_role(
        "button", name="通过"
    ).click()
    expect(page.get_by_text("本周期没有待审核的数据。")).to_be_visible()
    screenshot(page, "round-3-approved")

    states = dict(ProgressReport.objects.values_list("indicator__code", "state"))
    assert states == {
        "VT_TRAINED": "approved",
        "SKILLED_NEW": "approved",
        "HIGH_SKILLED_NEW": "approved",
    }
    fixed_report = ProgressReport.objects.get(indicator__code="HIGH_SKILLED_NEW")
    assert fixed_report.value == 410
    assert [h.state for h in fixed_report.history.order_by("history_id")] == [
        "draft",
        "submitted",
        "returned",
        "draft",
        "submitted",
        "approved",
    ]
