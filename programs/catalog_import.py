"""Catalog import: one program with its plans, measures, indicators and targets from a workbook.

A catalog admin downloads `build_template`, fills it in offline and uploads it. `parse_catalog`
reads it as a dry run: what would be created, changed (old → new) or left as it is, or every error
with its sheet, row and column as Excel shows them; it never raises on a bad file and writes
nothing. `import_catalog` is the job's body: it reads and checks the file again (the catalog or the
user's rights may have changed since the preview) and saves everything in one transaction.

Rows are matched to stored rows by the models' natural keys: program (region, name), plan
(program, name), measure (plan, text), indicator (code), plan indicator (plan, indicator), target
(indicator, region, year). A matched row is updated in place; a row equal to what is stored is not
saved at all, so importing the same file twice changes nothing (and writes no history). Nothing is
ever deleted. Indicators are a library shared by every region: an existing one is referenced by
its code and never changed from a workbook (other regions' figures depend on it).

The file is read with the helpers of the officials' Excel round trip (`programs.excel`): the same
size and package checks, formulas refused as input, text escaped so that no cell we write is one.
"""

from __future__ import annotations

import contextlib
import copy
import io
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from regions.access import Action, can, regions_where
from regions.models import Region

from .choices import (
    Comparator,
    Direction,
    IndicatorKind,
    MilestoneState,
    PeriodKind,
    RollupRule,
    TimeNature,
    Unit,
)
from .excel import (
    HEADER_FILL,
    INPUT_HEADER_FILL,
    MAX_ROWS,
    NUMBER_RE,
    RowError,
    _answer_words,
    _Cell,
    _CellError,
    _check_package,
    _parse_number,
    _read_bytes,
    _text_of,
    _unescape,
    format_number,
    safe_text,
)
from .jobs import JobFailed
from .models import (
    Indicator,
    Measure,
    Plan,
    PlanIndicator,
    PlanTag,
    Program,
    ReportingPeriod,
    Target,
)

UPLOAD_FOLDER = "jobs/uploads"
HEADER_ROW, FIRST_ROW = 1, 2
TEMPLATE_ROWS = 1000  # rows of each sheet that get the dropdowns
LISTS_SHEET = "_lists"
MIN_YEAR, MAX_YEAR = 2000, 2100
FAILURE_ERRORS_SHOWN = 3
LIST_SEPARATOR = " / "
IDEOGRAPHIC_COMMA = "\u3001"  # how a list is written in Chinese; tags may be separated by it

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


# --- The workbook's layout --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # English msgid; the cell holds it translated
    width: int
    required: bool = False
    choices: str = ""  # the name of a dropdown list of LISTS
    number: bool = False  # read a cell formatted as 35% as 35


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str  # English msgid
    columns: tuple[Column, ...]

    def letter(self, key: str) -> str:
        for index, column in enumerate(self.columns, start=1):
            if column.key == key:
                return get_column_letter(index)
        return ""


PROGRAM = SheetSpec(
    "program",
    gettext_noop("Program"),
    (
        Column("region", gettext_noop("Region code"), 14, required=True),
        Column("name", gettext_noop("Program name"), 40, required=True),
        Column("start_year", gettext_noop("Start year"), 11, required=True),
        Column("end_year", gettext_noop("End year"), 11, required=True),
        Column("source_title", gettext_noop("Source document"), 40),
        Column("source_url", gettext_noop("Source link"), 30),
        Column("summary", gettext_noop("Program summary"), 50),
    ),
)
PLANS = SheetSpec(
    "plans",
    gettext_noop("Plans"),
    (
        Column("name", gettext_noop("Plan name"), 30, required=True),
        Column("order", gettext_noop("Order"), 8),
        Column("tags", gettext_noop("Tags"), 30),
        Column("description", gettext_noop("Description"), 50),
    ),
)
MEASURES = SheetSpec(
    "measures",
    gettext_noop("Measures"),
    (
        Column("plan", gettext_noop("Plan name"), 30, required=True),
        Column("name", gettext_noop("Measure"), 50, required=True),
        Column("owner_office", gettext_noop("Owner office"), 20),
        Column("milestone_state", gettext_noop("Milestone state"), 14, choices="milestone"),
        Column("order", gettext_noop("Order"), 8),
    ),
)
INDICATORS = SheetSpec(
    "indicators",
    gettext_noop("Indicators"),
    (
        Column("code", gettext_noop("Indicator code"), 22, required=True),
        Column("name", gettext_noop("Indicator name"), 30),
        Column("unit", gettext_noop("Unit"), 8, choices="unit"),
        Column("kind", gettext_noop("Kind"), 12, choices="kind"),
        Column("direction", gettext_noop("Direction"), 16, choices="direction"),
        Column("time_nature", gettext_noop("Time nature"), 18, choices="time_nature"),
        Column("rollup", gettext_noop("Roll-up rule"), 14, choices="rollup"),
        Column("capped_at_100", gettext_noop("Capped at 100"), 12, choices="yes_no"),
        Column("description", gettext_noop("Description"), 40),
    ),
)
PLAN_INDICATORS = SheetSpec(
    "plan_indicators",
    gettext_noop("Plan indicators"),
    (
        Column("plan", gettext_noop("Plan name"), 30, required=True),
        Column("indicator", gettext_noop("Indicator code"), 22, required=True),
        Column("measure", gettext_noop("Measure"), 50),
        Column("order", gettext_noop("Order"), 8),
    ),
)
TARGETS = SheetSpec(
    "targets",
    gettext_noop("Targets"),
    (
        Column("indicator", gettext_noop("Indicator code"), 22, required=True),
        Column("region", gettext_noop("Region code"), 14, required=True),
        Column("year", gettext_noop("Year"), 8, required=True),
        Column("comparator", gettext_noop("Comparator"), 16, choices="comparator"),
        Column("value", gettext_noop("Target value"), 14, required=True, number=True),
        Column("baseline", gettext_noop("Baseline"), 12, number=True),
        Column("plan", gettext_noop("Plan name"), 30),
        Column("note", gettext_noop("Note"), 30),
    ),
)
SHEETS = (PROGRAM, PLANS, MEASURES, INDICATORS, PLAN_INDICATORS, TARGETS)
INSTRUCTIONS_TITLE = gettext_noop("Instructions")

# Dropdown lists: what each list offers (what the cell may hold; labels in any language and the
# stored values are accepted too).
CHOICES: dict[str, type[models.TextChoices]] = {
    "milestone": MilestoneState,
    "kind": IndicatorKind,
    "direction": Direction,
    "time_nature": TimeNature,
    "rollup": RollupRule,
    "comparator": Comparator,
}
COMPARATOR_SIGNS = {
    ">=": Comparator.GTE,
    "≥": Comparator.GTE,
    "<=": Comparator.LTE,
    "≤": Comparator.LTE,
    "=": Comparator.EQ,
    "==": Comparator.EQ,
}


def _all_languages(text: str) -> set[str]:
    """`text` translated into every language of the site, normalized for comparison."""
    found = {_normal(text)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(_normal(_(text)))
    return found


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def _sheet_title(text: str) -> str:
    return "".join(" " if char in "[]:*?/\\" else char for char in text)[:31]


# --- Results ----------------------------------------------------------------------------------


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
    program_name: str = ""
    # (instance, then): saved in this order, parents first; `then` runs after the save.
    saves: list[tuple[models.Model, Callable[[], None] | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return any(item.action != UNCHANGED for item in self.items)

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


# --- Reading the file -------------------------------------------------------------------------


@dataclass
class _Sheet:
    spec: SheetSpec
    title: str  # as in the file
    rows: list[tuple[int, dict[str, _Cell]]]


def _read_sheet(worksheet, spec: SheetSpec, errors: list[RowError]) -> _Sheet | None:
    worksheet.reset_dimensions()  # a file may declare a million rows; read only those that exist
    width = len(spec.columns)
    last_row = FIRST_ROW + MAX_ROWS
    rows: list[tuple[int, dict[str, _Cell]]] = []
    header: tuple = ()
    for number, cells in enumerate(
        worksheet.iter_rows(min_row=1, max_row=last_row, max_col=width), start=1
    ):
        values = {}
        for column, cell in zip(spec.columns, cells, strict=False):
            values[column.key] = _Cell(
                cell.value,
                cell.data_type,
                percent=column.number and "%" in (cell.number_format or ""),
            )
        for column in spec.columns[len(values) :]:
            values[column.key] = _Cell(None, "n")
        if number == HEADER_ROW:
            header = tuple(values[column.key] for column in spec.columns)
            continue
        if all(cell.blank for cell in values.values()):
            continue
        if number == last_row:
            errors.append(
                RowError(
                    worksheet.title,
                    None,
                    "",
                    _("The sheet has more than %(max)d rows: upload only the filled template.")
                    % {"max": MAX_ROWS},
                )
            )
            return None
        rows.append((number, values))
    if all(cell.blank for cell in header):
        errors.append(
            RowError(
                worksheet.title,
                HEADER_ROW,
                "",
                _(
                    "The sheet “%(sheet)s” is empty: keep the template's header row and fill in "
                    "the rows below it."
                )
                % {"sheet": worksheet.title},
            )
        )
        return None
    wrong = False
    for index, (column, cell) in enumerate(zip(spec.columns, header, strict=True), start=1):
        if cell.blank or _normal(_text_of(cell)) not in _all_languages(column.header):
            wrong = True
            errors.append(
                RowError(
                    worksheet.title,
                    HEADER_ROW,
                    get_column_letter(index),
                    _(
                        "This column should be “%(header)s”, as in the template: keep the "
                        "template's columns in their order."
                    )
                    % {"header": _(column.header)},
                )
            )
    return None if wrong else _Sheet(spec, worksheet.title, rows)


def _read_workbook(data: bytes, errors: list[RowError]) -> dict[str, _Sheet] | None:
    """The sheets of the template found in the file, by key; None when it cannot be used."""
    workbook = None
    titles = {spec.key: _all_languages(spec.title) for spec in SHEETS}
    try:
        # Formulas are read as formulas (not their cached results) so that none is taken as input.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheets: dict[str, _Sheet] = {}
        found: dict[str, object] = {}
        for worksheet in workbook.worksheets:
            for key, names in titles.items():
                if _normal(worksheet.title) in names and key not in found:
                    found[key] = worksheet
        for spec in SHEETS:
            worksheet = found.get(spec.key)
            if worksheet is None:
                errors.append(
                    RowError(
                        _sheet_title(_(spec.title)),
                        None,
                        "",
                        _(
                            "The sheet “%(sheet)s” is missing: download the template and keep "
                            "its sheets and their names."
                        )
                        % {"sheet": _sheet_title(_(spec.title))},
                    )
                )
                continue
            sheet = _read_sheet(worksheet, spec, errors)
            if sheet is not None:
                sheets[spec.key] = sheet
        return None if errors else sheets
    except Exception:
        # openpyxl raises many kinds of errors on a damaged file (zip, XML, KeyError, ValueError):
        # the admin gets one clear message instead of a server error.
        errors.append(
            RowError(
                "",
                None,
                "",
                _(
                    "The file could not be read as an Excel workbook: it may be damaged. Save it "
                    "again in Excel as “Excel Workbook (*.xlsx)” and upload it."
                ),
            )
        )
        return None
    finally:
        if workbook is not None:
            workbook.close()


# --- Reading cells ----------------------------------------------------------------------------


def _text(cell: _Cell) -> str:
    if cell.blank:
        return ""
    if cell.formula is not None:
        raise _CellError(
            _("This cell holds a formula (%(formula)s): type the text itself.")
            % {"formula": cell.formula[:50]}
        )
    if cell.data_type == "e":
        raise _CellError(_("This cell shows an Excel error (%(error)s).") % {"error": cell.value})
    return _unescape(_text_of(cell)).strip()


def _decimal(cell: _Cell) -> Decimal:
    raw = cell.value
    if cell.formula is None and cell.data_type != "e":
        text = unicodedata.normalize("NFKC", str(raw)).strip() if isinstance(raw, str) else ""
        if isinstance(raw, bool | datetime | date | time) or (
            isinstance(raw, str) and not NUMBER_RE.fullmatch(text)
        ):
            raise _CellError(
                _("“%(text)s” is not a number: type digits only, such as 1200 or 1,200.")
                % {"text": _text_of(cell).strip()[:50]}
            )
    return _parse_number(cell)


def _integer(cell: _Cell, low: int, high: int) -> int:
    value = _decimal(cell)
    if value != value.to_integral_value() or not low <= value <= high:
        raise _CellError(
            _("Type a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return int(value)


class _Choices:
    """What a dropdown cell may hold: the stored value or its label in any language."""

    def __init__(self):
        self.lookup: dict[str, dict[str, str]] = {}
        for name, enum in CHOICES.items():
            words = {}
            for value, label in enum.choices:
                words[_normal(value)] = value
                for text in _all_languages(label):
                    words[text] = value
            self.lookup[name] = words
        self.lookup["comparator"].update({sign: value for sign, value in COMPARATOR_SIGNS.items()})
        self.lookup["unit"] = {}
        for value, label in Unit.choices:
            self.lookup["unit"][_normal(value)] = value
            for text in _all_languages(label):
                self.lookup["unit"][text] = value
        self.yes, self.no = _answer_words()

    def read(self, cell: _Cell, name: str) -> str:
        text = _text(cell)
        if not text:
            return ""
        value = self.lookup[name].get(_normal(text))
        if value is None:
            raise _CellError(
                _("“%(text)s” is not one of the allowed values: %(allowed)s.")
                % {"text": text[:50], "allowed": LIST_SEPARATOR.join(_dropdown(name))}
            )
        return value

    def answer(self, cell: _Cell) -> bool | None:
        if cell.blank:
            return None
        if isinstance(cell.value, bool):
            return cell.value
        text = _normal(_text(cell))
        if text in self.yes:
            return True
        if text in self.no:
            return False
        raise _CellError(
            _("Answer %(yes)s or %(no)s, or leave the cell blank.")
            % {"yes": _("Yes"), "no": _("No")}
        )


def _dropdown(name: str) -> list[str]:
    """What a dropdown offers, in the current language."""
    if name == "unit":
        return [value for value, _label in Unit.choices]
    if name == "yes_no":
        return [_("Yes"), _("No")]
    return [str(label) for _value, label in CHOICES[name].choices]


def _display(model: type[models.Model], name: str, value) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, models.Model):
        return str(value)
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _new_year_period(year: int) -> ReportingPeriod:
    """A missing year's period, as the demo makes them: entry from 1 January, deadline at the end
    of January of the next year; already locked when that is past (so no overdue notice goes out
    about a year long closed)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    opens = datetime.combine(date(year, 1, 1), time.min, zone)
    deadline = datetime.combine(date(year + 1, 1, 31), time(23, 59, 59), zone)
    return ReportingPeriod(
        kind=PeriodKind.YEAR,
        year=year,
        number=1,
        opens_at=opens,
        deadline=deadline,
        locked=deadline < timezone.now(),
    )


# --- Checking ---------------------------------------------------------------------------------


class _Checker:
    """Reads every row, matches it to the stored catalog, and collects errors and saves."""

    def __init__(self, *, user, sheets: dict[str, _Sheet], check: CatalogCheck):
        self.user = user
        self.sheets = sheets
        self.check = check
        self.choices = _Choices()
        self.program: Program | None = None
        self.plans: dict[str, Plan] = {}  # by name: the file's, then the stored ones
        self.measures: dict[tuple[str, str], Measure] = {}  # by (plan name, measure text)
        self.indicators: dict[str, Indicator] = {}  # by code
        self.tracked: dict[str, set[str]] = {}  # indicator code -> names of the plans tracking it
        self.regions: dict[str, Region] = {}

    # Errors ---------------------------------------------------------------------------------

    def error(self, sheet: _Sheet, row: int, key: str, message: str) -> None:
        self.check.errors.append(RowError(sheet.title, row, sheet.spec.letter(key), str(message)))

    def model_errors(self, sheet: _Sheet, row: int, error: ValidationError, fields: dict) -> None:
        """A model's full_clean errors at the columns of their fields (`fields`: field → key)."""
        for name, messages in error.message_dict.items():
            key = fields.get(name, "")
            if name == NON_FIELD_ERRORS or not key:
                key = sheet.spec.columns[0].key
            for message in messages:
                self.error(sheet, row, key, message)

    def read(self, sheet: _Sheet, row: int, cells: dict[str, _Cell], readers: dict) -> dict | None:
        """Each cell through its reader; None (with the errors recorded) if any cannot be read."""
        values, ok = {}, True
        for key, reader in readers.items():
            cell = cells[key]
            column = next(column for column in sheet.spec.columns if column.key == key)
            if column.required and cell.blank:
                self.error(sheet, row, key, _("This cell must be filled in."))
                ok = False
                continue
            try:
                values[key] = reader(cell)
            except _CellError as problem:
                self.error(sheet, row, key, str(problem))
                ok = False
        return values if ok else None

    def first_seen(self, seen: dict, key, sheet: _Sheet, row: int, column: str) -> bool:
        if key in seen:
            self.error(
                sheet,
                row,
                column,
                _("This row repeats row %(row)d of the same sheet.") % {"row": seen[key]},
            )
            return False
        seen[key] = row
        return True

    def item(self, sheet, row, label, action, changes=()) -> None:
        self.check.items.append(Item(sheet.spec.key, row, label, action, list(changes)))

    @staticmethod
    def compare(instance: models.Model, values: dict) -> tuple[str, list[FieldChange]]:
        """Set `values` on `instance`: whether it is new, changed (and how) or as stored."""
        changes = []
        for name, new in values.items():
            old = getattr(instance, name)
            if instance.pk is not None and old != new:
                model = type(instance)
                changes.append(
                    FieldChange(
                        str(capfirst(model._meta.get_field(name).verbose_name)),
                        _display(model, name, old),
                        _display(model, name, new),
                    )
                )
            setattr(instance, name, new)
        action = CREATE if instance.pk is None else (UPDATE if changes else UNCHANGED)
        return action, changes

    def record(self, sheet, row, label, instance, action, changes, then=None) -> None:
        self.item(sheet, row, label, action, changes)
        if action != UNCHANGED:
            self.check.saves.append((instance, then))

    # Regions --------------------------------------------------------------------------------

    def codes(self, *columns: tuple[str, str]) -> set[str]:
        """The codes typed in these (sheet, column)s, for loading what they name in one query."""
        codes = set()
        for key, column in columns:
            for _number, cells in self.sheets[key].rows:
                with contextlib.suppress(_CellError):
                    codes.add(_text(cells[column]))
        return codes

    def load_regions(self) -> None:
        codes = self.codes(("program", "region"), ("targets", "region"))
        self.regions = {region.code: region for region in Region.objects.filter(code__in=codes)}

    def region(self, sheet: _Sheet, row: int, key: str, code: str) -> Region | None:
        region = self.regions.get(code)
        if region is None:
            self.error(sheet, row, key, _("Unknown region code “%(code)s”.") % {"code": code[:50]})
            return None
        if not can(self.user, Action.EDIT_CATALOG, region):
            self.error(
                sheet,
                row,
                key,
                _("You may not edit the catalog of %(region)s.") % {"region": region},
            )
            return None
        return region

    # Sheets ---------------------------------------------------------------------------------

    def check_program(self) -> None:
        sheet = self.sheets["program"]
        if not sheet.rows:
            self.check.errors.append(
                RowError(
                    sheet.title,
                    FIRST_ROW,
                    "",
                    _("Fill in the program on row %(row)d.") % {"row": FIRST_ROW},
                )
            )
            return
        for number, _cells in sheet.rows[1:]:
            self.error(
                sheet,
                number,
                "name",
                _("A workbook holds one program: start another workbook for this one."),
            )
        number, cells = sheet.rows[0]
        year = lambda cell: _integer(cell, MIN_YEAR, MAX_YEAR)  # noqa: E731
        values = self.read(
            sheet,
            number,
            cells,
            {
                "region": _text,
                "name": _text,
                "start_year": year,
                "end_year": year,
                "source_title": _text,
                "source_url": _text,
                "summary": _text,
            },
        )
        if values is None:
            return
        self.check.program_name = values["name"]
        region = self.region(sheet, number, "region", values["region"])
        if region is None:
            return
        program = Program.objects.filter(region=region, name=values["name"]).first()
        program = program or Program(region=region, name=values["name"])
        fields = ["start_year", "end_year", "source_title", "source_url", "summary"]
        action, changes = self.compare(program, {name: values[name] for name in fields})
        try:
            program.full_clean()
        except ValidationError as error:
            self.model_errors(sheet, number, error, {name: name for name in [*fields, "name"]})
            self.program = program  # its plans are still checked, against it
            return
        self.program = program
        self.record(sheet, number, program.name, program, action, changes)

    def check_plans(self) -> None:
        sheet = self.sheets["plans"]
        stored = {}
        if self.program is not None and self.program.pk:
            stored = {plan.name: plan for plan in self.program.plans.prefetch_related("tags")}
        tags = {tag.name: tag for tag in PlanTag.objects.all()}
        seen: dict[str, int] = {}
        for position, (number, cells) in enumerate(sheet.rows, start=1):
            values = self.read(
                sheet,
                number,
                cells,
                {
                    "name": _text,
                    "order": lambda cell: _integer(cell, 0, 32767) if not cell.blank else None,
                    "tags": _text,
                    "description": _text,
                },
            )
            if values is None or not self.first_seen(seen, values["name"], sheet, number, "name"):
                if values is not None:
                    self.plans.setdefault(values["name"], Plan(name=values["name"]))
                continue
            wanted = []
            for name in _split_tags(values["tags"]):
                if name not in tags:
                    self.error(
                        sheet,
                        number,
                        "tags",
                        _("Unknown tag “%(tag)s”. Tags are defined in the admin; known: %(known)s.")
                        % {"tag": name[:50], "known": LIST_SEPARATOR.join(sorted(tags)) or "—"},
                    )
                else:
                    wanted.append(tags[name])
            plan = stored.get(values["name"]) or Plan(name=values["name"])
            if self.program is not None:
                plan.program = self.program
            order = values["order"] if values["order"] is not None else position
            action, changes = self.compare(
                plan,
                {"order": order, "description": values["description"]},
            )
            old_tags = sorted(tag.name for tag in plan.tags.all()) if plan.pk else []
            new_tags = sorted(tag.name for tag in wanted)
            if old_tags != new_tags and plan.pk:
                changes.append(
                    FieldChange(
                        str(capfirst(Plan._meta.get_field("tags").verbose_name)),
                        LIST_SEPARATOR.join(old_tags) or "—",
                        LIST_SEPARATOR.join(new_tags) or "—",
                    )
                )
                action = UPDATE
            self.plans[plan.name] = plan
            try:
                plan.full_clean(exclude=["program", "tags", "indicators"])
            except ValidationError as error:
                fields = {"name": "name", "order": "order", "description": "description"}
                self.model_errors(sheet, number, error, fields)
                continue
            then = None
            if old_tags != new_tags:

                def then(plan=plan, wanted=wanted):
                    plan.tags.set(wanted)

            self.record(sheet, number, plan.name, plan, action, changes, then)
        for name, plan in stored.items():
            self.plans.setdefault(name, plan)

    def plan(self, sheet, number, key, name) -> Plan | None:
        plan = self.plans.get(name)
        if plan is None:
            self.error(
                sheet,
                number,
                key,
                _("Unknown plan “%(plan)s”: add it to the sheet “%(sheet)s”.")
                % {"plan": name[:50], "sheet": self.sheets["plans"].title},
            )
        return plan

    def check_measures(self) -> None:
        sheet = self.sheets["measures"]
        stored_plans = [plan for plan in self.plans.values() if plan.pk]
        stored: dict[tuple[str, str], Measure] = {}
        for measure in Measure.objects.filter(plan__in=stored_plans).select_related("plan"):
            stored.setdefault((measure.plan.name, measure.name), measure)
        seen: dict[tuple[str, str], int] = {}
        positions: dict[str, int] = {}
        for number, cells in sheet.rows:
            values = self.read(
                sheet,
                number,
                cells,
                {
                    "plan": _text,
                    "name": _text,
                    "owner_office": _text,
                    "milestone_state": lambda cell: self.choices.read(cell, "milestone"),
                    "order": lambda cell: _integer(cell, 0, 32767) if not cell.blank else None,
                },
            )
            if values is None:
                continue
            key = (values["plan"], values["name"])
            plan = self.plan(sheet, number, "plan", values["plan"])
            if plan is None or not self.first_seen(seen, key, sheet, number, "name"):
                continue
            positions[values["plan"]] = positions.get(values["plan"], 0) + 1
            order = values["order"] if values["order"] is not None else positions[values["plan"]]
            measure = stored.get(key) or Measure(plan=plan, name=values["name"])
            action, changes = self.compare(
                measure,
                {
                    "owner_office": values["owner_office"],
                    "milestone_state": values["milestone_state"],
                    "order": order,
                },
            )
            self.measures[key] = measure
            try:
                measure.full_clean(exclude=["plan"], validate_constraints=False)
            except ValidationError as error:
                fields = {name: name for name in ("name", "owner_office", "milestone_state")}
                self.model_errors(sheet, number, error, {**fields, "order": "order"})
                continue
            self.record(sheet, number, f"{plan.name} · {measure.name}", measure, action, changes)
        for key, measure in stored.items():
            self.measures.setdefault(key, measure)

    def load_indicators(self) -> None:
        codes = self.codes(
            ("indicators", "code"), ("plan_indicators", "indicator"), ("targets", "indicator")
        )
        stored = Indicator.objects.filter(code__in=codes)
        self.indicators = {indicator.code: indicator for indicator in stored}

    def check_indicators(self) -> None:
        sheet = self.sheets["indicators"]
        seen: dict[str, int] = {}
        choice = self.choices.read
        for number, cells in sheet.rows:
            values = self.read(
                sheet,
                number,
                cells,
                {
                    "code": _text,
                    "name": _text,
                    "unit": lambda cell: choice(cell, "unit"),
                    "kind": lambda cell: choice(cell, "kind"),
                    "direction": lambda cell: choice(cell, "direction"),
                    "time_nature": lambda cell: choice(cell, "time_nature"),
                    "rollup": lambda cell: choice(cell, "rollup"),
                    "capped_at_100": self.choices.answer,
                    "description": _text,
                },
            )
            if values is None or not self.first_seen(seen, values["code"], sheet, number, "code"):
                continue
            code = values.pop("code")
            stored = self.indicators.get(code)
            if stored is not None and stored.pk:
                self.same_as_library(sheet, number, stored, values)
                continue
            self.new_indicator(sheet, number, code, values)

    def same_as_library(self, sheet, number, indicator: Indicator, values: dict) -> None:
        """An existing indicator is only referenced: a filled cell must say what is stored."""
        ok = True
        for key, new in values.items():
            if new in ("", None) or new == getattr(indicator, key):
                continue
            ok = False
            self.error(
                sheet,
                number,
                key,
                _(
                    "The shared indicator %(code)s has “%(stored)s” here, not “%(new)s”. Shared "
                    "indicators are changed in the admin only: leave this cell blank or copy the "
                    "stored value."
                )
                % {
                    "code": indicator.code,
                    "stored": _display(Indicator, key, getattr(indicator, key)),
                    "new": _display(Indicator, key, new),
                },
            )
        if ok:
            self.item(sheet, number, f"{indicator.code} {indicator.name}", UNCHANGED)

    def new_indicator(self, sheet, number, code: str, values: dict) -> None:
        missing = False
        for key in ("name", "kind"):
            if not values[key]:
                missing = True
                self.error(
                    sheet,
                    number,
                    key,
                    _("%(code)s is a new indicator: fill in its name and kind.") % {"code": code},
                )
        if missing:
            return
        kind = values["kind"]
        direction = values["direction"] or (
            Direction.LOWER_BETTER if kind == IndicatorKind.RANK else Direction.HIGHER_BETTER
        )
        rollup = values["rollup"] or {
            IndicatorKind.PERCENTAGE: RollupRule.MEAN,
            IndicatorKind.RANK: RollupRule.NONE,
            IndicatorKind.MILESTONE: RollupRule.NONE,
        }.get(kind, RollupRule.SUM)
        indicator = Indicator(
            code=code,
            name=values["name"],
            unit=values["unit"],
            kind=kind,
            direction=direction,
            time_nature=values["time_nature"] or TimeNature.FLOW,
            rollup=rollup,
            capped_at_100=True if values["capped_at_100"] is None else values["capped_at_100"],
            description=values["description"],
        )
        try:
            indicator.full_clean()
        except ValidationError as error:
            keys = [column.key for column in INDICATORS.columns]
            self.model_errors(sheet, number, error, {key: key for key in keys})
            return
        self.indicators[code] = indicator
        self.record(sheet, number, f"{code} {indicator.name}", indicator, CREATE, [])

    def indicator(self, sheet, number, key, code) -> Indicator | None:
        indicator = self.indicators.get(code)
        if indicator is None:
            self.error(
                sheet,
                number,
                key,
                _("Unknown indicator code “%(code)s”: add the indicator to the sheet “%(sheet)s”.")
                % {"code": code[:50], "sheet": self.sheets["indicators"].title},
            )
        return indicator

    def check_plan_indicators(self) -> None:
        sheet = self.sheets["plan_indicators"]
        stored_plans = [plan for plan in self.plans.values() if plan.pk]
        stored = {}
        for link in PlanIndicator.objects.filter(plan__in=stored_plans).select_related(
            "plan", "indicator", "measure"
        ):
            stored[(link.plan.name, link.indicator.code)] = link
            self.tracked.setdefault(link.indicator.code, set()).add(link.plan.name)
        seen: dict[tuple[str, str], int] = {}
        positions: dict[str, int] = {}
        for number, cells in sheet.rows:
            values = self.read(
                sheet,
                number,
                cells,
                {
                    "plan": _text,
                    "indicator": _text,
                    "measure": _text,
                    "order": lambda cell: _integer(cell, 0, 32767) if not cell.blank else None,
                },
            )
            if values is None:
                continue
            plan = self.plan(sheet, number, "plan", values["plan"])
            indicator = self.indicator(sheet, number, "indicator", values["indicator"])
            measure = None
            if values["measure"] and plan is not None:
                measure = self.measures.get((values["plan"], values["measure"]))
                if measure is None:
                    self.error(
                        sheet,
                        number,
                        "measure",
                        _(
                            "The plan “%(plan)s” has no measure “%(measure)s”: add it to the "
                            "sheet “%(sheet)s” or leave this cell blank."
                        )
                        % {
                            "plan": values["plan"][:50],
                            "measure": values["measure"][:50],
                            "sheet": self.sheets["measures"].title,
                        },
                    )
                    continue
            if plan is None or indicator is None:
                continue
            key = (values["plan"], values["indicator"])
            if not self.first_seen(seen, key, sheet, number, "indicator"):
                continue
            self.tracked.setdefault(values["indicator"], set()).add(values["plan"])
            positions[values["plan"]] = positions.get(values["plan"], 0) + 1
            order = values["order"] if values["order"] is not None else positions[values["plan"]]
            link = stored.get(key) or PlanIndicator(plan=plan, indicator=indicator)
            action, changes = self.compare(link, {"order": order})
            if (
                link.pk is None
                or link.measure_id != (measure.pk if measure else None)
                or (measure is not None and measure.pk is None)
            ):
                if link.pk is not None:
                    changes.append(
                        FieldChange(
                            str(capfirst(PlanIndicator._meta.get_field("measure").verbose_name)),
                            link.measure.name if link.measure_id else "—",
                            measure.name if measure else "—",
                        )
                    )
                    action = UPDATE
                link.measure = measure
            self.record(
                sheet, number, f"{plan.name} · {values['indicator']}", link, action, changes
            )

    def check_targets(self) -> None:
        sheet = self.sheets["targets"]
        program = self.program  # set when its region and years could be read, even if wrong
        rows = []
        years = set()
        for number, cells in sheet.rows:
            values = self.read(
                sheet,
                number,
                cells,
                {
                    "indicator": _text,
                    "region": _text,
                    "year": lambda cell: _integer(cell, MIN_YEAR, MAX_YEAR),
                    "comparator": lambda cell: self.choices.read(cell, "comparator"),
                    "value": _decimal,
                    "baseline": lambda cell: None if cell.blank else _decimal(cell),
                    "plan": _text,
                    "note": _text,
                },
            )
            if values is not None:
                rows.append((number, values))
                years.add(values["year"])
        periods = {
            period.year: period
            for period in ReportingPeriod.objects.filter(kind=PeriodKind.YEAR, year__in=years)
        }
        stored = {}
        regions = {values["region"] for _number, values in rows}
        codes = {values["indicator"] for _number, values in rows}
        for target in Target.objects.filter(
            indicator__code__in=codes, region__code__in=regions, period__in=periods.values()
        ).select_related("indicator", "region", "period", "plan"):
            stored[(target.indicator.code, target.region.code, target.period.year)] = target
        seen: dict[tuple[str, str, int], int] = {}
        for number, values in rows:
            indicator = self.indicator(sheet, number, "indicator", values["indicator"])
            region = self.region(sheet, number, "region", values["region"])
            if (
                region is not None
                and program is not None
                and not region.path.startswith(program.region.path)
            ):
                self.error(
                    sheet,
                    number,
                    "region",
                    _(
                        "%(region)s is not %(program_region)s or a region below it: a "
                        "program sets targets for its own region and those below it."
                    )
                    % {"region": region, "program_region": program.region},
                )
                region = None
            year = values["year"]
            if (
                program is not None
                and program.start_year <= program.end_year
                and not program.start_year <= year <= program.end_year
            ):
                self.error(
                    sheet,
                    number,
                    "year",
                    _("%(year)d is outside the program's years %(start)d–%(end)d.")
                    % {"year": year, "start": program.start_year, "end": program.end_year},
                )
                continue
            if indicator is None or region is None:
                continue
            key = (values["indicator"], values["region"], year)
            if not self.first_seen(seen, key, sheet, number, "indicator"):
                continue
            plan = self.target_plan(sheet, number, values)
            if plan is None:
                continue
            comparator = values["comparator"] or self.default_comparator(indicator)
            if not self.fits(sheet, number, indicator, comparator, values):
                continue
            period = periods.get(year)
            if period is None:
                period = periods[year] = _new_year_period(year)
                label = _("Reporting period %(period)s") % {"period": period.label}
                self.record(sheet, number, label, period, CREATE, [])
            target = stored.get(key) or Target(indicator=indicator, region=region, period=period)
            action, changes = self.compare(
                target,
                {
                    "comparator": comparator,
                    "value": values["value"],
                    "baseline": values["baseline"],
                    "note": values["note"],
                },
            )
            if target.pk is None or target.plan_id != plan.pk or plan.pk is None:
                if target.pk is not None:
                    changes.append(
                        FieldChange(
                            str(capfirst(Target._meta.get_field("plan").verbose_name)),
                            target.plan.name if target.plan_id else "—",
                            plan.name,
                        )
                    )
                    action = UPDATE
                target.plan = plan
            label = f"{indicator.code} · {region.name} · {year}"
            self.record(sheet, number, label, target, action, changes)

    def target_plan(self, sheet, number, values) -> Plan | None:
        code, name = values["indicator"], values["plan"]
        tracking = self.tracked.get(code, set())
        if name:
            plan = self.plan(sheet, number, "plan", name)
            if plan is not None and name not in tracking:
                self.error(
                    sheet,
                    number,
                    "plan",
                    _(
                        "The plan “%(plan)s” does not track %(code)s: add the pair to the sheet "
                        "“%(sheet)s”."
                    )
                    % {
                        "plan": name[:50],
                        "code": code,
                        "sheet": self.sheets["plan_indicators"].title,
                    },
                )
                return None
            return plan
        if len(tracking) == 1:
            return self.plans.get(next(iter(tracking)))
        if not tracking:
            self.error(
                sheet,
                number,
                "indicator",
                _(
                    "No plan of this program tracks %(code)s: add it to a plan in the sheet "
                    "“%(sheet)s”."
                )
                % {"code": code, "sheet": self.sheets["plan_indicators"].title},
            )
        else:
            self.error(
                sheet,
                number,
                "plan",
                _("Several plans track %(code)s: name the plan that sets this target.")
                % {"code": code},
            )
        return None

    @staticmethod
    def default_comparator(indicator: Indicator) -> str:
        if indicator.kind == IndicatorKind.MILESTONE:
            return Comparator.EQ
        if indicator.kind == IndicatorKind.RANK or indicator.direction == Direction.LOWER_BETTER:
            return Comparator.LTE
        return Comparator.GTE

    def fits(self, sheet, number, indicator, comparator, values) -> bool:
        """The target's own rules (Target.clean): value fits the kind, comparator fits too.

        Checked on a stand-in whose indicator has an id even when it is new in this file, and
        without the plan, whose rules (region below the program's, plan tracks the indicator)
        are checked above against the file as well as the database.
        """
        stand_in = copy.copy(indicator)
        stand_in.pk = stand_in.pk or -1
        probe = Target(
            indicator=stand_in,
            comparator=comparator,
            value=values["value"],
            baseline=values["baseline"],
            note=values["note"],
        )
        try:
            probe.full_clean(
                exclude=["indicator", "region", "period", "plan"], validate_constraints=False
            )
        except ValidationError as error:
            fields = {name: name for name in ("comparator", "value", "baseline", "note")}
            self.model_errors(sheet, number, error, fields)
            return False
        return True

    def run(self) -> None:
        self.load_regions()
        self.check_program()
        self.check_plans()
        self.check_measures()
        self.load_indicators()
        self.check_indicators()
        self.check_plan_indicators()
        self.check_targets()


def _split_tags(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)  # full-width commas and semicolons
    for separator in (IDEOGRAPHIC_COMMA, ";", "\n"):
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]


def _check(data: bytes | None, *, user, problem: str = "") -> CatalogCheck:
    check = CatalogCheck()
    if data is None:
        check.errors.append(RowError("", None, "", problem))
        return check
    problem = _check_package(data)
    if problem:
        check.errors.append(RowError("", None, "", problem))
        return check
    sheets = _read_workbook(data, check.errors)
    if sheets is None:
        return check
    _Checker(user=user, sheets=sheets, check=check).run()
    if check.errors:
        check.items, check.saves = [], []  # a file with any bad row writes nothing
    check.errors.sort(key=lambda error: (_sheet_order(error.sheet, sheets), error.row or 0))
    return check


def _sheet_order(title: str, sheets: dict[str, _Sheet]) -> int:
    for index, spec in enumerate(SHEETS):
        if spec.key in sheets and sheets[spec.key].title == title:
            return index
    return -1


def parse_catalog(*, file, user) -> CatalogCheck:
    """The dry run of an uploaded workbook (a file object, a path or bytes); writes nothing."""
    if isinstance(file, Path):
        data, problem = _path_bytes(file)
    else:
        data, problem = _read_bytes(file)
    return _check(data, user=user, problem=problem)


def _path_bytes(path: Path) -> tuple[bytes | None, str]:
    with path.open("rb") as handle:
        return _read_bytes(handle)


# --- Saving -----------------------------------------------------------------------------------


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


def import_catalog(*, path: Path, user, progress: Callable[[int, str], None]) -> dict:
    """Check the workbook at `path` again and save it all or nothing; counts of catalog rows.

    Raises JobFailed, having written nothing, when any row is wrong now (a region gone, a right
    withdrawn, a name taken since the preview).
    """
    progress(5, _("Reading the workbook"))
    data, problem = _path_bytes(path)
    progress(20, _("Checking every row"))
    try:
        with transaction.atomic():
            check = _check(data, user=user, problem=problem)
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


# --- Uploads kept for the job -----------------------------------------------------------------


def upload_save(*, file) -> str:
    """Keep an uploaded workbook for its import job; returns its storage name."""
    return default_storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.xlsx", file)


def upload_path(*, name: str) -> Path:
    return Path(default_storage.path(name))


def upload_delete(*, name: str) -> None:
    default_storage.delete(name)


# --- Template ---------------------------------------------------------------------------------


def _example_rows(user) -> dict[str, list]:
    """One example per sheet, after the demo program of the Jiaxing port zone; importable as is."""
    scope = regions_where(user, Action.EDIT_CATALOG)
    region = scope.filter(code="3304Z01").first() or scope.order_by("path").first()
    region_code = region.code if region else "3304Z01"
    tag = PlanTag.objects.order_by("category", "name").first()
    plan = "技能人才培育计划"
    measure = "加快打造“30分钟职业技能培训圈”"
    code = "VT_TRAINING_TIMES"
    return {
        "program": [
            region_code,
            "嘉兴港区人才工作“五大计划”(示例)",
            2024,
            2026,
            "浙江乍浦开发区(嘉兴港区)党工委书记冯中海:建强“三支队伍”赋能“三港一城”",
            "",
            "聚焦“三支队伍”建设,大力实施“五大计划”。",
        ],
        "plans": [plan, 1, tag.name if tag else "", "培育高素养劳动者队伍"],
        "measures": [plan, measure, "人力社保局", MilestoneState.IN_PROGRESS.label, 1],
        "indicators": [
            code,
            "职业技能培训人次",
            Unit.PERSON_TIME.value,
            IndicatorKind.COUNT.label,
            Direction.HIGHER_BETTER.label,
            TimeNature.FLOW.label,
            RollupRule.SUM.label,
            "",
            "",
        ],
        "plan_indicators": [plan, code, measure, 1],
        "targets": [code, region_code, 2024, Comparator.GTE.label, 1000, "", plan, ""],
    }


def _instructions(sheet, lists_titles: dict[str, str]) -> None:
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    lines = [
        (_("TalentPortal catalog import"), ""),
        (
            _("What it holds"),
            _(
                "One workbook describes one program: its plans, their measures, the indicators "
                "they track and the targets per region and year."
            ),
        ),
        (
            _("How to fill"),
            _(
                "Replace the example on row 2 of each sheet with your own rows. Columns with a "
                "yellow header must be filled in; keep the sheets, their names and their columns "
                "as they are."
            ),
        ),
        (
            _("Matching"),
            _(
                "Rows are matched to the stored catalog by: program — region code and name; plan "
                "— name; measure — plan and text; indicator — code; target — indicator, region "
                "and year. A matched row is updated; importing the same file again changes "
                "nothing. Nothing is ever deleted."
            ),
        ),
        (
            _("Indicators"),
            _(
                "Indicators are shared by every region. To use an existing indicator, enter its "
                "code alone; a new code creates a new indicator (its name and kind are then "
                "required). Existing indicators are changed in the admin only."
            ),
        ),
        (
            _("Targets"),
            _(
                "A target's region is given by its code and must be the program's region or one "
                "below it, within your scope. A blank comparator means ≥ for indicators where "
                "higher is better, ≤ for ranks and where lower is better, and = for milestones "
                "(whose value is 1). A percentage is typed as a number: 35 for 35%. A blank plan "
                "means the one plan of the program that tracks the indicator."
            ),
        ),
        (
            _("Plans"),
            _(
                "Tags are names of plan tags defined in the admin (listed below), separated by "
                "commas. A blank order means the row's place in the sheet."
            ),
        ),
        (
            _("Upload"),
            _(
                "Upload the file on the catalog import page: you will see every change and every "
                "error before anything is saved."
            ),
        ),
        ("", ""),
        (_("Allowed values"), ""),
    ]
    for key, title in lists_titles.items():
        lines.append((title, LIST_SEPARATOR.join(_dropdown(key))))
    tags = list(PlanTag.objects.order_by("category", "name").values_list("name", flat=True))
    lines.append((_("Tags"), LIST_SEPARATOR.join(tags) or "—"))
    for number, (label, text) in enumerate(lines, start=1):
        sheet.cell(number, 1, safe_text(label)).font = Font(bold=True)
        if text:
            cell = sheet.cell(number, 2, safe_text(text))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(1, 1).font = Font(bold=True, size=14)


def build_template(*, user) -> bytes:
    """The .xlsx a catalog admin fills: the sheets, their headers, an example row, dropdowns."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = _sheet_title(_(INSTRUCTIONS_TITLE))

    # The dropdowns' lists live on a hidden sheet: an inline list is limited to 255 characters
    # and cannot hold a comma.
    lists = {name: _dropdown(name) for name in [*CHOICES, "unit", "yes_no"]}
    list_ranges = {}
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        list_ranges[name] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"

    lists_titles: dict[str, str] = {}
    examples = _example_rows(user)
    for spec in SHEETS:
        sheet = workbook.create_sheet(_sheet_title(_(spec.title)))
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(HEADER_ROW, index, safe_text(_(column.header)))
            cell.font = Font(bold=True)
            cell.fill = INPUT_HEADER_FILL if column.required else HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sheet.column_dimensions[letter].width = column.width
            value = examples[spec.key][index - 1]
            if isinstance(value, int):
                sheet.cell(FIRST_ROW, index, value)
            elif value:
                sheet.cell(FIRST_ROW, index, safe_text(str(value)))
            if column.choices:
                lists_titles.setdefault(column.choices, _(column.header))
                validation = DataValidation(
                    type="list",
                    formula1=list_ranges[column.choices],
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=_("Check the value")[:32],
                    error=_("Choose a value from the list.")[:255],
                )
                validation.add(f"{letter}{FIRST_ROW}:{letter}{TEMPLATE_ROWS}")
                sheet.add_data_validation(validation)
        sheet.freeze_panes = f"A{FIRST_ROW}"
    _instructions(instructions, lists_titles)

    hidden = workbook.create_sheet(LISTS_SHEET)
    for index, values in enumerate(lists.values(), start=1):
        for number, value in enumerate(values, start=1):
            hidden.cell(number, index, safe_text(value))
    hidden.sheet_state = "veryHidden"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
