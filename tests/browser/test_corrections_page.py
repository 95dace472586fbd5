"""The correction log in a browser: /corrections/ and an indicator page with a correction, at a
desktop's and a phone's width, in Chinese and English: the page never scrolls sideways (the
table scrolls in its own focusable region) and axe finds no serious violation."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs import services
from programs.models import Indicator

from .axe import axe_violations
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def corrected(skills_plan, gangqu, open_2024, gangqu_reporter, jiaxing_reviewer):
    indicator = Indicator.objects.get(code="HIGH_SKILLED_NEW")
    report = None
    for value in ("210", "213"):
        report = services.report_save(
            user=gangqu_reporter,
            indicator=indicator,
            region=gangqu,
            period=open_2024,
            change=services.Change(value=Decimal(value)),
            version=report.version if report else None,
        )
        report = services.report_submit(user=gangqu_reporter, report=report)
        report = services.report_approve(user=jiaxing_reviewer, report=report)
        if value == "210":
            report = services.report_reopen(
                user=jiaxing_reviewer,
                report=report,
                reason="统计口径调整：补录2024年12月认定的3名高技能人才，数据来源为市人社局复核名单",
            )
    return report


@pytest.mark.parametrize("width", [1366, 375])
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_correction_log_reads_at_every_width(live_server, browser, corrected, width, language):
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    indicator_url = reverse("public:indicator", args=["HIGH_SKILLED_NEW"])
    pages = {
        "corrections": reverse("public:corrections"),
        "indicator": f"{indicator_url}?region=3304Z01&year=2024",
    }
    heading = "更正记录" if language == "zh-CN" else "Corrections"
    try:
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            table = page.locator("table.corrections")
            expect(table).to_contain_text("213")
            expect(table).to_contain_text("统计口径调整")
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            # Measured before the full-page screenshot, which resizes the viewport (and the chart).
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            violations = axe_violations(page)
            screenshot(page, f"corrections-{name}-{language}-{width}", full_page=True)
            assert overflow <= 0, f"{path} scrolls sideways at {width} px"
            assert violations == []
    finally:
        context.close()
