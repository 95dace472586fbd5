"""Catalog import: a catalog admin's workbook of a program, previewed, then imported as a job.

The upload is kept between the preview and the confirmation (`programs.uploads`); the
confirmation carries its token, signed together with the user's id, so nobody can confirm another
user's upload, and hands the file over to the job. The job reads and checks the file again before
it saves anything.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from regions.access import Action, regions_where

from .. import catalog_import, uploads
from ..choices import JobKind
from ..services.jobs import JobQuotaExceeded, job_refusal, job_start
from ..xlsx import MAX_UPLOAD_BYTES, XLSX_TYPE
from .excel import ExcelUploadForm, attachment

UPLOAD_TEMPLATE = "programs/catalog_import.html"
PREVIEW_TEMPLATE = "programs/catalog_preview.html"
TOKEN_SALT = "programs.catalog_import"  # noqa: S105 (a signing salt, not a secret)


def _require_catalog_admin(user) -> None:
    if not (user.is_superuser or regions_where(user, Action.EDIT_CATALOG).exists()):
        raise PermissionDenied


@login_required
@require_GET
def import_template(request):
    _require_catalog_admin(request.user)
    content = catalog_import.build_template(user=request.user)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    name = _("catalog-import-template") + ".xlsx"
    response["Content-Disposition"] = attachment("talentportal-catalog-template.xlsx", name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require_catalog_admin(request.user)
    if request.method == "GET":
        return render(request, UPLOAD_TEMPLATE, {"form": ExcelUploadForm()})
    if "confirm" in request.POST:
        return _confirm(request)

    form = ExcelUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, UPLOAD_TEMPLATE, {"form": form}, status=422)
    file = form.cleaned_data["file"]
    context = {"file_name": file.name, "form": ExcelUploadForm()}
    if file.size > MAX_UPLOAD_BYTES:  # refused unread, and not kept
        check = catalog_import.parse_catalog(file=file, user=request.user)
        return render(request, PREVIEW_TEMPLATE, {**context, "check": check}, status=422)
    key = uploads.upload_save(file=file)
    check = catalog_import.parse_catalog(file=uploads.upload_path(key=key), user=request.user)
    context["check"] = check
    if check.errors or not check.has_changes:
        uploads.upload_delete(key=key)
        return render(request, PREVIEW_TEMPLATE, context, status=422 if check.errors else 200)
    context["token"] = uploads.upload_token(
        key=key, user=request.user, salt=TOKEN_SALT, program=check.program_name[:100]
    )
    return render(request, PREVIEW_TEMPLATE, context)


def _confirm(request):
    # Asked before the upload is taken out of the store, so a refused user can confirm it later.
    refusal = job_refusal(request.user)
    if refusal:
        context = {"form": ExcelUploadForm(), "problems": [refusal]}
        return render(request, UPLOAD_TEMPLATE, context, status=429)
    found = uploads.upload_from_token(
        token=request.POST["confirm"], user=request.user, salt=TOKEN_SALT
    )
    # Taken out of the store for the job: a second confirmation of the same preview finds nothing.
    name = uploads.upload_take(key=found[0], folder=catalog_import.UPLOAD_FOLDER) if found else None
    if name is None:
        problems = [
            _(
                "This upload cannot be confirmed: it has expired or was made by someone else. "
                "Upload the file again."
            )
        ]
        context = {"form": ExcelUploadForm(), "problems": problems}
        return render(request, UPLOAD_TEMPLATE, context, status=400)
    try:
        job_start(
            user=request.user,
            kind=JobKind.CATALOG_IMPORT,
            title=_("Catalog import: %(name)s") % {"name": found[1].get("program", "")},
            params={"upload": name},
        )
    except JobQuotaExceeded as refused:
        context = {"form": ExcelUploadForm(), "problems": [str(refused)]}
        return render(request, UPLOAD_TEMPLATE, context, status=429)
    messages.success(request, _("The import has started; its result appears below when ready."))
    return redirect("programs:jobs")
