"""The reviewer's queue (审核): approve or return, one figure or many."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regions.access import Action, regions_where

from .. import selectors, services
from ..models import ReportingPeriod


def _require_reviewer(user):
    if not regions_where(user, Action.REVIEW).exists():
        raise PermissionDenied


@login_required
def queue_index(request):
    _require_reviewer(request.user)
    return render(
        request, "programs/review_index.html", {"periods": selectors.review_periods(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def queue(request, period_id):
    _require_reviewer(request.user)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    reports = list(selectors.review_queue(request.user, period))
    if request.method == "POST":
        done, errors = _review(request, reports)
        for error in errors:
            messages.error(request, error)
        if done:
            messages.success(request, _("%(count)d figures reviewed.") % {"count": done})
        return redirect(request.path)
    return render(
        request,
        "programs/review.html",
        {
            "period": period,
            "reports": reports,
            "old_values": selectors.previous_values(reports),
            "targets": selectors.targets_for(reports),
        },
    )


def _review(request, reports):
    """Approve or return the figures the form names, as the reviewer saw them (their version);
    each one succeeds or fails on its own."""
    post = request.POST
    by_id = {str(r.pk): r for r in reports}
    shown = post.getlist("shown")  # the rows on the reviewer's page
    if "approve" in post:
        plan = [("approve", post["approve"], post.get(f"comment_{post['approve']}", ""))]
    elif "return" in post:
        plan = [("return", post["return"], post.get(f"comment_{post['return']}", ""))]
    elif "approve_all" in post:
        plan = [("approve", pk, "") for pk in shown]
    elif "approve_selected" in post or "return_selected" in post:
        step = "approve" if "approve_selected" in post else "return"
        plan = [(step, pk, post.get("bulk_comment", "")) for pk in post.getlist("selected")]
    else:
        plan = []
    done, errors = 0, []
    for step, pk, comment in plan:
        report = by_id.get(pk)
        if report is None:
            errors.append(_("That figure is no longer waiting for review."))
            continue
        label = f"{report.region.name} · {report.indicator.name}"
        try:
            version = int(post.get(f"version_{pk}", ""))
        except ValueError:
            version = None
        try:
            service = services.report_approve if step == "approve" else services.report_return
            service(user=request.user, report=report, comment=comment, version=version)
            done += 1
        except services.ConflictError as error:
            errors.append(f"{label}: {error}")
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            errors.append(f"{label}: {text}")
    return done, errors
