"""The deadline calendar: reminders, overdue notices and the lock, each once per recipient."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from programs import reminders, tasks
from programs.choices import NotificationKind, ReportState
from programs.models import Indicator, Notification, ReportingPeriod
from talentportal.celery import app
from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_in(open_2024):
    """Move the open period's deadline `days` ahead of now."""

    def move(days):
        open_2024.deadline = timezone.now() + timedelta(days=days)
        open_2024.save()
        return open_2024

    return move


@pytest.fixture
def officials(gangqu_reporter, jiaxing_reviewer, pinghu_reporter):
    for user in (gangqu_reporter, jiaxing_reviewer, pinghu_reporter):
        user.email = f"{user.username}@example.gov.cn"
        user.save()
    return gangqu_reporter, jiaxing_reviewer


def test_reporters_behind_get_one_reminder_before_the_deadline(
    skills_plan, officials, due_in, gangqu, django_capture_on_commit_callbacks
):
    reporter, _reviewer = officials
    period = due_in(2)
    ReportFactory(
        indicator=Indicator.objects.get(code="VT_TRAINED"),
        region=gangqu,
        period=period,
        state=ReportState.SUBMITTED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_deadline_reminders() == 1
        assert reminders.send_deadline_reminders() == 0  # the schedule firing again
    notice = Notification.objects.get()
    assert (notice.user, notice.kind, notice.period) == (
        reporter,
        NotificationKind.DEADLINE_SOON,
        period,
    )
    assert "嘉兴港区" in notice.message and "2" in notice.message  # two figures still to submit
    assert [m.to for m in mail.outbox] == [[reporter.email]]


def test_a_second_reminder_comes_on_the_day(skills_plan, officials, due_in):
    due_in(2)
    reminders.send_deadline_reminders()
    period = ReportingPeriod.objects.get()
    period.deadline = timezone.localtime().replace(hour=23, minute=59, second=59)
    period.save()
    if period.deadline <= timezone.now():  # run just before midnight: nothing is due today
        pytest.skip("the day is over")
    reminders.send_deadline_reminders()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {NotificationKind.DEADLINE_SOON, NotificationKind.DEADLINE_TODAY}


def test_no_reminder_far_from_the_deadline_or_when_everything_is_in(
    skills_plan, officials, due_in, gangqu
):
    period = due_in(settings.REMINDER_DAYS_BEFORE + 5)
    assert reminders.send_deadline_reminders() == 0
    due_in(1)
    for indicator in Indicator.objects.all():
        ReportFactory(indicator=indicator, region=gangqu, period=period, state=ReportState.APPROVED)
    assert reminders.send_deadline_reminders() == 0


def test_after_the_deadline_the_reviewer_above_hears_who_did_not_submit(
    skills_plan, officials, due_in
):
    _reporter, reviewer = officials
    due_in(-1)
    assert reminders.notify_overdue() == 1
    assert reminders.notify_overdue() == 0
    notice = Notification.objects.get()
    assert (notice.user, notice.kind) == (reviewer, NotificationKind.OVERDUE)
    assert "嘉兴港区" in notice.message


def test_the_period_locks_itself_once_the_review_grace_is_over(open_2024, settings):
    settings.LOCK_GRACE_DAYS = 7
    open_2024.deadline = timezone.now() - timedelta(days=3)
    open_2024.save()
    assert reminders.lock_due_periods() == 0
    open_2024.deadline = timezone.now() - timedelta(days=8)
    open_2024.save()
    assert reminders.lock_due_periods() == 1
    open_2024.refresh_from_db()
    assert open_2024.locked


def test_the_tasks_run_the_calendar(skills_plan, officials, due_in):
    due_in(1)
    assert tasks.deadline_reminders.delay().get() == {"reminders": 1, "overdue": 0}
    assert tasks.lock_due_periods.delay().get() == 0


def test_the_beat_schedule_names_real_tasks_and_follows_the_environment(monkeypatch):
    from talentportal.settings import cron

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    monkeypatch.setenv("REMINDER_SCHEDULE", "30 8 * * 1-5")
    schedule = cron("REMINDER_SCHEDULE", "0 9 * * *")
    assert (schedule.minute, schedule.hour, schedule.day_of_week) == ({30}, {8}, {1, 2, 3, 4, 5})
