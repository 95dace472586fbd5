"""The officials' round on `make run`'s demo data, with the demo accounts."""

import pytest
from playwright.sync_api import expect

from programs.demo_data import DEMO_PASSWORD
from programs.models import ProgressReport

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()


def test_the_demo_reporter_fixes_the_returned_figure_and_the_reviewer_approves(
    live_server, page, demo
):
    sign_in(page, live_server, "gangqu")
    note = page.get_by_role("note").first
    expect(note).to_contain_text("请核实")
    screenshot(page, "demo-1-my-tasks")
    page.locator(".task-card.has-returned h3 a").click()
    row = page.locator("tr", has_text="新增高技能人才")
    row.get_by_label("新增高技能人才", exact=True).fill("460")
    row.get_by_label("备注 新增高技能人才").fill("含港区企业新取证人员")
    row.get_by_label("选择 新增高技能人才").check()
    page.get_by_role("button", name="保存并提交所选").click()
    expect(page.get_by_role("status")).to_contain_text("已提交 1 项")
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_server, "jiaxing")
    page.get_by_role("link", name="审核", exact=True).click()
    page.locator("main ul a").first.click()
    page.get_by_role("button", name="全部通过").click()
    expect(page.get_by_role("status")).to_contain_text("已审核")
    screenshot(page, "demo-2-reviewed")

    fixed = ProgressReport.objects.get(
        region__code="3304Z01",
        indicator__code="HIGH_SKILLED_NEW",
        state="approved",
        note="含港区企业新取证人员",
    )
    assert fixed.value == 460
