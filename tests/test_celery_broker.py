"""End to end through the real broker: a notice's e-mail sent by a real worker thread."""

import os
import time
import uuid
from urllib.parse import urlsplit

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
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


@pytest.fixture
def queue():
    """A queue of the test's own: a worker of another run on the same broker (another xdist
    worker's database, or another checkout's) never takes its tasks, nor it theirs."""
    name = f"broker-test-{uuid.uuid4().hex}"
    yield name
    if urlsplit(app.conf.broker_url).scheme.startswith("redis"):
        keys = (name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
        redis.Redis.from_url(app.conf.broker_url).delete(*keys)


def test_a_notice_email_goes_through_the_broker_and_a_worker_once(gangqu, queue):
    user = UserFactory(username="reviewer", email="reviewer@example.gov.cn")
    report = ReportFactory(region=gangqu, period=PeriodFactory(year=2024))
    notices = [
        Notification.objects.create(user=user, kind="submitted", report=report) for _ in range(2)
    ]
    ids = [n.pk for n in notices]
    finished = []

    def count(sender=None, **kwargs):
        if sender.name == send_notification_emails.name:
            finished.append(kwargs["task_id"])

    task_postrun.connect(count, weak=False)
    worker = start_worker(
        app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=[queue]
    )
    try:
        with worker:
            send_notification_emails.apply_async([ids], queue=queue)
            # delivered twice: still one e-mail per notice
            send_notification_emails.apply_async([ids], queue=queue)
            deadline = time.monotonic() + 20
            while len(finished) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        task_postrun.disconnect(count)
    assert len(finished) == 2, "the worker ran both deliveries"
    assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).count() == 2
    assert len(mail.outbox) == 2
