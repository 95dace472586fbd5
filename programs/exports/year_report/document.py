"""The Word document in the officials' style (GB/T 9704): styles, page, tables, saving."""

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
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

from .words import numeral

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
        self.paragraph(caption, "Caption").paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)  # the grid LibreOffice and WPS lay the table out by
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
