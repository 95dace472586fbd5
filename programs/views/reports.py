"""One figure's page: its history, evidence and reopening; evidence downloads; notices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from regions.access import Action, can, filter_by_region, get_visible_or_404, regions_where
from regions.models import Region

from .. import services
from ..choices import ReportState
from ..forms import EvidenceForm, PeriodReopenForm, ReasonForm, add_service_errors
from ..models import Evidence, Notification, ProgressReport, ReportingPeriod


def history_rows(report: ProgressReport) -> list[dict]:
    """Who, when, old → new, state and reason for every saved version, newest first."""
    records = list(
        report.history.select_related("history_user").order_by("history_date", "history_id")
    )
    rows, previous = [], None
    for record in records:
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "old": previous.value if previous else None,
                "new": record.value,
                "state": ReportState(record.state).label,
                "reason": record.history_change_reason or "",
                "version": record.version,
            }
        )
        previous = record
    return rows[::-1]


@login_required
def report_detail(request, pk):
    report = get_visible_or_404(
        request.user,
        ProgressReport.objects.select_related("region", "indicator", "period"),
        pk=pk,
    )
    user = request.user
    return render(
        request,
        "programs/report.html",
        {
            "report": report,
            "history": history_rows(report),
            "evidence": report.evidence.select_related("uploaded_by"),
            "evidence_form": EvidenceForm() if can(user, Action.ENTER, report.region) else None,
            "reopen_form": ReasonForm()
            if report.state == ReportState.APPROVED
            and can(user, Action.REOPEN_REPORT, report.region)
            else None,
        },
    )


@login_required
@require_POST
def evidence_upload(request, pk):
    report = get_visible_or_404(request.user, ProgressReport.objects.all(), pk=pk)
    # services.evidence_add checks who may add evidence and to which figure
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                user=request.user,
                report=report,
                upload=form.cleaned_data["file"],
                is_public=form.cleaned_data["is_public"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Evidence uploaded."))
    else:
        for error in form.errors.get("file", []):
            messages.error(request, error)
    return redirect("programs:report", pk)


def evidence_download(request, pk):
    """Officials who see the region download any evidence; the public only public evidence of
    approved figures."""
    evidence = get_object_or_404(Evidence.objects.select_related("report__region"), pk=pk)
    report = evidence.report
    public = evidence.is_public and report.state == ReportState.APPROVED
    if not public and not can(request.user, Action.VIEW, report.region):
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_POST
def report_reopen(request, pk):
    report = get_visible_or_404(request.user, ProgressReport.objects.all(), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening an approved figure."))
        return redirect("programs:report", pk)
    try:
        services.report_reopen(user=request.user, report=report, reason=form.cleaned_data["reason"])
        messages.success(request, _("The figure is open for correction again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("programs:report", pk)


@login_required
@require_http_methods(["GET", "POST"])
def period_reopen(request, pk):
    period = get_object_or_404(ReportingPeriod, pk=pk)
    if not regions_where(request.user, Action.REOPEN_PERIOD).exists():
        raise PermissionDenied
    form = PeriodReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = Region.objects.filter(code=data["region_code"]).first()
        if region is None or not can(request.user, Action.REOPEN_PERIOD, region):
            form.add_error("region_code", _("No region with this code in your scope."))
        else:
            try:
                services.period_reopen(
                    user=request.user,
                    period=period,
                    region=region,
                    reason=data["reason"],
                    until=data["until"],
                )
                messages.success(
                    request,
                    _("%(period)s is open again for %(region)s.")
                    % {"period": period, "region": region.name},
                )
                return redirect("programs:home")
            except ValidationError as error:
                add_service_errors(form, error)
    return render(
        request,
        "programs/period_reopen.html",
        {
            "period": period,
            "form": form,
            "reopenings": filter_by_region(
                request.user,
                period.reopenings.select_related("region", "reopened_by"),
                Action.REOPEN_PERIOD,
            ),
        },
    )


@login_required
def notifications(request):
    notices = Notification.objects.filter(user=request.user).select_related(
        "period", "report__region", "report__indicator", "report__period"
    )[:100]
    if request.method == "POST":
        services.notices_read(user=request.user)
        return redirect("programs:notifications")
    return render(request, "programs/notifications.html", {"notifications": notices})
