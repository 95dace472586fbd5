"""The deadline calendar, run by Celery beat (settings.CELERY_BEAT_SCHEDULE).

Reporters of regions with figures still to submit get a notice N days before a period's deadline
and one on the day; after the deadline, the reviewers above get one notice listing the regions
that did not submit; the period locks itself once the review grace after the deadline is over.
Each notice exists once per recipient, period and kind (a database constraint), so the schedule
may fire as often as it likes.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.access import Action, users_who_can
from regions.models import Region

from .choices import NotificationKind, ReportState
from .models import Program, ProgressReport, ReportingPeriod, Target
from .selectors import expected_indicators
from .services.notices import email_on_commit, notify_once


def lagging_regions(period: ReportingPeriod) -> dict[Region, int]:
    """Regions with figures of the period not yet submitted, and how many (four queries)."""
    year = period.year
    region_ids = set(
        Program.objects.filter(start_year__lte=year, end_year__gte=year).values_list(
            "region_id", flat=True
        )
    ) | set(Target.objects.filter(period__year=year).values_list("region_id", flat=True))
    regions = list(Region.objects.filter(pk__in=region_ids).order_by("path"))
    expected = expected_indicators(regions, {year}) if regions else {}
    done = set(
        ProgressReport.objects.filter(
            period=period,
            region__in=regions,
            state__in=[ReportState.SUBMITTED, ReportState.APPROVED],
        ).values_list("region_id", "indicator_id")
    )
    lagging = {}
    for region in regions:
        missing = [i for i in expected.get((region.pk, year), ()) if (region.pk, i) not in done]
        if missing:
            lagging[region] = len(missing)
    return lagging


def _list(items: list[tuple[Region, int]]) -> str:
    return "; ".join(
        _("%(region)s: %(count)d to submit") % {"region": r.name, "count": n} for r, n in items
    )


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Reminders to reporters N days before the deadline and on the day; returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = []
    for period in ReportingPeriod.objects.filter(locked=False, opens_at__lte=now, deadline__gt=now):
        days_left = (timezone.localdate(period.deadline) - today).days
        if days_left == 0:
            kind = NotificationKind.DEADLINE_TODAY
        elif days_left <= settings.REMINDER_DAYS_BEFORE:
            kind = NotificationKind.DEADLINE_SOON
        else:
            continue
        per_user = defaultdict(list)
        for region, missing in lagging_regions(period).items():
            for user in users_who_can(Action.ENTER, region):
                per_user[user].append((region, missing))
        deadline = timezone.localtime(period.deadline).strftime("%Y-%m-%d %H:%M")
        for user, items in per_user.items():
            message = _("%(period)s closes on %(deadline)s. %(regions)s.") % {
                "period": period,
                "deadline": deadline,
                "regions": _list(items),
            }
            notice = notify_once(user=user, period=period, kind=kind, message=message)
            if notice:
                sent.append(notice)
    email_on_commit(sent)
    return len(sent)


def notify_overdue(now: datetime | None = None) -> int:
    """After the deadline, one notice per reviewer listing the regions in their scope that did
    not submit everything; returns how many notices."""
    now = now or timezone.now()
    sent = []
    for period in ReportingPeriod.objects.filter(locked=False, deadline__lte=now):
        per_user = defaultdict(list)
        for region, missing in lagging_regions(period).items():
            for user in users_who_can(Action.REVIEW, region):
                per_user[user].append((region, missing))
        for user, items in per_user.items():
            message = _("Not submitted by the deadline of %(period)s: %(regions)s.") % {
                "period": period,
                "regions": _list(items),
            }
            notice = notify_once(
                user=user, period=period, kind=NotificationKind.OVERDUE, message=message
            )
            if notice:
                sent.append(notice)
    email_on_commit(sent)
    return len(sent)


def lock_due_periods(now: datetime | None = None) -> int:
    """Lock every period whose deadline and review grace are over; returns how many."""
    now = now or timezone.now()
    grace = timedelta(days=settings.LOCK_GRACE_DAYS)
    return ReportingPeriod.objects.filter(Q(locked=False) & Q(deadline__lte=now - grace)).update(
        locked=True
    )
