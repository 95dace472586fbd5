"""Catalog import: one program with its plans, measures, indicators and targets from a workbook.

A catalog admin downloads `build_template`, fills it in offline and uploads it. `parse_catalog`
reads it as a dry run: what would be created, changed (old → new) or left as it is, or every error
with its sheet, row and column as Excel shows them; it never raises on a bad file and writes
nothing. Beside the changes it warns, without blocking the import, where a region's target as the
file would leave it is not covered by its sub-regions' targets (`programs.target_cascade`).
`import_catalog` is the job's body: it reads and checks the file again (the catalog or the user's
rights may have changed since the preview) and saves everything in one transaction.

Rows are matched to stored rows by the models' natural keys: program (region, name), plan
(program, name), measure (plan, text), indicator (code), plan indicator (plan, indicator), target
(indicator, region, year). A matched row is updated in place; a row equal to what is stored is not
saved at all, so importing the same file twice changes nothing (and writes no history). Nothing is
ever deleted. Indicators are a library shared by every region: an existing one is referenced by
its code and never changed from a workbook (other regions' figures depend on it).

The rooms: `sheets` (the workbook's layout), `reading` (file → rows → values), `checks` (one
check per sheet over a shared context), `results` (what a check finds), `importing` (the dry run
and the job's body), `template` (the download). The file is read with `programs.xlsx`, as every
upload is: the same size and package checks, formulas refused as input, text escaped so that no
cell we write is one.
"""

from .importing import UPLOAD_FOLDER, import_catalog, parse_catalog
from .results import (
    CREATE,
    UNCHANGED,
    UPDATE,
    CatalogCheck,
    FieldChange,
    Item,
    SheetPreview,
    error_text,
    failure_message,
)
from .sheets import (
    INDICATORS,
    MEASURES,
    PLAN_INDICATORS,
    PLANS,
    PROGRAM,
    SHEETS,
    TARGETS,
    Column,
    SheetSpec,
)
from .template import build_template

__all__ = [
    "CREATE",
    "INDICATORS",
    "MEASURES",
    "PLANS",
    "PLAN_INDICATORS",
    "PROGRAM",
    "SHEETS",
    "TARGETS",
    "UNCHANGED",
    "UPDATE",
    "UPLOAD_FOLDER",
    "CatalogCheck",
    "Column",
    "FieldChange",
    "Item",
    "SheetPreview",
    "SheetSpec",
    "build_template",
    "error_text",
    "failure_message",
    "import_catalog",
    "parse_catalog",
]
