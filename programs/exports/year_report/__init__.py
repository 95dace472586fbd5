"""The year-end progress report of a region, as a Word document (DESIGN.md, "Year-end").

Laid out the way officials write theirs (GB/T 9704 page and fonts): the year's headline figures
in words, progress to targets per plan (达标进度), change on last year and charts, a section per
plan with its measures and an indicator table, the sub-regions' ranking, and where the figures
come from. Every number comes from `dashboard.region_summary` (approved figures only) and is
worded by `figures` as the pages word it (第3位, 已完成, +2.1个百分点, 5,200余), so the report says
exactly what the public dashboard says. The text is always in settings.LANGUAGE_CODE (Chinese),
whoever asks for it: the document is sent upward after light editing.
"""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from regions.models import Region

from .. import charts
from .data import report_data
from .document import Progress, Writer, new_document, save_atomically
from .sections import (
    indicator_rows,
    write_charts,
    write_closing,
    write_overview,
    write_plans,
    write_sub_regions,
)

__all__ = ["indicator_rows", "write_year_report", "year_report_filename"]


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
