"""The official's home (我的任务) and the data-entry grid."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regions.access import Action, can, get_visible_or_404, regions_where, require
from regions.models import Region

from .. import selectors, services
from ..forms import EntryRowForm, add_service_errors
from ..models import Notification, ReportingPeriod


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "programs/home.html",
        {
            "tasks": selectors.official_tasks(user),
            "review_periods": selectors.review_periods(user),
            "notifications": Notification.objects.filter(
                user=user, read_at__isnull=True
            ).select_related("report__region", "report__indicator", "report__period")[:10],
            "entry_regions": regions_where(user, Action.ENTER).order_by("path")[:50],
            "closed_periods": selectors.closed_periods()
            if regions_where(user, Action.REOPEN_PERIOD).exists()
            else [],
        },
    )


def _grid_context(request, region, period, program):
    rows = selectors.entry_rows(region=region, period=period, program=program)
    return rows, {
        "region": region,
        "period": period,
        "program": program,
        "programs": selectors.programs_for(region, period.year),
        "entry_open": services.entry_open(period=period, region=region),
        "may_enter": can(request.user, Action.ENTER, region),
    }


@login_required
@require_http_methods(["GET", "POST"])
def grid(request, region_code, period_id, program_id):
    region = get_visible_or_404(request.user, Region.objects.all(), field="pk", code=region_code)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    program = get_object_or_404(selectors.programs_for(region, period.year), pk=program_id)
    rows, context = _grid_context(request, region, period, program)
    if request.method == "GET":
        forms = [EntryRowForm(row=row) for row in rows]
        return render(request, "programs/grid.html", {**context, "forms": forms})

    require(request.user, Action.ENTER, region)
    action = request.POST.get("action", "save")
    forms, saved, submitted, failed = _apply(request, rows, action, region=region, period=period)
    if failed:
        messages.error(
            request,
            _("%(saved)d saved, %(submitted)d submitted; %(failed)d rows need attention below.")
            % {"saved": saved, "submitted": submitted, "failed": failed},
        )
        rows, context = _grid_context(request, region, period, program)
        fresh = {row.indicator.pk: row for row in rows}
        # Rows that went through show their new state; rows with errors keep what was typed.
        forms = [f if f.errors else EntryRowForm(row=fresh[f.row.indicator.pk]) for f in forms]
        return render(request, "programs/grid.html", {**context, "forms": forms}, status=422)
    messages.success(
        request,
        _("%(saved)d saved, %(submitted)d submitted.") % {"saved": saved, "submitted": submitted},
    )
    return redirect(request.path)


def _apply(request, rows, action, *, region, period):
    """Save every valid changed row and submit the chosen ones; errors stay with their row."""
    forms, saved, submitted, failed = [], 0, 0, 0
    for row in rows:
        form = EntryRowForm(request.POST, row=row)
        forms.append(form)
        if not form.editable:
            continue
        if not form.is_valid():
            failed += 1
            continue
        data = form.cleaned_data
        report = row.report
        try:
            if data["value"] is not None and form.has_changed():
                report = services.report_save(
                    user=request.user,
                    indicator=row.indicator,
                    region=region,
                    period=period,
                    change=services.Change(
                        value=data["value"],
                        is_lower_bound=data["is_lower_bound"],
                        note=data["note"],
                    ),
                    version=data["version"],
                )
                saved += 1
            wants_submit = action == "submit_all" or (action == "submit" and data["selected"])
            if wants_submit and report is not None and report.state in ("draft", "returned"):
                # A row not saved now is submitted only as the official saw it.
                seen = report.version if report is not row.report else (data["version"] or 0)
                services.report_submit(user=request.user, report=report, version=seen)
                submitted += 1
        except services.ConflictError as conflict:
            form.add_error(None, str(conflict))
            form.conflict = conflict.report
            failed += 1
        except ValidationError as error:
            add_service_errors(form, error)
            failed += 1
    return forms, saved, submitted, failed


@login_required
def grid_start(request, region_code, period_id):
    """Pick the region's first program for the period and open its grid."""
    region = get_visible_or_404(request.user, Region.objects.all(), field="pk", code=region_code)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    program = selectors.programs_for(region, period.year).first()
    if program is None:
        messages.info(
            request, _("No program of this region runs in %(period)s.") % {"period": period}
        )
        return redirect("programs:home")
    return redirect("programs:grid", region.code, period.pk, program.pk)
