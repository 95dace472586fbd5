"""End to end through the real broker: a notice's e-mail sent by a real worker thread."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from programs.emails import send_notification_emails
from programs.models import Notification
from talentportal.celery import app
from tests.factories import PeriodFactory, ReportFactory, UserFactory

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL"),
]


def test_a_notice_email_goes_through_the_broker_and_a_worker_once(gangqu):
    user = UserFactory(username="reviewer", email="reviewer@example.gov.cn")
    report = ReportFactory(region=gangqu, period=PeriodFactory(year=2024))
    notices = [
        Notification.objects.create(user=user, kind="submitted", report=report) for _ in range(2)
    ]
    ids = [n.pk for n in notices]
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        send_notification_emails.delay(ids)
        send_notification_emails.delay(ids)  # delivered twice: still one e-mail per notice
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).count() == 0:
                break
            time.sleep(0.2)
        time.sleep(1)  # let the duplicate task finish too
    assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).count() == 2
    assert len(mail.outbox) == 2
