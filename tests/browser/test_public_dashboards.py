"""A visitor on the demo: 嘉兴港区's page, another year, elder mode, up to 嘉兴市, on a phone,
in English, and no serious accessibility violation on the public pages (axe-core)."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from regions.models import Region

from .axe import axe_violations
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_follows_the_port_district(live_server, page, demo):
    page.goto(f"{live_server.url}/regions/3304Z01/?year=2024")
    cards = page.locator(".figure-card")
    trained = cards.filter(has_text="职业技能培训人数")
    expect(trained).to_contain_text("1,200")
    expect(trained).to_contain_text("≥ 1,000")
    expect(trained).to_contain_text("120.0%")
    expect(trained).to_contain_text("+15.4%")
    expect(cards.filter(has_text="新增技能人才")).to_contain_text("8")
    expect(page.locator(".chart svg").first).to_be_visible()
    screenshot(page, "public-1-region-2024", full_page=True)

    page.get_by_role("navigation", name="年度").get_by_role("link", name="2023").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2023")

    page.get_by_role("button", name="老年模式").click()
    expect(page.locator("html")).to_have_class("elder")
    screenshot(page, "public-2-elder-mode")
    page.get_by_role("button", name="退出老年模式").click()
    expect(page.locator("html")).not_to_have_class("elder")

    page.get_by_role("navigation", name="当前位置").get_by_role("link", name="嘉兴市").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("嘉兴市")
    expect(page.locator("table.ranking")).to_contain_text("嘉兴港区")
    screenshot(page, "public-3-jiaxing", full_page=True)

    # What the visitor sees, downloaded: 嘉兴市's regions on new skilled workers in 2024.
    page.goto(f"{live_server.url}/indicators/SKILLED_NEW/?region=3304&year=2024")
    screenshot(page, "public-4-indicator", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert any("嘉兴港区" in row for row in rows)
    assert any(
        "平湖市" in row and any(cell.replace(",", "") == "2050" for cell in row) for row in rows
    )


def test_the_region_page_on_a_phone_in_english(live_server, browser, demo):
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(f"{live_server.url}/regions/3304Z01/?year=2024")
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", name="Headline figures")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, "public-5-phone-english", full_page=True)
    context.close()
    assert overflow <= 0


@pytest.mark.parametrize("elder", [False, True])
def test_public_pages_have_no_serious_accessibility_violation(live_server, page, demo, elder):
    program = Region.objects.get(code="3304Z01").programs.get()
    if elder:
        page.context.add_cookies([{"name": "elder", "value": "1", "url": live_server.url}])
    for path in (
        "/",
        "/regions/?q=嘉兴",
        "/regions/3304Z01/?year=2024",
        "/regions/3304/?year=2024",
        f"/programs/{program.pk}/?year=2024",
        "/indicators/VT_TRAINED/?region=3304Z01&year=2024",
        "/sitemap/",
        "/accessibility/",
        "/privacy/",
        "/help/",
        "/no-such-page/",  # the site's 404 page
    ):
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == [], path
