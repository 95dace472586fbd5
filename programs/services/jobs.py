"""Starting a job a user asked for (year-end report, export, catalog import)."""

from django.db import transaction
from django.utils import translation

from ..choices import JobKind
from ..models import Job
from ..tasks import run_job


def job_start(*, user, kind: JobKind, title: str, params: dict) -> Job:
    """Record a job and run it after the current transaction commits (never if it rolls back)."""
    job = Job.objects.create(
        user=user, kind=kind, title=title, params=params, language=translation.get_language()
    )
    # robust: a broker that is down must not turn the committed request into an error page;
    # the job then stays queued, and says so on the jobs page.
    transaction.on_commit(lambda: run_job.delay(job.pk), robust=True)
    return job
