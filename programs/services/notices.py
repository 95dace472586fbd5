"""Notices to officials: in-app rows now, their e-mails once the transaction has committed."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..choices import NotificationKind
from ..emails import send_notification_emails
from ..models import Notification, ProgressReport, ReportingPeriod

logger = logging.getLogger(__name__)


def _enqueue(ids: list[int]) -> None:
    try:
        send_notification_emails.delay(ids)
    except Exception:
        logger.exception("The e-mails of notices %s could not be sent or queued", ids)


def email_on_commit(notices: list[Notification]) -> None:
    """The one way notices are e-mailed: by Celery, after commit (a rollback sends nothing).

    What happens then never undoes the committed change for its user: a mail server that fails
    is tried again by the task (its retries), and any failure past those (a broker that is
    down, the retries spent while the task runs in the request, without a broker) is logged,
    never raised into the answer of the request whose change was saved.
    """
    if notices:
        ids = [n.pk for n in notices]
        transaction.on_commit(lambda: _enqueue(ids))


def notify(*, users, kind: NotificationKind, report: ProgressReport, message="", email=False):
    """A notice about one figure to each of `users`; e-mailed too when `email`."""
    notices = Notification.objects.bulk_create(
        Notification(user=u, kind=kind, report=report, message=message) for u in users if u
    )
    if email:
        email_on_commit(notices)
    return notices


def notify_once(*, user, period: ReportingPeriod, kind: NotificationKind, message: str):
    """A notice about a whole period, unless this user already had this kind for this period
    (a partial unique constraint says so); returns None then."""
    try:
        with transaction.atomic():
            return Notification.objects.create(user=user, period=period, kind=kind, message=message)
    except IntegrityError:
        return None


def notices_read(*, user) -> int:
    """Mark every unread notice of `user` read; returns how many were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
