"""A township's lower bound ("5,200余") carried up to its county, city and province: the roll-ups
are lower bounds too, and every place that shows them says so — the region page's cards, ranking
and chart tables, the open API, the downloads (是/否, never True/False) and the Word report.
Completion and growth computed from a lower bound are bounds as well ("≥104.0%", "至少104%")."""

import csv
import io
from decimal import Decimal

import docx
import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from programs import dashboard, figures
from programs.choices import Comparator, ReportState, RollupRule
from programs.exports.workbook import write_export
from programs.exports.year_report import write_year_report
from regions.choices import RegionLevel
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    RegionFactory,
    ReportFactory,
    TargetFactory,
    UserFactory,
    tracked_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """94 province > 9401 city > 940101 county > 940101001 township; only the township reports,
    5,200 people as "5,200余", against a target of 5,000; the province's target is 4,000."""
    province = RegionFactory(code="94", name="北辰省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="9401", name="南岭市", parent=province, level=RegionLevel.CITY)
    county = RegionFactory(code="940101", name="青溪县", parent=city, level=RegionLevel.COUNTY)
    township = RegionFactory(
        code="940101001", name="白石镇", parent=county, level=RegionLevel.TOWNSHIP
    )
    indicator = IndicatorFactory(
        code="LB_TRAINED", name="培训人数", unit="人", rollup=RollupRule.SUM
    )
    tracked_in(province, indicator)
    year = PeriodFactory(year=2025)
    TargetFactory(indicator=indicator, region=province, period=year, value=Decimal(4000))
    TargetFactory(indicator=indicator, region=township, period=year, value=Decimal(5000))
    ReportFactory(
        region=township,
        indicator=indicator,
        period=year,
        value=Decimal(5200),
        is_lower_bound=True,
        state=ReportState.APPROVED,
    )
    return {"province": province, "city": city, "county": county, "township": township}


def visitor(language: str) -> Client:
    return Client(headers={"accept-language": language}, HTTP_ACCEPT_LANGUAGE=language)


def page(code: str, language: str = "zh-hans") -> str:
    response = visitor(language).get(f"/regions/{code}/", {"year": 2025})
    assert response.status_code == 200
    return response.content.decode()


# --- The figures ----------------------------------------------------------------------------------


def test_the_mark_follows_the_language():
    with translation.override("zh-hans"):
        assert figures.figure_text(Decimal(5200), lower_bound=True) == "5,200余"
    with translation.override("en"):
        assert figures.figure_text(Decimal(5200), lower_bound=True) == "5,200+"
        assert figures.figure_text(Decimal(5200)) == "5,200"
        assert figures.figure_text(None, lower_bound=True) == "—"


@pytest.mark.parametrize(
    ("lower_bound", "comparator", "bound"),
    [
        (False, Comparator.GTE, ""),
        (True, Comparator.GTE, "≥"),  # actual/target, the true actual at least the figure
        (True, Comparator.EQ, "≥"),
        (True, Comparator.LTE, "≤"),  # target/actual for a ceiling: at most
        (True, None, ""),
    ],
)
def test_a_completion_from_a_lower_bound_is_bounded(lower_bound, comparator, bound):
    assert figures.completion_bound(is_lower_bound=lower_bound, comparator=comparator) == bound


@pytest.mark.parametrize(
    ("this_year", "last_year", "bound"),
    [(False, False, ""), (True, False, "≥"), (False, True, "≤"), (True, True, "≈")],
)
def test_a_growth_from_a_lower_bound_is_bounded(this_year, last_year, bound):
    assert (
        figures.growth_bound(is_lower_bound=this_year, last_year_is_lower_bound=last_year) == bound
    )


def test_the_roll_up_is_a_lower_bound_at_every_level(tree):
    for level in ("county", "city", "province"):
        figure = next(iter(dashboard.region_summary(tree[level], 2025).figures.values()))
        assert (figure.value, figure.rollup, figure.rollup_is_lower_bound) == (None, 5200, True)


# --- The region page ------------------------------------------------------------------------------


def test_the_province_card_and_ranking_mark_the_roll_up(tree):
    html = page("94")
    card = html.split('class="figure-card', 1)[1].split("</article>", 1)[0]
    assert "下级汇总" in card and '5,200余 <span class="unit">人</span>' in card
    ranking = html.split('<table class="ranking">', 1)[1].split("</table>", 1)[0]
    # 南岭市 has no figure of its own: no place, and its sub-regions combined beside it.
    assert "南岭市" in ranking and '<span title="至少">5,200余 人</span>' in ranking
    english = page("94", "en")
    assert "5,200+ 人" in english and "5,200余" not in english


@pytest.mark.parametrize("code", ["940101", "9401"])
def test_the_county_and_city_pages_mark_the_roll_up(tree, code):
    html = page(code)
    assert "5,200余" in html
    assert "5,200 人" not in html  # nowhere as an exact figure


def test_completion_from_a_lower_bound_is_at_least(tree):
    html = page("940101001")
    assert "≥104.0%" in html  # 5,200+ against 5,000
    assert "5,200余" in html


def test_the_chart_tables_keep_the_mark(tree):
    html = page("940101001", "en")
    tables = html.split("<details>")[1:]
    assert tables and all("5,200+" in t.split("</details>", 1)[0] for t in tables)


# --- The open API ---------------------------------------------------------------------------------


def test_the_api_flags_the_roll_up_and_the_bounds(tree):
    for code in ("940101", "9401", "94"):
        data = visitor("en").get(f"/api/v1/regions/{code}/summary/", {"year": 2025}).json()
        (item,) = data["figures"]
        assert (Decimal(item["rollup"]), item["rollup_is_lower_bound"]) == (5200, True)
        assert item["is_lower_bound"] is False
    township = visitor("en").get("/api/v1/regions/940101001/summary/", {"year": 2025}).json()
    (item,) = township["figures"]
    assert item["is_lower_bound"] is True and item["rollup_is_lower_bound"] is False
    assert item["completion_bound"] == "≥" and item["growth_bound"] == "≥"


def test_the_schema_documents_the_flag(tree):
    schema = visitor("en").get("/api/schema/").content.decode()
    assert "rollup_is_lower_bound" in schema and "completion_bound" in schema


# --- Downloads ------------------------------------------------------------------------------------


def test_the_csv_writes_words_and_the_roll_ups_bound(tree):
    params = {"region": "94", "year": 2025, "_export": "csv"}
    text = visitor("en").get("/indicators/LB_TRAINED/", params).content.decode()
    (row,) = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    assert row["Region code"] == "9401"
    assert row["Lower bound"] == "No"
    assert (row["Sub-regions combined"], row["Sub-regions combined: lower bound"]) == (
        "5200",
        "Yes",
    )
    chinese = visitor("zh-hans").get("/indicators/LB_TRAINED/", params).content.decode()
    assert "True" not in chinese and "False" not in chinese
    assert ",否," in chinese and ",是" in chinese


def test_the_workbook_writes_yes_and_no(tree, tmp_path):
    exact = ReportFactory(
        region=tree["county"],
        indicator=IndicatorFactory(code="LB_EXACT"),
        period=PeriodFactory(year=2025),
        value=Decimal(7),
        is_lower_bound=False,
        state=ReportState.APPROVED,
    )
    tracked_in(tree["province"], exact.indicator)
    path = tmp_path / "export.xlsx"
    with translation.override("zh-hans"):
        write_export(
            user=UserFactory(is_superuser=True),
            region=tree["province"],
            year_from=2025,
            year_to=2025,
            path=path,
        )
    sheet = load_workbook(path).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    column = header.index("下限值")
    by_code = {row[header.index("指标编码")]: row[column] for row in rows}
    assert by_code == {"LB_TRAINED": "是", "LB_EXACT": "否"}


# --- The Word report ------------------------------------------------------------------------------


def test_the_word_report_marks_the_roll_up_and_the_bounded_completion(tree, tmp_path, settings):
    settings.REPORT_CJK_FONT = str(tmp_path / "no-such-font.ttc")  # charts as tables
    path = tmp_path / "province.docx"
    with translation.override("zh-hans"):
        write_year_report(region=tree["province"], year=2025, path=path)
    cells = [
        [cell.text for cell in row.cells]
        for table in docx.Document(str(path)).tables
        for row in table.rows
    ]
    # The province's only city: no place (one is not a ranking), 5,200余 combined below it.
    assert ["南岭市", "—", "5,200余"] in cells

    township = tmp_path / "township.docx"
    with translation.override("zh-hans"):
        write_year_report(region=tree["township"], year=2025, path=township)
    document = docx.Document(str(township))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert any(row[:5] == ["培训人数", "人", "5,000", "5,200余", "≥104%"] for row in rows)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "至少104%" in text


# --- The indicator page ---------------------------------------------------------------------------


def test_the_indicator_page_marks_the_roll_up_and_the_bounded_completion(tree):
    under_province = visitor("zh-hans").get(
        "/indicators/LB_TRAINED/", {"region": "94", "year": 2025}
    )
    table = under_province.content.decode().split('<table class="ranking">', 1)[1]
    assert '5,200余 <span class="unit">人</span>' in table.split("</table>", 1)[0]
    under_county = visitor("en").get("/indicators/LB_TRAINED/", {"region": "940101", "year": 2025})
    table = under_county.content.decode().split('<table class="ranking">', 1)[1]
    assert "≥104.0%" in table.split("</table>", 1)[0]


@pytest.mark.parametrize(
    ("items", "bound"),
    [
        ([(Decimal("0.9"), ""), (Decimal("1.2"), "≥")], ""),  # a capped 100% stays 100%
        ([(Decimal("0.9"), "≥"), (Decimal("1.2"), "")], "≥"),
        ([(Decimal("1.2"), "≤")], "≤"),
        ([(Decimal("0.9"), "≥"), (Decimal("1.2"), "≤")], "≈"),
        ([(None, "≥")], ""),
    ],
)
def test_a_plans_completion_over_lower_bounds_is_bounded(items, bound):
    assert figures.plan_completion_bound(items) == bound


def test_the_region_page_bounds_the_plans_completion(tree):
    # The township's 5,200余 of a 5,000 target is capped at 100%: exact. Raise the target.
    from django.core.cache import cache

    from programs.models import Indicator, Target

    cache.clear()  # the page as another test cached it, before this target changed

    Target.objects.filter(region=tree["township"]).update(value=Decimal(6500))
    tracked_in(tree["township"], Indicator.objects.get(code="LB_TRAINED"))  # its own plan
    html = page("940101001")
    assert "≥80.0%" in html  # the card and the plan's completion alike
    assert html.count("≥80.0%") >= 2
