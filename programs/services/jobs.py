"""Starting a job a user asked for (year-end report, export, catalog import).

Jobs are slow work on a shared worker, so each user has a quota: at most
JOBS_MAX_IN_FLIGHT_PER_USER queued or running at once, and JOBS_MAX_PER_HOUR_PER_USER started in
any hour. A job over the quota is refused with JobQuotaExceeded, whose message says why.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..choices import JobKind, JobState
from ..models import Job
from ..tasks import run_job


class JobQuotaExceeded(Exception):
    """The user has too many jobs in flight, or started too many in the last hour."""


def job_refusal(user) -> str | None:
    """Why `user` may not start another job now, or None when they may."""
    jobs = Job.objects.filter(user=user)
    in_flight = jobs.filter(state__in=(JobState.QUEUED, JobState.RUNNING)).count()
    if in_flight >= settings.JOBS_MAX_IN_FLIGHT_PER_USER:
        return ngettext(
            "You already have %(count)d job queued or running: start another when it finishes.",
            "You already have %(count)d jobs queued or running: start another when one finishes.",
            in_flight,
        ) % {"count": in_flight}
    hour_ago = timezone.now() - timedelta(hours=1)
    if jobs.filter(created_at__gt=hour_ago).count() >= settings.JOBS_MAX_PER_HOUR_PER_USER:
        return _("You started %(count)d jobs in the last hour: try again later.") % {
            "count": settings.JOBS_MAX_PER_HOUR_PER_USER
        }
    return None


@transaction.atomic
def job_start(*, user, kind: JobKind, title: str, params: dict) -> Job:
    """Record a job and run it after the current transaction commits (never if it rolls back).
    Raises JobQuotaExceeded when the user's quota is used up."""
    # The user's row locked: two requests at once count each other's job.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    refusal = job_refusal(user)
    if refusal:
        raise JobQuotaExceeded(refusal)
    job = Job.objects.create(
        user=user, kind=kind, title=title, params=params, language=translation.get_language()
    )
    # robust: a broker that is down must not turn the committed request into an error page;
    # the job then stays queued, and says so on the jobs page.
    transaction.on_commit(lambda: run_job.delay(job.pk), robust=True)
    return job
