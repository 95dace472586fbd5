"""From approval to the public page (P12): seconds from `services.report_approve` to the new value
on the anonymous region page; the approval is committed, then undone."""

from __future__ import annotations

import time

from django.db import transaction
from django.db.models import Max

from programs import dashboard, public_cache, rollups
from programs.choices import ReportState, TimeNature
from programs.figures import plain_number
from programs.models import Notification, ProgressReport, RegionFigure, ReportingPeriod
from regions.access import Action, users_who_can

from .common import median
from .pages import Pages, region_url

APPROVAL_TIMEOUT = 30.0  # P12: give up (null) after this many seconds


def _approval_candidate(year: int):
    """A submitted report of `year` whose indicator is a headline figure of its region's page
    (where the page shows the value), with a reviewer who did not submit it."""
    reports = (
        ProgressReport.objects.filter(
            state=ReportState.SUBMITTED,
            period__year=year,
            indicator__time_nature=TimeNature.FLOW,
            value__gt=0,
        )
        .select_related("region", "indicator", "period")
        .order_by("region__level", "region__code", "pk")[:200]
    )
    headlines = {}
    for report in reports:
        region = report.region
        if region.pk not in headlines:
            summary = dashboard.region_summary(region, year)
            headlines[region.pk] = {f.indicator.pk for f in summary.headline}
        if report.indicator_id not in headlines[region.pk]:
            continue
        reviewer = users_who_can(Action.REVIEW, region).exclude(pk=report.submitted_by_id).first()
        if reviewer is not None:
            return report, reviewer
        if len(headlines) > 20:
            break
    return None, None


def _marker(value) -> bytes:
    return f'class="figure-value">{plain_number(value)}'.encode()


def approval_latency(*, repeat: int) -> dict:
    """P12: approve (committed), then GET the anonymous page until it shows the new figure; then
    undo the approval."""
    year = ReportingPeriod.objects.aggregate(Max("year"))["year__max"]
    report, reviewer = _approval_candidate(year) if year else (None, None)
    if report is None:
        return {"reason": "no submitted report of a headline indicator with a reviewer"}
    from programs import services

    pages, url = Pages(), region_url(report.region.code, year)
    history = ProgressReport.history.model
    fields = [
        "state",
        "reviewed_by_id",
        "reviewed_at",
        "review_comment",
        "version",
        "updated_by_id",
        "updated_at",
    ]
    samples, polls, changed = [], [], True
    for _ in range(repeat):
        saved = ProgressReport.objects.filter(pk=report.pk).values(*fields).get()
        last_history = history.objects.aggregate(Max("history_id"))["history_id__max"] or 0
        last_notice = Notification.objects.aggregate(Max("pk"))["pk__max"] or 0
        before = pages.get(url).content  # cached from here on, as the public sees it
        if pages.get(url).get("X-Cache") != "hit":
            raise RuntimeError("the region page was not served from the cache")
        start = time.perf_counter()
        services.report_approve(user=reviewer, report=report)  # commits
        new = RegionFigure.objects.get(
            region=report.region, indicator=report.indicator, year=year
        ).value
        marker, count, seen = _marker(new), 0, None
        while time.perf_counter() - start < APPROVAL_TIMEOUT:
            count += 1
            if marker in pages.get(url).content:
                seen = time.perf_counter() - start
                break
        changed = changed and marker not in before
        with transaction.atomic():  # undo: the report as it was, its history, its notices
            ProgressReport.objects.filter(pk=report.pk).update(**saved)
            history.objects.filter(id=report.pk, history_id__gt=last_history).delete()
            Notification.objects.filter(report=report, pk__gt=last_notice).delete()
            rollups.refresh([report])
            transaction.on_commit(public_cache.bump_public_version)
        if seen is None:
            return {"reason": f"the new value did not show within {APPROVAL_TIMEOUT:g} s"}
        samples.append(seen)
        polls.append(count)
    return {
        "seconds": median(samples),
        "report": report.pk,
        "page": url,
        "requests_until_shown": max(polls),
        "value_changed_on_page": changed,
    }
