"""A catalog workbook checked as a dry run (`parse_catalog`), or imported by its job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..jobs import JobFailed
from ..xlsx import RowError, read_bytes, scan_upload
from .checks import run_checks
from .reading import Sheet, read_workbook
from .results import CatalogCheck, failure_message
from .sheets import SHEETS

# Where a confirmed upload waits for its job (`jobs.run_catalog_import` deletes it when done).
UPLOAD_FOLDER = "jobs/uploads"


def _check_workbook(data: bytes | None, *, user, problem: str = "") -> CatalogCheck:
    check = CatalogCheck()
    if data is None:
        check.errors.append(RowError("", None, "", problem))
        return check
    scan, problem = scan_upload(data)
    if scan is None:
        check.errors.append(RowError("", None, "", problem))
        return check
    sheets = read_workbook(data, check.errors, scan)
    if sheets is None:
        return check
    run_checks(user=user, sheets=sheets, check=check)
    if check.errors:
        check.items, check.saves = [], []  # a file with any bad row writes nothing
    check.errors.sort(key=lambda error: (_sheet_order(error.sheet, sheets), error.row or 0))
    return check


def _sheet_order(title: str, sheets: dict[str, Sheet]) -> int:
    for index, spec in enumerate(SHEETS):
        if spec.key in sheets and sheets[spec.key].title == title:
            return index
    return -1


def parse_catalog(*, file, user) -> CatalogCheck:
    """The dry run of an uploaded workbook (a file object, a path or bytes); writes nothing."""
    data, problem = read_bytes(file)
    return _check_workbook(data, user=user, problem=problem)


def import_catalog(*, path: Path, user, progress: Callable[[int, str], None]) -> dict:
    """Check the workbook at `path` again and save it all or nothing; counts of catalog rows.

    Raises JobFailed, having written nothing, when any row is wrong now (a region gone, a right
    withdrawn, a name taken since the preview).
    """
    progress(5, _("Reading the workbook"))
    data, problem = read_bytes(path)
    progress(20, _("Checking every row"))
    try:
        with transaction.atomic():
            check = _check_workbook(data, user=user, problem=problem)
            if check.errors:
                raise JobFailed(failure_message(check.errors))
            progress(60, _("Saving the catalog"))
            for instance, then in check.saves:
                instance.save()
                if then is not None:
                    then()
    except IntegrityError as error:
        raise JobFailed(
            _(
                "The catalog was changed by someone else during the import; nothing was "
                "imported. Upload the file again to see the new preview."
            )
        ) from error
    progress(95, _("Saved"))
    return check.counts()
