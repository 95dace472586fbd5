"""Print and share in Chromium: the region page of the demo on A4 without the screen's controls, the
copy-link button and the QR code, all under the Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_csp import RECORD_VIOLATIONS, record_error, violations

pytestmark = pytest.mark.django_db(transaction=True)

REGION = "/regions/3304/?year=2024"
RECORD_PRINT = (
    "window.__print = []; ['beforeprint', 'afterprint'].forEach((e) => "
    "window.addEventListener(e, () => window.__print.push(e)));"
)
HIDDEN_IN_PRINT = (
    ".site-header",
    ".site-nav",
    ".elder-switch",
    ".language-switch",
    ".year-switch",
    ".page-tools",
    "[data-print]",
    "main form",
)


def new_page(browser, width: int):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.add_init_script(RECORD_VIOLATIONS)
    context.add_init_script(RECORD_PRINT)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: record_error(page, message))
    return page


def display(page, selector: str) -> str:
    return page.evaluate(f"getComputedStyle(document.querySelector({selector!r})).display")


def test_the_region_page_prints_on_a4_without_its_controls(live_server, browser, demo):
    page = new_page(browser, 1280)
    page.goto(f"{live_server.url}{REGION}")
    expect(page.locator(".chart svg").first).to_be_visible()
    expect(page.get_by_role("button", name="打印")).to_be_visible()  # shown by share.js
    expect(page.locator(".print-only")).to_be_hidden()

    page.emulate_media(media="print")
    for selector in HIDDEN_IN_PRINT:
        assert display(page, selector) == "none", selector
    assert display(page, ".print-only") == "block"
    printed = page.locator(".print-only").inner_text()
    assert re.fullmatch(r"http\S+/regions/3304/\?year=2024 · 数据截至 \d{4}-\d\d-\d\d", printed)
    # The tables of the charts are printed open.
    assert display(page, "details:not(.share) table") != "none"

    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "print-region-3304.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 2  # the whole page, not its first screen
    # A4 is 595 x 842 points.
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]\.\d* 84[12]\.\d*\s*\]", pdf)
    # Redrawn for the page's width before printing, and back to the screen's after.
    assert page.evaluate("window.__print") == ["beforeprint", "afterprint"]
    assert page.locator(".chart").first.bounding_box()["width"] > 1000
    assert violations(page) == []

    # The zone's page, with the chart of target and actual, for a look (test-artifacts/).
    page.goto(f"{live_server.url}/regions/3304Z01/?year=2024")
    expect(page.locator(".chart svg").first).to_be_visible()
    (ARTIFACTS / "print-region-3304Z01.pdf").write_bytes(page.pdf(format="A4"))
    assert violations(page) == []
    page.context.close()


def test_the_share_panel_copies_the_link_and_shows_the_qr_code(live_server, browser, demo):
    page = new_page(browser, 375)
    page.goto(f"{live_server.url}{REGION}")
    page.get_by_text("分享", exact=True).click()
    address = page.get_by_label("本页地址")
    expect(address).to_be_visible()
    page.get_by_role("button", name="复制链接").click()
    expect(page.get_by_role("status")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == address.input_value()
    assert address.input_value().endswith("/regions/3304/?year=2024")
    qr = page.get_by_alt_text("本页地址的二维码")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll
    screenshot(page, "share-panel-375", full_page=False)
    assert violations(page) == []
    page.context.close()
