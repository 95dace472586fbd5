"""Celery tasks of programs: thin wrappers that take ids, re-fetch, and call plain functions,
and the runners of users' jobs (programs/jobs.py runs them)."""

from collections.abc import Callable
from pathlib import Path

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from regions.access import Action, can
from regions.models import Region

from . import jobs, public_cache, reminders, rollups
from .choices import JobKind
from .emails import send_notification_emails
from .jobs import JobFailed, Progress
from .models import Job

__all__ = ["send_notification_emails"]  # registered with the worker from programs.emails


@shared_task
def deadline_reminders() -> dict:
    return {"reminders": reminders.send_deadline_reminders(), "overdue": reminders.notify_overdue()}


@shared_task
def lock_due_periods() -> int:
    return reminders.lock_due_periods()


@shared_task
def run_job(job_id: int) -> str:
    """A user's job (report, export, import); see programs/jobs.py for why reruns are safe."""
    return jobs.run(job_id, RUNNERS)


@shared_task
def refresh_rollups() -> int:
    """Nightly, and after catalog edits in the admin: rebuild the dashboards' figures in full
    (approvals refresh their own rows); cached public pages refresh then."""
    rows = rollups.refresh_all()
    public_cache.bump_public_version()
    return rows


# Runners: each fetches what it needs by id and checks the starter may still see it. Their
# modules are imported when a job runs, so the web process never loads matplotlib or python-docx.


def _visible_region(job: Job) -> Region:
    region = Region.objects.filter(pk=job.params.get("region")).first()
    if region is None or not can(job.user, Action.VIEW, region):
        raise JobFailed(_("You can no longer see this region's figures."))
    return region


def run_year_report(job: Job, progress: Progress, workdir: Path) -> Path:
    region, year = _visible_region(job), int(job.params["year"])
    from .exports.year_report import write_year_report, year_report_filename

    path = workdir / year_report_filename(region, year)
    write_year_report(region=region, year=year, path=path, progress=progress)
    return path


def run_export(job: Job, progress: Progress, workdir: Path) -> Path:
    region = _visible_region(job)
    from .exports.workbook import export_filename, write_export

    first, last = int(job.params["year_from"]), int(job.params["year_to"])
    path = workdir / export_filename(region, first, last)
    write_export(
        user=job.user, region=region, year_from=first, year_to=last, path=path, progress=progress
    )
    return path


def run_catalog_import(job: Job, progress: Progress, workdir: Path) -> None:
    from .catalog_import import import_catalog

    upload = Path(default_storage.path(job.params["upload"]))
    if not upload.exists():
        raise JobFailed(_("The uploaded workbook is gone; please upload it again."))
    try:
        job.summary = import_catalog(path=upload, user=job.user, progress=progress)
        job.save(update_fields=["summary"])
    finally:  # imported or refused, the upload has served (a killed worker never gets here)
        upload.unlink(missing_ok=True)
    return None


RUNNERS: dict[str, Callable[[Job, Progress, Path], Path | None]] = {
    JobKind.YEAR_REPORT: run_year_report,
    JobKind.EXPORT: run_export,
    JobKind.CATALOG_IMPORT: run_catalog_import,
}
