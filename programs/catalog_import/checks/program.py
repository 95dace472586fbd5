"""The sheet "Program": one program, matched by its region and name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ...models import Program
from ...xlsx import RowError
from ..reading import read_text, read_year
from ..sheets import FIRST_ROW
from .context import CheckContext


def check_program(ctx: CheckContext) -> None:
    sheet = ctx.sheets["program"]
    if not sheet.rows:
        ctx.check.errors.append(
            RowError(
                sheet.title,
                FIRST_ROW,
                "",
                _("Fill in the program on row %(row)d.") % {"row": FIRST_ROW},
            )
        )
        return
    for number, _cells in sheet.rows[1:]:
        ctx.error(
            sheet,
            number,
            "name",
            _("A workbook holds one program: start another workbook for this one."),
        )
    number, cells = sheet.rows[0]
    values = ctx.read(
        sheet,
        number,
        cells,
        {
            "region": read_text,
            "name": read_text,
            "start_year": read_year,
            "end_year": read_year,
            "source_title": read_text,
            "source_url": read_text,
            "summary": read_text,
        },
    )
    if values is None:
        return
    ctx.check.program_name = values["name"]
    region = ctx.region(sheet, number, "region", values["region"])
    if region is None:
        return
    program = Program.objects.filter(region=region, name=values["name"]).first()
    program = program or Program(region=region, name=values["name"])
    fields = ["start_year", "end_year", "source_title", "source_url", "summary"]
    action, changes = ctx.compare(program, {name: values[name] for name in fields})
    try:
        program.full_clean()
    except ValidationError as error:
        ctx.model_errors(sheet, number, error, {name: name for name in [*fields, "name"]})
        ctx.program = program  # its plans are still checked, against it
        return
    ctx.program = program
    ctx.record(sheet, number, program.name, program, action, changes)
