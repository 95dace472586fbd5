"""The public indicator page: one indicator over the years and across sub-regions, its downloads.

Figures are checked against hand computation; only approved figures may ever show, on the page or
in a download, and a download holds exactly the rows the same filters show on the page.
"""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from programs.choices import Comparator, ReportState
from regions.choices import RegionKind, RegionLevel
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    RegionFactory,
    ReportFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

URL = "/indicators/VT_TRAINED/"
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-3+4", "@SUM(A1)"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # pages are cached per URL: each test starts from its own data


@pytest.fixture
def english():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def approve(**kwargs):
    return ReportFactory(state=ReportState.APPROVED, reviewed_at=timezone.now(), **kwargs)


@pytest.fixture
def trained(jiaxing, pinghu, nanhu, gangqu):
    """Vocational training in 嘉兴 and its parts, 2022 and 2023.

    嘉兴市: 1,040 then 1,200 against ≥ 1,000. 2023 sub-regions: 平湖 500 (from 400, target
    ≥ 450), 南湖 500 (a tie with 平湖), 嘉兴港区 "300余" (a lower bound, a zone counted in 平湖).
    """
    indicator = IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数", unit="人")
    y2022, y2023 = PeriodFactory(year=2022), PeriodFactory(year=2023)
    approve(indicator=indicator, region=jiaxing, period=y2022, value=Decimal(1040))
    approve(indicator=indicator, region=jiaxing, period=y2023, value=Decimal(1200))
    TargetFactory(indicator=indicator, region=jiaxing, period=y2023, value=Decimal(1000))
    approve(indicator=indicator, region=pinghu, period=y2022, value=Decimal(400))
    approve(indicator=indicator, region=pinghu, period=y2023, value=Decimal(500))
    TargetFactory(indicator=indicator, region=pinghu, period=y2023, value=Decimal(450))
    approve(indicator=indicator, region=nanhu, period=y2023, value=Decimal(500))
    approve(
        indicator=indicator, region=gangqu, period=y2023, value=Decimal(300), is_lower_bound=True
    )
    return indicator


@pytest.fixture
def every_state(trained, high_skilled_in_every_state):
    return high_skilled_in_every_state


def table_rows(html: str) -> list[str]:
    """The sub-region names of the comparison table, in order."""
    body = html.split('<table class="ranking">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/regions/[^/]+/\?year=\d+">([^<]+)</a>', body)


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[dict]:
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


# --- Anonymous access, unknown codes --------------------------------------------------------------


def test_an_anonymous_visitor_sees_the_page(trained, client):
    response = client.get(URL, {"region": "3304", "year": 2023})
    assert response.status_code == 200
    assert response.templates[0].name == "programs/public/indicator.html"


def test_without_a_region_or_year_the_page_shows_the_highest_region_and_latest_year(
    trained, english
):
    response = english.get(URL)
    assert response.status_code == 200
    assert response.context["region"].code == "3304"  # the highest region with figures
    assert response.context["year"] == 2023


@pytest.mark.parametrize(
    "url",
    [
        "/indicators/NO_SUCH/?region=3304",
        f"{URL}?region=999999",
        f"{URL}?region=3304&year=twenty",
        f"{URL}?region=3304&year=2023.5",
    ],
)
def test_unknown_indicators_regions_and_years_are_404(trained, client, url):
    assert client.get(url).status_code == 404


def test_a_bad_kind_shows_the_error_and_no_rows(trained, english):
    response = english.get(URL, {"region": "3304", "year": 2023, "kind": "castle"})
    assert response.status_code == 200
    assert table_rows(response.content.decode()) == []
    assert "castle" in response.content.decode()  # "Select a valid choice. castle is not one…"


# --- Figures by hand ------------------------------------------------------------------------------


def test_the_trend_shows_value_target_completion_and_growth_by_year(trained, english):
    html = english.get(URL, {"region": "3304", "year": 2023}).content.decode()
    trend = html.split('<table class="trend">', 1)[1].split("</table>", 1)[0]
    assert "<caption>" in trend and '<th scope="col">' in trend
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", trend, re.S)
    assert len(rows) == 2
    assert "1,040" in rows[0] and "—" in rows[0]  # 2022: no target, no growth
    # 2023: 1,200 against ≥ 1,000 is 120.0%; growth (1,200 − 1,040) / 1,040 = +15.4%.
    assert "1,200" in rows[1] and "≥ 1,000" in rows[1]
    assert "120.0%" in rows[1] and "+15.4%" in rows[1]


def test_the_trend_shows_the_sub_regions_combined_beside_the_regions_own_figure(trained, english):
    """嘉兴市's own 1,200 and its parts' sum: 平湖 500 + 南湖 500, not the zone counted in 平湖."""
    html = english.get(URL, {"region": "3304", "year": 2023}).content.decode()
    trend = html.split('<table class="trend">', 1)[1].split("</table>", 1)[0]
    assert "Sub-regions combined (Sum)" in trend
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", trend, re.S)
    assert "400" in rows[0]  # 2022: 平湖 alone
    assert "1,200" in rows[1] and "1,000" in rows[1]


def test_a_region_without_its_own_figure_shows_its_sub_regions_combined(trained, english):
    response = english.get(URL, {"region": "33", "year": 2023})
    trend = [
        (row.year, row.figure.value, row.figure.rollup) for row in response.context["figures"].trend
    ]
    assert trend == [(2022, None, 1040), (2023, None, 1200)]  # 嘉兴市's own figures, summed


def test_the_chart_data_is_the_trend_as_numbers(trained, client):
    html = client.get(URL, {"region": "3304", "year": 2023}).content.decode()
    found = re.search(
        r'<script id="indicator-trend" type="application/json">(.*?)</script>', html, re.S
    )
    chart = json.loads(found.group(1))
    assert chart["years"] == [2022, 2023]
    assert chart["values"] == [1040, 1200]
    assert chart["targets"] == [None, 1000]
    assert [series["values"] for series in chart["series"]] == [[1040, 1200], [400, 1000]]
    assert 'data-source="indicator-trend"' in html and 'data-kind="line"' in html
    assert 'role="img"' in html


def test_sub_regions_are_ranked_with_a_tie_and_a_lower_bound(trained, english):
    response = english.get(URL, {"region": "3304", "year": 2023})
    table = response.context["table"]
    rows = {row.record.region.code: row.record for row in table.rows}
    assert set(rows) == {"330482", "330402", "3304Z01"}
    # 500 and 500 share the first place; 300 is third (not second): "1 1 3".
    assert [rows[code].figure.rank for code in ("330482", "330402", "3304Z01")] == [1, 1, 3]
    assert rows["330482"].figure.ranked == 3
    assert rows["330482"].completion_percent == Decimal("111.1")  # 500 / 450
    assert rows["330482"].growth_percent == Decimal("25.0")  # 500 vs 400
    assert rows["3304Z01"].figure.is_lower_bound
    html = response.content.decode()
    assert "1 of 3" in html and "3 of 3" in html and "at least" in html
    assert '300+ <span class="unit">人</span>' in html  # the lower-bound mark of every page


def test_the_table_is_accessible_and_sortable(trained, english):
    html = english.get(URL, {"region": "3304", "year": 2023}).content.decode()
    table = html.split('<table class="ranking">', 1)[1].split("</table>", 1)[0]
    assert "<caption>职业技能培训人数 in the sub-regions of 嘉兴市, 2023</caption>" in table
    assert table.count('<th scope="col"') == 8  # with the sub-regions' own roll-up
    assert 'aria-sort="ascending"' in table  # by rank
    assert "sort=value" in table and "sort=-rank" in table
    assert 'href="/regions/3304/?year=2023"' in html  # the region's own page
    assert 'href="/regions/330482/?year=2023"' in html
    assert '<label for="id_q">' in html and '<label for="id_kind">' in html
    assert 'aria-current="page">2023</a>' in html  # the year switcher


def test_sorting_keeps_a_stable_order_for_ties(trained, english):
    by_value = english.get(URL, {"region": "3304", "year": 2023, "sort": "value"})
    assert table_rows(by_value.content.decode()) == ["嘉兴港区", "南湖区", "平湖市"]
    descending = english.get(URL, {"region": "3304", "year": 2023, "sort": "-value"})
    # 南湖 330402 and 平湖 330482 tie at 500: the code decides, reversed with the order.
    assert table_rows(descending.content.decode()) == ["平湖市", "南湖区", "嘉兴港区"]


def test_another_year_is_one_link_away(trained, english):
    html = english.get(URL, {"region": "3304", "year": 2022}).content.decode()
    assert table_rows(html) == ["平湖市", "南湖区", "嘉兴港区"]  # only 平湖 has a 2022 figure
    assert 'href="?region=3304&amp;year=2023"' in html


# --- Only approved figures ------------------------------------------------------------------------


HIDDEN = ["9871", "9,871", "9872", "9,872", "9873", "9,873", "9874", "9,874"]


def test_only_the_approved_figure_is_on_the_page(every_state, client):
    response = client.get("/indicators/HIGH_SKILLED_NEW/", {"region": "3304", "year": 2023})
    html = response.content.decode()
    assert "4,321" in html
    assert not [value for value in HIDDEN if value in html]
    assert 'href="?region=3304&amp;year=2024"' not in html  # a draft year is no year


def test_only_the_approved_figure_is_in_the_downloads(every_state, english):
    params = {"region": "3304", "year": 2023}
    rows = csv_rows(english.get("/indicators/HIGH_SKILLED_NEW/", {**params, "_export": "csv"}))
    # Every sub-region is listed, and only the approved figure has a value.
    assert {row["Region code"]: row["Value (人)"] for row in rows} == {
        "330482": "4321",
        "330402": "",
        "3304Z01": "",
        "330411": "",
    }
    raw = json.dumps(rows, ensure_ascii=False)
    assert not [value for value in HIDDEN if value in raw]
    sheet = xlsx_rows(english.get("/indicators/HIGH_SKILLED_NEW/", {**params, "_export": "xlsx"}))
    assert {row["Region code"]: row["Value (人)"] for row in sheet} == {
        "330482": 4321,
        "330402": None,
        "3304Z01": None,
        "330411": None,
    }


def test_the_default_year_ignores_unapproved_figures(every_state, client):
    response = client.get("/indicators/HIGH_SKILLED_NEW/", {"region": "3304"})
    assert response.context["year"] == 2023  # not 2024, where 嘉兴 has only a draft


# --- Downloads ------------------------------------------------------------------------------------


def test_the_csv_holds_exactly_the_filtered_rows_in_plain_values(trained, english):
    params = {"region": "3304", "year": 2023, "kind": RegionKind.ADMIN, "sort": "region"}
    response = english.get(URL, {**params, "_export": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="VT_TRAINED_3304_2023.csv"'
    rows = csv_rows(response)
    page = english.get(URL, params)
    assert [row["Region"] for row in rows] == table_rows(page.content.decode())
    pinghu = next(row for row in rows if row["Region code"] == "330482")
    assert pinghu == {
        "Region": "平湖市",
        "Region code": "330482",
        "Kind": "Administrative division",
        "Value (人)": "500",
        "Unit": "人",
        "Lower bound": "No",  # a word, never True/False
        "Period covered": "2023",  # the whole year (else "2023年上半年")
        "Sub-regions combined": "",
        "Sub-regions combined: lower bound": "",
        "Target comparator": "≥",
        "Target": "450",
        "Completion (%)": "111.1",
        "Status": "Met",
        "YoY growth (%)": "25.0",
        "Rank": "1",
        "Ranked regions": "3",
    }


def test_the_xlsx_holds_exactly_the_filtered_rows_as_numbers(trained, english):
    params = {"region": "3304", "year": 2023, "q": "港"}
    response = english.get(URL, {**params, "_export": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="VT_TRAINED_3304_2023.xlsx"'
    rows = xlsx_rows(response)
    assert table_rows(english.get(URL, params).content.decode()) == ["嘉兴港区"]
    assert len(rows) == 1
    row = rows[0]
    assert row["Region code"] == "3304Z01"
    assert row["Value (人)"] == 300 and row["Lower bound"] == "Yes"
    assert row["Rank"] == 3 and row["Target"] is None and row["Completion (%)"] is None


def test_a_search_by_code_and_the_filters_narrow_rows_but_not_ranks(trained, english):
    response = english.get(URL, {"region": "3304", "year": 2023, "q": "330402", "_export": "csv"})
    rows = csv_rows(response)
    assert [(row["Region"], row["Rank"], row["Ranked regions"]) for row in rows] == [
        ("南湖区", "1", "3")
    ]
    zones = csv_rows(
        english.get(URL, {"region": "3304", "year": 2023, "kind": "zone", "_export": "csv"})
    )
    assert [row["Region code"] for row in zones] == ["3304Z01"]


@pytest.fixture
def formula_regions(trained, jiaxing):
    period = PeriodFactory(year=2023)
    for number, name in enumerate(FORMULAS):
        region = RegionFactory(
            code=f"3304F{number}", name=name, level=RegionLevel.COUNTY, parent=jiaxing
        )
        approve(indicator=trained, region=region, period=period, value=Decimal(10 + number))
    TargetFactory(
        indicator=trained,
        region=jiaxing.children.get(code="3304F0"),
        period=period,
        comparator=Comparator.GTE,
        value=Decimal(5),
    )


def test_formula_looking_text_is_escaped_in_the_csv(formula_regions, english):
    rows = csv_rows(english.get(URL, {"region": "3304", "year": 2023, "_export": "csv"}))
    names = {row["Region code"]: row["Region"] for row in rows}
    assert [names[f"3304F{n}"] for n in range(len(FORMULAS))] == ["'" + f for f in FORMULAS]
    assert names["330482"] == "平湖市"  # ordinary text is left alone


def test_formula_looking_text_is_escaped_in_the_xlsx(formula_regions, english):
    response = english.get(URL, {"region": "3304", "year": 2023, "_export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    formulas = [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    names = {row["Region code"]: row["Region"] for row in xlsx_rows(response)}
    assert [names[f"3304F{n}"] for n in range(len(FORMULAS))] == ["'" + f for f in FORMULAS]
    # Numbers stay numbers; a negative growth would not be escaped as text either.
    assert all(isinstance(row["Value (人)"], int | float) for row in xlsx_rows(response))


def test_formula_looking_names_are_plain_text_on_the_page(formula_regions, english):
    html = english.get(URL, {"region": "3304", "year": 2023}).content.decode()
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in html


# --- Speed ----------------------------------------------------------------------------------------


def add_sub_regions(indicator, parent, count: int):
    y2022, y2023 = PeriodFactory(year=2022), PeriodFactory(year=2023)
    for number in range(count):
        region = RegionFactory(
            code=f"3304{number:03d}", name=f"镇{number}", level=RegionLevel.COUNTY, parent=parent
        )
        approve(indicator=indicator, region=region, period=y2022, value=Decimal(number))
        approve(indicator=indicator, region=region, period=y2023, value=Decimal(number + 5))
        TargetFactory(indicator=indicator, region=region, period=y2023, value=Decimal(number + 1))


@pytest.mark.parametrize("export", [None, "csv", "xlsx"])
def test_the_page_costs_the_same_few_queries_for_3_or_60_sub_regions(
    trained, jiaxing, client, django_assert_max_num_queries, export
):
    params = {"region": "3304", "year": 2023}
    if export:
        params["_export"] = export
    # The indicator, the region, its figures, its targets, the table's rows, the breadcrumbs.
    with django_assert_max_num_queries(7) as few:
        assert client.get(URL, params).status_code == 200
    add_sub_regions(trained, jiaxing, 57)
    cache.clear()
    with django_assert_max_num_queries(7) as many:
        response = client.get(URL, params)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_without_region_and_year_the_page_still_costs_a_fixed_number_of_queries(
    trained, client, django_assert_max_num_queries
):
    # As above, and the highest region with a figure: one query per level of the tree at most.
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200


def test_a_cached_page_costs_no_query_but_a_download_is_made_afresh(
    trained, client, django_assert_num_queries
):
    params = {"region": "3304", "year": 2023}
    client.get(URL, params)
    with django_assert_num_queries(0):
        assert client.get(URL, params)["X-Cache"] == "hit"
    first = client.get(URL, {**params, "_export": "csv"})
    assert "X-Cache" not in first
    assert first["Content-Type"].startswith("text/csv")
