"""The data-entry grid on a phone: 375 px wide, no sideways scrolling, inputs reachable."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_grid_fits_a_phone(
    live_server, browser, skills_plan, gangqu, open_2024, gangqu_reporter
):
    gangqu_reporter.set_password("correct-horse-battery")
    gangqu_reporter.save()
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("用户名").fill("gangqu")
    page.get_by_label("密码").fill("correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    url = reverse("programs:grid", args=[gangqu.code, open_2024.pk, skills_plan.program.pk])
    page.goto(f"{live_server.url}{url}")
    value = page.get_by_label("职业技能培训人数", exact=True)
    expect(value).to_be_visible()
    value.fill("1200")
    expect(page.locator("tr", has_text="职业技能培训人数").locator(".completion")).to_have_text(
        "120.0%"
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, "phone-grid", full_page=True)
    context.close()
    assert overflow <= 0
