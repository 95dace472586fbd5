"""Notice e-mails: the text of each, and the task that sends each once.

A subject is one header line: the names in it (a region, an indicator, stored before names were
checked or by a path that skipped the checks) are put on one line and the subject is bounded, so
no stored text makes `send_mail` refuse it (BadHeaderError) or the message grow without end.
"""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from regions.validators import one_line

from .figures import plain_number
from .models import Notification

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = 150  # characters; a name in it at most NAME_IN_SUBJECT_MAX_LENGTH
NAME_IN_SUBJECT_MAX_LENGTH = 60
# Failures worth another try later: the mail server or the network. Any other failure of one
# notice is logged, and the other notices of the batch are still sent.
RETRYABLE = (smtplib.SMTPException, OSError)


def _name(text) -> str:
    return one_line(str(text), NAME_IN_SUBJECT_MAX_LENGTH)


def email_text(notification: Notification) -> tuple[str, str]:
    report = notification.report
    if report is None:  # a notice about a whole period (deadline reminders)
        subject = _("[%(site)s] %(kind)s: %(period)s") % {
            "site": _("TalentPortal"),
            "kind": notification.get_kind_display(),
            "period": _name(notification.period),
        }
        subject = one_line(subject, SUBJECT_MAX_LENGTH)
        body = [subject, "", notification.message, "", settings.SITE_URL + reverse("programs:home")]
        return subject, "\n".join(body)
    subject = _("[%(site)s] %(kind)s: %(region)s · %(indicator)s · %(period)s") % {
        "site": _("TalentPortal"),
        "kind": notification.get_kind_display(),
        "region": _name(report.region.name),
        "indicator": _name(report.indicator.name),
        "period": _name(report.period),
    }
    subject = one_line(subject, SUBJECT_MAX_LENGTH)
    lines = [
        subject,
        "",
        _("Value: %(value)s %(unit)s")
        % {"value": plain_number(report.value), "unit": report.indicator.unit},
    ]
    if notification.message:
        lines += [_("Comment: %(comment)s") % {"comment": notification.message}]
    lines += ["", settings.SITE_URL + reverse("programs:report", args=[report.pk])]
    return subject, "\n".join(lines)


def send_notification_email(notification_id: int) -> bool:
    """E-mail one notice once: the row lock and emailed_at make a rerun or a twin task a no-op."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "user", "period", "report__region", "report__indicator", "report__period"
            )
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.user.email:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = email_text(notification)
        send_mail(subject, body, None, [notification.user.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


def _send_batch(notification_ids: list[int]) -> int:
    """E-mail each notice; a mail server failure is raised once the others have been tried."""
    sent, retry = 0, None
    for pk in notification_ids:
        try:
            sent += send_notification_email(pk)
        except RETRYABLE as error:
            logger.warning("Notice %s not e-mailed, to be tried again: %r", pk, error)
            retry = retry or error
        except Exception:
            logger.exception("Notice %s could not be e-mailed", pk)
    if retry is not None:
        raise retry
    return sent


# Named as before this module existed, so that messages already queued still find their task.
@shared_task(
    bind=True,
    name="programs.tasks.send_notification_emails",
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """A worker retries a failed batch later (with backoff); a retry sends only the notices not
    sent yet (emailed_at). Without a broker (Celery eager) a retry cannot be queued, and an
    eager task raises its Retry instead of running it: the tries are then made here, one after
    the other."""
    tries = self.max_retries + 1 if self.request.is_eager else 1
    for attempt in range(1, tries + 1):
        try:
            return _send_batch(notification_ids)
        except RETRYABLE:
            if attempt == tries:
                raise
    return 0
