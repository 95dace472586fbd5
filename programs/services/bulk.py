"""Many drafts at once (Excel uploads, the bulk API): `report_save` for thousands of figures,
with the same rules and history rows, checked and written in a fixed number of queries."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.access import Action, can
from regions.models import Region

from ..choices import ReportState
from ..models import Indicator, PeriodReopening, ProgressReport, ReportingPeriod
from ..selectors import tracked_indicators
from .reports import Change, ConflictError, apply_step, untracked_message

S = ReportState


@dataclass(frozen=True)
class Entry:
    """One figure of a bulk save: where it goes, the change, the version the caller read."""

    indicator: Indicator
    region: Region
    period: ReportingPeriod
    change: Change
    version: int | None = None


@dataclass(frozen=True)
class ItemError:
    """Why one entry cannot be saved; `field` is NON_FIELD_ERRORS for the entry as a whole."""

    index: int
    field: str
    message: str


class ItemErrors(ValidationError):
    """Some entries of a bulk save cannot be saved, so none was; `items` says which and why."""

    def __init__(self, items: list[ItemError]):
        self.items = items
        super().__init__([item.message for item in items])


@dataclass(frozen=True)
class BulkResult:
    created: int
    updated: int
    unchanged: int
    reports: list[ProgressReport]  # in the order of the entries


# Cleaned in bulk: the inputs (value, lower bound, note) by their fields' rules and Model.clean().
# Not cleaned again: foreign keys (the callers hold the objects, no lookup needed), the fields this
# module sets itself (state, version, dates), uniqueness (the locked read below and the database's
# constraint) and value ≥ 0 (also in Model.clean()).
NOT_CLEANED_IN_BULK = [
    "indicator",
    "region",
    "period",
    "created_by",
    "updated_by",
    "submitted_by",
    "reviewed_by",
    "state",
    "review_comment",
    "version",
    "submitted_at",
    "reviewed_at",
    "created_at",
    "updated_at",
]
CHANGED_BY_SAVE = [
    "value",
    "is_lower_bound",
    "note",
    "state",
    "version",
    "updated_by",
    "updated_at",
]
CREATE_BATCH, UPDATE_BATCH = 2000, 500  # an UPDATE's CASE grows with its rows: keep it short


def _open_pairs(pairs: set[tuple[Region, ReportingPeriod]], at: datetime) -> set[tuple[int, int]]:
    """The (region id, period id) pairs open for entry, as `entry_open` says, in one query."""
    open_now = {(region.pk, period.pk) for region, period in pairs if period.is_open(at)}
    closed = [(region, period) for region, period in pairs if not period.is_open(at)]
    if closed:
        open_now |= set(
            PeriodReopening.objects.filter(
                period__in={period.pk for _region, period in closed},
                region__in={region.pk for region, _period in closed},
                until__gt=at,
            ).values_list("region_id", "period_id")
        )
    return open_now


def _locked_reports(entries: Sequence[Entry]) -> dict[tuple[int, int, int], ProgressReport]:
    """The entries' existing figures, row-locked, by (indicator, region, period) ids.

    One scan of the (region, period) index: it may also lock figures of those regions, periods and
    indicators that no entry names, which costs a concurrent save a short wait at most.
    """
    keys = {(entry.indicator.pk, entry.region.pk, entry.period.pk) for entry in entries}
    # Only the figures' rows (the model's ordering would join and lock catalog rows), in id order
    # so that two bulk saves lock their common figures in the same order.
    found = (
        ProgressReport.objects.select_for_update(of=("self",))
        .filter(
            region_id__in={region for _indicator, region, _period in keys},
            period_id__in={period for _indicator, _region, period in keys},
            indicator_id__in={indicator for indicator, _region, _period in keys},
        )
        .order_by("pk")
    )
    return {
        key: report
        for report in found
        if (key := (report.indicator_id, report.region_id, report.period_id)) in keys
    }


def _create(reports: list[ProgressReport], now: datetime) -> None:
    """INSERT new figures and give them their ids.

    On PostgreSQL one INSERT … SELECT FROM unnest(one array per column) per batch: bulk_create
    prepares each value of each row in Python, which was most of the time of a 100k-figure import
    (benchmark P7). Other databases get bulk_create.
    """
    for report in reports:
        report.created_at = report.updated_at = now
    if connection.vendor != "postgresql":
        ProgressReport.objects.bulk_create(reports, batch_size=CREATE_BATCH)
        return
    quote = connection.ops.quote_name
    fields = [field for field in ProgressReport._meta.concrete_fields if not field.primary_key]
    sql = (
        f"INSERT INTO {quote(ProgressReport._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(field.column) for field in fields)}) SELECT * FROM unnest("
        f"{', '.join(f'%s::{field.db_type(connection)}[]' for field in fields)}) "
        f"RETURNING {quote(ProgressReport._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(reports), CREATE_BATCH):
            batch = reports[start : start + CREATE_BATCH]
            cursor.execute(sql, [[getattr(r, field.attname) for r in batch] for field in fields])
            for report, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                report.pk = pk
                report._state.adding, report._state.db = False, connection.alias


def _copy_to_history(ids: list[int], *, user, history_type: str, at: datetime) -> None:
    """The history rows simple-history writes on save, copied from the rows just written.

    One INSERT … SELECT per batch instead of simple-history's bulk_create_with_history, which
    builds a historical model instance per row in Python: at 100k figures that doubled the time
    of an import. The columns are simple-history's own (its tracked fields plus history_date,
    history_user, history_type and history_change_reason, left empty as report_save leaves it).
    """
    history = ProgressReport.history.model
    quote = connection.ops.quote_name
    tracked = [field.attname for field in history.tracked_fields]
    extra = ["history_date", "history_type", "history_user", "history_change_reason"]
    columns = ", ".join(quote(history._meta.get_field(name).column) for name in tracked + extra)
    sources = ", ".join(quote(ProgressReport._meta.get_field(name).column) for name in tracked)
    table, pk = quote(ProgressReport._meta.db_table), quote(ProgressReport._meta.pk.column)
    date = history._meta.get_field("history_date").get_db_prep_value(at, connection)
    batch = min(CREATE_BATCH, connection.features.max_query_params or CREATE_BATCH) - 3
    with connection.cursor() as cursor:
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}) "  # noqa: S608 - names from the models
                f"SELECT {sources}, %s, %s, %s, NULL FROM {table} "
                f"WHERE {pk} IN ({', '.join(['%s'] * len(chunk))}) ORDER BY {pk}",
                [date, history_type, user.pk, *chunk],
            )


@transaction.atomic
def report_save_many(*, user, entries: Sequence[Entry]) -> BulkResult:
    """Create or change many drafts, all or nothing, with the rules and history of report_save.

    Rights are checked once per region (PermissionDenied for the first refused one, with `index`);
    every other problem of every entry is collected into one ItemErrors; otherwise the first stale
    version raises ConflictError (with `index`). Nothing is written unless every entry is fine.
    """
    if not entries:
        return BulkResult(created=0, updated=0, unchanged=0, reports=[])
    _require_enter(user, entries)
    now = timezone.now()
    plan = _Plan(
        user=user,
        now=now,
        open_pairs=_open_pairs({(entry.region, entry.period) for entry in entries}, now),
        existing=_locked_reports(entries),
        reports=[None] * len(entries),
        tracked=tracked_indicators({(entry.region, entry.period.year) for entry in entries}),
    )
    for index, entry in enumerate(entries):
        plan.take(index, entry)
    if plan.errors:
        raise ItemErrors(plan.errors)
    if plan.conflicts:
        index, report = plan.conflicts[0]
        conflict = ConflictError(report)
        conflict.index = index
        raise conflict
    _write(plan)
    return BulkResult(
        created=len(plan.new),
        updated=len(plan.changed),
        unchanged=len(entries) - len(plan.new) - len(plan.changed),
        reports=plan.reports,
    )


def _require_enter(user, entries: Sequence[Entry]) -> None:
    checked = set()
    for index, entry in enumerate(entries):
        if entry.region.pk not in checked:
            if not can(user, Action.ENTER, entry.region):
                denied = PermissionDenied(
                    _("You cannot enter figures of %(region)s.") % {"region": entry.region.name}
                )
                denied.index = index
                raise denied
            checked.add(entry.region.pk)


@dataclass
class _Plan:
    """What a bulk save will write, and every reason it cannot, gathered entry by entry."""

    user: object
    now: datetime
    open_pairs: set[tuple[int, int]]
    existing: dict[tuple[int, int, int], ProgressReport]
    reports: list[ProgressReport | None]
    tracked: dict[tuple[int, int], set[int]]  # (region id, year) → indicator ids, as report_save
    errors: list[ItemError] = field(default_factory=list)
    conflicts: list[tuple[int, ProgressReport]] = field(default_factory=list)
    seen: dict[tuple[int, int, int], int] = field(default_factory=dict)
    new: list[ProgressReport] = field(default_factory=list)
    changed: list[ProgressReport] = field(default_factory=list)

    def take(self, index: int, entry: Entry) -> None:
        problems = len(self.errors)
        report = self._report(index, entry)
        if report is None:
            return
        change = entry.change
        report.value, report.is_lower_bound, report.note = (
            change.value,
            change.is_lower_bound,
            change.note,
        )
        report.updated_by, report.updated_at = self.user, self.now
        try:
            report.full_clean(
                exclude=NOT_CLEANED_IN_BULK, validate_unique=False, validate_constraints=False
            )
        except ValidationError as invalid:
            for name, messages in invalid.message_dict.items():
                for message in messages:
                    self.errors.append(ItemError(index, name, str(message)))
        if len(self.errors) == problems:
            (self.changed if report.pk else self.new).append(report)
            self.reports[index] = report

    def _report(self, index: int, entry: Entry) -> ProgressReport | None:
        """The figure this entry changes, stepped to draft; None when it is refused, in conflict
        or unchanged (then already in `reports`)."""

        def error(name: str, message) -> None:
            self.errors.append(ItemError(index, name, str(message)))

        key = (entry.indicator.pk, entry.region.pk, entry.period.pk)
        if key in self.seen:
            message = _("This figure is already item %(index)d of the list.")
            error(NON_FIELD_ERRORS, message % {"index": self.seen[key]})
            return None
        self.seen[key] = index
        if (entry.region.pk, entry.period.pk) not in self.open_pairs:
            error(
                "period", _("The period %(period)s is closed for entry.") % {"period": entry.period}
            )
            return None
        if entry.indicator.pk not in self.tracked[(entry.region.pk, entry.period.year)]:
            message = untracked_message(
                indicator=entry.indicator, region=entry.region, period=entry.period
            )
            error("indicator", message)
            return None
        report = self.existing.get(key)
        if report is None:
            if entry.version:
                error("version", _("This figure no longer exists; reload the page."))
                return None
            return ProgressReport(
                indicator=entry.indicator,
                region=entry.region,
                period=entry.period,
                created_by=self.user,
            )
        # The objects in hand, so that validating the figure reads none of them again.
        report.indicator, report.region, report.period = entry.indicator, entry.region, entry.period
        if entry.version is None or entry.version != report.version:
            self.conflicts.append((index, report))
            return None
        change = entry.change
        if (report.value, report.is_lower_bound, report.note) == (
            change.value,
            change.is_lower_bound,
            change.note,
        ) and report.state == S.DRAFT:
            self.reports[index] = report  # nothing changed: no new version, no history row
            return None
        try:
            apply_step(report, "save")
        except ValidationError as refused:
            error(NON_FIELD_ERRORS, refused.messages[0])
            return None
        report.version += 1
        return report


def _write(plan: _Plan) -> None:
    if plan.new:
        try:
            with transaction.atomic():
                _create(plan.new, plan.now)
        except IntegrityError:
            # Another official created one of these figures a moment ago.
            taken = _locked_reports(_entries_of(plan.new))
            if not taken:
                raise
            key, report = next(iter(taken.items()))
            conflict = ConflictError(report)
            conflict.index = plan.seen[key]
            raise conflict from None
        new_ids = [report.pk for report in plan.new]
        _copy_to_history(new_ids, user=plan.user, history_type="+", at=plan.now)
    if plan.changed:
        ProgressReport.objects.bulk_update(plan.changed, CHANGED_BY_SAVE, batch_size=UPDATE_BATCH)
        changed_ids = [report.pk for report in plan.changed]
        _copy_to_history(changed_ids, user=plan.user, history_type="~", at=plan.now)


def _entries_of(reports: list[ProgressReport]) -> list[Entry]:
    return [
        Entry(indicator=r.indicator, region=r.region, period=r.period, change=Change(r.value))
        for r in reports
    ]
