"""Catalog import: a catalog admin's workbook of a program, previewed, then imported as a job.

The upload is kept under jobs/uploads/<uuid>.xlsx between the preview and the confirmation; the
confirmation carries the uuid signed together with the user's id, so nobody can confirm another
user's upload. The job reads and checks the file again before it saves anything.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from regions.access import Action, regions_where

from .. import catalog_import
from ..choices import JobKind
from ..excel import MAX_UPLOAD_BYTES, XLSX_TYPE
from ..services.jobs import job_start
from .excel import ExcelUploadForm, _attachment

UPLOAD_TEMPLATE = "programs/catalog_import.html"
PREVIEW_TEMPLATE = "programs/catalog_preview.html"
TOKEN_SALT = "programs.catalog_import"  # noqa: S105 (a signing salt, not a secret)
TOKEN_MAX_AGE = 24 * 60 * 60  # a preview is confirmed the same day or uploaded again
UPLOAD_RE = re.compile(r"[0-9a-f]{32}")


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
    response["Content-Disposition"] = _attachment("talentportal-catalog-template.xlsx", name)
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
    name = catalog_import.upload_save(file=file)
    check = catalog_import.parse_catalog(
        file=catalog_import.upload_path(name=name), user=request.user
    )
    context["check"] = check
    if check.errors or not check.has_changes:
        catalog_import.upload_delete(name=name)
        return render(request, PREVIEW_TEMPLATE, context, status=422 if check.errors else 200)
    context["token"] = signing.dumps(
        {"user": request.user.pk, "upload": name, "program": check.program_name[:100]},
        salt=TOKEN_SALT,
    )
    return render(request, PREVIEW_TEMPLATE, context)


def _confirm(request):
    try:
        signed = signing.loads(request.POST["confirm"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # tampered, or expired (SignatureExpired is a BadSignature)
        signed = None
    name = signed.get("upload", "") if isinstance(signed, dict) else ""
    token = name.removeprefix(f"{catalog_import.UPLOAD_FOLDER}/").removesuffix(".xlsx")
    if (
        signed is None
        or signed.get("user") != request.user.pk
        or not UPLOAD_RE.fullmatch(token)
        or not default_storage.exists(name)
    ):
        problems = [
            _(
                "This upload cannot be confirmed: it has expired or was made by someone else. "
                "Upload the file again."
            )
        ]
        context = {"form": ExcelUploadForm(), "problems": problems}
        return render(request, UPLOAD_TEMPLATE, context, status=400)
    job_start(
        user=request.user,
        kind=JobKind.CATALOG_IMPORT,
        title=_("Catalog import: %(name)s") % {"name": signed.get("program", "")},
        params={"upload": name},
    )
    messages.success(request, _("The import has started; its result appears below when ready."))
    return redirect("programs:jobs")
