"""The progress reports and targets of every indicator, region and period: who made and reviewed
each report and when, where the latest quarter stands, and the rows for the table writers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from programs.choices import IndicatorKind, ReportState
from programs.models import ReportingPeriod
from regions.choices import RegionLevel

from .bulk import TableWriter, copy_text
from .catalog import IndicatorSpec
from .tree import Node
from .values import Series, format_value, target_values

RETURN_COMMENTS = (
    "与上季度相比变化较大,请核实并在备注中说明。",
    "请补充上传佐证材料。",
    "统计口径与指标定义不一致,请修改后重新提交。",
)
LOWER_BOUND_NOTE = "据初步统计,实际数不少于此数。"


def latest_states(nodes: list[Node], rng: random.Random) -> list[str]:
    """Where each region stands in the latest period: most approved, some still in the works."""
    order = list(range(len(nodes)))
    rng.shuffle(order)
    states = [ReportState.APPROVED] * len(nodes)
    count = len(nodes)
    quotas = [
        (ReportState.RETURNED, max(1, round(count * 0.06))),
        (ReportState.DRAFT, max(1, round(count * 0.10))),
        (ReportState.SUBMITTED, max(1, round(count * 0.14))),
    ]
    position = 0
    for state, quota in quotas:
        for index in order[position : position + quota]:
            states[index] = state
        position += quota
    return states


@dataclass
class Tails:
    """The columns after (value, lower bound, note, indicator) of every region and period, in the
    writer's form: the approved row of each period, and the latest period's other states."""

    approved: list[list]
    latest: dict[int, dict[str, object]]


def report_tails(
    writer: TableWriter,
    nodes: list[Node],
    periods: list[ReportingPeriod],
    reporter: dict[int, int],
    reviewer: dict[int, int],
    states: list[str],
    rng: random.Random,
) -> Tails:
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    latest = len(periods) - 1
    approved: list[list] = []
    latest_tails: dict[int, dict[str, object]] = {}

    def tail(state, *, index, period, created, submitted, reviewed, comment=""):
        made, checked = reporter[index], reviewer[index]
        version, updated_at, updated_by = 1, created, made
        if state == ReportState.SUBMITTED:
            version, updated_at = 2, submitted
        elif state in (ReportState.APPROVED, ReportState.RETURNED):
            version, updated_at, updated_by = 3, reviewed, checked
        reviewed_state = state in (ReportState.APPROVED, ReportState.RETURNED)
        return writer.row(
            (
                state,
                comment,
                version,
                submitted if state != ReportState.DRAFT else None,
                reviewed if reviewed_state else None,
                created,
                updated_at,
                made,
                updated_by,
                made if state != ReportState.DRAFT else None,
                checked if reviewed_state else None,
                nodes[index].pk,
                period.pk,
            )
        )

    for index in range(len(nodes)):
        row = []
        for t, period in enumerate(periods):
            end = datetime.combine(period.end_date, datetime.min.time(), zone)
            # Drafts in the last days of the quarter, submitted after it, reviewed days later.
            created = end + timedelta(days=-rng.randint(0, 12), minutes=540 + rng.randint(0, 480))
            submitted = end + timedelta(days=rng.randint(2, 20), minutes=600 + rng.randint(0, 480))
            reviewed = submitted + timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 300))
            shares = rng.uniform(0.4, 1), rng.uniform(0.2, 0.6), rng.uniform(0.2, 0.9)
            if t == latest and reviewed > now:  # a period in progress: spread over it so far
                elapsed = max(now - period.opens_at, timedelta(hours=3))
                created = now - elapsed * shares[0]
                submitted = created + (now - created) * shares[1]
                reviewed = submitted + (now - submitted) * shares[2]
            times = {"created": created, "submitted": submitted, "reviewed": reviewed}
            row.append(tail(ReportState.APPROVED, index=index, period=period, **times))
            state = states[index]
            if t == latest and state == ReportState.RETURNED:
                latest_tails[index] = {
                    comment: tail(state, index=index, period=period, comment=comment, **times)
                    for comment in RETURN_COMMENTS
                }
            elif t == latest and state != ReportState.APPROVED:
                latest_tails[index] = {state: tail(state, index=index, period=period, **times)}
        approved.append(row)
    return Tails(approved, latest_tails)


REPORT_COLUMNS = (
    "value",
    "is_lower_bound",
    "note",
    "indicator_id",
    "state",
    "review_comment",
    "version",
    "submitted_at",
    "reviewed_at",
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "submitted_by_id",
    "reviewed_by_id",
    "region_id",
    "period_id",
)
TARGET_COLUMNS = (
    "indicator_id",
    "region_id",
    "period_id",
    "plan_id",
    "comparator",
    "value",
    "baseline",
    "note",
)


def write_indicator(
    *,
    spec: IndicatorSpec,
    series: Series,
    indicator_id: int,
    plan_id: int,
    nodes: list[Node],
    tails: Tails,
    states: list[str],
    reports: TableWriter,
    targets: TableWriter,
    year_periods: list[ReportingPeriod],
    rng: random.Random,
    counts: dict[str, int],
) -> None:
    use_copy = reports.use_copy
    buffer = reports.buffer
    latest = len(tails.approved[0]) - 1
    may_be_bound = spec.kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT)
    plain_head = f"\tf\t\t{indicator_id}\t" if use_copy else (False, "", indicator_id)
    bound_head = (
        f"\tt\t{copy_text(LOWER_BOUND_NOTE)}\t{indicator_id}\t"
        if use_copy
        else (True, LOWER_BOUND_NOTE, indicator_id)
    )
    random_ = rng.random
    for index in series.members:
        texts = [format_value(spec, v) for v in series.values[index]]
        row_tails = tails.approved[index]
        for t, text in enumerate(texts):
            tail = row_tails[t]
            state = ReportState.APPROVED
            if t == latest and index in tails.latest:
                state = states[index]
                options = tails.latest[index]
                if state == ReportState.RETURNED:
                    if random_() < 0.35:
                        tail = options[RETURN_COMMENTS[int(random_() * len(RETURN_COMMENTS))]]
                    else:
                        state = ReportState.APPROVED
                else:
                    tail = options[state]
            head = bound_head if may_be_bound and random_() < 0.01 else plain_head
            if use_copy:
                buffer.append(text + head + tail)
            else:
                buffer.append((text, *head, *tail))
            counts[state] += 1
        reports.maybe_flush()
        if nodes[index].level < RegionLevel.TOWNSHIP or "T" in spec.flags:
            for year, period in enumerate(year_periods):
                found = target_values(spec, series, index, year, rng)
                if found:
                    comparator, value, baseline = found
                    targets.buffer.append(
                        targets.row(
                            (
                                indicator_id,
                                nodes[index].pk,
                                period.pk,
                                plan_id,
                                comparator,
                                value,
                                baseline,
                                "",
                            )
                        )
                    )
            targets.maybe_flush()
