"""A submit through the API whose notice e-mail cannot go out as stored still answers 200.

These tests commit for real (transaction=True), so the e-mail is sent where it is in production:
after the request's transaction commits, inside the request. Celery runs eagerly (no broker), so
its retries run there too. The mail backends below are real Django backends configured by
settings: one that fails a number of times before it sends, one that always refuses.
"""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from programs.emails import SUBJECT_MAX_LENGTH, email_text
from programs.models import Indicator, Notification, ProgressReport
from regions.models import Region
from tests.factories import IndicatorFactory, PeriodFactory, tracked_in

pytestmark = pytest.mark.django_db(transaction=True)


class FlakyBackend(LocmemBackend):
    """Fails the first `failures` sends (a mail server timing out), then delivers to the outbox."""

    failures = 0
    error: type[Exception] = TimeoutError
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise type(self).error("the mail server did not answer")
        return super().send_messages(messages)


class RefusingBackend(BaseEmailBackend):
    """A relay that refuses every message for a reason no retry changes."""

    def send_messages(self, messages):
        raise RuntimeError("relay access denied")


def api_as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def draft(gangqu_reporter, jiaxing_reviewer, gangqu):
    """A draft of 嘉兴港区, whose reviewer has an e-mail address; the indicator's name got a line
    break (Alt+Enter in the catalog workbook) before names were checked."""
    jiaxing_reviewer.email = "reviewer@example.gov.cn"
    jiaxing_reviewer.save()
    now = timezone.now()
    period = PeriodFactory(
        year=now.year, opens_at=now - timedelta(days=30), deadline=now + timedelta(days=30)
    )
    indicator = IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数", unit="人")
    Indicator.objects.filter(pk=indicator.pk).update(name="职业技能\r\n培训人数")
    tracked_in(gangqu, indicator)
    client = api_as(gangqu_reporter)
    payload = {"indicator": "VT_TRAINED", "region": gangqu.code, "period": period.pk}
    response = client.post("/api/v1/progress/", {**payload, "value": "800"}, format="json")
    assert response.status_code == 201, response.json()
    return client, response.json()["id"]


def submit(draft):
    client, pk = draft
    return client.post(f"/api/v1/progress/{pk}/submit/", {}, format="json")


def assert_submitted(response, pk):
    assert response.status_code == 200, response.content
    assert ProgressReport.objects.get(pk=pk).state == "submitted"


def test_a_name_with_a_line_break_is_mailed_on_one_line(draft):
    response = submit(draft)

    assert_submitted(response, draft[1])
    assert len(mail.outbox) == 1
    subject = mail.outbox[0].subject
    assert "职业技能 培训人数" in subject
    assert "\n" not in subject and "\r" not in subject
    assert Notification.objects.get().emailed_at is not None


@override_settings(EMAIL_BACKEND="tests.programs.test_notice_emails.FlakyBackend")
def test_a_mail_server_that_times_out_once_is_tried_again(draft, monkeypatch):
    monkeypatch.setattr(FlakyBackend, "failures", 1)
    monkeypatch.setattr(FlakyBackend, "attempts", 0)

    response = submit(draft)

    assert_submitted(response, draft[1])
    assert FlakyBackend.attempts == 2
    assert len(mail.outbox) == 1
    assert Notification.objects.get().emailed_at is not None


@override_settings(EMAIL_BACKEND="tests.programs.test_notice_emails.FlakyBackend")
def test_a_mail_server_that_stays_down_is_retried_then_logged_not_raised(
    draft, monkeypatch, caplog
):
    monkeypatch.setattr(FlakyBackend, "failures", 100)
    monkeypatch.setattr(FlakyBackend, "error", smtplib.SMTPServerDisconnected)
    monkeypatch.setattr(FlakyBackend, "attempts", 0)

    with caplog.at_level(logging.WARNING):
        response = submit(draft)

    assert_submitted(response, draft[1])
    assert FlakyBackend.attempts == 6  # the first try and the task's 5 retries
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None  # a later run still sends it
    assert "could not be sent or queued" in caplog.text


@override_settings(EMAIL_BACKEND="tests.programs.test_notice_emails.RefusingBackend")
def test_a_refused_message_is_logged_and_the_submit_stands(draft, caplog):
    with caplog.at_level(logging.ERROR):
        response = submit(draft)

    assert_submitted(response, draft[1])
    assert "could not be e-mailed" in caplog.text
    assert Notification.objects.get().emailed_at is None


def test_a_subject_is_bounded_whatever_the_names(draft):
    submit(draft)
    notice = Notification.objects.get()
    Region.objects.filter(code="3304Z01").update(name="港" * 90 + "\u202e")
    Indicator.objects.filter(code="VT_TRAINED").update(name="\x07指标\u2028" * 40)
    notice.refresh_from_db()
    subject, body = email_text(Notification.objects.get(pk=notice.pk))
    assert len(subject) <= SUBJECT_MAX_LENGTH
    assert all(char.isprintable() for char in subject)
    assert body.startswith(subject + "\n")
