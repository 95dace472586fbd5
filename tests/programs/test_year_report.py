"""The year-end Word report: figures, structure, charts or their tables, and the file itself.

The report's own sentences are not in the catalog yet, so Chinese text is asserted only where it
is data (region, plan and indicator names) or where the test asks gettext for the same string.
"""

from decimal import Decimal

import docx
import pytest
from django.utils import translation
from django.utils.translation import gettext

from programs.choices import Comparator, Direction, IndicatorKind, ReportState, RollupRule
from programs.exports import charts
from programs.exports.year_report import write_year_report, year_report_filename
from programs.models import Plan, Program
from regions.choices import RegionLevel
from regions.models import Region

from ..factories import (
    IndicatorFactory,
    PeriodFactory,
    RegionFactory,
    ReportFactory,
    TargetFactory,
    tracked_in,
)

pytestmark = pytest.mark.django_db

NO_DATA = "There are no approved figures of %(region)s for %(year)s yet."


@pytest.fixture
def demo(shared_demo):
    """The tests here only read the demo: it is loaded once for them (tests/conftest.py)."""


def write(region, year, tmp_path, **kwargs):
    path = tmp_path / "report.docx"
    write_year_report(region=region, year=year, path=path, **kwargs)
    return docx.Document(str(path))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def table_rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def in_chinese(msgid: str, **values) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid) % values


@pytest.fixture
def gangqu_2024(demo, tmp_path):
    return write(Region.objects.get(code="3304Z01"), 2024, tmp_path)


def test_the_file_name_names_the_region_and_the_year(gangqu):
    name = year_report_filename(gangqu, 2024)
    assert name.startswith("嘉兴港区")
    assert "2024" in name
    assert name.endswith(".docx")


def test_the_title_names_the_region_and_the_year(gangqu_2024):
    title = next(p for p in gangqu_2024.paragraphs if p.style.name == "Title")
    assert "嘉兴港区" in title.text
    assert "2024" in title.text


def test_the_headline_sentence_gives_training_with_completion_and_growth(gangqu_2024):
    # 1,200 trained against ≥1,000 is 120%; after 1,040 in 2023 it is +15.4%.
    sentence = next(t for t in texts(gangqu_2024) if "职业技能培训人数" in t)
    assert "1,200" in sentence
    assert "120%" in sentence
    assert "15.4%" in sentence
    # One clause per headline indicator in the same sentence: 950 of ≥800 and 380 of ≥400.
    assert "118.8%" in sentence
    assert "95%" in sentence


def test_every_plan_of_the_five_has_a_heading(gangqu_2024):
    program = Program.objects.get(name__contains="五大计划")
    plan_names = list(Plan.objects.filter(program=program).values_list("name", flat=True))
    assert len(plan_names) == 5
    for name in plan_names:
        assert any(name in heading for heading in headings(gangqu_2024)), name


def test_the_indicator_tables_give_target_actual_completion_and_growth(gangqu_2024):
    rows = {row[0]: row for row in table_rows(gangqu_2024)}
    # The change column in the region page's words: growth to one decimal, as the page prints it.
    assert rows["指标"][1:7] == ["单位", "目标", "实际", "完成率", "同比", "状态"]
    assert rows["职业技能培训人数"][1:6] == ["人", "1,000", "1,200", "120%", "+15.4%"]
    assert rows["新增技能人才"][1:6] == ["人", "800", "950", "118.8%", "+61.0%"]
    assert rows["新增高技能人才"][1:6] == ["人", "400", "380", "95%", "+26.7%"]
    # A milestone reads done or not, against a target "to be done": never 1 / 0.
    assert rows["出台港区人才政策3.0版"][1:6] == ["—", "完成", "已完成", "—", "—"]
    # Tracked but never reported: in the table, with no figure.
    assert rows["干部教育培训"][2:6] == ["—", "—", "—", "—"]


def test_the_report_has_charts_when_a_chinese_font_is_installed(gangqu_2024):
    if charts.cjk_font() is None:
        pytest.skip("no CJK font on this machine (Debian: fonts-noto-cjk)")
    # Completion per plan, target against actual, and 2023 → 2024.
    assert len(gangqu_2024.inline_shapes) == 3


def test_without_a_chinese_font_the_charts_become_tables(demo, settings, tmp_path):
    settings.REPORT_CJK_FONT = str(tmp_path / "missing.ttc")
    assert charts.cjk_font() is None
    document = write(Region.objects.get(code="3304Z01"), 2024, tmp_path)
    assert len(document.inline_shapes) == 0
    assert in_chinese("No Chinese font was found: the charts are given as tables.") in texts(
        document
    )
    rows = table_rows(document)
    # 达标进度: the mean of 100% (120% capped), 100% (118.8% capped) and 95%, beside each
    # indicator's own completion; 技能大赛 has no target.
    assert ["计划", "达标目标数", "达标进度", "各指标完成率"] in rows
    assert [
        "优培赋能强提升计划",
        "2/3",
        "98.3%",
        "职业技能培训人数120%；新增技能人才118.8%；新增高技能人才95%",
    ] in rows
    trend = next(row for row in rows if row[0].startswith("职业技能培训人数"))
    assert trend[1:] == ["1,040", "1,200"]


def test_a_font_file_named_in_the_settings_is_used(settings):
    settings.REPORT_CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    font = charts.cjk_font()
    if font is None:
        pytest.skip("fonts-noto-cjk is not installed")
    assert font.get_file() == settings.REPORT_CJK_FONT


def test_the_closing_gives_the_source_and_the_approval_date(gangqu_2024):
    assert in_chinese("Data source: TalentPortal, approved figures only.") in texts(gangqu_2024)


def test_a_city_report_ranks_its_sub_regions(demo, tmp_path):
    document = write(Region.objects.get(code="3304"), 2024, tmp_path)
    rows = table_rows(document)
    # 嘉兴市's own figure without a target of its own, with growth (13,500 → 14,700 is +8.9%).
    assert ["新增技能人才", "人", "—", "14,700", "—", "+8.9%", "14,660", "未设目标"] in rows
    haining = Region.objects.get(code="330481").name
    assert ["排名", "区域", "数值（人）"] in rows  # eight sub-regions with a figure: places
    assert ["1", haining, "2,710"] in rows  # the most new skilled workers of 2024
    # The port zone is counted in 平湖市: said so, as on the region page, so that the rows are
    # not added up to the city's roll-up.
    assert ["8", "嘉兴港区（不计入汇总）", "950"] in rows


def test_a_plan_without_indicators_still_has_its_section_and_measures(demo, tmp_path):
    document = write(Region.objects.get(code="331082"), 2019, tmp_path)  # 临海市
    assert any("高效能理顺机制" in heading for heading in headings(document))
    assert any("深化“市镇企”三级联动人才工作机制" in text for text in texts(document))
    rows = {row[0]: row for row in table_rows(document)}
    # A rank is met or not: no share of it; it changes by places (5th in 2018), never by %.
    assert rows["台州市人才工作考核排名"][1:7] == ["—", "前3位", "第3位", "—", "上升2位", "已达标"]


def test_the_report_reads_the_database_a_fixed_number_of_times(
    demo, tmp_path, django_assert_max_num_queries
):
    region = Region.objects.get(code="3304Z01")
    with django_assert_max_num_queries(8):  # the summary's five, programs, plans, measures
        write(region, 2024, tmp_path)


def test_a_region_without_approved_figures_gets_a_report_that_says_so(skills_plan, tmp_path):
    # The targets are set but nothing is approved yet: a submitted figure does not count.
    ReportFactory(
        indicator=skills_plan.indicators.get(code="VT_TRAINED"),
        region=skills_plan.program.region,
        period=PeriodFactory(year=2024),
        value=Decimal(1500),
        state=ReportState.SUBMITTED,
    )
    document = write(skills_plan.program.region, 2024, tmp_path)
    assert in_chinese(NO_DATA, region="嘉兴港区", year=2024) in texts(document)
    assert any("优培赋能强提升计划" in heading for heading in headings(document))
    rows = {row[0]: row for row in table_rows(document)}
    assert rows["职业技能培训人数"][2:4] == ["1,000", "—"]
    assert "1,500" not in "".join(texts(document) + [c for r in rows.values() for c in r])
    assert len(document.inline_shapes) == 0


def test_a_region_without_programs_or_figures_gets_a_valid_report(zhengxiang, tmp_path):
    document = write(zhengxiang, 2024, tmp_path)
    assert in_chinese(NO_DATA, region="蒸湘区", year=2024) in texts(document)
    assert document.tables == []


def test_the_report_is_the_same_whatever_the_active_language(demo, tmp_path):
    region = Region.objects.get(code="3304Z01")
    with translation.override("en"):
        english = texts(write(region, 2024, tmp_path / "en"))
    with translation.override("zh-hans"):
        chinese = texts(write(region, 2024, tmp_path / "zh"))
    assert english == chinese


def test_writing_twice_replaces_the_file(demo, tmp_path):
    region = Region.objects.get(code="3304Z01")
    path = tmp_path / year_report_filename(region, 2024)
    steps = []
    for _ in range(2):
        write_year_report(
            region=region, year=2024, path=path, progress=lambda *step: steps.append(step)
        )
    assert list(tmp_path.iterdir()) == [path]
    assert docx.Document(str(path)).paragraphs
    percents = [percent for percent, _step in steps]
    assert percents[-1] == 100
    assert percents[: len(percents) // 2] == sorted(percents[: len(percents) // 2])
    assert all(isinstance(step, str) and step for _percent, step in steps)


# --- Words that match the figure (issue #14): a city and its three counties, by hand ------------


def approved(indicator, region, year, value):
    ReportFactory(
        indicator=indicator,
        region=region,
        period=PeriodFactory(year=year),
        value=Decimal(value),
        state=ReportState.APPROVED,
    )


@pytest.fixture
def city_2024(settings, tmp_path):
    """北坡市 with three counties, its 2024 report written without charts (their tables instead).

    - 考核排名 (a rank, ≤ 3): 5th in 2023, 3rd in 2024; two counties 2nd and 4th.
    - 重点改革 (a milestone): not done in 2023, done in 2024.
    - 就业率 (a percentage, ≥ 45): 40 in 2023, 42.1 in 2024; two counties 50 and 38.
    - 引才人数 1,140 of ≥ 1,000 (114%) and 育才人数 500 of ≥ 500 (100%): one plan.
    - 培训人数 (summed): no figure of the city's own; its counties trained 1,200, 900 and 300,
      and the targets of two of them, 1,000 and 2,000, add up to less than the city's 10,000.
    - 返乡人数: of no plan; one county reported 70.
    """
    settings.REPORT_CJK_FONT = str(tmp_path / "no-such-font.ttc")
    province = RegionFactory(code="95", name="西岭省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="9501", name="北坡市", level=RegionLevel.CITY, parent=province)
    east, west, south = (
        RegionFactory(code=f"95010{n}", name=name, parent=city)
        for n, name in ((1, "东川县"), (2, "西川县"), (3, "南川县"))
    )
    place = IndicatorFactory(
        code="W_RANK",
        name="考核排名",
        unit="位",
        kind=IndicatorKind.RANK,
        direction=Direction.LOWER_BETTER,
        rollup=RollupRule.NONE,
    )
    reform = IndicatorFactory(
        code="W_REFORM",
        name="重点改革",
        unit="",
        kind=IndicatorKind.MILESTONE,
        rollup=RollupRule.NONE,
    )
    employed = IndicatorFactory(
        code="W_RATE",
        name="就业率",
        unit="%",
        kind=IndicatorKind.PERCENTAGE,
        rollup=RollupRule.MEAN,
    )
    attracted = IndicatorFactory(code="W_ATTRACT", name="引才人数")
    trained_up = IndicatorFactory(code="W_GROWN", name="育才人数")
    trained = IndicatorFactory(code="W_TRAINED", name="培训人数", rollup=RollupRule.SUM)
    returned = IndicatorFactory(code="W_RETURNED", name="返乡人数", rollup=RollupRule.SUM)
    tracked_in(city, attracted, trained_up)
    tracked_in(city, place, reform, employed, trained)
    year = PeriodFactory(year=2024)
    for indicator, comparator, value in (
        (place, Comparator.LTE, 3),
        (reform, Comparator.EQ, 1),
        (employed, Comparator.GTE, 45),
        (attracted, Comparator.GTE, 1000),
        (trained_up, Comparator.GTE, 500),
        (trained, Comparator.GTE, 10000),
    ):
        TargetFactory(
            indicator=indicator, region=city, period=year, comparator=comparator, value=value
        )
    for county, value in ((east, 1000), (west, 2000)):
        TargetFactory(indicator=trained, region=county, period=year, value=Decimal(value))
    for indicator, region, year_, value in (
        (place, city, 2023, 5),
        (place, city, 2024, 3),
        (place, east, 2024, 2),
        (place, west, 2024, 4),
        (reform, city, 2023, 0),
        (reform, city, 2024, 1),
        (employed, city, 2023, 40),
        (employed, city, 2024, "42.1"),
        (attracted, city, 2024, 1140),
        (trained_up, city, 2024, 500),
        (employed, east, 2024, 50),
        (employed, west, 2024, 38),
        (trained, east, 2024, 1200),
        (trained, west, 2024, 900),
        (trained, south, 2024, 300),
        (returned, south, 2024, 70),
    ):
        approved(indicator, region, year_, value)
    with translation.override("en"):  # the report is in Chinese whatever the request's language
        return write(city, 2024, tmp_path)


def row_of(document, name: str) -> list[str]:
    return next(row for row in table_rows(document) if row[0] == name)


def table_after(document, caption: str) -> list[list[str]]:
    """The rows of the table whose caption contains `caption`, and the paragraph after it."""
    body = document.element.body
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Caption" and caption in paragraph.text:
            table = paragraph._p.getnext()
            rows = [[cell.text for cell in row.cells] for row in docx.table.Table(table, body).rows]
            after = table.getnext()
            note = docx.text.paragraph.Paragraph(after, body).text if after is not None else ""
            return rows, note
    raise AssertionError(f"no table captioned {caption}")


def test_a_rank_reads_as_places_never_as_a_percentage(city_2024):
    # 5th → 3rd against a target of the top 3: met, up two places; no share of a place.
    row = row_of(city_2024, "考核排名")
    assert row[1:8] == ["—", "前3位", "第3位", "—", "上升2位", "—", "已达标"]
    sentence = next(t for t in texts(city_2024) if "考核排名" in t)
    clause = sentence.split("考核排名", 1)[1].split("；", 1)[0]
    assert clause == "第3位（目标前3位），已达标，较上年上升2位"
    assert "%" not in clause


def test_a_milestone_reads_done_never_one(city_2024):
    row = row_of(city_2024, "重点改革")
    assert row[1:8] == ["—", "完成", "已完成", "—", "—", "—", "已达标"]  # no growth from 0 to 1
    assert "重点改革已完成" in next(t for t in texts(city_2024) if "重点改革" in t)


def test_a_percentage_changes_by_points(city_2024):
    # 40% → 42.1% is 2.1 points (not +5.3%); 42.1 of ≥ 45 is 93.6%; the counties' mean is 44.
    row = row_of(city_2024, "就业率")
    assert row[1:8] == ["%", "45", "42.1", "93.6%", "+2.1个百分点", "44", "未达标"]
    sentence = next(t for t in texts(city_2024) if "就业率" in t)
    assert "同比增长2.1个百分点" in sentence
    assert "5.3%" not in sentence


def test_a_plans_progress_is_capped_beside_each_indicators_own_completion(city_2024):
    # 114% counts as 100% in the plan's progress: (100% + 100%) / 2 = 100%, and 114% is shown.
    assert row_of(city_2024, "引才人数")[2:5] == ["1,000", "1,140", "114%"]
    assert row_of(city_2024, "育才人数")[2:5] == ["500", "500", "100%"]
    text = texts(city_2024)
    assert "设定目标的2项指标中已完成2项，达标进度100%。" in text
    explanations = [
        p.text
        for p in city_2024.paragraphs
        if "单项完成率超过100%按100%计" in p.text and p.style.name != "Caption"
    ]
    assert len(explanations) == 1 and explanations[0].startswith("各计划的达标进度为")
    plan = next(row for row in table_rows(city_2024) if row[2] == "100%")
    assert plan[1:] == ["2/2", "100%", "引才人数114%；育才人数100%"]


def test_a_figure_only_rolled_up_is_listed_with_its_cascade_shortfall(city_2024):
    # No figure of its own: 1,200 + 900 + 300 of the counties, in the column of the sub-regions
    # combined (as on the region page); the targets of two of them, 1,000 + 2,000, fall short
    # of the city's 10,000.
    header = next(row for row in table_rows(city_2024) if row[:2] == ["指标", "单位"])
    assert header[3:] == ["实际", "完成率", "同比", "下级汇总", "状态"]
    row = row_of(city_2024, "培训人数")
    # The target is held against the roll-up (2,400 of 10,000), and the report says so.
    assert row[1:] == ["人", "10,000", "—", "24%", "—", "2,400", "未达标"]
    assert "注：培训人数本级未单独报送，完成率和状态按已报送的下级汇总计算。" in texts(city_2024)
    assert "注：培训人数，下级目标合计 3,000，低于本级目标 10,000。" in texts(city_2024)
    sentence = next(t for t in texts(city_2024) if "考核排名" in t)
    assert "培训人数本级暂无已审核数据，下级汇总2,400人" in sentence


def test_every_indicator_of_the_programs_is_in_a_table(city_2024):
    names = {row[0] for row in table_rows(city_2024)}
    assert {"考核排名", "重点改革", "就业率", "引才人数", "育才人数", "培训人数"} <= names
    # Of no plan and only rolled up from a county: after the plans (a figure of no plan without
    # the city's own value was left out before).
    assert any("其他指标" in heading for heading in headings(city_2024))
    # A roll-up without a target: a value with none to meet (未设目标), not "no data".
    assert row_of(city_2024, "返乡人数")[1:] == ["人", "—", "—", "—", "—", "70", "未设目标"]


def test_sub_regions_get_places_only_when_three_have_a_figure(city_2024):
    # Three counties trained people: ranked.
    rows, _note = table_after(city_2024, "培训人数")
    assert rows == [
        ["排名", "区域", "数值（人）"],
        ["1", "东川县", "1,200"],
        ["2", "西川县", "900"],
        ["3", "南川县", "300"],
    ]
    # Two have an employment rate: best first, no place column, and the report says why.
    rows, note = table_after(city_2024, "就业率")
    assert rows == [["区域", "数值（%）"], ["东川县", "50"], ["西川县", "38"]]
    assert note == "有数据的下级地区不足三个：按数值由优到次排列，不列名次。"


def test_a_rank_indicators_sub_regions_keep_the_outside_places(city_2024):
    rows, note = table_after(city_2024, "考核排名")
    assert rows == [["区域", "数值"], ["东川县", "第2位"], ["西川县", "第4位"]]
    assert note == "各地在外部排名中的名次，按名次先后排列；并非本站排名。"
