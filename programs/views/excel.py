"""The data-entry grid as Excel: download a template, upload it filled, preview, then confirm.

The upload is kept between the preview and the confirmation (`programs.uploads`): the page holds
its token, signed with the user's id, and only the uploading session knows its key; the
confirmation reads the file again and saves every change through the services in one
transaction, against the versions the preview showed.
"""

import re
from dataclasses import replace
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from regions.access import Action, get_visible_or_404, require
from regions.models import Region

from .. import entry_workbook, selectors, services, uploads
from ..models import ReportingPeriod
from ..xlsx import XLSX_TYPE

SESSION_KEY = "excel_imports"
TOKEN_SALT = "programs.entry_workbook"  # noqa: S105 (a signing salt, not a secret)
MAX_PENDING = 5  # uploads awaiting confirmation per session
UPLOAD_TEMPLATE = "programs/excel_upload.html"
PREVIEW_TEMPLATE = "programs/excel_preview.html"


class ExcelUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )


def _page(request, region_code, period_id, program_id):
    region = get_visible_or_404(request.user, Region.objects.all(), field="pk", code=region_code)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    program = get_object_or_404(selectors.programs_for(region, period.year), pk=program_id)
    return region, period, program


def attachment(ascii_name: str, name: str) -> str:
    """Both forms: old clients read `filename`, every current browser the UTF-8 `filename*`."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _file_name(region, period, program) -> tuple[str, str]:
    ascii_name = (
        f"talentportal-{region.code}-{period.year}-{period.kind}{period.number}-{program.pk}.xlsx"
    )
    ascii_name = re.sub(r"[^A-Za-z0-9_.-]", "_", ascii_name)  # a code stored before it was checked
    name = f"{region.name}-{period.label}-{program.name[:80]}"
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name) + ".xlsx"
    return ascii_name, name


@login_required
@require_GET
def template_download(request, region_code, period_id, program_id):
    region, period, program = _page(request, region_code, period_id, program_id)
    rows = selectors.entry_rows(region=region, period=period, program=program)
    content = entry_workbook.build_template(
        region=region, period=period, program=program, rows=rows
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment(*_file_name(region, period, program))
    response["Cache-Control"] = "private, no-store"
    return response


def _keep(request, upload, result, *, region, period, program) -> str:
    """Keep the upload for the confirmation; its key goes into this session only."""
    key = uploads.upload_save(file=upload)
    pending = request.session.get(SESSION_KEY, {})
    pending[key] = {
        "user": request.user.pk,
        "region": region.code,
        "period": period.pk,
        "program": program.pk,
        "name": upload.name[:200],
        # The versions the preview showed: the confirmation saves against these, not newer ones.
        "versions": {str(change.indicator.pk): change.version for change in result.changes},
    }
    while len(pending) > MAX_PENDING:
        oldest = next(iter(pending))
        pending.pop(oldest)
        uploads.upload_delete(key=oldest)
    request.session[SESSION_KEY] = pending
    return uploads.upload_token(key=key, user=request.user, salt=TOKEN_SALT)


def _take(request, token: str, *, region, period, program) -> tuple[str, dict] | None:
    """The key and record of this session's pending upload for this page, removed from the
    session; or None."""
    found = uploads.upload_from_token(token=token, user=request.user, salt=TOKEN_SALT)
    pending = request.session.get(SESSION_KEY, {})
    if found is None or found[0] not in pending:
        return None
    key = found[0]
    entry = pending.pop(key)
    request.session[SESSION_KEY] = pending
    if (entry["user"], entry["region"], entry["period"], entry["program"]) != (
        request.user.pk,
        region.code,
        period.pk,
        program.pk,
    ):
        uploads.upload_delete(key=key)
        return None
    return key, entry


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, region_code, period_id, program_id):
    region, period, program = _page(request, region_code, period_id, program_id)
    require(request.user, Action.ENTER, region)
    context = {"region": region, "period": period, "program": program, "form": ExcelUploadForm()}
    if not services.entry_open(period=period, region=region):
        context["form"] = None
        context["problems"] = [
            _("The period %(period)s is closed for entry: no upload can be saved.")
            % {"period": period.label}
        ]
        return render(
            request, UPLOAD_TEMPLATE, context, status=200 if request.method == "GET" else 422
        )
    if request.method == "GET":
        return render(request, UPLOAD_TEMPLATE, context)
    if "confirm" in request.POST:
        return _confirm(request, context)

    form = ExcelUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, UPLOAD_TEMPLATE, {**context, "form": form}, status=422)
    file = form.cleaned_data["file"]
    rows = selectors.entry_rows(region=region, period=period, program=program)
    result = entry_workbook.parse_upload(
        file=file, region=region, period=period, program=program, rows=rows
    )
    context.update(result=result, file_name=file.name)
    if result.errors:
        return render(request, PREVIEW_TEMPLATE, context, status=422)
    if result.changes:
        context["token"] = _keep(
            request, file, result, region=region, period=period, program=program
        )
    return render(request, PREVIEW_TEMPLATE, context)


def _confirm(request, context):
    region, period, program = context["region"], context["period"], context["program"]
    taken = _take(
        request, request.POST.get("confirm", ""), region=region, period=period, program=program
    )
    key, entry = taken or (None, None)
    path = uploads.upload_path(key=key) if key else None
    if entry is None or not path.exists():
        context["problems"] = [
            _(
                "This upload cannot be confirmed: it has expired or was made in another session. "
                "Upload the file again."
            )
        ]
        return render(request, UPLOAD_TEMPLATE, context, status=400)
    try:
        rows = selectors.entry_rows(region=region, period=period, program=program)
        with path.open("rb") as handle:
            result = entry_workbook.parse_upload(
                file=handle, region=region, period=period, program=program, rows=rows
            )
    finally:
        uploads.upload_delete(key=key)
    context.update(result=result, file_name=entry["name"])
    if result.errors:
        return render(request, PREVIEW_TEMPLATE, context, status=422)

    versions = entry["versions"]
    moved = [change for change in result.changes if str(change.indicator.pk) not in versions]
    if moved:
        # The file now differs from a figure it matched at the preview: someone saved it since.
        context["problems"] = [
            _(
                "Row %(row)d (%(indicator)s): this figure was changed by someone else after your "
                "preview. Nothing was saved; upload the file again to see the new preview."
            )
            % {"row": change.row, "indicator": change.indicator.name}
            for change in moved
        ]
        return render(request, PREVIEW_TEMPLATE, context, status=409)
    changes = [
        replace(change, version=versions[str(change.indicator.pk)]) for change in result.changes
    ]
    try:
        saved = entry_workbook.apply_changes(
            user=request.user, region=region, period=period, changes=changes
        )
    except (services.ConflictError, ValidationError) as error:
        change = getattr(error, "row_change", None)
        text = str(error) if isinstance(error, services.ConflictError) else " ".join(error.messages)
        if change is not None:
            text = _("Row %(row)d (%(indicator)s): %(message)s") % {
                "row": change.row,
                "indicator": change.indicator.name,
                "message": text,
            }
        context["problems"] = [
            text,
            _("Nothing was saved; upload the file again to see the new preview."),
        ]
        status = 409 if isinstance(error, services.ConflictError) else 422
        return render(request, PREVIEW_TEMPLATE, context, status=status)
    messages.success(
        request,
        ngettext(
            "%(count)d figure from %(name)s saved as a draft.",
            "%(count)d figures from %(name)s saved as drafts.",
            saved,
        )
        % {"count": saved, "name": entry["name"]},
    )
    return redirect("programs:grid", region.code, period.pk, program.pk)
