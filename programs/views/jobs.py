"""我的任务/导出: a user's jobs with live progress, their files, starting a report or export."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from regions.access import Action, home_regions, regions_where, require
from regions.models import Region

from .. import selectors
from ..choices import JobKind, JobState
from ..forms import ExportForm, YearReportForm
from ..services.jobs import JobQuotaExceeded, job_start

LISTED = 30
ID = re.compile(r"[1-9][0-9]{0,17}")  # ASCII digits that fit a bigint


def job_json(job) -> dict:
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": JobState(job.state).label,
        "progress": job.progress,
        "step": job.step,
        "error": job.error,
        "summary": job.summary_text(),
        "download": reverse("programs:job_download", args=[job.pk]) if job.result else "",
    }


def _export_form(user, data=None):
    return ExportForm(data, regions=regions_where(user, Action.VIEW))


def _page(request, export_form, *, status=200):
    year = timezone.localdate().year
    context = {
        "jobs": selectors.own_jobs(request.user)[:LISTED],
        "export_form": export_form,
        "home_regions": home_regions(request.user),
        "default_years": (year - 1, year),
    }
    return render(request, "programs/jobs.html", context, status=status)


@login_required
@require_GET
def job_list(request):
    return _page(request, _export_form(request.user))


@login_required
@require_GET
def job_status(request):
    """Polled by static/js/jobs.js while a job on the page is unfinished."""
    ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if ID.fullmatch(pk)][:LISTED]
    jobs = selectors.own_jobs(request.user).filter(pk__in=ids)
    return JsonResponse({"jobs": [job_json(job) for job in jobs]})


@login_required
@require_GET
def job_download(request, pk):
    job = get_object_or_404(selectors.own_jobs(request.user), pk=pk)
    if job.state != JobState.DONE or not job.result:
        raise Http404
    try:
        handle = job.result.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def year_report_start(request, code):
    region = get_object_or_404(regions_where(request.user, Action.VIEW), code=code)
    form = YearReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year between 2000 and 2100."))
        return redirect("public:region", code)
    year = form.cleaned_data["year"]
    try:
        job_start(
            user=request.user,
            kind=JobKind.YEAR_REPORT,
            title=_("Year-end report: %(region)s %(year)s") % {"region": region.name, "year": year},
            params={"region": region.pk, "year": year},
        )
    except JobQuotaExceeded as refused:
        messages.error(request, str(refused))
        return redirect("programs:jobs")
    messages.success(request, _("The report is being written; it appears below when ready."))
    return redirect("programs:jobs")


@login_required
@require_POST
def export_start(request):
    form = _export_form(request.user, request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    region: Region = form.cleaned_data["region"]
    require(request.user, Action.VIEW, region)
    first, last = form.cleaned_data["year_from"], form.cleaned_data["year_to"]
    try:
        job_start(
            user=request.user,
            kind=JobKind.EXPORT,
            title=_("Data export: %(region)s %(first)s–%(last)s")
            % {"region": region.name, "first": first, "last": last},
            params={"region": region.pk, "year_from": first, "year_to": last},
        )
    except JobQuotaExceeded as refused:
        form.add_error(None, str(refused))
        return _page(request, form, status=429)
    messages.success(request, _("The export has started; it appears below when ready."))
    return redirect("programs:jobs")
