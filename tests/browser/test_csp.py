"""The Content-Security-Policy in Chromium: the pages work under it and it blocks nothing of ours.

Every violation is collected twice: as `securitypolicyviolation` events (recorded by a script
that Playwright adds to each document; such scripts are not subject to the page's policy) and as
console errors.
"""

import pytest
from playwright.sync_api import expect

from programs.demo_data import DEMO_PASSWORD
from programs.models import Program

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} ` +
                    `at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
});
"""


@pytest.fixture
def csp_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: record_error(page, message))
    yield page
    context.close()


def record_error(page, message) -> None:
    # Chromium asks for /favicon.ico, which the site does not serve, in its own time: the 404 lands
    # on whichever page is open then (which test failed depended on the order and timing). It is
    # no script, style or data of the pages, so nothing the policy could block.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        page.console_errors.append(message.text)


def violations(page) -> list[str]:
    """What the policy blocked on the current document, and every console error so far."""
    return page.evaluate("window.__csp") + page.console_errors


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()


def test_the_policy_is_enforced(live_server, csp_page, demo):
    """The harness can fail: an inline script added to a page is blocked and reported."""
    csp_page.goto(f"{live_server.url}/")
    blocked = csp_page.evaluate(
        """() => { window.ran = false; const s = document.createElement("script");
                   s.textContent = "window.ran = true"; document.body.append(s);
                   return window.ran; }"""
    )
    assert blocked is False
    assert any("script-src" in v for v in violations(csp_page))


def test_public_pages_and_their_charts_run_under_the_policy(live_server, csp_page, demo):
    for path in ("/regions/3304Z01/?year=2024", "/regions/3304/?year=2024"):
        csp_page.goto(f"{live_server.url}{path}")
        charts = csp_page.locator(".chart svg")
        expect(charts.first).to_be_visible()
        # Tooltips are built by ECharts on hover: move over every chart.
        for index in range(charts.count()):
            charts.nth(index).hover()
            csp_page.mouse.move(5, 5)
        bar = csp_page.locator("meter.bar").first
        if path.startswith("/regions/3304Z01/"):
            assert float(bar.get_attribute("value")) > 0
        assert violations(csp_page) == [], path

    for path in ("/", "/regions/?q=嘉兴", "/indicators/SKILLED_NEW/?region=3304&year=2024"):
        csp_page.goto(f"{live_server.url}{path}")
        csp_page.wait_for_load_state("networkidle")
        assert violations(csp_page) == [], path
    program = Program.objects.filter(name__contains="五大计划").first()
    csp_page.goto(f"{live_server.url}/programs/{program.pk}/")
    assert violations(csp_page) == []


def test_the_api_docs_render_their_operations_under_the_policy(live_server, csp_page, demo):
    csp_page.goto(f"{live_server.url}/api/docs/")
    expect(csp_page.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert csp_page.locator(".opblock").count() > 5
    csp_page.locator(".opblock-summary").first.click()
    expect(csp_page.locator(".opblock-body").first).to_be_visible()
    assert violations(csp_page) == []


def test_signed_in_pages_and_the_admin_run_under_the_policy(live_server, csp_page, demo):
    sign_in(csp_page, live_server, "gangqu")
    assert violations(csp_page) == []
    csp_page.locator("a[href*='/entry/']").first.click()
    grid_input = csp_page.get_by_label("职业技能培训人数", exact=True)
    expect(grid_input).to_be_visible()
    csp_page.wait_for_load_state()  # entry.js has run: the keys below go through it
    grid_input.fill("12")
    csp_page.keyboard.press("Enter")  # entry.js moves down and recomputes the completion
    assert violations(csp_page) == []
    for path in ("/reports/", "/jobs/", "/notifications/"):
        csp_page.goto(f"{live_server.url}{path}")
        csp_page.wait_for_load_state("networkidle")
        assert violations(csp_page) == [], path
    csp_page.get_by_role("button", name="退出").click()

    csp_page.goto(f"{live_server.url}/admin/")
    csp_page.get_by_label("用户名").fill("catalog")
    csp_page.get_by_label("密码").fill(DEMO_PASSWORD)
    csp_page.get_by_role("button", name="登录").click()
    expect(csp_page.locator("#site-name")).to_be_visible()
    assert violations(csp_page) == []
    csp_page.locator("tr.model-program").get_by_role("link", name="人才计划").click()
    csp_page.get_by_role("link", name="嘉兴港区人才工作“五大计划”(2024)").click()
    expect(csp_page.locator("table.program-targets")).to_be_visible()
    assert violations(csp_page) == []


def test_the_api_answers_under_the_policy(live_server, csp_page, demo):
    """The API answers JSON only (DRF's browsable pages carried inline styles): what a browser
    shows of it, anonymous and signed in, breaks no rule of the policy."""
    for path in ("/api/v1/regions/", "/api/v1/regions/3304Z01/summary/?year=2024"):
        response = csp_page.goto(f"{live_server.url}{path}")
        assert response.headers["content-type"] == "application/json", path
        assert violations(csp_page) == [], path
    sign_in(csp_page, live_server, "gangqu")
    for path in ("/api/v1/progress/", "/api/v1/progress/?page_size=1"):
        response = csp_page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        assert response.headers["content-type"] == "application/json", path
        assert violations(csp_page) == [], path


def test_an_admin_history_page_runs_under_the_policy(live_server, csp_page, demo):
    """simple-history's list of versions had an inline style (templates/simple_history/)."""
    from programs.models import Target

    target = Target.objects.filter(region__code="3304Z01").first()
    target.value += 1
    target.save()  # a second version, so that the list has something to page
    csp_page.goto(f"{live_server.url}/admin/")
    csp_page.get_by_label("用户名").fill("catalog")
    csp_page.get_by_label("密码").fill(DEMO_PASSWORD)
    csp_page.get_by_role("button", name="登录").click()
    expect(csp_page.locator("#site-name")).to_be_visible()
    csp_page.goto(f"{live_server.url}/admin/programs/target/{target.pk}/history/")
    expect(csp_page.locator("#change-history")).to_be_visible()
    assert csp_page.locator("#change-history tbody tr").count() >= 2
    expect(csp_page.locator("p.paginator")).to_be_visible()
    assert violations(csp_page) == []
    csp_page.locator("#change-history tbody a").first.click()  # a version's page
    expect(csp_page.locator("#content-main form")).to_be_visible()
    assert violations(csp_page) == []
