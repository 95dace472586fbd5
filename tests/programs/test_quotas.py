"""Quotas of item "Quotas" of issue 13: evidence per figure, and jobs per user.

Evidence files and bytes per figure (EVIDENCE_MAX_FILES_PER_REPORT, EVIDENCE_MAX_BYTES_PER_REPORT),
and evidence only while the figure can be changed; jobs queued or running per user
(JOBS_MAX_IN_FLIGHT_PER_USER) and started per hour (JOBS_MAX_PER_HOUR_PER_USER).
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from programs import services
from programs.choices import JobKind, JobState, ReportState
from programs.models import Evidence, Indicator, Job
from programs.services import jobs
from tests.factories import PeriodFactory, ReportFactory

pytestmark = pytest.mark.django_db
S = ReportState


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def trained(skills_plan):
    return Indicator.objects.get(code="VT_TRAINED")


def pdf(size=16, name="proof.pdf"):
    upload = SimpleUploadedFile(name, b"%PDF-1.7 " + b"x" * (size - 9))
    upload.detected_type = "application/pdf"  # as EvidenceForm sets it after checking the bytes
    return upload


def add(user, report, upload=None):
    return services.evidence_add(user=user, report=report, upload=upload or pdf(), is_public=False)


def browser_as(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def upload_page(client, report, content=b"%PDF-1.7 proof"):
    url = reverse("programs:evidence_upload", args=[report.pk])
    return client.post(url, {"file": SimpleUploadedFile("proof.pdf", content)}, follow=True)


# --- Evidence only while the figure can be changed ---------------------------------------


@pytest.fixture
def locked_2023(db):
    return PeriodFactory(
        year=2023,
        opens_at=timezone.now() - timedelta(days=400),
        deadline=timezone.now() - timedelta(days=30),
        locked=True,
    )


def test_a_submitted_figure_in_a_locked_period_takes_no_evidence(
    gangqu_reporter, gangqu, trained, locked_2023
):
    """The finding: evidence was added to a submitted figure in a locked period."""
    report = ReportFactory(indicator=trained, region=gangqu, period=locked_2023, state=S.SUBMITTED)
    with pytest.raises(ValidationError):
        add(gangqu_reporter, report)
    page = upload_page(browser_as(gangqu_reporter), report).content.decode()
    assert "Evidence is added while the figure can be changed" in page
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("state", [S.SUBMITTED, S.APPROVED])
def test_a_figure_waiting_for_review_or_approved_takes_no_evidence(
    gangqu_reporter, gangqu, trained, open_2024, state
):
    report = ReportFactory(indicator=trained, region=gangqu, period=open_2024, state=state)
    with pytest.raises(ValidationError):
        add(gangqu_reporter, report)
    assert not Evidence.objects.exists()


def test_a_draft_in_a_closed_period_takes_evidence_only_while_reopened(
    gangqu_reporter, catalog_admin, gangqu, trained, locked_2023
):
    report = ReportFactory(indicator=trained, region=gangqu, period=locked_2023, state=S.DRAFT)
    with translation.override("en"), pytest.raises(ValidationError, match="closed for entry"):
        add(gangqu_reporter, report)
    services.period_reopen(
        user=catalog_admin,
        period=locked_2023,
        region=gangqu,
        reason="补报",
        until=timezone.now() + timedelta(days=3),
    )
    assert add(gangqu_reporter, report).report == report


@pytest.mark.parametrize("state", [S.DRAFT, S.RETURNED])
def test_a_draft_or_returned_figure_in_an_open_period_takes_evidence(
    gangqu_reporter, gangqu, trained, open_2024, state
):
    report = ReportFactory(indicator=trained, region=gangqu, period=open_2024, state=state)
    assert add(gangqu_reporter, report).report == report


# --- Evidence files and bytes per figure ------------------------------------------------


@pytest.fixture
def draft(gangqu, trained, open_2024):
    return ReportFactory(indicator=trained, region=gangqu, period=open_2024, state=S.DRAFT)


def test_a_figure_holds_at_most_max_files_of_evidence(gangqu_reporter, draft, settings):
    assert settings.EVIDENCE_MAX_FILES_PER_REPORT == 10  # the default
    settings.EVIDENCE_MAX_FILES_PER_REPORT = 3
    for _ in range(3):
        add(gangqu_reporter, draft)
    with translation.override("en"), pytest.raises(ValidationError, match="at most 3 evidence"):
        add(gangqu_reporter, draft)
    page = upload_page(browser_as(gangqu_reporter), draft).content.decode()
    assert "A figure has at most 3 evidence files." in page
    assert draft.evidence.count() == 3


def test_a_figures_evidence_is_at_most_max_bytes_together(gangqu_reporter, draft, settings):
    assert settings.EVIDENCE_MAX_BYTES_PER_REPORT == 50 * 1024 * 1024  # the default
    settings.EVIDENCE_MAX_BYTES_PER_REPORT = 2 * 1024 * 1024
    add(gangqu_reporter, draft, pdf(1024 * 1024))
    add(gangqu_reporter, draft, pdf(1024 * 1024))  # exactly the quota
    with translation.override("en"), pytest.raises(ValidationError, match="at most 2 MB"):
        add(gangqu_reporter, draft, pdf(1))
    page = upload_page(browser_as(gangqu_reporter), draft).content.decode()
    assert "evidence files together are at most 2 MB" in page
    assert draft.evidence.count() == 2


def test_the_quota_is_per_figure(gangqu_reporter, draft, gangqu, open_2024, settings):
    settings.EVIDENCE_MAX_FILES_PER_REPORT = 1
    other = ReportFactory(
        indicator=Indicator.objects.get(code="SKILLED_NEW"), region=gangqu, period=open_2024
    )
    add(gangqu_reporter, draft)
    assert add(gangqu_reporter, other).report == other


# --- Jobs per user ------------------------------------------------------------------------


def start(user):
    with translation.override("en"):
        return jobs.job_start(user=user, kind=JobKind.EXPORT, title="export", params={})


def test_a_user_has_at_most_three_jobs_in_flight(gangqu_reporter, pinghu_reporter, settings):
    """The finding: 16 jobs started in 13 seconds were all accepted. Jobs stay queued here (the
    test's transaction never commits, so none is sent to the worker)."""
    assert settings.JOBS_MAX_IN_FLIGHT_PER_USER == 3  # the default
    for _ in range(3):
        start(gangqu_reporter)
    with pytest.raises(jobs.JobQuotaExceeded, match="already have 3 jobs queued or running"):
        start(gangqu_reporter)
    assert Job.objects.filter(user=gangqu_reporter).count() == 3
    assert start(pinghu_reporter).user == pinghu_reporter  # another user's quota is their own
    # A finished job frees its place.
    Job.objects.filter(pk=Job.objects.filter(user=gangqu_reporter).first().pk).update(
        state=JobState.DONE
    )
    assert start(gangqu_reporter).state == JobState.QUEUED


def test_a_user_starts_at_most_twenty_jobs_an_hour(gangqu_reporter, settings):
    assert settings.JOBS_MAX_PER_HOUR_PER_USER == 20  # the default
    settings.JOBS_MAX_IN_FLIGHT_PER_USER = 100
    for _ in range(20):
        start(gangqu_reporter)
    with pytest.raises(jobs.JobQuotaExceeded, match="20 jobs in the last hour"):
        start(gangqu_reporter)
    # An hour later the count starts again.
    Job.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    assert start(gangqu_reporter)


def test_the_export_page_refuses_a_job_over_the_quota_with_429(gangqu_reporter, gangqu, settings):
    settings.JOBS_MAX_IN_FLIGHT_PER_USER = 1
    client = browser_as(gangqu_reporter)
    data = {"region": gangqu.code, "year_from": "2024", "year_to": "2024"}
    assert client.post(reverse("programs:export_start"), data).status_code == 302
    response = client.post(reverse("programs:export_start"), data)
    assert response.status_code == 429
    assert "You already have 1 job queued or running" in response.content.decode()
    assert Job.objects.count() == 1


def test_the_year_report_button_says_why_a_job_is_refused(gangqu_reporter, gangqu, settings):
    settings.JOBS_MAX_IN_FLIGHT_PER_USER = 1
    client = browser_as(gangqu_reporter)
    url = reverse("programs:year_report_start", args=[gangqu.code])
    client.post(url, {"year": "2024"})
    page = client.post(url, {"year": "2024"}, follow=True)
    assert "You already have 1 job queued or running" in page.content.decode()
    assert Job.objects.count() == 1
