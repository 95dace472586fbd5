"""The year-end progress report of a region, as a Word document (DESIGN.md, "Year-end").

Laid out the way officials write theirs (GB/T 9704 page and fonts): the year's headline figures
in words, completion per plan, growth and charts, a section per plan with its measures and an
indicator table, the sub-regions' ranking, and where the figures come from. Every number comes
from `dashboard.region_summary` (approved figures only) and is formatted by `figures`, so the
report says exactly what the public dashboard says. The text is always in settings.LANGUAGE_CODE
(Chinese), whoever asks for it: the document is sent upward after light editing.
"""

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from matplotlib.font_manager import FontProperties

from regions.models import Region

from .. import dashboard
from ..choices import Comparator, IndicatorKind, Status
from ..dashboard import Figure, PlanSummary, RegionSummary
from ..figures import comparator_sign, plain_number
from ..models import Measure, Plan, Program
from ..selectors import programs_for
from . import charts
from .charts import percent_text, with_unit

Progress = Callable[[int, str], None]

# The fonts of official documents (GB/T 9704): 仿宋 body, 黑体 first-level and 楷体 second-level
# headings, a 宋体 title. Named in English, which Word and WPS resolve to the same fonts.
LATIN_FONT = "Times New Roman"
BODY_FONT = "FangSong"
TITLE_FONT = "SimSun"
HEADING_FONTS = {1: "SimHei", 2: "KaiTi", 3: "FangSong"}
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(10.5)  # 五号
CAPTION_SIZE = Pt(12)  # 小四
LINE_SPACING = Pt(28)
PICTURE_WIDTH = Cm(15.5)  # the text width of A4 with the margins below
TABLE_TEXT = "Report Table Text"
PICTURE = "Report Picture"
# Growth is quoted for counts and amounts: a rank's or a share's relative change misleads.
GROWTH_KINDS = (IndicatorKind.COUNT, IndicatorKind.AMOUNT)

# Section numbers as officials write them (一、二、… and (一)(二)…), from the catalog.
NUMERALS = (
    pgettext_lazy("counting numeral", "1"),
    pgettext_lazy("counting numeral", "2"),
    pgettext_lazy("counting numeral", "3"),
    pgettext_lazy("counting numeral", "4"),
    pgettext_lazy("counting numeral", "5"),
    pgettext_lazy("counting numeral", "6"),
    pgettext_lazy("counting numeral", "7"),
    pgettext_lazy("counting numeral", "8"),
    pgettext_lazy("counting numeral", "9"),
    pgettext_lazy("counting numeral", "10"),
)


def year_report_filename(region: Region, year: int) -> str:
    """The file name officials give the report, e.g. 嘉兴港区2024年人才工作进展报告.docx."""
    with translation.override(settings.LANGUAGE_CODE):
        name = _("%(region)s %(year)s talent work progress report") % {
            "region": region.name,
            "year": year,
        }
    return re.sub(r'[\\/:*?"<>|]', "_", name) + ".docx"


def _no_progress(percent: int, step: str) -> None:
    pass


def write_year_report(
    *, region: Region, year: int, path: Path, progress: Progress = _no_progress
) -> None:
    """Write the report of `region` for `year` to `path`, replacing any file there."""
    with translation.override(settings.LANGUAGE_CODE):
        progress(0, _("Reading the figures"))
        data = report_data(region, year)
        title = _("Progress report on the talent work of %(region)s in %(year)s") % {
            "region": region.name,
            "year": year,
        }
        writer = Writer(new_document(title), charts.cjk_font())
        writer.doc.add_heading(title, 0)
        progress(20, _("Writing the overview"))
        write_overview(writer, data)
        progress(40, _("Drawing the charts"))
        write_charts(writer, data)
        progress(70, _("Writing the plans"))
        write_plans(writer, data)
        write_sub_regions(writer, data)
        write_closing(writer, data)
        progress(90, _("Saving the document"))
        save_atomically(writer.doc, Path(path))
        progress(100, _("Done"))


# --- The figures ----------------------------------------------------------------------------------


@dataclass
class PlanSection:
    plan: Plan
    measures: list[Measure]
    summary: PlanSummary | None  # None for a plan that tracks no indicator

    @property
    def figures(self) -> list[Figure]:
        return self.summary.figures if self.summary else []


@dataclass
class ReportData:
    summary: RegionSummary
    programs: list[tuple[Program, list[PlanSection]]]
    untracked: list[Figure]  # approved figures no plan of these programs tracks

    @property
    def has_figures(self) -> bool:
        return any(f.value is not None for f in self.summary.figures.values())

    @property
    def headline(self) -> list[Figure]:
        """The summary's headline indicators, in the order the plans list them."""
        place: dict[int, int] = {}
        for _program, sections in self.programs:
            for figure in (f for s in sections for f in s.figures):
                place.setdefault(figure.indicator.pk, len(place))
        return sorted(self.summary.headline, key=lambda f: place.get(f.indicator.pk, len(place)))


def report_data(region: Region, year: int) -> ReportData:
    """The summary plus every plan and measure of the programs running that year (3 queries more:
    a plan without indicators has no place in the summary but still has a section)."""
    summary = dashboard.region_summary(region, year)
    plan_summaries = {s.plan.pk: s for _program, plans in summary.programs for s in plans}
    programs = list(programs_for(region, year))
    plans = (
        Plan.objects.filter(program__in=programs)
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("order", "pk")))
        .order_by("order", "pk")
    )
    sections = defaultdict(list)
    for plan in plans:
        sections[plan.program_id].append(
            PlanSection(plan, list(plan.measures.all()), plan_summaries.get(plan.pk))
        )
    tracked = {f.indicator.pk for s in plan_summaries.values() for f in s.figures}
    untracked = sorted(
        (
            f
            for f in summary.figures.values()
            if f.indicator.pk not in tracked and f.value is not None
        ),
        key=lambda f: f.indicator.code,
    )
    return ReportData(summary, [(p, sections[p.pk]) for p in programs], untracked)


# --- Numbers and words ----------------------------------------------------------------------------


def numeral(number: int) -> str:
    return str(NUMERALS[number - 1]) if 1 <= number <= len(NUMERALS) else str(number)


def join_names(names: list[str]) -> str:
    return pgettext("between names in a list", ", ").join(names)


def join_sentences(sentences: list[str]) -> str:
    text = sentences[0] if sentences else ""
    for sentence in sentences[1:]:
        text = pgettext("joins two sentences", "%(first)s %(second)s") % {
            "first": text,
            "second": sentence,
        }
    return text


def number_text(value: Decimal | None, *, lower_bound: bool = False) -> str:
    """1200 → "1,200"; a lower bound ("1600余名") keeps its "more than"."""
    if value is None:
        return "—"
    text = plain_number(value)
    return _("more than %(value)s") % {"value": text} if lower_bound else text


def quantity_text(value: Decimal | None, unit: str, *, lower_bound: bool = False) -> str:
    number = number_text(value, lower_bound=lower_bound)
    return _("%(value)s %(unit)s") % {"value": number, "unit": unit} if unit else number


def signed_percent_text(ratio: Decimal | None) -> str:
    if ratio is None:
        return "—"
    return ("+" if ratio > 0 else "") + percent_text(ratio)


def date_text(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def status_text(figure: Figure) -> str:
    if figure.target is None and figure.value is not None:
        return "—"  # a figure without a target has no status, but it has data
    return str(Status(figure.badge).label)


def target_text(figure: Figure) -> str:
    target = figure.target
    if target is None:
        return "—"
    if figure.indicator.kind == IndicatorKind.MILESTONE:
        return _("Done")
    # A ceiling (a rank to reach, a rate to stay under) says so; a floor is the usual case.
    prefix = comparator_sign(target.comparator) if target.comparator == Comparator.LTE else ""
    return prefix + number_text(target.value)


def actual_text(figure: Figure) -> str:
    if figure.value is not None and figure.indicator.kind == IndicatorKind.MILESTONE:
        return _("Done") if figure.value >= 1 else _("Not done")
    return number_text(figure.value, lower_bound=figure.is_lower_bound)


def place_text(value: Decimal, *, ceiling: bool = False) -> str:
    """A rank in words: "第3位", or as a ceiling target "前3位" (third place or better)."""
    place = {"place": plain_number(value)}
    return (_("top %(place)s") if ceiling else _("No. %(place)s")) % place


def growth(figure: Figure) -> Decimal | None:
    return figure.growth if figure.indicator.kind in GROWTH_KINDS else None


def growth_clause(figure: Figure) -> str:
    change = growth(figure)
    if change is None:
        return ""
    if change > 0:
        return _(", up %(growth)s on last year") % {"growth": percent_text(change)}
    if change < 0:
        return _(", down %(growth)s on last year") % {"growth": percent_text(-change)}
    return _(", the same as last year")


def headline_clause(figure: Figure) -> str:
    """One indicator in words: "全年开展职业技能培训1,200人，完成年度目标的120%，同比增长15.4%"."""
    names = {"indicator": figure.indicator.name}
    if figure.value is None:
        return _("%(indicator)s: no approved figure yet") % names
    if figure.indicator.kind == IndicatorKind.MILESTONE:
        done = figure.value >= 1
        return (_("%(indicator)s: done") if done else _("%(indicator)s: not done yet")) % names
    if figure.indicator.kind == IndicatorKind.RANK:  # met or not: a share of a place is nothing
        values = {**names, "quantity": place_text(figure.value)}
        if figure.target is None:
            return _("%(indicator)s %(quantity)s") % values
        target = figure.target
        return _("%(indicator)s %(quantity)s against a target of %(target)s: %(status)s") % {
            **values,
            "target": place_text(target.value, ceiling=target.comparator == Comparator.LTE),
            "status": status_text(figure),
        }
    values = {
        **names,
        "quantity": quantity_text(
            figure.value, figure.indicator.unit, lower_bound=figure.is_lower_bound
        ),
    }
    ratio = figure.completion.ratio
    if ratio is not None:
        text = _("%(indicator)s %(quantity)s, %(completion)s of the annual target") % {
            **values,
            "completion": percent_text(ratio),
        }
    else:
        text = _("%(indicator)s %(quantity)s") % values
    return text + growth_clause(figure)


# --- The document ---------------------------------------------------------------------------------


@dataclass
class Writer:
    """The document being written, with its running section, table and figure numbers."""

    doc: WordDocument
    font: FontProperties | None
    sections: int = 0
    tables: int = 0
    pictures: int = 0

    def section(self, title: str) -> None:
        self.sections += 1
        text = _("%(number)s. %(title)s") % {"number": numeral(self.sections), "title": title}
        self.doc.add_heading(text, 1)

    def subsection(self, number: int, title: str, *, level: int = 2) -> None:
        if level == 2:
            text = _("(%(number)s) %(title)s") % {"number": numeral(number), "title": title}
        else:  # the third level is numbered 1. 2. 3. in any language
            text = f"{number}. {title}"
        self.doc.add_heading(text, level)

    def paragraph(self, text: str = "", style: str | None = None):
        return self.doc.add_paragraph(text, style)

    def table(
        self, title: str, header: list[str], rows: list[list[str]], widths: list[float]
    ) -> None:
        """A numbered caption above a grid whose header row repeats on every page; `widths`
        in cm (Word would give a long indicator name as little room as a percentage)."""
        self.tables += 1
        caption = _("Table %(number)s. %(title)s") % {"number": self.tables, "title": title}
        self.paragraph(caption, "Caption")
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
            fill_cell(cell, text, width, bold=True)
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for row in rows:
            cells = table.add_row().cells
            for column, (cell, text, width) in enumerate(zip(cells, row, widths, strict=True)):
                fill_cell(cell, text, width, left=column == 0)

    def picture(self, png: bytes, title: str) -> None:
        """A chart image with its numbered caption below, as in printed reports."""
        self.pictures += 1
        self.paragraph(style=PICTURE).add_run().add_picture(BytesIO(png), width=PICTURE_WIDTH)
        caption = _("Figure %(number)s. %(title)s") % {"number": self.pictures, "title": title}
        self.paragraph(caption, "Caption")


def fill_cell(cell, text: str, width: float, *, bold: bool = False, left: bool = False) -> None:
    cell.width = Cm(width)
    paragraph = cell.paragraphs[0]
    paragraph.style = TABLE_TEXT
    if left:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.add_run(text).bold = bold or None


def set_style_font(style, east_asian: str, *, size: Length, bold: bool = False) -> None:
    """Fonts for Latin and Chinese text; the template's theme fonts would override both."""
    style.font.name = LATIN_FONT
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), east_asian)


def set_compact(style, *, alignment=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """Single spacing without indent: a fixed 28pt line would clip pictures and crowd cells."""
    paragraph = style.paragraph_format
    paragraph.first_line_indent = Pt(0)
    paragraph.line_spacing = 1.0
    paragraph.alignment = alignment
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(0)


def set_up_styles(doc: WordDocument) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    set_style_font(normal, BODY_FONT, size=BODY_SIZE)
    body = normal.paragraph_format
    body.first_line_indent = BODY_SIZE * 2  # two characters, as every paragraph starts
    body.line_spacing = LINE_SPACING
    body.space_before = body.space_after = Pt(0)
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = styles["Title"]
    set_style_font(title, TITLE_FONT, size=TITLE_SIZE, bold=True)
    border = title.element.pPr.find(qn("w:pBdr"))
    if border is not None:
        title.element.pPr.remove(border)
    set_compact(title)
    title.paragraph_format.space_after = Pt(24)

    for level, font in HEADING_FONTS.items():
        heading = styles[f"Heading {level}"]
        set_style_font(heading, font, size=BODY_SIZE, bold=level == 3)
        heading.paragraph_format.space_before = Pt(6)
        heading.paragraph_format.keep_with_next = True

    caption = styles["Caption"]
    set_style_font(caption, HEADING_FONTS[1], size=CAPTION_SIZE)
    set_compact(caption)
    caption.paragraph_format.space_before = caption.paragraph_format.space_after = Pt(6)

    for name, size in ((TABLE_TEXT, TABLE_SIZE), (PICTURE, BODY_SIZE)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        set_style_font(style, BODY_FONT, size=size)
        set_compact(style)
    styles[PICTURE].paragraph_format.keep_with_next = True

    # Chinese proofing and line breaking (no line may start with "，" or "。").
    language = styles.element.find(f"{qn('w:docDefaults')}//{qn('w:lang')}")
    if language is not None:
        language.set(qn("w:eastAsia"), "zh-CN")


def set_up_page(doc: WordDocument) -> None:
    """A4 portrait with the margins of GB/T 9704 and a centred page number "— 1 —"."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    footer = section.footer.paragraphs[0]
    set_compact(doc.styles["Footer"])
    footer.add_run("— ")
    for kind, instruction in (("begin", None), (None, " PAGE "), ("end", None)):
        run = footer.add_run()
        if instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    footer.add_run(" —")


def new_document(title: str) -> WordDocument:
    doc = Document()
    set_up_page(doc)
    set_up_styles(doc)
    properties = doc.core_properties
    properties.title = title
    properties.author = properties.last_modified_by = _("TalentPortal")
    properties.language = "zh-CN"
    properties.created = properties.modified = timezone.now()
    properties.revision = 1
    return doc


def save_atomically(doc: WordDocument, path: Path) -> None:
    """Replace `path` in one step, so a download never gets a half-written report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".docx.part")
    os.close(handle)
    try:
        doc.save(temporary)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the file from the web process
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- The sections ---------------------------------------------------------------------------------


def write_overview(writer: Writer, data: ReportData) -> None:
    summary = data.summary
    values = {"region": summary.region.name, "year": summary.year}
    writer.section(_("Overview"))
    if not data.has_figures:  # say so, and claim no progress the figures cannot show
        writer.paragraph(
            _("There are no approved figures of %(region)s for %(year)s yet.") % values
        )
        return
    if data.programs:
        opening = _(
            "In %(year)s, %(region)s carried out %(programs)s, and its talent work made steady "
            "progress."
        ) % {**values, "programs": join_names([p.name for p, _sections in data.programs])}
    else:
        opening = _("In %(year)s, the talent work of %(region)s made steady progress.") % values
    writer.paragraph(opening)
    headline = [f for f in data.headline if f.target is not None] or [
        f for f in data.headline if f.value is not None
    ]
    clauses = pgettext("between clauses", "; ").join(headline_clause(f) for f in headline)
    writer.paragraph(_("Over the year, %(clauses)s.") % {"clauses": clauses})
    if targets := targets_sentence(summary):
        writer.paragraph(targets)


def targets_sentence(summary: RegionSummary) -> str:
    """How many year targets were met, which were not, and which have no figure yet."""
    with_target = sorted(
        (f for f in summary.figures.values() if f.target is not None),
        key=lambda f: f.indicator.code,
    )
    reported = [f for f in with_target if f.value is not None]
    sentences = []
    if reported:
        met = sum(1 for f in reported if f.completion.met)
        sentences.append(
            _("Indicators meeting their target: %(met)s of %(total)s.")
            % {"met": met, "total": len(reported)}
        )
    short = [f.indicator.name for f in reported if f.completion.met is False]
    if short:
        sentences.append(
            _("Still short of the target: %(indicators)s.") % {"indicators": join_names(short)}
        )
    missing = [f.indicator.name for f in with_target if f.value is None]
    if missing:
        sentences.append(
            _("No approved figure yet: %(indicators)s.") % {"indicators": join_names(missing)}
        )
    return join_sentences(sentences)


def chartable(figure: Figure) -> bool:
    return figure.indicator.kind in (*GROWTH_KINDS, IndicatorKind.PERCENTAGE)


def trend_points(figure: Figure, year: int) -> list[tuple[int, Decimal]]:
    return [(y, v) for y, v in figure.history if y <= year]


def write_charts(writer: Writer, data: ReportData) -> None:
    """Completion per plan, target against actual, and the years so far; tables without a font."""
    if not data.has_figures:
        return
    sections = [s for _p, plans in data.programs for s in plans if s.summary]
    completion = [
        (s.plan.name, s.summary.completion) for s in sections if s.summary.completion is not None
    ]
    compared = [
        f for f in data.headline if chartable(f) and f.target is not None and f.value is not None
    ]
    trends = [
        f for f in data.headline if chartable(f) and len(trend_points(f, data.summary.year)) > 1
    ]
    if not (completion or compared or trends):
        return
    if writer.font is None:
        write_chart_tables(writer, data, sections, trends)
        return
    if completion:
        writer.picture(
            charts.completion_chart(completion, font=writer.font), _("Completion by plan")
        )
    if compared:
        rows = [(f.indicator.name, f.indicator.unit, f.target.value, f.value) for f in compared]
        writer.picture(
            charts.target_actual_chart(rows, font=writer.font),
            _("Target and actual of the headline indicators"),
        )
    if trends:
        series = [
            (with_unit(f.indicator.name, f.indicator.unit), trend_points(f, data.summary.year))
            for f in trends
        ]
        writer.picture(
            charts.trend_chart(series, font=writer.font), _("Headline indicators over the years")
        )


def write_chart_tables(
    writer: Writer, data: ReportData, sections: list[PlanSection], trends: list[Figure]
) -> None:
    writer.paragraph(_("No Chinese font was found: the charts are given as tables."))
    plans = [s for s in sections if s.summary.with_target]
    if plans:
        writer.table(
            _("Completion by plan"),
            [_("Plan"), _("Completion"), _("Targets met")],
            [
                [
                    s.plan.name,
                    percent_text(s.summary.completion),
                    f"{s.summary.met}/{len(s.summary.with_target)}",
                ]
                for s in plans
            ],
            [7.6, 4, 4],
        )
    if trends:
        years = sorted({y for f in trends for y, _v in trend_points(f, data.summary.year)})
        rows = []
        for figure in trends:
            points = dict(trend_points(figure, data.summary.year))
            rows.append(
                [with_unit(figure.indicator.name, figure.indicator.unit)]
                + [number_text(points.get(y)) for y in years]
            )
        header = [_("Indicator")] + [_("%(year)s") % {"year": y} for y in years]
        widths = [5.6] + [10 / len(years)] * len(years)
        writer.table(_("Headline indicators over the years"), header, rows, widths)


def indicator_rows(figures: list[Figure]) -> list[list[str]]:
    return [
        [
            f.indicator.name,
            f.indicator.unit or "—",
            target_text(f),
            actual_text(f),
            percent_text(f.completion.ratio),
            signed_percent_text(growth(f)),
            status_text(f),
        ]
        for f in figures
    ]


def indicator_table(writer: Writer, title: str, figures: list[Figure]) -> None:
    header = [
        _("Indicator"),
        _("Unit"),
        _("Target"),
        _("Actual"),
        _("Completion"),
        _("YoY growth"),
        _("Status"),
    ]
    widths = [4.4, 1.3, 2.0, 2.0, 1.9, 2.0, 2.0]
    writer.table(title, header, indicator_rows(figures), widths)


def write_plans(writer: Writer, data: ReportData) -> None:
    if not data.programs:  # a region reporting figures without programs of its own
        if data.untracked:
            writer.section(_("Progress by indicator"))
            indicator_table(writer, indicators_of(data.summary.region.name), data.untracked)
        return
    writer.section(_("Progress by plan"))
    several = len(data.programs) > 1
    for number, (program, sections) in enumerate(data.programs, start=1):
        if several:
            writer.subsection(number, program.name)
        for plan_number, section in enumerate(sections, start=1):
            writer.subsection(plan_number, section.plan.name, level=3 if several else 2)
            write_plan(writer, section)
    if data.untracked:  # after the programs, or after the plans of the only one
        number = len(data.programs) + 1 if several else sum(len(s) for _p, s in data.programs) + 1
        writer.subsection(number, _("Other indicators"))
        indicator_table(writer, _("Other indicators"), data.untracked)


def write_plan(writer: Writer, section: PlanSection) -> None:
    if section.plan.description:
        writer.paragraph(section.plan.description)
    if section.measures:
        writer.paragraph(_("Main measures:"))
        for measure in section.measures:
            writer.paragraph(measure_text(measure), "List Bullet")
    summary = section.summary
    if summary is None or not summary.figures:
        writer.paragraph(_("No indicator is tracked under this plan."))
        return
    if summary.with_target:
        values = {"met": summary.met, "total": len(summary.with_target)}
        if summary.completion is not None:
            text = _("Targets met: %(met)s of %(total)s, average completion %(completion)s.") % {
                **values,
                "completion": percent_text(summary.completion),
            }
        else:
            text = _("Targets met: %(met)s of %(total)s.") % values
        writer.paragraph(text)
    indicator_table(writer, indicators_of(section.plan.name), summary.figures)


def indicators_of(name: str) -> str:
    return _("Indicators of %(name)s") % {"name": name}


def measure_text(measure: Measure) -> str:
    """The measure with its lead office and milestone state, where the catalog has them."""
    details = []
    if measure.owner_office:
        details.append(_("lead office: %(office)s") % {"office": measure.owner_office})
    if measure.milestone_state:
        details.append(str(measure.get_milestone_state_display()))
    if not details:
        return measure.name
    return _("%(measure)s (%(details)s)") % {
        "measure": measure.name,
        "details": pgettext("between clauses", "; ").join(details),
    }


def write_sub_regions(writer: Writer, data: ReportData) -> None:
    """A ranking of the children per headline indicator they have figures for."""
    summary = data.summary
    ranked = [f for f in summary.headline if summary.comparison.get(f.indicator.pk)]
    if not summary.children or not ranked:
        return
    writer.section(_("Sub-regions"))
    for figure in ranked:
        rows = [
            [
                str(place.rank),
                place.region.name,
                number_text(place.value, lower_bound=place.is_lower_bound),
            ]
            for place in summary.child_ranking(figure.indicator.pk)
            if place.value is not None
        ]
        writer.table(
            _("Sub-regions ranked by %(indicator)s") % {"indicator": figure.indicator.name},
            [_("Rank"), _("Region"), with_unit(_("Value"), figure.indicator.unit)],
            rows,
            [2.6, 8.0, 5.0],
        )


def write_closing(writer: Writer, data: ReportData) -> None:
    writer.paragraph()
    writer.paragraph(_("Data source: TalentPortal, approved figures only."))
    if data.summary.data_as_of:
        approved = timezone.localdate(data.summary.data_as_of)
        writer.paragraph(_("Figures approved up to %(date)s.") % {"date": date_text(approved)})
    writer.paragraph(_("Generated on %(date)s.") % {"date": date_text(timezone.localdate())})
