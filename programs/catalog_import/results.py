"""What a check of a catalog workbook finds: every error, or every row's fate and what to save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..xlsx import RowError
from .sheets import SHEETS

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
FAILURE_ERRORS_SHOWN = 3


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Item:
    """One catalog row the file creates, changes or leaves as it is."""

    sheet: str  # the sheet's key
    row: int
    label: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class SheetPreview:
    title: str
    created: list[Item]
    updated: list[Item]
    unchanged: list[Item]


@dataclass
class CatalogCheck:
    """A dry run: every error, or every row's fate; and what `import_catalog` would save."""

    errors: list[RowError] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    # What the catalog would say after the import, shown but not blocking it (the targets'
    # cascade): a row of the sheet where it is one of the file's, else None.
    warnings: list[RowError] = field(default_factory=list)
    program_name: str = ""
    # (instance, then): saved in this order, parents first; `then` runs after the save.
    saves: list[tuple[models.Model, Callable[[], None] | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return any(item.action != UNCHANGED for item in self.items)

    def warning_texts(self) -> list[str]:
        """Each warning in one line, where it is in the file when it is a row of it."""
        return [error_text(warning) for warning in self.warnings]

    def counts(self) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        key = {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged"}
        for item in self.items:
            counts[key[item.action]] += 1
        return counts

    def sheets(self) -> list[SheetPreview]:
        previews = []
        for spec in SHEETS:
            items = [item for item in self.items if item.sheet == spec.key]
            if items:
                previews.append(
                    SheetPreview(
                        title=_(spec.title),
                        created=[item for item in items if item.action == CREATE],
                        updated=[item for item in items if item.action == UPDATE],
                        unchanged=[item for item in items if item.action == UNCHANGED],
                    )
                )
        return previews


def error_text(error: RowError) -> str:
    """An error in one line: "Targets, row 3, column E: The value cannot be negative."."""
    if error.row is None:
        return f"{error.sheet}: {error.message}" if error.sheet else error.message
    if not error.column:
        return _("%(sheet)s, row %(row)d: %(message)s") % {
            "sheet": error.sheet,
            "row": error.row,
            "message": error.message,
        }
    return _("%(sheet)s, row %(row)d, column %(column)s: %(message)s") % {
        "sheet": error.sheet,
        "row": error.row,
        "column": error.column,
        "message": error.message,
    }


def failure_message(errors: list[RowError]) -> str:
    count = len(errors)
    text = ngettext(
        "The workbook has %(count)d error; nothing was imported.",
        "The workbook has %(count)d errors; nothing was imported.",
        count,
    ) % {"count": count}
    shown = " ".join(error_text(error) for error in errors[:FAILURE_ERRORS_SHOWN])
    more = ""
    if count > FAILURE_ERRORS_SHOWN:
        more = " " + _("Upload the file again to see every error.")
    return f"{text} {shown}{more}"
