"""Data export (数据导出): every progress report of a region's subtree over some years, as xlsx.

Officials export their own work, so every state is in it (draft, submitted, approved, returned),
with a state column; public downloads, which show approved figures only, are elsewhere.

The workbook has one sheet with every row, naming the programs each figure belongs to, then one
sheet per program that has figures in the export. A figure belongs to a program when one of the
program's plans tracks its indicator, the program's region is the figure's region or one above it,
and the figure's year is one of the program's years (the rule `Target.clean` applies to targets).
An indicator tracked by several plans of one program is still one row on the program's sheet.

Memory stays flat whatever the number of rows: openpyxl's write-only workbook streams each sheet to
a temporary file, and rows come from the database as tuples in chunks, with names, users and
targets joined in SQL. What is held in memory is bounded by the catalog (the programs and their
indicators) and by the period labels, never by the number of figures. Sheets are written one
after the other and closed at once, so even a province with a thousand programs keeps one open
file. Queries: a count, the programs, their indicators, one pass for the sheet of all rows, and
one per program sheet; none per row.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from regions.access import filter_by_region
from regions.models import PATH_SEPARATOR, Region

from ..choices import PeriodKind, ReportState, Unit
from ..figures import COMPARATOR_SIGNS
from ..models import PlanIndicator, Program, ProgressReport, ReportingPeriod, Target
from ..xlsx import SheetTitles, number_cell, safe_text

CHUNK_SIZE = 5000
PROGRESS_EVERY = 10_000
CELL_MAX_CHARS = 32_767  # Excel refuses longer text in a cell
SHEET_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
# Characters a file name may not hold on Windows, where officials open the file.
FILENAME_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
HEADER_FONT = Font(bold=True)
KIND_ORDER = Case(
    *(When(period__kind=kind, then=Value(rank)) for rank, kind in enumerate(PeriodKind.values)),
    default=Value(len(PeriodKind.values)),
)
TIME_FORMAT = "%Y-%m-%d %H:%M"

Progress = Callable[[int, str], None]

# The columns, in order; `program` is on the sheet of all rows only.
COLUMNS = (
    ("region_code", 12),
    ("region", 16),
    ("program", 30),
    ("plan", 30),
    ("indicator_code", 18),
    ("indicator", 30),
    ("unit", 8),
    ("year", 8),
    ("period", 14),
    ("value", 14),
    ("lower_bound", 8),
    ("comparator", 8),
    ("target", 14),
    ("state", 10),
    ("submitted_by", 14),
    ("submitted_at", 18),
    ("reviewed_by", 14),
    ("reviewed_at", 18),
    ("version", 8),
    ("note", 40),
    ("review_comment", 40),
)
# What each row is read as: the first three decide which programs it belongs to.
FIELDS = (
    "indicator_id",
    "region__path",
    "period__year",
    "region__code",
    "region__name",
    "indicator__code",
    "indicator__name",
    "indicator__unit",
    "period__kind",
    "period__number",
    "value",
    "is_lower_bound",
    "target_comparator",
    "target_value",
    "state",
    "submitted_by__username",
    "submitted_at",
    "reviewed_by__username",
    "reviewed_at",
    "version",
    "note",
    "review_comment",
)


def export_filename(region: Region, year_from: int, year_to: int) -> str:
    """A name such as 嘉兴市_2023-2024_数据导出.xlsx, safe on the officials' Windows PCs."""
    years = str(year_from) if year_from == year_to else f"{year_from}-{year_to}"
    name = _("%(region)s_%(years)s_data_export") % {"region": region.name, "years": years}
    return FILENAME_UNSAFE.sub("_", name) + ".xlsx"


@dataclass
class _Program:
    """A program whose figures may be in the export, with what it tracks."""

    pk: int
    name: str
    region_name: str
    region_path: str
    first_year: int
    last_year: int
    plans: dict[int, str] = field(default_factory=dict)  # indicator id → its plans' names
    rows: int = 0

    def holds(self, path: str, year: int) -> bool:
        return path.startswith(self.region_path) and self.first_year <= year <= self.last_year


def _programs(region: Region, year_from: int, year_to: int) -> list[_Program]:
    """Programs of the region, of the regions above it and of those below it, in the years."""
    codes = region.path.split(PATH_SEPARATOR)[:-1]
    above = [PATH_SEPARATOR.join(codes[:depth]) + PATH_SEPARATOR for depth in range(1, len(codes))]
    candidates = Program.objects.filter(
        Q(region__path__startswith=region.path) | Q(region__path__in=above),
        start_year__lte=year_to,
        end_year__gte=year_from,
    )
    programs = {
        pk: _Program(pk, name, region_name, path, first, last)
        for pk, name, region_name, path, first, last in candidates.order_by(
            "region__path", "-start_year", "name", "pk"
        ).values_list("pk", "name", "region__name", "region__path", "start_year", "end_year")
    }
    tracked = (
        PlanIndicator.objects.filter(plan__program__in=candidates.values("pk"))
        .order_by("plan__program", "plan__order", "plan__pk")
        .values_list("plan__program", "indicator", "plan__name")
    )
    for program_pk, indicator_pk, plan_name in tracked:
        if program_pk not in programs:  # created between the two queries
            continue
        plans = programs[program_pk].plans
        plans[indicator_pk] = (
            f"{plans[indicator_pk]}; {plan_name}" if indicator_pk in plans else plan_name
        )
    return [program for program in programs.values() if program.plans]


def _reports(region: Region, year_from: int, year_to: int) -> QuerySet:
    """The figures of the subtree in the years, joined with what a row shows (targets included:
    the period's own target, else the year's)."""
    targets = (
        Target.objects.filter(
            indicator=OuterRef("indicator"),
            region=OuterRef("region"),
            period__year=OuterRef("period__year"),
        )
        .filter(Q(period=OuterRef("period")) | Q(period__kind=PeriodKind.YEAR))
        # The period's own target is the one that is not the year's (unless the period is one).
        .order_by(Case(When(period__kind=PeriodKind.YEAR, then=Value(1)), default=Value(0)))
    )
    return (
        ProgressReport.objects.filter(
            region__path__startswith=region.path,
            period__year__gte=year_from,
            period__year__lte=year_to,
        )
        .annotate(
            target_value=Subquery(targets.values("value")[:1]),
            target_comparator=Subquery(targets.values("comparator")[:1]),
        )
        .order_by("region__path", "period__year", KIND_ORDER, "period__number", "indicator__code")
    )


def _rows(reports: QuerySet) -> Iterator[tuple]:
    return reports.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)


class _Cells:
    """Turns a database row into cell values; every lookup it keeps is bounded by the catalog."""

    def __init__(self):
        self.units = {unit.value: str(unit.label) for unit in Unit}
        self.states = {state.value: str(state.label) for state in ReportState}
        self.yes, self.no = _("Yes"), _("No")
        self.zone = timezone.get_current_timezone()
        self.periods: dict[tuple[str, int, int], str] = {}
        self.text: dict[str, str] = {}  # escaped names, codes, user names

    def period(self, kind: str, year: int, number: int) -> str:
        key = (kind, year, number)
        if key not in self.periods:
            self.periods[key] = safe_text(
                ReportingPeriod(kind=kind, year=year, number=number).label
            )
        return self.periods[key]

    def name(self, text: str | None) -> str | None:
        """A short text from the catalog: escaped once, then remembered."""
        if not text:
            return None
        escaped = self.text.get(text)
        if escaped is None:
            if len(self.text) > 100_000:  # never reached by a real catalog; a bound all the same
                self.text.clear()
            escaped = self.text[text] = safe_text(text)
        return escaped

    def moment(self, moment: datetime | None) -> str | None:
        """Local wall-clock time as text: Excel has no time zones, and a date cell costs a third
        of the time to write a whole row (a million rows are minutes of it)."""
        return None if moment is None else moment.astimezone(self.zone).strftime(TIME_FORMAT)

    def row(self, values: tuple, programs: str | None, plans: str) -> list:
        (
            _indicator_pk,
            _path,
            year,
            region_code,
            region_name,
            indicator_code,
            indicator_name,
            unit,
            period_kind,
            period_number,
            value,
            lower_bound,
            comparator,
            target,
            state,
            submitted_by,
            submitted_at,
            reviewed_by,
            reviewed_at,
            version,
            note,
            review_comment,
        ) = values
        cells = [
            self.name(region_code),
            self.name(region_name),
            self.name(programs),
            self.name(plans),
            self.name(indicator_code),
            self.name(indicator_name),
            self.units.get(unit, unit) or None,
            year,
            self.period(period_kind, year, period_number),
            number_cell(value),
            self.yes if lower_bound else self.no,
            COMPARATOR_SIGNS.get(comparator),
            number_cell(target),
            self.states.get(state, state),
            self.name(submitted_by),
            self.moment(submitted_at),
            self.name(reviewed_by),
            self.moment(reviewed_at),
            version,
            _long_text(note),
            _long_text(review_comment),
        ]
        if programs is None:
            del cells[2]
        return cells


def _long_text(text: str) -> str | None:
    return safe_text(text[:CELL_MAX_CHARS]) if text else None


def _headers(*, with_program: bool) -> list[str]:
    field_label = {
        name: capfirst(ProgressReport._meta.get_field(name).verbose_name)
        for name in ("submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "version")
    }
    labels = {
        "region_code": _("Region code"),
        "region": _("Region"),
        "program": _("Program"),
        "plan": _("Plan"),
        "indicator_code": _("Indicator code"),
        "indicator": _("Indicator"),
        "unit": _("Unit"),
        "year": _("Year"),
        "period": _("Period"),
        "value": _("Value"),
        "lower_bound": _("Lower bound"),
        "comparator": _("Target comparator"),
        "target": _("Target"),
        "state": _("State"),
        "note": _("Note"),
        "review_comment": _("Review comment"),
        **field_label,
    }
    return [str(labels[key]) for key, _width in COLUMNS if with_program or key != "program"]


class _Sheet:
    """Write-only sheets with a bold, frozen header and a filter. Each is closed as soon as its
    rows are written, releasing its temporary file; past Excel's row limit, the rows go on in a
    sheet of the same name numbered (2), (3)…"""

    def __init__(self, workbook: Workbook, titles: SheetTitles, *wishes: str, with_program: bool):
        self.workbook, self.titles = workbook, titles
        self.with_program = with_program
        self.rows = 0  # over all the parts
        self._open(titles.claim(*wishes))
        self.title = self.ws.title

    def _open(self, title: str) -> None:
        self.ws = self.workbook.create_sheet(title)
        widths = [width for key, width in COLUMNS if self.with_program or key != "program"]
        self.last_column = get_column_letter(len(widths))
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A2"
        headers = _headers(with_program=self.with_program)
        self.ws.append([self._header(text) for text in headers])
        self.part_rows = 0

    def _header(self, text: str) -> Cell:
        cell = WriteOnlyCell(self.ws, value=safe_text(text))
        cell.font = HEADER_FONT
        return cell

    def append(self, cells: list) -> None:
        if self.part_rows == SHEET_MAX_ROWS:
            self._close_part()
            self._open(self.titles.claim(*(f"{self.title[:24]} ({n})" for n in range(2, 100))))
        self.ws.append(cells)
        self.part_rows += 1
        self.rows += 1

    def _close_part(self) -> None:
        self.ws.auto_filter.ref = f"A1:{self.last_column}{self.part_rows + 1}"
        self.ws.close()

    def close(self) -> None:
        self._close_part()


class _Progress:
    """Percent of rows written over all sheets; the program sheets' sizes are learnt in the
    first pass (estimated from the share so far until then)."""

    def __init__(self, report: Progress, total: int):
        self.report, self.total, self.done, self.percent = report, total, 0, 0
        self.program_rows: int | None = None
        self.memberships = 0  # program rows met so far in the first pass

    def row(self, sheet: _Sheet, rows: int) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY:
            return
        if self.program_rows is None:
            expected = self.total + self.memberships * self.total // max(self.done, 1)
        else:
            expected = self.total + self.program_rows
        self.percent = max(self.percent, min(99, self.done * 100 // max(expected, 1)))
        self.report(
            self.percent,
            _("Sheet “%(sheet)s”: %(done)s of %(rows)s rows")
            % {"sheet": sheet.title, "done": f"{sheet.rows:,}", "rows": f"{rows:,}"},
        )


def write_export(
    *,
    user,
    region: Region,
    year_from: int,
    year_to: int,
    path: Path,
    progress: Progress = lambda percent, step: None,
) -> None:
    """Write the figures of `region`'s subtree for `year_from`..`year_to` to an xlsx at `path`:
    those `user` may see (a membership without its sub-regions does not open them)."""
    progress(0, _("Counting the rows"))
    reports = filter_by_region(user, _reports(region, year_from, year_to))
    total = reports.count()
    programs = _programs(region, year_from, year_to)
    by_indicator: dict[int, list[_Program]] = {}
    for program in programs:
        for indicator_pk in program.plans:
            by_indicator.setdefault(indicator_pk, []).append(program)

    workbook, titles = Workbook(write_only=True), SheetTitles()
    cells, counter = _Cells(), _Progress(progress, total)
    everything = _Sheet(workbook, titles, _("All data"), with_program=True)
    for values in _rows(reports):
        indicator_pk, region_path, year = values[0], values[1], values[2]
        member = [p for p in by_indicator.get(indicator_pk, ()) if p.holds(region_path, year)]
        for program in member:
            program.rows += 1
        counter.memberships += len(member)
        names = "; ".join(program.name for program in member)
        plans = "; ".join(program.plans[indicator_pk] for program in member)
        everything.append(cells.row(values, names, plans))
        counter.row(everything, total)
    everything.close()

    programs = [program for program in programs if program.rows]
    counter.program_rows = sum(program.rows for program in programs)
    for program in programs:
        wishes = (program.name, f"{program.region_name} {program.name}")
        sheet = _Sheet(workbook, titles, *wishes, with_program=False)
        own = reports.filter(
            indicator__in=list(program.plans),
            region__path__startswith=program.region_path,
            period__year__gte=max(year_from, program.first_year),
            period__year__lte=min(year_to, program.last_year),
        )
        for values in _rows(own):
            sheet.append(cells.row(values, None, program.plans[values[0]]))
            counter.row(sheet, program.rows)
        sheet.close()

    progress(99, _("Saving the workbook"))
    workbook.save(path)
