"""Jobs: started after commit, run once to a stored file, rerun safely, failures in words."""

import json

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from programs import jobs, tasks
from programs.choices import JobKind, JobState
from programs.jobs import JobFailed
from programs.models import Job
from programs.services.jobs import job_start
from programs.tasks import run_job as run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def text_runner(monkeypatch):
    """A job kind that writes a small file, so these tests exercise the runner alone."""
    calls = []

    def write(job, progress, workdir):
        calls.append(job.pk)
        progress(50, "half way")
        path = workdir / "报告.txt"
        path.write_text(f"run {len(calls)}")
        return path

    monkeypatch.setitem(tasks.RUNNERS, JobKind.EXPORT, write)
    return calls


def start(user, *, language="en", **params):
    with translation.override(language):  # the job answers in its starter's language
        return job_start(user=user, kind=JobKind.EXPORT, title="export", params=params)


def files_of(job, media):
    folder = media / "jobs" / str(job.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_job_runs_after_commit_and_stores_one_file(
    gangqu_reporter, text_runner, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(gangqu_reporter)
        assert text_runner == []  # nothing runs before the transaction commits
    job.refresh_from_db()
    assert (job.state, job.progress, job.attempts, job.error) == (JobState.DONE, 100, 1, "")
    assert job.result_name == "报告.txt"
    assert files_of(job, media) == ["result.txt"]
    assert job.finished_at >= job.started_at


def test_a_transaction_that_rolls_back_enqueues_nothing(
    gangqu_reporter, text_runner, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        start(gangqu_reporter)
        raise RuntimeError("the surrounding write failed")
    assert callbacks == []
    assert text_runner == []
    assert not Job.objects.exists()


def test_running_a_job_again_after_a_crash_leaves_exactly_one_file(
    gangqu_reporter, text_runner, media
):
    job = start(gangqu_reporter)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=1)  # a killed worker
    assert run(job.pk) == JobState.DONE
    job.refresh_from_db()
    assert job.attempts == 2
    assert files_of(job, media) == ["result.txt"]
    assert job.result.read() == b"run 1"


def test_a_finished_job_delivered_twice_is_not_run_again(gangqu_reporter, text_runner, media):
    job = start(gangqu_reporter)
    assert run(job.pk) == JobState.DONE
    assert run(job.pk) == "skipped"
    assert text_runner == [job.pk]
    assert files_of(job, media) == ["result.txt"]


def test_a_job_that_keeps_killing_its_worker_is_stopped(gangqu_reporter, text_runner):
    job = start(gangqu_reporter)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=jobs.MAX_ATTEMPTS)
    assert run(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert "interrupted several times" in job.error
    assert text_runner == []


def test_a_failure_the_user_can_act_on_is_shown_in_their_words(gangqu_reporter, monkeypatch):
    def refuse(job, progress, workdir):
        raise JobFailed("没有可导出的数据")

    monkeypatch.setitem(tasks.RUNNERS, JobKind.EXPORT, refuse)
    job = start(gangqu_reporter)
    assert run(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert job.error == "没有可导出的数据"
    assert not job.result


def test_an_unexpected_error_is_logged_and_shown_as_a_plain_message(
    gangqu_reporter, monkeypatch, caplog
):
    def crash(job, progress, workdir):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(tasks.RUNNERS, JobKind.EXPORT, crash)
    job = start(gangqu_reporter)
    assert run(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert "division" not in job.error and "administrators" in job.error
    assert "ZeroDivisionError" in caplog.text


def test_a_runner_refuses_a_region_the_starter_no_longer_sees(gangqu_reporter, zhengxiang):
    with translation.override("en"):
        job = job_start(
            user=gangqu_reporter,
            kind=JobKind.YEAR_REPORT,
            title="report",
            params={"region": zhengxiang.pk, "year": 2024},
        )
    assert run(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert "no longer see" in job.error


def test_a_job_started_in_chinese_explains_its_failure_in_chinese(gangqu_reporter, zhengxiang):
    with translation.override("zh-hans"):
        job = job_start(
            user=gangqu_reporter,
            kind=JobKind.YEAR_REPORT,
            title="report",
            params={"region": zhengxiang.pk, "year": 2024},
        )
    run(job.pk)
    job.refresh_from_db()
    assert job.error == "您已无权查看该区域的数据。"


def test_the_jobs_page_lists_only_ones_own_jobs(client, gangqu_reporter, pinghu_reporter):
    mine = start(gangqu_reporter)
    theirs = start(pinghu_reporter)
    client.force_login(gangqu_reporter)
    page = client.get(reverse("programs:jobs"))
    assert page.status_code == 200
    listed = [job.pk for job in page.context["jobs"]]
    assert listed == [mine.pk]
    status = client.get(reverse("programs:job_status"), {"ids": f"{mine.pk},{theirs.pk},x"})
    assert [j["id"] for j in json.loads(status.content)["jobs"]] == [mine.pk]


def test_the_status_poll_reports_progress_and_the_download_when_done(
    client, gangqu_reporter, text_runner, media
):
    job = start(gangqu_reporter)
    client.force_login(gangqu_reporter)
    url = reverse("programs:job_status")
    queued = json.loads(client.get(url, {"ids": job.pk}).content)["jobs"][0]
    assert (queued["state"], queued["progress"], queued["download"]) == ("queued", 0, "")
    run(job.pk)
    done = json.loads(client.get(url, {"ids": job.pk}).content)["jobs"][0]
    assert (done["state"], done["progress"]) == ("done", 100)
    download = client.get(done["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"run 1"
    assert "attachment" in download["Content-Disposition"]


def test_an_unfinished_or_failed_job_has_nothing_to_download(client, gangqu_reporter):
    job = start(gangqu_reporter)
    client.force_login(gangqu_reporter)
    assert client.get(reverse("programs:job_download", args=[job.pk])).status_code == 404


def test_an_official_starts_a_year_report_from_the_region_page(client, gangqu_reporter, gangqu):
    client.force_login(gangqu_reporter)
    page = client.get(reverse("public:region", args=[gangqu.code]), {"year": 2024})
    assert reverse("programs:year_report_start", args=[gangqu.code]).encode() in page.content
    response = client.post(
        reverse("programs:year_report_start", args=[gangqu.code]), {"year": "2024"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("programs:jobs")
    job = Job.objects.get()
    assert (job.kind, job.user, job.params) == (
        JobKind.YEAR_REPORT,
        gangqu_reporter,
        {"region": gangqu.pk, "year": 2024},
    )


def test_the_public_sees_no_report_button(client, gangqu):
    page = client.get(reverse("public:region", args=[gangqu.code]), {"year": 2024})
    assert b"year-report" not in page.content


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"year_from": "2024", "year_to": "2023"}, "year_to"),
        ({"year_from": "2000", "year_to": "2024"}, "year_to"),
        ({"year_from": "二〇二四", "year_to": "2024"}, "year_from"),
        ({"year_to": "2024"}, "year_from"),
    ],
)
def test_an_export_with_bad_years_is_refused_at_the_field(
    client, gangqu_reporter, gangqu, data, field
):
    client.force_login(gangqu_reporter)
    response = client.post(reverse("programs:export_start"), {"region": gangqu.code, **data})
    assert response.status_code == 422
    assert field in response.context["export_form"].errors
    assert not Job.objects.exists()


def test_an_export_of_a_region_out_of_scope_is_refused(client, gangqu_reporter, zhengxiang):
    client.force_login(gangqu_reporter)
    response = client.post(
        reverse("programs:export_start"),
        {"region": zhengxiang.code, "year_from": "2024", "year_to": "2024"},
    )
    assert response.status_code == 422
    assert "region" in response.context["export_form"].errors
    assert not Job.objects.exists()
