"""The review workflow as a state machine: random sequences of saves, submissions, reviews,
reopenings and period locks by officials of every role, run against the real services.

After every step the figures in the database match a model of the rules written here: states move
only along the allowed edges (no skipped steps), an approved value changes only after a recorded
reopening, each successful change adds exactly one history row by its actor, refused calls change
nothing, and only the role the rules name may act. Each example runs in its own savepoint, rolled
back after it.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from typing import ClassVar, NamedTuple

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from programs import reminders, services
from programs.choices import ReportState
from programs.models import PeriodReopening, ProgressReport, ReportingPeriod
from regions.choices import RegionLevel, Role
from tests.factories import (
    IndicatorFactory,
    MembershipFactory,
    PeriodFactory,
    RegionFactory,
    UserFactory,
    tracked_in,
)

S = ReportState
# The allowed edges, written from the product's rules (DESIGN.md), not from services.TRANSITIONS:
# draft → submitted → approved | returned → draft; approved → draft only by a reopening.
EDGES = {
    "save": {S.DRAFT: S.DRAFT, S.RETURNED: S.DRAFT},
    "submit": {S.DRAFT: S.SUBMITTED, S.RETURNED: S.SUBMITTED},
    "approve": {S.SUBMITTED: S.APPROVED},
    "return": {S.SUBMITTED: S.RETURNED},
    "reopen": {S.APPROVED: S.DRAFT},
}
HISTORY_EDGES = {(before, after) for moves in EDGES.values() for before, after in moves.items()}
# Who may do what in 嘉兴港区, where the figures are.
MAY = {
    "save": {"reporter"},
    "submit": {"reporter"},
    "approve": {"reviewer_above"},
    "return": {"reviewer_above"},
    "reopen": {"reviewer_above"},
    "reopen_period": {"catalog_admin"},
}
USERS = ["reporter", "other_reporter", "reviewer_above", "reviewer_elsewhere", "catalog_admin"]
SLOTS = 3  # indicators: one figure each for 嘉兴港区 in the period
REFUSALS = (PermissionDenied, ValidationError, services.ConflictError)


def actors(step):
    """Anyone, but mostly whoever the rules let take the step, so that sequences get far."""
    return st.sampled_from(sorted(MAY[step]) * 4 + USERS)


VERSIONS = st.sampled_from(["current"] * 3 + ["none", "stale"])


class HistoryRow(NamedTuple):
    state: str
    version: int
    value: Decimal
    history_change_reason: str | None


@dataclass
class Figure:
    state: str
    value: Decimal
    version: int
    approved_value: Decimal | None = None  # while approved: the value as approved


@dataclass
class Model:
    figures: dict[int, Figure] = field(default_factory=dict)
    locked: bool = False
    reopened: bool = False

    @property
    def entry_open(self) -> bool:
        return not self.locked or self.reopened

    review_open = entry_open  # after the deadline only a reopening lets reviews go on


class ReviewMachine(RuleBasedStateMachine):
    world: ClassVar[dict] = {}  # set by the test from its class-wide data

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.model = Model()
        self.period = ReportingPeriod.objects.get(pk=self.world["period"].pk)

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- helpers -------------------------------------------------------------------------------

    def report(self, slot) -> ProgressReport | None:
        return ProgressReport.objects.filter(
            indicator=self.world["indicators"][slot],
            region=self.world["region"],
            period=self.period,
        ).first()

    def figures(self):
        """The figures of every slot (the invariants read them after each of ~10,000 steps: one
        query, not one per slot)."""
        return ProgressReport.objects.filter(
            indicator__in=self.world["indicators"], region=self.world["region"], period=self.period
        ).order_by()

    def snapshot(self):
        return (
            list(
                ProgressReport.objects.order_by("pk").values_list("pk", "state", "value", "version")
            ),
            ProgressReport.history.count(),
            PeriodReopening.objects.count(),
        )

    def attempt(self, call, expected, user_name):
        """Run one service call; a refusal must be the one the model expects and change nothing;
        a success adds exactly one history row by the actor (none for a save that changes
        nothing)."""
        before = self.snapshot()
        try:
            result = call()
        except REFUSALS as error:
            assert expected is not None, f"refused: {type(error).__name__}: {error}"
            assert isinstance(error, expected), f"{type(error).__name__} instead of {expected}"
            assert self.snapshot() == before, "a refused call changed something"
            return None
        assert expected is None, f"{expected.__name__} expected, but the call went through"
        return result, before

    def one_new_history_row(self, report, before, user_name):
        assert ProgressReport.history.count() == before[1] + 1
        latest = report.history.order_by("-history_id").first()
        assert latest.history_user == self.world["users"][user_name]
        assert latest.state == report.state and latest.value == report.value

    def pick(self, data, step) -> int:
        """A figure: mostly one the step could move, sometimes any."""
        ready = sorted(n for n, f in self.model.figures.items() if f.state in EDGES[step])
        if ready and data.draw(st.integers(0, 3)):
            return data.draw(st.sampled_from(ready))
        return data.draw(st.sampled_from(sorted(self.model.figures)))

    def version_for(self, slot, choice):
        figure = self.model.figures.get(slot)
        if choice == "none":
            return None
        current = figure.version if figure else 1
        return current if choice == "current" else current + 7

    # --- rules ---------------------------------------------------------------------------------

    @rule(
        user=actors("save"),
        slot=st.integers(0, SLOTS - 1),
        value=st.sampled_from([Decimal(100), Decimal(250), Decimal(400)]),
        version=VERSIONS,
    )
    def save(self, user, slot, value, version):
        figure = self.model.figures.get(slot)
        # A new figure is sent without a version, as the pages and the API do.
        sent = None if figure is None and version == "current" else self.version_for(slot, version)
        if user not in MAY["save"]:
            expected = PermissionDenied
        elif not self.model.entry_open:
            expected = ValidationError
        elif figure is None:
            expected = ValidationError if sent else None
        elif sent is None or sent != figure.version:
            expected = services.ConflictError
        elif figure.state == S.DRAFT and figure.value == value:
            expected = None  # nothing to change
        elif figure.state not in EDGES["save"]:
            expected = ValidationError
        else:
            expected = None

        def call():
            return services.report_save(
                user=self.world["users"][user],
                indicator=self.world["indicators"][slot],
                region=self.world["region"],
                period=self.period,
                change=services.Change(value=value),
                version=sent,
            )

        outcome = self.attempt(call, expected, user)
        if outcome is None:
            return
        report, before = outcome
        if figure is None:
            self.model.figures[slot] = Figure(S.DRAFT, value, 1)
            self.one_new_history_row(report, before, user)
        elif figure.state == S.DRAFT and figure.value == value:
            assert self.snapshot() == before, "a save that changes nothing wrote something"
        else:
            figure.state, figure.value, figure.version = S.DRAFT, value, figure.version + 1
            self.one_new_history_row(report, before, user)

    def _review_step(self, step, user, slot, version, text=""):
        figure = self.model.figures.get(slot)
        sent = None if version == "none" else self.version_for(slot, version)
        entry_like = step == "submit"
        if user not in MAY[step]:
            expected = PermissionDenied
        elif not (self.model.entry_open if entry_like else self.model.review_open):
            expected = ValidationError
        elif sent is not None and sent != figure.version:
            expected = services.ConflictError
        elif (step in ("return", "reopen") and not text.strip()) or figure.state not in EDGES[step]:
            expected = ValidationError  # no reason given, or not a step from this state
        else:
            expected = None
        report = self.report(slot)
        actor = self.world["users"][user]
        calls = {
            "submit": lambda: services.report_submit(user=actor, report=report, version=sent),
            "approve": lambda: services.report_approve(user=actor, report=report, version=sent),
            "return": lambda: services.report_return(
                user=actor, report=report, comment=text, version=sent
            ),
            "reopen": lambda: services.report_reopen(user=actor, report=report, reason=text),
        }
        outcome = self.attempt(calls[step], expected, user)
        if outcome is None:
            return
        report, before = outcome
        figure.state = EDGES[step][figure.state]
        figure.version += 1
        figure.approved_value = figure.value if figure.state == S.APPROVED else None
        self.one_new_history_row(report, before, user)

    @precondition(lambda self: self.model.figures)
    @rule(data=st.data(), user=actors("submit"), version=VERSIONS)
    def submit(self, data, user, version):
        slot = self.pick(data, "submit")
        self._review_step("submit", user, slot, version)

    @precondition(lambda self: self.model.figures)
    @rule(data=st.data(), user=actors("approve"), version=VERSIONS)
    def approve(self, data, user, version):
        slot = self.pick(data, "approve")
        self._review_step("approve", user, slot, version)

    @precondition(lambda self: self.model.figures)
    @rule(
        data=st.data(), user=actors("return"), comment=st.sampled_from(["请核实"] * 3 + ["", " "])
    )
    def return_(self, data, user, comment):
        slot = self.pick(data, "return")
        self._review_step("return", user, slot, "none", comment)

    @precondition(lambda self: self.model.figures)
    @rule(data=st.data(), user=actors("reopen"), reason=st.sampled_from(["口径调整"] * 3 + [""]))
    def reopen(self, data, user, reason):
        slot = self.pick(data, "reopen")
        self._review_step("reopen", user, slot, "none", reason)

    @precondition(lambda self: not self.model.locked)
    @rule(now=st.integers(0, 3))
    def lock_period(self, now):
        """The deadline and the review grace pass: the reminders task locks the period."""
        if now:
            return  # not yet: most sequences get some way before the lock
        grace = timedelta(days=django_settings.LOCK_GRACE_DAYS)
        past = timezone.now() - grace - timedelta(days=1)
        ReportingPeriod.objects.filter(pk=self.period.pk).update(
            deadline=past, opens_at=past - timedelta(days=30)
        )
        assert reminders.lock_due_periods() == 1
        self.period.refresh_from_db()
        self.model.locked = True

    @precondition(lambda self: self.model.locked and not self.model.reopened)
    @rule(user=actors("reopen_period"), reason=st.sampled_from(["补报"] * 3 + [""]))
    def reopen_period(self, user, reason):
        if user not in MAY["reopen_period"]:
            expected = PermissionDenied
        elif not reason.strip():
            expected = ValidationError
        else:
            expected = None

        def call():
            return services.period_reopen(
                user=self.world["users"][user],
                period=self.period,
                region=self.world["region"],
                reason=reason,
                until=timezone.now() + timedelta(days=2),
            )

        outcome = self.attempt(call, expected, user)
        if outcome is not None:
            reopening, _before = outcome
            assert reopening.reopened_by == self.world["users"][user]
            self.model.reopened = True

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def figures_match_the_model(self):
        slot_of = {indicator.pk: slot for slot, indicator in enumerate(self.world["indicators"])}
        reports = {slot_of[report.indicator_id]: report for report in self.figures()}
        assert sorted(reports) == sorted(self.model.figures), "a figure is missing or too many"
        for slot, figure in self.model.figures.items():
            report = reports[slot]
            assert (report.state, report.value, report.version) == (
                figure.state,
                figure.value,
                figure.version,
            )
            if figure.state == S.APPROVED:
                assert report.value == figure.approved_value

    @invariant()
    def history_follows_the_edges(self):
        """Read back from the history alone: every step an allowed edge, and an approved value
        left only by a reopening that gives its reason."""
        histories: dict[int, list[HistoryRow]] = {}
        rows = ProgressReport.history.filter(id__in=self.figures().values("pk"))
        for pk, *row in rows.order_by("history_id").values_list("id", *HistoryRow._fields):
            histories.setdefault(pk, []).append(HistoryRow(*row))
        assert len(histories) == len(self.model.figures)  # each figure has its history
        for rows in histories.values():
            assert rows[0].state == S.DRAFT and rows[0].version == 1
            for before, after in pairwise(rows):
                assert (before.state, after.state) in HISTORY_EDGES, (before.state, after.state)
                assert after.version == before.version + 1
                if before.state == S.APPROVED:
                    assert after.state == S.DRAFT and after.history_change_reason
                    assert after.value == before.value  # reopening alone changes no value


@pytest.mark.slow  # 1000 examples of up to 10 steps
class TestReviewMachine(TestCase):
    @classmethod
    def setUpTestData(cls):
        zhejiang = RegionFactory(code="33", name="浙江省", level=RegionLevel.PROVINCE)
        jiaxing = RegionFactory(code="3304", name="嘉兴市", level=RegionLevel.CITY, parent=zhejiang)
        gangqu = RegionFactory(code="3304Z01", name="嘉兴港区", parent=jiaxing)
        pinghu = RegionFactory(code="330482", name="平湖市", parent=jiaxing)
        hunan = RegionFactory(code="43", name="湖南省", level=RegionLevel.PROVINCE)
        hengyang = RegionFactory(code="4304", name="衡阳市", level=RegionLevel.CITY, parent=hunan)

        def member(name, region, role, subregions=False):
            user = UserFactory(username=name, password="x")
            MembershipFactory(user=user, region=region, role=role, includes_subregions=subregions)
            return user

        now = timezone.now()
        indicators = [IndicatorFactory(code=f"MACHINE_{n}") for n in range(SLOTS)]
        tracked_in(zhejiang, *indicators)
        cls.world = {
            "region": gangqu,
            "period": PeriodFactory(
                year=2024, opens_at=now - timedelta(days=30), deadline=now + timedelta(days=30)
            ),
            "indicators": indicators,
            "users": {
                "reporter": member("reporter", gangqu, Role.REPORTER),
                "other_reporter": member("other_reporter", pinghu, Role.REPORTER),
                "reviewer_above": member("reviewer_above", jiaxing, Role.REVIEWER, True),
                "reviewer_elsewhere": member("reviewer_elsewhere", hengyang, Role.REVIEWER, True),
                "catalog_admin": member("catalog_admin", zhejiang, Role.CATALOG_ADMIN, True),
            },
        }

    def test_the_review_workflow_keeps_its_rules(self):
        ReviewMachine.world = self.world
        run_state_machine_as_test(
            ReviewMachine,
            settings=settings(
                max_examples=1000,
                stateful_step_count=10,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
