"""The year-end Word report: figures, structure, charts or their tables, and the file itself.

The report's own sentences are not in the catalog yet, so Chinese text is asserted only where it
is data (region, plan and indicator names) or where the test asks gettext for the same string.
"""

from decimal import Decimal

import docx
import pytest
from django.utils import translation
from django.utils.translation import gettext

from programs.choices import ReportState
from programs.exports import charts
from programs.exports.year_report import write_year_report, year_report_filename
from programs.models import Plan, Program
from regions.models import Region

from ..factories import PeriodFactory, ReportFactory

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
    assert rows["职业技能培训人数"][1:6] == ["人", "1,000", "1,200", "120%", "+15.4%"]
    assert rows["新增技能人才"][1:6] == ["人", "800", "950", "118.8%", "+61%"]
    assert rows["新增高技能人才"][1:6] == ["人", "400", "380", "95%", "+26.7%"]
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
    # The mean of 100% (120% capped), 100% (118.8% capped) and 95%; 技能大赛 has no target.
    assert ["优培赋能强提升计划", "98.3%", "2/3"] in rows
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
    assert ["新增技能人才", "人", "—", "14,700", "—", "+8.9%", "未设目标"] in rows
    haining = Region.objects.get(code="330481").name
    assert ["1", haining, "2,710"] in rows  # the most new skilled workers of 2024
    assert ["8", "嘉兴港区", "950"] in rows


def test_a_plan_without_indicators_still_has_its_section_and_measures(demo, tmp_path):
    document = write(Region.objects.get(code="331082"), 2019, tmp_path)  # 临海市
    assert any("高效能理顺机制" in heading for heading in headings(document))
    assert any("深化“市镇企”三级联动人才工作机制" in text for text in texts(document))
    rows = {row[0]: row for row in table_rows(document)}
    # A rank is met or not: no share of it, no growth.
    assert rows["台州市人才工作考核排名"][2:6] == ["≤3", "3", "—", "—"]


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
