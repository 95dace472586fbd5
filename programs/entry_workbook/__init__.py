"""The data-entry grid as an Excel workbook: a template to fill offline, and its upload.

`build_template` writes one region's indicators for a period and program, with targets and last
year's figures beside three unlocked input columns (value, lower bound, note); everything else is
locked and the sheet protected. A very hidden sheet records the region, period, program and format
version, so a file filled for another page is refused. No cell we write is ever a formula: text that
Excel would take for one (= + - @, tab, CR) gets a leading apostrophe (`xlsx.safe_text`).

`parse_upload` reads a filled copy back and checks every row, returning either the changes or every
error with its sheet, row and column as Excel shows them; it never raises on a bad file. The file
goes through `programs.xlsx` first: its size, its package and its rows are limited there.
`apply_changes` saves the changes as drafts through `services.report_save_many`, all or nothing.
"""

from .layout import (
    COLUMN,
    COLUMNS,
    FIRST_ROW,
    FORMAT_VERSION,
    HEADER_ROW,
    INPUTS,
    LETTER,
    META_SHEET,
    ParseResult,
    RowChange,
    display_value,
    target_text,
)
from .template import build_template
from .upload import apply_changes, parse_upload

__all__ = [
    "COLUMN",
    "COLUMNS",
    "FIRST_ROW",
    "FORMAT_VERSION",
    "HEADER_ROW",
    "INPUTS",
    "LETTER",
    "META_SHEET",
    "ParseResult",
    "RowChange",
    "apply_changes",
    "build_template",
    "display_value",
    "parse_upload",
    "target_text",
]
