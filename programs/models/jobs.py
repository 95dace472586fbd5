"""A job a user started (year-end report, export, catalog import) and what it produced."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import (
    JobKind,
    JobState,
)


class Job(models.Model):
    """Slow work a user started (report, export, import), run by a worker, shown on 我的任务.

    A job is run by `programs.jobs.run`; its result file lives at a name fixed by the job's id, so a
    rerun after a crash or a duplicate delivery replaces the file instead of adding one.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    params = models.JSONField(_("parameters"), default=dict)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    result = models.FileField(_("result"), upload_to="jobs/", max_length=255, blank=True)
    result_name = models.CharField(_("file name"), max_length=255, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_percent")
        ]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    def summary_text(self) -> str:
        """What an import did, in counts of catalog rows (empty for jobs that make a file)."""
        if not self.summary:
            return ""
        return _("%(created)s created, %(updated)s changed, %(unchanged)s unchanged") % {
            "created": self.summary.get("created", 0),
            "updated": self.summary.get("updated", 0),
            "unchanged": self.summary.get("unchanged", 0),
        }
