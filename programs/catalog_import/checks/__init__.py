"""Checking a catalog workbook: one check per sheet, run parents first over a shared context.

Each check reads its sheet's rows, matches them to the stored catalog by their natural keys, and
records in the context's `CatalogCheck` every error at its cell, or the row's fate (created,
changed, unchanged) and what to save.
"""

from __future__ import annotations

from ..reading import Sheet
from ..results import CatalogCheck
from .context import CheckContext
from .indicators import check_indicators
from .measures import check_measures
from .plan_links import check_plan_links
from .plans import check_plans
from .program import check_program
from .targets import check_target_cascade, check_targets

__all__ = ["CheckContext", "run_checks"]


def run_checks(*, user, sheets: dict[str, Sheet], check: CatalogCheck) -> None:
    """Check every sheet of the file for `user`, filling `check`."""
    ctx = CheckContext(user=user, sheets=sheets, check=check)
    ctx.load_regions()
    check_program(ctx)
    check_plans(ctx)
    check_measures(ctx)
    ctx.load_indicators()
    check_indicators(ctx)
    check_plan_links(ctx)
    check_targets(ctx)
    if not check.errors:  # a file with errors is refused: what it would leave does not matter
        check_target_cascade(ctx)
