"""The streaming check every uploaded workbook passes before openpyxl opens it.

openpyxl, even read-only, builds a whole `<row>` before it looks at it, reads every shared string
into a list, builds the tree of every other part it reads and fills the gaps between row numbers
with empty rows: one row of millions of cells, millions of `<si>` or a row numbered two billion
take gigabytes or hours. `scan_package` reads every part of the zip once, decompressing and
parsing it as a stream (expat, constant memory), and counts as it goes: unpacked bytes, rows and
their numbers, cells in a row, in a sheet and in the workbook, shared strings, the length of a
text and the depth of the XML. It stops at the first limit passed, with `Refused` and a message for
the person who uploaded the file, after reading little more than the limit; a real file passes.

What it learns on the way, each sheet's last row that holds a value, lets the reading that
follows stop there instead of at the end of the read window.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from posixpath import join, normpath
from xml.parsers import expat

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

CHUNK = 64 * 1024
TEXT_TAGS = frozenset({"t", "v", "f"})  # their text is a cell's value, string or formula
VALUE_TAGS = frozenset({"v", "f", "is"})  # a cell holding one of them holds something
DATA_TAGS = frozenset({"sheetData", "sst"})  # inside them the cell counters apply


TITLES_MAX_BYTES = 1024 * 1024  # workbook.xml and its relationships, read for sheet titles
UNREADABLE = gettext_noop(
    "The file could not be read as an Excel workbook: it may be damaged. Save it again in Excel "
    "as “Excel Workbook (*.xlsx)” and upload it."
)


class Refused(Exception):
    """The workbook passes a limit; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class Limits:
    part_bytes: int  # unpacked bytes of one part of the zip
    parts: int  # parts in the zip
    sheet_rows: int  # the highest row number a sheet may use, and its rows
    row_cells: int  # cells in one row
    sheet_cells: int  # cells in one sheet
    cells: int  # cells in the whole workbook
    shared_strings: int  # <si> in sharedStrings.xml
    text_chars: int  # characters of one text (a cell's): Excel's own 32,767
    depth: int  # nesting of XML elements; a real part is never more than about 10 deep
    other_elements: int  # elements of a part outside its cells and strings (styles, workbook)


@dataclass
class Scan:
    """What the scan learnt: each sheet part's last row holding a value, by part name."""

    last_rows: dict[str, int] = field(default_factory=dict)
    cells: int = 0


def _unreadable() -> Refused:
    return Refused(_(UNREADABLE))


class _Part:
    """The counters of one part, fed by expat as it parses."""

    def __init__(self, scan: Scan, limits: Limits, name: str, sheet: str):
        self.scan, self.limits, self.name, self.sheet = scan, limits, name, sheet
        self.depth = self.rows = self.row_cells = self.sheet_cells = 0
        self.strings = self.other = self.text = self.row = self.last_row = 0
        self.data_depth = 0  # depth of <sheetData> or <sst>; 0 when outside them
        self.in_row = False
        self.counting = False  # inside a text whose characters count

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        self.depth += 1
        self.text = 0
        if self.depth > self.limits.depth:
            raise _unreadable()
        if self.in_row and local == "c":
            self._cell()
        elif local == "row" and self.data_depth:
            self._row(attrs.get("r"))
        elif local == "si" and self.data_depth:
            self.strings += 1
            if self.strings > self.limits.shared_strings:
                raise Refused(
                    _(
                        "The workbook holds more than %(max)d different texts: upload only the "
                        "filled template."
                    )
                    % {"max": self.limits.shared_strings}
                )
        elif local in DATA_TAGS and not self.data_depth:
            self.data_depth = self.depth
        elif not self.data_depth:
            self.other += 1
            if self.other > self.limits.other_elements:
                raise _unreadable()
        if local in VALUE_TAGS and self.in_row:
            self.last_row = max(self.last_row, self.row)
        self.counting = local in TEXT_TAGS

    def end(self, name: str) -> None:
        if self.depth == self.data_depth:
            self.data_depth = 0
        local = name.rpartition(":")[2]
        if local == "row" and self.data_depth:
            self.in_row = False
        self.depth -= 1
        self.text = 0
        self.counting = False

    def characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.limits.text_chars:
            if self.counting and self.in_row:
                raise Refused(
                    _(
                        "A cell of row %(row)d of the sheet “%(sheet)s” holds more than %(max)d "
                        "characters, more than Excel allows in a cell."
                    )
                    % {"row": self.row, "sheet": self.sheet, "max": self.limits.text_chars}
                )
            if self.counting:
                raise Refused(
                    _("A text of the workbook is longer than the %(max)d characters Excel allows.")
                    % {"max": self.limits.text_chars}
                )
            raise _unreadable()

    def _row(self, number: str | None) -> None:
        self.in_row, self.row_cells = True, 0
        self.rows += 1
        if number is None:
            self.row += 1
        else:
            self.row = _row_number(number)
        if self.row > self.limits.sheet_rows or self.rows > self.limits.sheet_rows:
            raise Refused(
                _(
                    "The sheet “%(sheet)s” goes down to row %(row)s; a sheet may use rows 1 to "
                    "%(max)d. Delete the rows below your data, or copy your figures into a new "
                    "template, and upload it again."
                )
                % {"sheet": self.sheet, "row": f"{self.row:,}", "max": self.limits.sheet_rows}
            )

    def _cell(self) -> None:
        self.row_cells += 1
        self.sheet_cells += 1
        self.scan.cells += 1
        if self.row_cells > self.limits.row_cells:
            raise Refused(
                _(
                    "Row %(row)d of the sheet “%(sheet)s” has more than %(max)d cells: upload "
                    "only the filled template."
                )
                % {"row": self.row, "sheet": self.sheet, "max": self.limits.row_cells}
            )
        if self.sheet_cells > self.limits.sheet_cells:
            raise Refused(
                _(
                    "The sheet “%(sheet)s” has more than %(max)d cells: upload only the filled "
                    "template."
                )
                % {"sheet": self.sheet, "max": self.limits.sheet_cells}
            )
        if self.scan.cells > self.limits.cells:
            raise Refused(
                _("The workbook has more than %(max)d cells: upload only the filled template.")
                % {"max": self.limits.cells}
            )


def _row_number(text: str) -> int:
    """A row's number as openpyxl reads it (an integer, or a float that is one), or Refused."""
    try:
        number = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise _unreadable() from None
        if not value.is_integer():
            raise _unreadable() from None
        number = int(value) if value < 1e18 else 10**18
    if number < 1:
        raise _unreadable()
    return number


def _refuse_doctype(*_args) -> None:
    raise _unreadable()  # Excel never writes one; entities are how XML bombs are made


def _parse(package: zipfile.ZipFile, info: zipfile.ZipInfo, part: _Part) -> None:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = part.start
    parser.EndElementHandler = part.end
    parser.CharacterDataHandler = part.characters
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    unpacked = 0
    with package.open(info) as stream:
        first = True
        while chunk := stream.read(CHUNK):
            unpacked += len(chunk)
            if unpacked > part.limits.part_bytes:
                raise Refused(too_large())
            if first and not chunk.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith(b"<"):
                return  # not XML (an image, a printer setting): only its size matters
            first = False
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def too_large() -> str:
    return _("The workbook is too large once unpacked: upload only the filled template.")


def scan_package(package: zipfile.ZipFile, limits: Limits) -> Scan:
    """Read every part of the package within `limits`; Refused at the first one passed."""
    infos = package.infolist()
    if len(infos) > limits.parts or any(info.file_size > limits.part_bytes for info in infos):
        raise Refused(too_large())
    titles = _sheet_titles(package)
    scan = Scan()
    try:
        for info in infos:
            if info.is_dir():
                continue
            title = titles.get(info.filename, info.filename.rpartition("/")[2])
            part = _Part(scan, limits, info.filename, title)
            _parse(package, info, part)
            scan.last_rows[info.filename] = part.last_row
    except Refused:
        raise
    except Exception:
        # expat.ExpatError on bad XML; zipfile's many errors on a damaged or encrypted part.
        raise _unreadable() from None
    return scan


def _sheet_titles(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet titles by part name, for messages; empty when the workbook does not say them."""
    sheets: dict[str, str] = {}  # relationship id → title
    targets: dict[str, str] = {}  # relationship id → part name

    def sheet(name, attrs):
        if name.rpartition(":")[2] == "sheet":
            rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id"), None)
            if rid is not None and "name" in attrs:
                sheets[rid] = attrs["name"]

    def relationship(name, attrs):
        if name.rpartition(":")[2] == "Relationship" and "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            path = target.lstrip("/") if target.startswith("/") else join("xl", target)
            targets[attrs["Id"]] = normpath(path)

    for name, handler in (("xl/workbook.xml", sheet), ("xl/_rels/workbook.xml.rels", relationship)):
        try:
            if package.getinfo(name).file_size > TITLES_MAX_BYTES:
                continue  # the full scan that follows judges it
            parser = expat.ParserCreate()
            parser.StartElementHandler = handler
            parser.StartDoctypeDeclHandler = _refuse_doctype
            parser.EntityDeclHandler = _refuse_doctype
            parser.Parse(package.read(name), True)
        except Exception:  # noqa: S112 (the full scan that follows says what is wrong)
            continue
    return {targets[rid]: title for rid, title in sheets.items() if rid in targets}
