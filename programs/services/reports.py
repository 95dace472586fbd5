"""State changes of one progress report and of a period: atomic, access-checked, with history.

Every change of a figure goes through here, from the pages, the Excel upload and the API alike.
The review cycle is draft → submitted → approved | returned → draft (see TRANSITIONS); an approved
figure changes only after a reviewer reopens it with a reason. Saves name the version they started
from (optimistic locking): a stale version raises ConflictError instead of overwriting.
Many drafts at once: `bulk.report_save_many`, with the same rules.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.access import Action, require, users_who_can
from regions.models import Region

from .. import public_cache, rollups
from ..choices import NotificationKind, ReportState
from ..figures import plain_number
from ..models import (
    Correction,
    Evidence,
    Indicator,
    PeriodReopening,
    ProgressReport,
    ReportingPeriod,
)
from ..selectors import tracked_indicators
from ..text import has_visible_text
from .notices import notify

S = ReportState
TRANSITIONS = {
    "save": {S.DRAFT: S.DRAFT, S.RETURNED: S.DRAFT},
    "submit": {S.DRAFT: S.SUBMITTED, S.RETURNED: S.SUBMITTED},
    "approve": {S.SUBMITTED: S.APPROVED},
    "return": {S.SUBMITTED: S.RETURNED},
    "reopen": {S.APPROVED: S.DRAFT},
}
# A value this many times last year's (or this fraction of it) needs a note before submitting.
BIG_CHANGE_FACTOR = Decimal(3)


class ConflictError(Exception):
    """Someone else saved the figure since the version the user started from."""

    def __init__(self, report: ProgressReport):
        self.report = report
        super().__init__(
            _(
                "%(user)s saved this figure in the meantime (now %(value)s). "
                "Check it and save again."
            )
            % {"user": report.updated_by or _("Someone"), "value": plain_number(report.value)}
        )


@dataclass(frozen=True)
class Change:
    value: Decimal
    is_lower_bound: bool = False
    note: str = ""


def entry_open(*, period: ReportingPeriod, region: Region, at: datetime | None = None) -> bool:
    """Entry is possible inside the period's window, or while a reopening for the region lasts."""
    at = at or timezone.now()
    if period.is_open(at):
        return True
    return PeriodReopening.objects.filter(period=period, region=region, until__gt=at).exists()


def review_open(*, period: ReportingPeriod, region: Region) -> bool:
    """Reviews go on after the entry deadline, until the period is locked (or reopened)."""
    return not period.locked or entry_open(period=period, region=region)


def _require_entry_open(period, region):
    if not entry_open(period=period, region=region):
        raise ValidationError(_("The period %(period)s is closed for entry.") % {"period": period})


def untracked_message(*, indicator: Indicator, region: Region, period: ReportingPeriod) -> str:
    return _(
        "No program of %(region)s or above tracks the indicator %(indicator)s in %(year)s: "
        "figures are entered only for the indicators of its programs."
    ) % {"region": region.name, "indicator": indicator.code, "year": period.year}


def _require_tracked(indicator: Indicator, region: Region, period: ReportingPeriod) -> None:
    """A figure only for an indicator a program of the region (or above) runs that year, or one
    the region was set a target for: nothing else is entered, reviewed or published."""
    if indicator.pk not in tracked_indicators({(region, period.year)})[(region.pk, period.year)]:
        raise ValidationError(
            {"indicator": untracked_message(indicator=indicator, region=region, period=period)}
        )


def apply_step(report: ProgressReport, step: str) -> None:
    allowed = TRANSITIONS[step]
    if report.state not in allowed:
        raise ValidationError(
            _("A figure in the state “%(state)s” cannot be %(step)s.")
            % {"state": report.get_state_display(), "step": STEP_WORDS[step]()}
        )
    report.state = allowed[report.state]


STEP_WORDS = {
    "save": lambda: _("changed"),
    "submit": lambda: _("submitted"),
    "approve": lambda: _("approved"),
    "return": lambda: _("returned"),
    "reopen": lambda: _("reopened"),
}


def _locked(report: ProgressReport) -> ProgressReport:
    """The report re-read under a row lock, so concurrent changes queue up behind each other.
    Only the report's row is locked (`of=self`): the joined period, region and indicator rows are
    shared by every figure and must not be held for the transaction."""
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("period", "region", "indicator")
        .get(pk=report.pk)
    )


def _check_version(report: ProgressReport, version: int | None) -> None:
    if version is not None and version != report.version:
        raise ConflictError(report)


def _public_figure_changed(report: ProgressReport) -> None:
    """Its dashboard figures change with it (same transaction); cached pages refresh on commit."""
    rollups.refresh([report])
    transaction.on_commit(public_cache.bump_public_version)


def _save(report: ProgressReport, *, user, reason: str = "") -> None:
    report.version += 1 if report.pk else 0
    report.updated_by = user
    report._history_user = user
    report._change_reason = reason[:100] if reason else None
    report.save()


@transaction.atomic
def report_save(
    *,
    user,
    indicator: Indicator,
    region: Region,
    period: ReportingPeriod,
    change: Change,
    version: int | None,
) -> ProgressReport:
    """Create or change a draft. `version` is the one the user started from (None: a new figure)."""
    require(user, Action.ENTER, region)
    _require_entry_open(period, region)
    _require_tracked(indicator, region, period)
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, region=region, period=period)
        .order_by("pk")  # not the model's ordering: its joins would lock catalog rows too
        .first()
    )
    if report is None:
        if version:
            raise ValidationError(_("This figure no longer exists; reload the page."))
        report = ProgressReport(
            indicator=indicator, region=region, period=period, created_by=user, value=change.value
        )
    else:
        if version is None:
            raise ConflictError(report)
        _check_version(report, version)
        if (report.value, report.is_lower_bound, report.note) == (
            change.value,
            change.is_lower_bound,
            change.note,
        ) and report.state == S.DRAFT:
            return report  # nothing changed: no new version, no history row
        apply_step(report, "save")
    report.value, report.is_lower_bound, report.note = (
        change.value,
        change.is_lower_bound,
        change.note,
    )
    # Uniqueness is left to the database: a figure another request created since the locked read
    # above is an IntegrityError below (409), not a "figure already exists" at the field (400).
    # The foreign keys are objects the caller holds.
    report.full_clean(
        exclude=["created_by", "updated_by", "indicator", "region", "period"],
        validate_constraints=not report.pk,
    )
    try:
        with transaction.atomic():
            _save(report, user=user)
    except IntegrityError:
        # Another official created the same figure a moment ago.
        raise ConflictError(
            ProgressReport.objects.get(indicator=indicator, region=region, period=period)
        ) from None
    return report


def last_year_value(report: ProgressReport) -> Decimal | None:
    period = report.period
    return (
        ProgressReport.objects.filter(
            indicator_id=report.indicator_id,
            region_id=report.region_id,
            period__kind=period.kind,
            period__year=period.year - 1,
            period__number=period.number,
            state=S.APPROVED,
        )
        .values_list("value", flat=True)
        .first()
    )


def big_change(value: Decimal, last_year: Decimal | None) -> bool:
    if not last_year:
        return False
    return value > last_year * BIG_CHANGE_FACTOR or value * BIG_CHANGE_FACTOR < last_year


@transaction.atomic
def report_submit(*, user, report: ProgressReport, version: int | None = None) -> ProgressReport:
    report = _locked(report)
    require(user, Action.SUBMIT, report.region)
    _require_entry_open(report.period, report.region)
    _check_version(report, version)
    apply_step(report, "submit")
    last = last_year_value(report)
    if big_change(report.value, last) and not has_visible_text(report.note):
        raise ValidationError(
            {
                "note": _(
                    "This is more than 3 times or less than a third of last year's %(last)s: "
                    "explain it in the note before submitting."
                )
                % {"last": plain_number(last)}
            }
        )
    report.submitted_by, report.submitted_at = user, timezone.now()
    _save(report, user=user)
    notify(
        users=users_who_can(Action.REVIEW, report.region),
        kind=NotificationKind.SUBMITTED,
        report=report,
        email=True,
    )
    return report


def _require_review(user, report: ProgressReport, action: Action = Action.REVIEW) -> None:
    require(user, action, report.region)
    if not review_open(period=report.period, region=report.region):
        raise ValidationError(_("The period %(period)s is locked.") % {"period": report.period})


@transaction.atomic
def report_approve(
    *, user, report: ProgressReport, comment: str = "", version: int | None = None
) -> ProgressReport:
    """Approve; with `version`, only the figure as the reviewer saw it."""
    report = _locked(report)
    _require_review(user, report)
    _check_version(report, version)
    # Four eyes for everyone, superusers included: a figure is approved by someone else.
    if report.submitted_by_id == user.pk:
        raise PermissionDenied(_("You cannot approve a figure you submitted yourself."))
    # A draft filed before figures were checked against the programs is not published either.
    _require_tracked(report.indicator, report.region, report.period)
    apply_step(report, "approve")
    report.reviewed_by, report.reviewed_at = user, timezone.now()
    report.review_comment = comment
    _save(report, user=user, reason=comment)
    _complete_correction(report)
    _public_figure_changed(report)
    notify(users=[report.submitted_by], kind=NotificationKind.APPROVED, report=report)
    return report


def _complete_correction(report: ProgressReport) -> None:
    """The approval after a reopening: a correction if the value or its lower-bound flag
    changed, else nothing to publish (the figure was confirmed as it was)."""
    pending = Correction.objects.filter(report=report, approved_at__isnull=True).first()
    if pending is None:
        return
    if (pending.old_value, pending.old_is_lower_bound) == (report.value, report.is_lower_bound):
        pending.delete()
        return
    pending.new_value, pending.new_is_lower_bound = report.value, report.is_lower_bound
    pending.approved_at = report.reviewed_at
    pending.save(update_fields=["new_value", "new_is_lower_bound", "approved_at"])


@transaction.atomic
def report_return(
    *, user, report: ProgressReport, comment: str, version: int | None = None
) -> ProgressReport:
    report = _locked(report)
    _require_review(user, report)
    _check_version(report, version)
    if not has_visible_text(comment):
        raise ValidationError({"comment": _("Say what needs correcting when returning a figure.")})
    apply_step(report, "return")
    report.reviewed_by, report.reviewed_at = user, timezone.now()
    report.review_comment = comment
    _save(report, user=user, reason=comment)
    notify(
        users=[report.submitted_by],
        kind=NotificationKind.RETURNED,
        report=report,
        message=comment,
        email=True,
    )
    return report


@transaction.atomic
def report_reopen(*, user, report: ProgressReport, reason: str) -> ProgressReport:
    """An approved figure goes back to draft so that it can be corrected; the reason is kept."""
    report = _locked(report)
    _require_review(user, report, Action.REOPEN_REPORT)
    if not has_visible_text(reason):
        raise ValidationError({"reason": _("Give the reason for reopening an approved figure.")})
    apply_step(report, "reopen")
    # The figure as the public saw it, kept until the next approval says whether it changed
    # (a row left from a figure approved outside these services is replaced).
    Correction.objects.filter(report=report, approved_at__isnull=True).delete()
    Correction.objects.create(
        report=report,
        old_value=report.value,
        old_is_lower_bound=report.is_lower_bound,
        reason=reason,
        reopened_at=timezone.now(),
        reopened_by=user,
    )
    report.review_comment = reason
    _save(report, user=user, reason=reason)
    _public_figure_changed(report)
    notify(
        users=[report.submitted_by],
        kind=NotificationKind.REOPENED,
        report=report,
        message=reason,
        email=True,
    )
    return report


def reopening_until_problem(until: datetime, at: datetime | None = None) -> str | None:
    """Why a period cannot be reopened until `until` (None if it can): the time must be in the
    future and at most MAX_REOPEN_DAYS away, so no reopening leaves a period open for good."""
    at = at or timezone.now()
    if until <= at:
        return _("The reopening must last until a future time.")
    if until > at + timedelta(days=settings.MAX_REOPEN_DAYS):
        return _("A reopening lasts at most %(days)d days.") % {"days": settings.MAX_REOPEN_DAYS}
    return None


@transaction.atomic
def period_reopen(
    *, user, period: ReportingPeriod, region: Region, reason: str, until: datetime
) -> PeriodReopening:
    require(user, Action.REOPEN_PERIOD, region)
    errors = {}
    if not has_visible_text(reason):
        errors["reason"] = _("Give the reason for reopening the period.")
    if problem := reopening_until_problem(until):
        errors["until"] = problem
    if errors:
        raise ValidationError(errors)
    return PeriodReopening.objects.create(
        period=period, region=region, reason=reason, until=until, reopened_by=user
    )


@transaction.atomic
def evidence_add(*, user, report: ProgressReport, upload, is_public: bool) -> Evidence:
    """Attach a checked file (EvidenceForm) to a figure its region's reporters may still change:
    a draft or returned figure while its period is open for the region, within the figure's
    quota of files and bytes (EVIDENCE_MAX_FILES_PER_REPORT, EVIDENCE_MAX_BYTES_PER_REPORT)."""
    report = _locked(report)
    require(user, Action.ENTER, report.region)
    if report.state == S.APPROVED:
        raise ValidationError(_("An approved figure's evidence changes only after a reopening."))
    if report.state not in TRANSITIONS["save"]:
        raise ValidationError(
            _("Evidence is added while the figure can be changed: this one is %(state)s.")
            % {"state": report.get_state_display()}
        )
    _require_entry_open(report.period, report.region)
    _require_evidence_room(report, upload.size)
    return Evidence.objects.create(
        report=report,
        file=upload,
        original_name=upload.name[:255],
        content_type=upload.detected_type,
        size=upload.size,
        is_public=is_public,
        uploaded_by=user,
    )


def _require_evidence_room(report: ProgressReport, size: int) -> None:
    """The figure's evidence, with this file, within its quota (the figure's row is locked)."""
    held = report.evidence.aggregate(files=Count("pk"), size=Sum("size"))
    if held["files"] + 1 > settings.EVIDENCE_MAX_FILES_PER_REPORT:
        raise ValidationError(
            _("A figure has at most %(count)d evidence files.")
            % {"count": settings.EVIDENCE_MAX_FILES_PER_REPORT}
        )
    if (held["size"] or 0) + size > settings.EVIDENCE_MAX_BYTES_PER_REPORT:
        raise ValidationError(
            _("A figure's evidence files together are at most %(mb)d MB.")
            % {"mb": settings.EVIDENCE_MAX_BYTES_PER_REPORT // (1024 * 1024)}
        )
