"""A catalog admin signs in and finds 嘉兴港区's 五大计划 with its 2024 targets."""

import pytest
from playwright.sync_api import expect

from programs.demo_data import DEMO_PASSWORD
from programs.models import Target

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_signs_in_and_sees_the_five_plans_and_their_targets(live_server, page, demo):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("用户名").fill("catalog")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.locator("tr.model-program").get_by_role("link", name="人才计划").click()
    page.get_by_role("link", name="嘉兴港区人才工作“五大计划”(2024)").click()
    expect(page.get_by_role("heading", name="嘉兴港区人才工作“五大计划”(2024)")).to_be_visible()
    screenshot(page, "admin-program-five-plans")

    for plan in [
        "凝心铸魂强政治计划",
        "激励保护强担当计划",
        "聚才暖企强驱动计划",
        "优培赋能强提升计划",
        "服务增值强改革计划",
    ]:
        expect(page.locator(f"input[value='{plan}']")).to_have_count(1)
    targets = page.locator("table.program-targets")
    for value in ("≥ 1,000 人", "≥ 800 人", "≥ 400 人"):
        expect(targets.get_by_text(value)).to_be_visible()
    program_targets = Target.objects.filter(plan__program__name__contains="五大计划").count()
    expect(targets.get_by_text("越高越好")).to_have_count(program_targets)
