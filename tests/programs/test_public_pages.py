"""The public dashboards: figures against hand computation, approved data only, speed, cache."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from programs import dashboard, services
from programs.choices import ReportState, Status
from programs.models import Indicator, ProgressReport
from regions.models import Region
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory

pytestmark = pytest.mark.django_db

NOVEMBER_2026 = date(2026, 11, 22)


@pytest.fixture
def demo(shared_demo):
    """The tests here only read the demo: it is loaded once for them (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def figure(summary, code):
    return next(f for f in summary.figures.values() if f.indicator.code == code)


def test_the_ports_2024_figures_by_hand(demo):
    port = Region.objects.get(code="3304Z01")
    summary = dashboard.region_summary(port, 2024, today=NOVEMBER_2026)
    trained = figure(summary, "VT_TRAINED")
    assert (trained.value, trained.target.value) == (1200, 1000)
    assert trained.completion.ratio == Decimal("1.2") and trained.completion.met
    assert round(trained.growth, 4) == Decimal("0.1538")  # 1,200 after 1,040
    skilled = figure(summary, "SKILLED_NEW")
    assert skilled.completion.ratio == Decimal("1.1875")
    assert round(skilled.growth, 4) == Decimal("0.6102")  # 950 after 590: +61.02%
    assert (skilled.rank, skilled.ranked) == (8, 8)  # last of 嘉兴市's seven counties and the zone
    high = figure(summary, "HIGH_SKILLED_NEW")
    assert (high.completion.ratio, high.completion.met, high.badge) == (
        Decimal("0.95"),
        False,
        Status.NOT_MET,
    )


def test_the_citys_roll_up_leaves_out_the_zone_counted_in_its_county(demo):
    city = Region.objects.get(code="3304")
    summary = dashboard.region_summary(city, 2024, today=NOVEMBER_2026)
    skilled = figure(summary, "SKILLED_NEW")
    counties = 2350 + 2050 + 1620 + 1380 + 2710 + 2050 + 2500  # not the zone's 950
    assert skilled.rollup == counties == 14660
    assert skilled.value == 14700  # the city's own reported figure, shown beside the roll-up
    ranking = summary.child_ranking(skilled.indicator.pk)
    assert [(p.region.code, p.rank) for p in ranking[:2]] == [("330481", 1), ("330483", 2)]


def test_ties_share_a_place(gangqu, pinghu, nanhu):
    indicator = IndicatorFactory(code="X")
    period = PeriodFactory(year=2024)
    for region, value in ((gangqu, 5), (pinghu, 7), (nanhu, 7)):
        ReportFactory(
            indicator=indicator, region=region, period=period, value=value, state="approved"
        )
    summary = dashboard.region_summary(gangqu.parent, 2024)
    places = [(p.region.code, p.rank) for p in summary.child_ranking(indicator.pk)]
    assert places == [("330402", 1), ("330482", 1), ("3304Z01", 3)]


def test_a_lower_bound_keeps_its_mark_in_the_ranking(gangqu, pinghu, client):
    """ "300余" is 300+ on the region page's ranking, as on its card and the indicator page."""
    indicator = IndicatorFactory(code="X", unit="人")
    period = PeriodFactory(year=2024)
    for region, value, lower in ((gangqu, 300, True), (pinghu, 500, False)):
        ReportFactory(
            indicator=indicator,
            region=region,
            period=period,
            value=value,
            is_lower_bound=lower,
            state="approved",
        )
    summary = dashboard.region_summary(gangqu.parent, 2024)
    ranking = [
        (p.region.code, p.value, p.rank, p.is_lower_bound)
        for p in summary.child_ranking(indicator.pk)
    ]
    # Best first, but no places: fewer than three sub-regions have a figure.
    assert ranking == [("330482", 500, None, False), ("3304Z01", 300, None, True)]
    url = reverse("public:region", args=["3304"]) + "?year=2024&compare=X"
    page = client.get(url).content.decode()
    ranking_table = page.split('<table class="ranking">', 1)[1].split("</table>", 1)[0]
    assert ">300余 人</span>" in ranking_table and ">500 人</span>" in ranking_table


def test_only_approved_values_are_public_in_every_state(gangqu, client):
    period = PeriodFactory(year=2024)
    values = {"draft": 111, "submitted": 222, "returned": 333, "approved": 444}
    for state, value in values.items():
        ReportFactory(
            indicator=IndicatorFactory(code=f"IND_{state}", name=f"指标{state}"),
            region=gangqu,
            period=period,
            value=value,
            state=state,
        )
    summary = dashboard.region_summary(gangqu, 2024)
    shown = {f.indicator.code: f.value for f in summary.figures.values()}
    assert shown == {"IND_approved": 444}
    page = client.get(reverse("public:region", args=[gangqu.code]) + "?year=2024")
    text = page.content.decode()
    assert "444" in text
    for hidden in ("111", "222", "333"):
        assert hidden not in text


def test_every_public_page_answers_an_anonymous_visitor(demo, client):
    port = Region.objects.get(code="3304Z01")
    program = port.programs.get()
    for url in (
        reverse("public:home"),
        reverse("public:region_search") + "?q=嘉兴",
        reverse("public:region", args=["3304Z01"]) + "?year=2024",
        reverse("public:region", args=["3304"]) + "?year=2024&compare=SKILLED_NEW",
        reverse("public:region", args=["33"]),
        reverse("public:program", args=[program.pk]) + "?year=2024",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("public:region", args=["nowhere"])).status_code == 404
    assert client.get(reverse("public:program", args=[99999])).status_code == 404


def test_the_region_page_shows_targets_completion_growth_and_rank(demo, client):
    url = reverse("public:region", args=["3304Z01"]) + "?year=2024"
    page = " ".join(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode().split())
    for text in ("≥ 1,000 人", "≥ 800 人", "≥ 400 人", "120.0%", "+15.4%", "+61.0%", "嘉兴市"):
        assert text in page


def test_the_region_page_costs_a_fixed_number_of_queries(
    demo, client, django_assert_max_num_queries
):
    for code in ("3304Z01", "3304", "33"):
        cache.clear()
        with django_assert_max_num_queries(8):
            assert (
                client.get(reverse("public:region", args=[code]) + "?year=2024").status_code == 200
            )


def test_a_cached_page_costs_no_query(demo, client, django_assert_num_queries):
    url = reverse("public:region", args=["3304Z01"]) + "?year=2024"
    client.get(url)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Cache"] == "hit"


def test_an_approval_shows_on_the_cached_page_at_once(
    gangqu,
    gangqu_reporter,
    jiaxing_reviewer,
    open_2024,
    skills_plan,
    client,
    django_capture_on_commit_callbacks,
):
    url = reverse("public:region", args=[gangqu.code]) + "?year=2024"
    assert "1,234" not in client.get(url).content.decode()  # now cached
    trained = Indicator.objects.get(code="VT_TRAINED")
    report = ReportFactory(
        indicator=trained,
        region=gangqu,
        period=open_2024,
        value=1234,
        state=ReportState.SUBMITTED,
        submitted_by=gangqu_reporter,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(user=jiaxing_reviewer, report=report)
    assert "1,234" in client.get(url).content.decode()


def test_elder_mode_is_remembered_and_switched_off_again(demo):
    client = Client()
    url = reverse("public:region", args=["3304Z01"])
    response = client.post(reverse("public:elder_mode"), {"on": "1", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert 'class="elder"' in client.get(url).content.decode()
    client.post(reverse("public:elder_mode"), {"on": "0", "next": url})
    assert 'class="elder"' not in client.get(url).content.decode()


def test_the_language_switch_works_on_cached_pages_and_refuses_foreign_redirects(demo):
    client = Client()
    url = reverse("public:region", args=["3304Z01"]) + "?year=2024"
    assert "目标" in client.get(url).content.decode()
    response = client.post(reverse("public:language"), {"language": "en", "next": url})
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert '<html lang="en"' in page and "Target" in page
    away = client.post(
        reverse("public:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert away["Location"] == "/"


def test_region_search_by_name_and_code(demo, client):
    by_name = client.get(reverse("public:region_search"), {"q": "平湖"}).content.decode()
    assert "平湖市" in by_name and "浙江省 › 嘉兴市" in by_name
    by_code = client.get(reverse("public:region_search"), {"q": "3304Z"}).content.decode()
    assert "嘉兴港区" in by_code


def test_the_program_page_lists_plans_measures_and_figures(demo, client):
    program = Region.objects.get(code="3304Z01").programs.get()
    page = client.get(reverse("public:program", args=[program.pk]) + "?year=2024").content.decode()
    for plan in program.plans.all():
        assert plan.name in page
    assert "打造“30分钟职业技能培训圈”" in page
    assert "1,200" in page


def test_drafts_of_the_demo_never_reach_the_public_pages(demo, client):
    hidden = ProgressReport.objects.exclude(state="approved").filter(region__code="3304Z01")
    assert hidden.exists()
    page = client.get(reverse("public:region", args=["3304Z01"])).content.decode()
    current = max(r.period.year for r in hidden)
    page = client.get(
        reverse("public:region", args=["3304Z01"]) + f"?year={current}"
    ).content.decode()
    for report in hidden.filter(period__year=current):
        assert f">{report.value:,.0f} <" not in page
