"""Notice e-mails: the text of each, and the task that sends each once."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .figures import plain_number
from .models import Notification


def email_text(notification: Notification) -> tuple[str, str]:
    report = notification.report
    if report is None:  # a notice about a whole period (deadline reminders)
        subject = _("[%(site)s] %(kind)s: %(period)s") % {
            "site": _("TalentPortal"),
            "kind": notification.get_kind_display(),
            "period": notification.period,
        }
        body = [subject, "", notification.message, "", settings.SITE_URL + reverse("programs:home")]
        return subject, "\n".join(body)
    subject = _("[%(site)s] %(kind)s: %(region)s · %(indicator)s · %(period)s") % {
        "site": _("TalentPortal"),
        "kind": notification.get_kind_display(),
        "region": report.region.name,
        "indicator": report.indicator.name,
        "period": report.period,
    }
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


# Named as before this module existed, so that messages already queued still find their task.
@shared_task(
    name="programs.tasks.send_notification_emails",
    autoretry_for=(smtplib.SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_emails(notification_ids: list[int]) -> int:
    return sum(send_notification_email(pk) for pk in notification_ids)
