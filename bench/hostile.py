"""Hostile workbooks, written part by part with zipfile (never through openpyxl, which would not
write most of them): each a small .xlsx that unpacks to something a careless reader pays for in
gigabytes or hours. The tests (tests/programs/test_hostile_workbooks.py) upload every one and
`bench/load.py --hostile` uploads them in a loop while other users browse.

`WORKBOOKS` names each one; `build(name)` gives its bytes (a few KB to a few hundred KB).
Every workbook has a data sheet "Data" and the entry template's hidden sheet "_meta" saying it
was made for region HOSTILE, period 1, program 1 (`META`), so that a reader given matching
objects goes as far as the file lets it.
"""

from __future__ import annotations

import asyncio
import functools
import io
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = REL + "/worksheet"
CHUNK_ITEMS = 20_000

META = {"format": "1", "region": "HOSTILE", "period": "1", "program": "1", "sheet": "Data"}

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{PACKAGE_REL}"><Relationship Id="rId1" '
    f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
    '<sheet name="Data" sheetId="1" r:id="rId1"/>'
    '<sheet name="_meta" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{SHEET_TYPE}" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{SHEET_TYPE}" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)

Part = bytes | Iterable[bytes]  # a part's XML, whole or in pieces (written as it is made)


def text_cell(reference: str, text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{reference}" t="inlineStr"><is><t>{escaped}</t></is></c>'


def sheet(rows: Part, *, head: str = "") -> Iterator[bytes]:
    """A worksheet's XML around `rows` (the `<row>` elements, whole or in pieces)."""
    yield f'<worksheet xmlns="{MAIN}">{head}<sheetData>'.encode()
    yield from [rows] if isinstance(rows, bytes) else rows
    yield b"</sheetData></worksheet>"


def meta_sheet(meta: dict[str, str] | None = None, *, rows: str = "") -> Iterator[bytes]:
    pairs = {**META, "first_row": "8", **(meta or {})}
    xml = "".join(
        f'<row r="{number}">{text_cell(f"A{number}", key)}{text_cell(f"B{number}", value)}</row>'
        for number, (key, value) in enumerate(pairs.items(), start=1)
    )
    return sheet((xml + rows).encode())


def repeat(piece: bytes, times: int, *, before: bytes = b"", after: bytes = b"") -> Iterator[bytes]:
    yield before
    for start in range(0, times, CHUNK_ITEMS):
        yield piece * min(CHUNK_ITEMS, times - start)
    yield after


HEADER_ROW = ('<row r="1">' + text_cell("A1", "Code") + "</row>").encode()


def package(
    data: Part,
    *,
    meta: Part | None = None,
    strings: Part | None = None,
    styles: Part = b"",
    pairs: dict[str, str] | None = None,
) -> bytes:
    """The .xlsx holding the parts, deflated, each written as it is made."""
    parts: dict[str, Part] = {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "_rels/.rels": ROOT_RELS.encode(),
        "xl/workbook.xml": WORKBOOK.encode(),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode(),
        "xl/sharedStrings.xml": strings or f'<sst xmlns="{MAIN}"/>'.encode(),
        "xl/worksheets/sheet1.xml": data,
        "xl/worksheets/sheet2.xml": meta if meta is not None else meta_sheet(pairs),
    }
    if styles:
        parts["xl/styles.xml"] = styles
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            with archive.open(name, "w", force_zip64=True) as stream:
                for piece in [content] if isinstance(content, bytes) else content:
                    stream.write(piece)
    return buffer.getvalue()


def _builders(meta: dict[str, str]) -> dict[str, Callable[[], bytes]]:
    far = 2_000_000_000
    pack = functools.partial(package, pairs=meta)
    return {
        # One row of two million cells (the 230 KB file that took 2.4 GB).
        "wide_row": lambda: pack(
            sheet(repeat(b"<c><v>1</v></c>", 2_000_000, before=b'<row r="2">', after=b"</row>"))
        ),
        # Empty <c/> by the million, in rows of 100.
        "empty_cells": lambda: pack(sheet(repeat(b"<row>" + b"<c/>" * 100 + b"</row>", 30_000))),
        # Three million shared strings (the 236 KB file that hit the 30 s kill).
        "shared_strings": lambda: pack(
            sheet(HEADER_ROW),
            strings=repeat(
                b"<si><t/></si>",
                3_000_000,
                before=f'<sst xmlns="{MAIN}">'.encode(),
                after=b"</sst>",
            ),
        ),
        # A data row numbered two billion: openpyxl would fill the rows between.
        "far_row": lambda: pack(
            sheet(HEADER_ROW + f'<row r="{far}"><c><v>1</v></c></row>'.encode())
        ),
        # The same in the hidden sheet.
        "far_meta_row": lambda: pack(
            sheet(HEADER_ROW), meta=meta_sheet(meta, rows=f'<row r="{far}"><c><v>1</v></c></row>')
        ),
        # The hidden sheet saying the figures start at row two billion.
        "far_first_row": lambda: pack(
            sheet(HEADER_ROW + b'<row r="9"><c><v>1</v></c></row>'),
            meta=meta_sheet({**meta, "first_row": str(far)}),
        ),
        # A million rows without a number.
        "many_rows": lambda: pack(sheet(repeat(b"<row/>", 1_000_000))),
        # A dimension claiming every cell Excel has, and more rows than it has.
        "huge_dimension": lambda: pack(sheet(HEADER_ROW, head='<dimension ref="A1:XFD1048576"/>')),
        # One inline string of 40 million characters.
        "huge_text": lambda: pack(
            sheet(
                repeat(
                    b"x",
                    40_000_000,
                    before=b'<row><c t="inlineStr"><is><t>',
                    after=b"</t></is></c></row>",
                )
            )
        ),
        # A cell nested a million elements deep.
        "deep_text": lambda: pack(sheet(_deep())),
        # A million cell styles, which openpyxl builds as objects at open.
        "many_styles": lambda: pack(
            sheet(HEADER_ROW),
            styles=repeat(
                b"<xf/>",
                1_000_000,
                before=f'<styleSheet xmlns="{MAIN}"><cellXfs>'.encode(),
                after=b"</cellXfs></styleSheet>",
            ),
        ),
    }


def _deep() -> Iterator[bytes]:
    yield b'<row><c t="inlineStr"><is>'
    yield from repeat(b"<r>", 1_000_000)
    yield from repeat(b"</r>", 1_000_000)
    yield b"</is></c></row>"


WORKBOOKS = tuple(_builders({}))


def build(name: str, meta: dict[str, str] | None = None) -> bytes:
    """The workbook `name`; `meta` changes what its hidden sheet says (its region, period…)."""
    return _builders(meta or {})[name]()


# --- bench/load.py --hostile: a reporter uploading these in a loop through the grid upload ------

# Run by load.py in `manage.py shell`'s stead: a county reporter signed in (a session in the
# database, as a browser would hold), a scratch month period open for entry, a program of the
# county; printed as JSON. CLEANUP, given that JSON, removes the period and the session.
SETUP = """
import json
from datetime import timedelta
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from bench.measures import default_year
from programs.choices import PeriodKind
from programs.models import ReportingPeriod
from programs.selectors import programs_for
from regions.choices import Role
from regions.models import OfficialMembership
year = default_year()
now = timezone.now()
for membership in (
    OfficialMembership.objects.filter(role=Role.REPORTER, region__level=3, user__is_active=True)
    .select_related("user", "region").order_by("-region__code")
):
    programs = list(programs_for(membership.region, year))
    if programs:
        break
else:
    raise SystemExit("no county reporter with a program")
months = ReportingPeriod.objects.filter(kind=PeriodKind.MONTH, year=year)
number = min(set(range(1, 13)) - set(months.values_list("number", flat=True)))
period = ReportingPeriod.objects.create(
    kind=PeriodKind.MONTH, year=year, number=number,
    opens_at=now - timedelta(days=1), deadline=now + timedelta(days=30),
)
client = Client()
client.force_login(membership.user)
region, program = membership.region, programs[0]
print(json.dumps({
    "path": reverse("programs:excel_upload", args=[region.code, period.pk, program.pk]),
    "session": [settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value],
    "csrf_cookie": settings.CSRF_COOKIE_NAME,
    "period": period.pk,
    "meta": {"region": region.code, "period": str(period.pk), "program": str(program.pk)},
}))
"""

CLEANUP = """
import json, sys
from django.contrib.sessions.models import Session
from programs.models import ReportingPeriod
setup = json.loads(sys.argv[-1])
ReportingPeriod.objects.filter(pk=setup["period"]).delete()
Session.objects.filter(session_key=setup["session"][1]).delete()
print(json.dumps({"cleaned": True}))
"""

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFUSED = 422  # what the upload answers a refused file


def upload_request(port: int, setup: dict, name: str, content: bytes) -> bytes:
    """The POST of the grid's upload form with `content` as the file, signed in, CSRF and all."""
    boundary = "talentportal-load-boundary"
    csrf = "hostileloadtestcsrfsecret0123456"  # an unmasked secret (32 characters): cookie = field
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}.xlsx"\r\nContent-Type: {XLSX_TYPE}\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    session_cookie, session = setup["session"]
    head = (
        f"POST {setup['path']} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
        f"Cookie: {session_cookie}={session}; {setup['csrf_cookie']}={csrf}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\nAccept-Language: en\r\n"
        "User-Agent: talentportal-load\r\n\r\n"
    )
    return head.encode() + body


def files(meta: dict[str, str]) -> list[tuple[str, bytes]]:
    """Every hostile workbook, its hidden sheet saying `meta`: built before the load starts (a
    second of CPU that would otherwise stall the load generator's other clients)."""
    return [(name, build(name, meta)) for name in WORKBOOKS]


async def uploader(port, setup, deadline, timeout, samples, failures) -> None:
    """Upload every hostile workbook of setup["files"] in turn, as fast as answers come, until
    `deadline`; each must be refused (422). Latencies go to samples["hostile_upload"]."""
    files = setup["files"]
    turn = 0
    while time.perf_counter() < deadline:
        name, content = files[turn % len(files)]
        turn += 1
        start = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port), timeout
            )
            try:
                writer.write(upload_request(port, setup, name, content))
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(), timeout)
            finally:
                writer.close()
            parts = answer.split(b"\r\n", 1)[0].split()
            status = int(parts[1]) if len(parts) > 1 else 0
            failure = "" if status == REFUSED else f"HTTP {status} to {name}"
        except (TimeoutError, OSError) as error:
            failure = f"{type(error).__name__} to {name}"
        samples["hostile_upload"].append(time.perf_counter() - start)
        if failure:
            failures[("hostile_upload", failure)] += 1
