"""Jobs: slow work a user starts (year-end report, export, catalog import), run by a Celery worker.

The job framework. `services.jobs.job_start` records the job and enqueues `tasks.run_job` once the
transaction commits; `run` claims the job, calls the runner of its kind (tasks.RUNNERS) and stores
what it made. A runner takes the job, a progress callback and a scratch directory, and returns the
file it wrote there (or None).

Crash safety: the task is acknowledged late, so a worker killed mid-job has its message redelivered
and the job runs again from the start. The result is stored under a name fixed by the job's id and
moved into place atomically, so a rerun or a twin delivery leaves exactly one file. A job that keeps
killing its worker stops after MAX_ATTEMPTS instead of looping forever.
"""

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .choices import JobState
from .models import Job

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3

Progress = Callable[[int, str], None]
Runner = Callable[[Job, Progress, Path], Path | None]


class JobFailed(Exception):
    """A failure the person who started the job can act on; the message is shown to them."""


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        job.attempts += 1
        job.state = JobState.RUNNING
        job.progress = 0
        job.step = ""
        job.started_at = timezone.now()
        job.save(update_fields=["attempts", "state", "progress", "step", "started_at"])
        return job


def _finish(job: Job, state: JobState, *, error: str = "") -> None:
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    if state == JobState.DONE:
        job.progress = 100
    job.save(update_fields=["state", "error", "finished_at", "progress", "result", "result_name"])


def _store(job: Job, produced: Path) -> None:
    """Move the runner's file to jobs/<id>/result<suffix>: one name per job, replaced atomically."""
    name = f"jobs/{job.pk}/result{produced.suffix.lower()}"
    target = Path(default_storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{uuid.uuid4().hex}.part")
    shutil.copyfile(produced, partial)
    os.replace(partial, target)
    # A worker killed while copying left its .part behind; a twin still copying started later.
    for leftover in target.parent.glob(".*.part"):
        if leftover.stat().st_mtime < job.started_at.timestamp():
            leftover.unlink(missing_ok=True)
    job.result.name = name
    job.result_name = produced.name


def run(job_id: int, runners: Mapping[str, "Runner"]) -> str:
    """Run one job to the end with the runner of its kind; returns its final state. Safe to call
    again for the same job."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    with translation.override(job.language):  # steps and errors in the starter's language
        return _run(job, runners[job.kind])


def _run(job: Job, runner: "Runner") -> str:
    if job.attempts > MAX_ATTEMPTS:
        _finish(job, JobState.FAILED, error=_(STOPPED_REPEATEDLY))
        return job.state

    last = {"progress": None}

    def progress(percent: int, step: str = "") -> None:
        percent = max(0, min(99, int(percent)))  # 100 means stored, which only _finish says
        if (percent, step) != last["progress"]:
            last["progress"] = (percent, step)
            Job.objects.filter(pk=job.pk).update(progress=percent, step=step[:200])

    prefix = f"job{job.pk}-"
    for scratch in Path(tempfile.gettempdir()).glob(f"{prefix}*"):  # a killed attempt's
        shutil.rmtree(scratch, ignore_errors=True)
    try:
        with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
            produced = runner(job, progress, Path(workdir))
            if produced is not None:
                _store(job, produced)
    except JobFailed as failure:
        _finish(job, JobState.FAILED, error=str(failure))
    except SoftTimeLimitExceeded:
        _finish(job, JobState.FAILED, error=_(TOOK_TOO_LONG))
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobState.FAILED, error=_(UNEXPECTED))
    else:
        _finish(job, JobState.DONE)
    return job.state


STOPPED_REPEATEDLY = gettext_noop(
    "The job was interrupted several times and has been stopped. Please start it again; "
    "if it stops again, tell the administrators."
)
TOOK_TOO_LONG = gettext_noop(
    "The job took longer than allowed. Choose fewer regions or years and start it again."
)
UNEXPECTED = gettext_noop(
    "Something went wrong on our side; the administrators have the details. Please try again later."
)
