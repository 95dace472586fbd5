"""One path for public numbers: every public view of a figure shows the same number.

The indicator page (a region over the years, and its sub-regions in a year, as downloaded), the
region page, the open-data summary and the Word report all read the precomputed figures through
`programs.dashboard`. Here each figure is read back from each of them — the page's own data, the
CSV a visitor downloads, the API's JSON, the cells of the generated .docx — and compared: value,
lower-bound mark, target, completion, growth, status, roll-up, rank. For the demo, and for a small
generated province (quarterly figures, the last quarter still under review: year-to-date figures,
every indicator kind, roll-up rule and time nature).
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

import docx
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from programs import dashboard, figures
from programs.choices import Comparator, IndicatorKind, PeriodKind, ReportState, Status, TimeNature
from programs.exports import year_report
from programs.models import Indicator, RegionFigure
from regions.choices import RegionKind, RegionLevel
from regions.models import Region
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    RegionFactory,
    ReportFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

SIGNS = {figures.comparator_sign(c): c for c in Comparator.values}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def visitor():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def no_charts(settings, tmp_path):
    """Charts become tables: quicker to write, and the report's numbers are all in its cells."""
    settings.REPORT_CJK_FONT = str(tmp_path / "no-such-font.ttc")


def number(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def status_label(status: str) -> str:
    with translation.override("en"):
        return str(Status(status).label)


# --- Each path's figure, in one shape -------------------------------------------------------------


def from_figure(figure: dashboard.Figure) -> dict:
    """A figure as a page shows it (the region page's summary, the indicator page's years)."""
    target = figure.target
    return {
        "value": figure.value,
        "lower_bound": figure.is_lower_bound,
        "target": (target.comparator, target.value) if target else None,
        "completion": figures.as_percent(figure.completion.ratio),
        "met": figure.completion.met,
        "growth": figures.as_percent(figure.growth),
        # growth, points or places, by the indicator's kind; the API's six decimals
        "change": None if figure.change is None else round(figure.change, 6),
        "kind": figure.indicator.kind,
        "status": Status(figure.badge).value,
        "rollup": figure.rollup,
        "rollup_lower_bound": figure.rollup_is_lower_bound,
    }


def from_api(item: dict) -> dict:
    target = item["target"]
    return {
        "value": number(item["value"]),
        "lower_bound": item["is_lower_bound"],
        "target": (target["comparator"], number(target["value"])) if target else None,
        "completion": number(item["completion"]["percent"]),
        "met": item["completion"]["met"],
        "growth": number(item["growth_percent"]),
        "change": number(item["change"]),
        "kind": item["kind"],
        "status": item["status"],
        "rollup": number(item["rollup"]),
        "rollup_lower_bound": item["rollup_is_lower_bound"],
    }


def in_download(shown: dict, rank: int | None, ranked: int) -> dict:
    """What the indicator page's download holds of a figure (status as text)."""
    return {
        "value": shown["value"],
        "lower_bound": shown["lower_bound"],
        "target": shown["target"],
        "completion": shown["completion"],
        "growth": download_change(shown),
        "status": status_label(shown["status"]),
        "rollup": shown["rollup"],
        "rollup_lower_bound": shown["rollup_lower_bound"],
        "rank": rank,
        "ranked": ranked,
    }


def download_change(shown: dict):
    """The download's change column: growth in % for counts and amounts, points (one decimal)
    for a percentage, places up for a rank, empty for a milestone."""
    change, kind = shown["change"], shown["kind"]
    if change is None or kind == IndicatorKind.RANK:
        return change
    if kind == IndicatorKind.PERCENTAGE:
        return change.quantize(Decimal("0.1"))
    return figures.as_percent(change)


def from_csv(row: dict) -> dict:
    value = next(text for header, text in row.items() if header.startswith("Value"))
    return {
        "value": number(value),
        "lower_bound": {"Yes": True, "No": False}[row["Lower bound"]],  # words, not True/False
        # "=" is written "'=" so that a spreadsheet does not take it for a formula.
        "target": (SIGNS[row["Target comparator"].removeprefix("'")], number(row["Target"]))
        if row["Target"]
        else None,
        "completion": number(row["Completion (%)"]),
        # "YoY growth (%)", or the change in points or places (the header says which)
        "growth": number(next(t for h, t in row.items() if h.startswith(("YoY", "Change")))),
        "status": row["Status"],
        "rollup": number(row["Sub-regions combined"]),
        "rollup_lower_bound": row["Sub-regions combined: lower bound"] == "Yes",
        "rank": int(row["Rank"]) if row["Rank"] else None,
        "ranked": int(row["Ranked regions"]),
    }


# --- Reading every path ---------------------------------------------------------------------------


@dataclass
class Paths:
    """The public answers for one set of data, each asked for once."""

    client: Client
    pages: dict = field(default_factory=dict)
    downloads: dict = field(default_factory=dict)
    summaries: dict = field(default_factory=dict)

    def get(self, url, params=None):
        response = self.client.get(url, params or {})
        assert response.status_code == 200, (url, params, response.status_code)
        return response

    def region_page(self, region: Region, year: int) -> dashboard.RegionSummary:
        key = (region.code, year)
        if key not in self.summaries:
            self.summaries[key] = self.get(f"/regions/{region.code}/", {"year": year}).context[
                "summary"
            ]
        return self.summaries[key]

    def api_summary(self, region: Region, year: int) -> dict:
        data = self.get(f"/api/v1/regions/{region.code}/summary/", {"year": year}).json()
        assert (data["region"]["code"], data["year"]) == (region.code, year)
        return {item["indicator"]: from_api(item) for item in data["figures"]}

    def indicator_page(
        self, indicator: Indicator, region: Region, year: int
    ) -> dashboard.IndicatorFigures:
        key = (indicator.code, region.code, year)
        if key not in self.pages:
            params = {"region": region.code, "year": year}
            response = self.get(f"/indicators/{indicator.code}/", params)
            self.pages[key] = response.context["figures"]
        return self.pages[key]

    def sub_regions(self, indicator: Indicator, region: Region, year: int) -> dict[str, dict]:
        """The indicator page's comparison of `region`'s sub-regions, as downloaded."""
        key = (indicator.code, region.code, year)
        if key not in self.downloads:
            params = {"region": region.code, "year": year, "_export": "csv"}
            text = self.get(f"/indicators/{indicator.code}/", params).content.decode()
            rows = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
            self.downloads[key] = {row["Region code"]: from_csv(row) for row in rows}
        return self.downloads[key]


def check_region_year(paths: Paths, region: Region, year: int) -> int:
    """Every figure of `region` in `year`: the region page against the API, the indicator page
    (both views: the region's years, and its place among its parent's sub-regions), and the
    region page's sub-region ranking against the indicator page's. Returns how many figures."""
    summary = paths.region_page(region, year)
    api = paths.api_summary(region, year)
    assert set(api) == {f.indicator.code for f in summary.figures.values()}
    for indicator_id, figure in summary.figures.items():
        indicator, code = figure.indicator, figure.indicator.code
        shown = from_figure(figure)
        assert api[code] == shown, (region.code, year, code, "API")

        # The indicator page, across the years: this year's row, and the others.
        page = paths.indicator_page(indicator, region, year)
        assert from_figure(page.current) == shown, (region.code, year, code, "years")
        for row in page.trend:
            if row.year == year:
                continue
            other = paths.region_page(region, row.year).figures.get(indicator_id)
            if other is None:  # not on that year's region page: nothing of the region's own
                assert row.figure.value is None and row.figure.target is None
                continue
            assert from_figure(row.figure) == from_figure(other), (region.code, row.year, code)

        # The indicator page, across the sub-regions: the region's own row under its parent
        # (rank among its siblings), and its sub-regions' rows (the region page's ranking).
        if region.parent_id:
            under_parent = paths.sub_regions(indicator, region.parent, year)[region.code]
            assert under_parent == in_download(shown, figure.rank, figure.ranked), (
                region.code,
                year,
                code,
                "sub-regions",
            )
        if summary.children:
            rows = paths.sub_regions(indicator, region, year)
            ranking = summary.child_ranking(indicator_id)
            assert [p.region.code for p in ranking] == list(rows)  # best first, as downloaded
            ranked = sum(1 for p in ranking if p.rank is not None)
            for place in ranking:
                row = rows[place.region.code]
                assert (row["value"], row["lower_bound"], row["rank"], row["ranked"]) == (
                    place.value,
                    place.is_lower_bound,
                    place.rank,
                    ranked,
                ), (region.code, year, code, place.region.code)
    return len(summary.figures)


def by_place(item: tuple[str, dict]):
    code, row = item
    return (row["rank"] is None, row["rank"] or 0, code)


def in_report_language(write, *args, **kwargs):
    """`write(...)` in the report's language (a request in between switches the language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return write(*args, **kwargs)


def check_year_report(paths: Paths, region: Region, year: int, tmp_path) -> None:
    """The Word report prints what the indicator page shows: each indicator row, cell by cell,
    and each sub-region ranking table, row by row (places only where the page gives them, in
    the region page's order)."""
    path = tmp_path / f"{region.code}-{year}.docx"
    year_report.write_year_report(region=region, year=year, path=path)
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in docx.Document(str(path)).tables
    ]
    header = [
        in_report_language(translation.gettext, text)
        for text in ("Indicator", "Unit", "Target", "Actual", "Completion", "YoY")
    ]
    rank, region_column = (
        in_report_language(translation.gettext, text) for text in ("Rank", "Region")
    )
    summary = paths.region_page(region, year)
    by_name = {f.indicator.name: f.indicator for f in summary.figures.values()}
    printed = 0
    for table in tables:
        if table[0][:6] != header:
            continue
        for row in table[1:]:
            page = paths.indicator_page(by_name[row[0]], region, year)
            expected = in_report_language(
                year_report.indicator_rows, [page.current], with_rollup=bool(summary.children)
            )
            assert [row] == expected, (region.code, year)
            printed += 1
    assert printed or not summary.programs

    rankings = [table for table in tables if region_column in table[0][:2]]
    ranked = [f for f in summary.headline if summary.rankings[f.indicator.pk].shown]
    assert len(rankings) == len(ranked)
    children = Region.objects.filter(parent=region)
    names = dict(children.values_list("code", "name"))
    zones = set(children.filter(counted_in_parent=True).values_list("code", flat=True))
    not_summed = in_report_language(translation.gettext, "%(region)s (not in the sum)")
    for figure, table in zip(ranked, rankings, strict=True):
        indicator = figure.indicator
        downloaded = paths.sub_regions(indicator, region, year)
        order = [
            place.region.code
            for place in summary.child_ranking(indicator.pk)
            if place.value is not None or place.rollup is not None
        ]
        shown = [(code, downloaded[code]) for code in order]
        with_places = any(row["rank"] is not None for _, row in shown)
        assert (table[0][0] == rank) == with_places, (region.code, year, indicator.code)
        with_rollups = any(row["rollup"] is not None for _, row in shown)
        # A zone counted in its county says so where the figures are summed, as the page does.
        label = {
            code: not_summed % {"region": names[code]}
            if code in zones and indicator.rollup != "none"
            else names[code]
            for code in order
        }
        cells = {
            code: [
                in_report_language(
                    figures.value_text, row[key], kind=indicator.kind, lower_bound=row[mark]
                )
                for key, mark in (("value", "lower_bound"), ("rollup", "rollup_lower_bound"))
            ]
            for code, row in shown
        }
        expected = [
            ([str(row["rank"] or "—")] if with_places else [])
            + [label[code], cells[code][0]]
            + (cells[code][1:] if with_rollups else [])
            for code, row in shown
        ]
        assert table[1:] == expected, (region.code, year, indicator.code)


# --- The demo -------------------------------------------------------------------------------------


def test_the_demo_shows_the_same_figures_on_every_path(demo, visitor, no_charts, tmp_path):
    paths = Paths(visitor)
    keys = set(RegionFigure.objects.values_list("region_id", "year"))
    regions = Region.objects.in_bulk({region_id for region_id, _ in keys})
    checked = 0
    for region_id, year in sorted(keys):
        checked += check_region_year(paths, regions[region_id], year)
    assert checked > 50  # every figure of every region and year of the demo
    for code, year in (("3304Z01", 2024), ("3304", 2024), ("331082", 2019)):
        check_year_report(paths, Region.objects.get(code=code), year, tmp_path)


def test_the_demo_port_by_hand_on_every_path(demo, visitor):
    """The seed text's figures of 嘉兴港区 in 2024, where each path shows them."""
    paths = Paths(visitor)
    port, city = Region.objects.get(code="3304Z01"), Region.objects.get(code="3304")
    skilled = Indicator.objects.get(code="SKILLED_NEW")
    figure = from_figure(paths.region_page(port, 2024).figures[skilled.pk])
    assert (figure["value"], figure["target"], figure["completion"], figure["growth"]) == (
        950,
        (Comparator.GTE, 800),
        Decimal("118.8"),
        Decimal("61.0"),
    )
    assert paths.api_summary(port, 2024)["SKILLED_NEW"] == figure
    assert from_figure(paths.indicator_page(skilled, port, 2024).current) == figure
    row = paths.sub_regions(skilled, city, 2024)["3304Z01"]
    assert (row["value"], row["rank"], row["ranked"]) == (950, 8, 8)


# --- A generated province -------------------------------------------------------------------------


def test_a_generated_province_shows_the_same_figures_on_every_path(visitor, no_charts, tmp_path):
    """A tiny province: two years of quarterly figures, 2024's last quarter partly unapproved,
    so 2024 holds year-to-date figures of flows and the latest quarter of stocks."""
    call_command("generate_province", "--scale", "0.005", "--last-year", "2024", "--seed", "5")
    province = Region.objects.get(code="90")
    city = province.children.order_by("code").first()
    county = city.children.filter(kind=RegionKind.ADMIN).order_by("code").first()
    zone = Region.objects.filter(path__startswith="90/", kind=RegionKind.ZONE).order_by("code")[0]
    township = county.children.order_by("code").first()
    paths = Paths(visitor)
    checked = 0
    for region in (province, city, county, zone, township):
        checked += check_region_year(paths, region, 2024)
    checked += check_region_year(paths, city, 2023)
    assert checked > 200
    for region in (province, city):
        check_year_report(paths, region, 2024, tmp_path)


# --- Figures the reports do not give whole --------------------------------------------------------


def test_a_half_year_figure_is_the_year_to_date_on_every_path(jiaxing, pinghu, nanhu, visitor):
    """Only the first half of 2024 approved in 平湖: its own 2024 figure is that half-year's
    (DESIGN.md: a flow inside the year is its year-to-date sum), with the lower-bound mark of the
    half that had one; 南湖's quarters add up; the city rolls both up."""
    indicator = IndicatorFactory(code="HALF", unit="人", time_nature=TimeNature.FLOW)
    h1 = PeriodFactory(year=2024, kind=PeriodKind.HALF, number=1)
    q1, q2 = (PeriodFactory(year=2024, kind=PeriodKind.QUARTER, number=n) for n in (1, 2))
    now = timezone.now()
    for region, period, value, lower in (
        (pinghu, h1, 600, True),
        (pinghu, q1, 9999, False),  # the half covers it: not added again
        (nanhu, q1, 200, False),
        (nanhu, q2, 250, False),
    ):
        ReportFactory(
            indicator=indicator,
            region=region,
            period=period,
            value=value,
            is_lower_bound=lower,
            state=ReportState.APPROVED,
            reviewed_at=now,
        )
    TargetFactory(indicator=indicator, region=pinghu, period=PeriodFactory(year=2024), value=1000)
    paths = Paths(visitor)
    for region in (jiaxing, pinghu, nanhu):
        check_region_year(paths, region, 2024)
    pinghu_figure = paths.region_page(pinghu, 2024).figures[indicator.pk]
    assert (pinghu_figure.value, pinghu_figure.is_lower_bound) == (600, True)
    assert pinghu_figure.completion.ratio == Decimal("0.6")
    rows = paths.sub_regions(indicator, jiaxing, 2024)
    assert (rows["330482"]["value"], rows["330402"]["value"]) == (600, 450)
    # Two sub-regions with a figure: best first, without places (three are needed for a place).
    assert list(rows)[:2] == ["330482", "330402"]
    assert [row["rank"] for row in (rows["330482"], rows["330402"])] == [None, None]
    city = paths.indicator_page(indicator, jiaxing, 2024).current
    assert (city.value, city.rollup) == (None, 1050)


def test_a_zone_counted_in_its_county_is_ranked_but_not_summed(jiaxing, gangqu, pinghu, visitor):
    indicator = IndicatorFactory(code="ZONE")
    year = PeriodFactory(year=2023)
    for region, value in ((pinghu, 700), (gangqu, 900)):
        ReportFactory(
            indicator=indicator, region=region, period=year, value=value, state="approved"
        )
    RegionFactory(code="330499", name="无数据区", level=RegionLevel.COUNTY, parent=jiaxing)
    paths = Paths(visitor)
    for region in (jiaxing, gangqu, pinghu):
        check_region_year(paths, region, 2023)
    rows = paths.sub_regions(indicator, jiaxing, 2023)
    # Best first (the zone is ranked, though not summed); two with a figure give no places.
    assert list(rows) == ["3304Z01", "330482", "330499"]
    assert {rows[c]["rank"] for c in rows} == {None}
    assert paths.indicator_page(indicator, jiaxing, 2023).current.rollup == 700
