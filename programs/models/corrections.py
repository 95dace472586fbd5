"""Corrections: an approved figure reopened and approved again with another value.

A reopening writes the figure as it was approved (value, lower bound) and the reason; the next
approval completes the row with the new value, or removes it when the figure was approved again
unchanged. Only completed rows (`approved_at` set) are public: the public correction log
(`programs.corrections`) never shows a reopening still under way, nor anything of a draft.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .catalog import VALUE_FIELD
from .reporting import ProgressReport


class Correction(models.Model):
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    old_value = models.DecimalField(_("old value"), **VALUE_FIELD)
    old_is_lower_bound = models.BooleanField(_("old value is a lower bound"), default=False)
    reason = models.TextField(_("reason"))
    reopened_at = models.DateTimeField(_("reopened at"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set by the approval that completes the correction; empty while the reopening is under way.
    new_value = models.DecimalField(_("new value"), null=True, blank=True, **VALUE_FIELD)
    new_is_lower_bound = models.BooleanField(_("new value is a lower bound"), null=True, blank=True)
    approved_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-approved_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True)
                | Q(new_value__isnull=False, new_is_lower_bound__isnull=False),
                name="correction_complete_when_approved",
                violation_error_message=_("An approved correction has its new value."),
            ),
            # At most one reopening under way per figure.
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(approved_at__isnull=True),
                name="correction_one_pending_per_report",
                violation_error_message=_("This figure is already being corrected."),
            ),
        ]
        indexes = [
            # The public log reads the completed corrections newest first.
            models.Index(
                F("approved_at").desc(),
                F("id").desc(),
                condition=Q(approved_at__isnull=False),
                name="correction_public_newest",
            ),
        ]

    def __str__(self):
        return f"{self.report_id}: {self.old_value} → {self.new_value}"
