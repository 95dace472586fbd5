"""The review cycle as services enforce it, for every transition, role and period state."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation

from programs import services
from programs.choices import ReportState
from programs.models import Indicator, Notification, PeriodReopening, ProgressReport
from programs.services import Change, ConflictError
from tests.factories import PeriodFactory, ReportFactory, UserFactory, tracked_in

pytestmark = pytest.mark.django_db
S = ReportState


@pytest.fixture
def trained(skills_plan):
    return Indicator.objects.get(code="VT_TRAINED")


def save(user, region, period, indicator, value, version=None, note=""):
    return services.report_save(
        user=user,
        indicator=indicator,
        region=region,
        period=period,
        change=Change(value=Decimal(value), note=note),
        version=version,
    )


def report_in(state, *, indicator, region, period, submitted_by=None):
    return ReportFactory(
        indicator=indicator, region=region, period=period, state=state, submitted_by=submitted_by
    )


def test_a_reporter_saves_a_new_draft_with_history(gangqu_reporter, gangqu, open_2024, trained):
    report = save(gangqu_reporter, gangqu, open_2024, trained, 1200)
    assert (report.state, report.version, report.value) == (S.DRAFT, 1, 1200)
    record = report.history.get()
    assert record.history_user == gangqu_reporter


def test_saving_again_needs_the_current_version(gangqu_reporter, gangqu, open_2024, trained):
    report = save(gangqu_reporter, gangqu, open_2024, trained, 1200)
    report = save(gangqu_reporter, gangqu, open_2024, trained, 1250, version=1)
    assert report.version == 2
    with pytest.raises(ConflictError) as conflict:
        save(gangqu_reporter, gangqu, open_2024, trained, 1300, version=1)
    assert conflict.value.report.value == 1250
    assert "1,250" in str(conflict.value)
    assert ProgressReport.objects.get().value == 1250


def test_saving_a_figure_that_exists_without_a_version_is_a_conflict(
    gangqu_reporter, gangqu, open_2024, trained
):
    save(gangqu_reporter, gangqu, open_2024, trained, 1200)
    with pytest.raises(ConflictError):
        save(gangqu_reporter, gangqu, open_2024, trained, 999, version=None)


def test_an_unchanged_save_makes_no_new_version(gangqu_reporter, gangqu, open_2024, trained):
    save(gangqu_reporter, gangqu, open_2024, trained, 1200)
    report = save(gangqu_reporter, gangqu, open_2024, trained, 1200, version=1)
    assert report.version == 1
    assert report.history.count() == 1


def test_a_value_that_does_not_fit_is_refused_at_the_value(
    gangqu_reporter, gangqu, open_2024, trained
):
    with pytest.raises(ValidationError) as error:
        save(gangqu_reporter, gangqu, open_2024, trained, "10.5")
    assert "value" in error.value.message_dict
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("gangqu_reporter", True),
        ("pinghu_reporter", False),
        ("jiaxing_reviewer", False),
        ("catalog_admin", False),
    ],
)
def test_only_the_regions_reporters_enter(request, gangqu, open_2024, trained, user, allowed):
    official = request.getfixturevalue(user)
    if allowed:
        save(official, gangqu, open_2024, trained, 1)
    else:
        with pytest.raises(PermissionDenied):
            save(official, gangqu, open_2024, trained, 1)
        assert not ProgressReport.objects.exists()


def test_a_membership_with_sub_regions_enters_below(jiaxing, pinghu, open_2024, trained):
    from regions.choices import Role
    from tests.factories import MembershipFactory

    city_reporter = MembershipFactory(
        region=jiaxing, role=Role.REPORTER, includes_subregions=True
    ).user
    tracked_in(pinghu, trained)
    save(city_reporter, pinghu, open_2024, trained, 5)
    assert ProgressReport.objects.get().region == pinghu


# Every transition: (starting state, step, who, allowed).
MATRIX = [
    (S.DRAFT, "submit", "gangqu_reporter", S.SUBMITTED),
    (S.RETURNED, "submit", "gangqu_reporter", S.SUBMITTED),
    (S.SUBMITTED, "submit", "gangqu_reporter", None),
    (S.APPROVED, "submit", "gangqu_reporter", None),
    (S.SUBMITTED, "approve", "jiaxing_reviewer", S.APPROVED),
    (S.DRAFT, "approve", "jiaxing_reviewer", None),
    (S.RETURNED, "approve", "jiaxing_reviewer", None),
    (S.APPROVED, "approve", "jiaxing_reviewer", None),
    (S.SUBMITTED, "return", "jiaxing_reviewer", S.RETURNED),
    (S.DRAFT, "return", "jiaxing_reviewer", None),
    (S.APPROVED, "return", "jiaxing_reviewer", None),
    (S.RETURNED, "return", "jiaxing_reviewer", None),
    (S.APPROVED, "reopen", "jiaxing_reviewer", S.DRAFT),
    (S.SUBMITTED, "reopen", "jiaxing_reviewer", None),
    (S.DRAFT, "reopen", "jiaxing_reviewer", None),
    (S.RETURNED, "reopen", "jiaxing_reviewer", None),
]


def run_step(step, user, report):
    if step == "submit":
        return services.report_submit(user=user, report=report)
    if step == "approve":
        return services.report_approve(user=user, report=report, comment="ok")
    if step == "return":
        return services.report_return(user=user, report=report, comment="请核实")
    return services.report_reopen(user=user, report=report, reason="口径调整")


@pytest.mark.parametrize(("start", "step", "who", "end"), MATRIX)
def test_the_review_state_machine(request, gangqu, open_2024, trained, start, step, who, end):
    user = request.getfixturevalue(who)
    report = report_in(start, indicator=trained, region=gangqu, period=open_2024)
    if end is None:
        with pytest.raises(ValidationError):
            run_step(step, user, report)
        report.refresh_from_db()
        assert (report.state, report.version) == (start, 1)
        return
    result = run_step(step, user, report)
    assert result.state == end
    assert result.version == 2
    assert result.history.latest().state == end


@pytest.mark.parametrize(
    ("step", "who"),
    [
        ("approve", "gangqu_reporter"),
        ("return", "gangqu_reporter"),
        ("reopen", "gangqu_reporter"),
        ("submit", "jiaxing_reviewer"),
        ("submit", "pinghu_reporter"),
        ("approve", "catalog_admin"),
    ],
)
def test_roles_are_respected(request, gangqu, open_2024, trained, step, who):
    start = {"submit": S.DRAFT, "approve": S.SUBMITTED, "return": S.SUBMITTED, "reopen": S.APPROVED}
    report = report_in(start[step], indicator=trained, region=gangqu, period=open_2024)
    with pytest.raises(PermissionDenied):
        run_step(step, request.getfixturevalue(who), report)
    report.refresh_from_db()
    assert report.state == start[step]


def test_a_reviewer_of_another_city_cannot_review(gangqu, open_2024, trained, zhengxiang):
    from regions.choices import Role
    from tests.factories import MembershipFactory

    hengyang_reviewer = MembershipFactory(
        region=zhengxiang.parent, role=Role.REVIEWER, includes_subregions=True
    ).user
    report = report_in(S.SUBMITTED, indicator=trained, region=gangqu, period=open_2024)
    with pytest.raises(PermissionDenied):
        services.report_approve(user=hengyang_reviewer, report=report)


def test_nobody_approves_their_own_submission(
    gangqu, jiaxing, open_2024, trained, jiaxing_reviewer
):
    from regions.choices import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=jiaxing_reviewer, region=gangqu, role=Role.REPORTER)
    report = report_in(S.DRAFT, indicator=trained, region=gangqu, period=open_2024)
    services.report_submit(user=jiaxing_reviewer, report=report)
    with pytest.raises(PermissionDenied):
        services.report_approve(user=jiaxing_reviewer, report=report)


def test_returning_needs_a_comment_and_reopening_a_reason(
    jiaxing_reviewer, gangqu, open_2024, trained
):
    submitted = report_in(S.SUBMITTED, indicator=trained, region=gangqu, period=open_2024)
    with pytest.raises(ValidationError) as error:
        services.report_return(user=jiaxing_reviewer, report=submitted, comment=" ")
    assert "comment" in error.value.message_dict
    services.report_approve(user=jiaxing_reviewer, report=submitted)
    with pytest.raises(ValidationError) as error:
        services.report_reopen(user=jiaxing_reviewer, report=submitted, reason="")
    assert "reason" in error.value.message_dict


def test_an_approved_figure_cannot_be_saved_until_reopened(
    gangqu_reporter, jiaxing_reviewer, gangqu, open_2024, trained
):
    report = report_in(S.APPROVED, indicator=trained, region=gangqu, period=open_2024)
    with pytest.raises(ValidationError):
        save(gangqu_reporter, gangqu, open_2024, trained, 5, version=1)
    services.report_reopen(user=jiaxing_reviewer, report=report, reason="统计口径调整")
    report = save(gangqu_reporter, gangqu, open_2024, trained, 5, version=2)
    assert report.state == S.DRAFT
    reasons = [h.history_change_reason for h in report.history.order_by("history_id")]
    assert "统计口径调整" in reasons


def test_editing_a_returned_figure_makes_it_a_draft_again(
    gangqu_reporter, gangqu, open_2024, trained
):
    report_in(S.RETURNED, indicator=trained, region=gangqu, period=open_2024)
    report = save(gangqu_reporter, gangqu, open_2024, trained, 7, version=1)
    assert report.state == S.DRAFT


def test_a_big_change_against_last_year_needs_a_note(gangqu_reporter, gangqu, open_2024, trained):
    last_year = PeriodFactory(year=2023)
    ReportFactory(indicator=trained, region=gangqu, period=last_year, value=300, state=S.APPROVED)
    report = save(gangqu_reporter, gangqu, open_2024, trained, 1000)
    with pytest.raises(ValidationError) as error:
        services.report_submit(user=gangqu_reporter, report=report)
    assert "note" in error.value.message_dict
    report = save(gangqu_reporter, gangqu, open_2024, trained, 1000, version=1, note="新建培训基地")
    assert services.report_submit(user=gangqu_reporter, report=report).state == S.SUBMITTED


def test_a_closed_period_takes_no_entry_until_reopened_for_the_region(
    gangqu_reporter, catalog_admin, gangqu, trained
):
    closed = PeriodFactory(
        year=2023,
        opens_at=timezone.now() - timedelta(days=400),
        deadline=timezone.now() - timedelta(days=1),
    )
    tracked_in(gangqu, trained, years=(2023, 2023))
    with pytest.raises(ValidationError):
        save(gangqu_reporter, gangqu, closed, trained, 5)
    reopening = services.period_reopen(
        user=catalog_admin,
        period=closed,
        region=gangqu,
        reason="补报",
        until=timezone.now() + timedelta(days=3),
    )
    assert reopening.reopened_by == catalog_admin
    assert save(gangqu_reporter, gangqu, closed, trained, 5).value == 5


def test_only_a_catalog_admin_reopens_a_period(gangqu_reporter, jiaxing_reviewer, gangqu):
    closed = PeriodFactory(year=2022)
    for user in (gangqu_reporter, jiaxing_reviewer):
        with pytest.raises(PermissionDenied):
            services.period_reopen(
                user=user, period=closed, region=gangqu, reason="x", until=timezone.now()
            )
    assert not PeriodReopening.objects.exists()


def test_a_reopening_needs_a_reason_and_a_future_end(catalog_admin, gangqu):
    with pytest.raises(ValidationError) as error:
        services.period_reopen(
            user=catalog_admin,
            period=PeriodFactory(year=2022),
            region=gangqu,
            reason="",
            until=timezone.now() - timedelta(hours=1),
        )
    assert set(error.value.message_dict) == {"reason", "until"}


def test_submitting_notifies_the_reviewers_in_app_and_by_email(
    gangqu_reporter,
    jiaxing_reviewer,
    gangqu,
    open_2024,
    trained,
    django_capture_on_commit_callbacks,
):
    jiaxing_reviewer.email = "reviewer@example.gov.cn"
    jiaxing_reviewer.save()
    report = save(gangqu_reporter, gangqu, open_2024, trained, 1200)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(user=gangqu_reporter, report=report)
    notice = Notification.objects.get(user=jiaxing_reviewer)
    assert notice.kind == "submitted"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reviewer@example.gov.cn"]
    assert "职业技能培训人数" in mail.outbox[0].subject


def test_returning_notifies_the_reporter_once(
    gangqu_reporter,
    jiaxing_reviewer,
    gangqu,
    open_2024,
    trained,
    django_capture_on_commit_callbacks,
):
    from programs.emails import send_notification_emails

    gangqu_reporter.email = "reporter@example.gov.cn"
    gangqu_reporter.save()
    report = report_in(
        S.SUBMITTED,
        indicator=trained,
        region=gangqu,
        period=open_2024,
        submitted_by=gangqu_reporter,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(user=jiaxing_reviewer, report=report, comment="请补充佐证")
    notice = Notification.objects.get(user=gangqu_reporter)
    assert notice.message == "请补充佐证"
    assert [m.to for m in mail.outbox] == [["reporter@example.gov.cn"]]
    # The task running again (a retry, a duplicate delivery) sends nothing more.
    assert send_notification_emails([notice.pk]) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_saves_from_one_version_make_one_conflict(gangqu, open_2024, trained):
    from regions.choices import Role
    from tests.factories import MembershipFactory

    first, second = (
        MembershipFactory(user=UserFactory(username=name), region=gangqu, role=Role.REPORTER).user
        for name in ("official_a", "official_b")
    )
    ReportFactory(indicator=trained, region=gangqu, period=open_2024, value=100)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(user, value):
        try:
            barrier.wait()
            save(user, gangqu, open_2024, trained, value, version=1)
            outcomes.append("saved")
        except ConflictError as error:
            outcomes.append(("conflict", error.report.value))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=a) for a in ((first, 200), (second, 300))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved_value = ProgressReport.objects.get().value
    assert sorted(map(str, outcomes)) == sorted(["saved", str(("conflict", saved_value))])
    assert ProgressReport.objects.get().version == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second connection")
def test_a_figure_another_official_creates_meanwhile_is_a_conflict(
    gangqu, open_2024, trained, monkeypatch
):
    """Two officials create the same figure: the one whose locked read found nothing, but who
    saves after the other committed, gets the figure to merge with (409), not a 400."""
    from regions.choices import Role
    from tests.factories import MembershipFactory

    first, second = (
        MembershipFactory(user=UserFactory(username=name), region=gangqu, role=Role.REPORTER).user
        for name in ("official_a", "official_b")
    )
    clean = ProgressReport.full_clean

    def other_official_saves_first(report, *args, **kwargs):
        monkeypatch.setattr(ProgressReport, "full_clean", clean)

        def create():
            try:
                save(first, gangqu, open_2024, trained, 200)
            finally:
                connection.close()

        thread = threading.Thread(target=create)
        thread.start()
        thread.join()
        return clean(report, *args, **kwargs)

    monkeypatch.setattr(ProgressReport, "full_clean", other_official_saves_first)
    with pytest.raises(ConflictError) as conflict:
        save(second, gangqu, open_2024, trained, 300)
    assert conflict.value.report.value == 200
    assert ProgressReport.objects.get().value == 200


# --- Many drafts at once ----------------------------------------------------------------------


class _Undo(Exception):
    pass


REPORT_FIELDS = (
    "indicator__code",
    "region__code",
    "period_id",
    "value",
    "is_lower_bound",
    "note",
    "state",
    "review_comment",
    "version",
    "created_by",
    "updated_by",
    "submitted_by",
    "reviewed_by",
)
HISTORY_FIELDS = (*REPORT_FIELDS, "history_type", "history_user", "history_change_reason")


def snapshot() -> tuple[list, list]:
    """Every figure and history row, without ids and dates."""
    order = ("indicator__code", "region__code", "period_id")
    reports = list(ProgressReport.objects.order_by(*order).values_list(*REPORT_FIELDS))
    history = ProgressReport.history.model.objects.order_by(*order, "history_id")
    return reports, list(history.values_list(*HISTORY_FIELDS))


def outcome_of(apply) -> tuple[list, list]:
    """What `apply` leaves in the database, then undone so the next run starts alike."""
    try:
        with transaction.atomic():
            apply()
            result = snapshot()
            raise _Undo
    except _Undo:
        return result


@pytest.fixture
def mixed(skills_plan, gangqu, pinghu, open_2024, gangqu_reporter):
    """Figures in each state a save meets, and the entries a bulk save sends for them."""
    from programs.choices import IndicatorKind
    from tests.factories import IndicatorFactory

    trained, skilled, high = (
        Indicator.objects.get(code=code)
        for code in ("VT_TRAINED", "SKILLED_NEW", "HIGH_SKILLED_NEW")
    )
    college = IndicatorFactory(code="COLLEGE", unit="", kind=IndicatorKind.MILESTONE)
    tracked_in(gangqu, college)
    draft = save(gangqu_reporter, gangqu, open_2024, skilled, 700, note="初报")
    returned = report_in(S.RETURNED, indicator=high, region=gangqu, period=open_2024)
    returned.review_comment, returned.version = "请核实", 2
    returned.save()
    unchanged = save(gangqu_reporter, gangqu, open_2024, college, 0)

    def entry(indicator, value, version=None, note="", lower=False, region=gangqu):
        return services.Entry(
            indicator=indicator,
            region=region,
            period=open_2024,
            change=Change(value=Decimal(value), is_lower_bound=lower, note=note),
            version=version,
        )

    return [
        entry(trained, 1200, note="新增"),
        entry(skilled, 850, version=draft.version, note="复核后", lower=True),
        entry(high, returned.value, version=2),
        entry(college, 0, version=unchanged.version),
    ]


def test_a_bulk_save_leaves_what_saving_each_figure_leaves(gangqu_reporter, mixed):
    def one_by_one():
        for entry in mixed:
            services.report_save(
                user=gangqu_reporter,
                indicator=entry.indicator,
                region=entry.region,
                period=entry.period,
                change=entry.change,
                version=entry.version,
            )

    def at_once():
        result = services.report_save_many(user=gangqu_reporter, entries=mixed)
        assert (result.created, result.updated, result.unchanged) == (1, 2, 1)

    before = snapshot()
    expected = outcome_of(one_by_one)
    assert expected != before
    assert outcome_of(at_once) == expected


def test_a_bulk_save_lists_every_bad_entry_and_saves_nothing(gangqu_reporter, mixed):
    from dataclasses import replace

    bad = list(mixed)
    bad[0] = replace(bad[0], change=Change(value=Decimal("10.5")))
    bad[3] = replace(bad[3], change=Change(value=Decimal(2)))
    bad.append(replace(mixed[0]))
    before = snapshot()

    with translation.override("en"), pytest.raises(services.ItemErrors) as error:
        services.report_save_many(user=gangqu_reporter, entries=bad)

    assert [(item.index, item.field) for item in error.value.items] == [
        (0, "value"),
        (3, "value"),
        (4, "__all__"),
    ]
    assert error.value.items[1].message == "A milestone is 1 (done) or 0 (not done)."
    assert snapshot() == before


def test_a_bulk_save_with_a_stale_version_is_a_conflict_at_its_index(gangqu_reporter, mixed):
    from dataclasses import replace

    stale = [*mixed[:1], replace(mixed[1], version=mixed[1].version + 1), *mixed[2:]]
    before = snapshot()
    with pytest.raises(ConflictError) as conflict:
        services.report_save_many(user=gangqu_reporter, entries=stale)
    assert conflict.value.index == 1
    assert conflict.value.report.value == 700
    assert snapshot() == before


def test_a_bulk_save_needs_the_right_to_enter_every_region(pinghu_reporter, pinghu, mixed):
    from dataclasses import replace

    own = replace(mixed[0], region=pinghu)
    with pytest.raises(PermissionDenied) as denied:
        services.report_save_many(user=pinghu_reporter, entries=[own, mixed[0]])
    assert denied.value.index == 1
    assert not ProgressReport.objects.filter(region=pinghu).exists()


def test_a_bulk_save_refuses_a_closed_period_unless_reopened(
    gangqu_reporter, catalog_admin, gangqu, trained
):
    closed = PeriodFactory(
        year=2023,
        opens_at=timezone.now() - timedelta(days=400),
        deadline=timezone.now() - timedelta(days=1),
    )
    tracked_in(gangqu, trained, years=(2023, 2023))
    entry = services.Entry(
        indicator=trained, region=gangqu, period=closed, change=Change(value=Decimal(5))
    )
    with pytest.raises(services.ItemErrors) as error:
        services.report_save_many(user=gangqu_reporter, entries=[entry])
    assert [(item.index, item.field) for item in error.value.items] == [(0, "period")]
    services.period_reopen(
        user=catalog_admin,
        period=closed,
        region=gangqu,
        reason="补报",
        until=timezone.now() + timedelta(days=3),
    )
    assert services.report_save_many(user=gangqu_reporter, entries=[entry]).created == 1


def test_saves_lock_only_the_figures_rows_not_the_shared_catalog_rows(gangqu_reporter, mixed):
    """A row lock through the model's ordering or select_related would also lock the period, the
    region and the indicator — rows every other save and approval of them needs."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.report_save_many(user=gangqu_reporter, entries=mixed)
        report = ProgressReport.objects.get(indicator=mixed[0].indicator, period=mixed[0].period)
        services.report_submit(user=gangqu_reporter, report=report, version=report.version)
        services.report_save(
            user=gangqu_reporter,
            indicator=mixed[1].indicator,
            region=mixed[1].region,
            period=mixed[1].period,
            change=Change(value=Decimal(851), is_lower_bound=False, note=""),
            version=ProgressReport.objects.get(
                indicator=mixed[1].indicator, period=mixed[1].period
            ).version,
        )
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) >= 3
    for sql in locks:
        assert 'FOR UPDATE OF "programs_progressreport"' in sql, sql


def pdf(name="proof.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, b"%PDF-1.7 proof")
    upload.detected_type = "application/pdf"  # as EvidenceForm sets it after checking the bytes
    return upload


def test_evidence_is_added_by_the_regions_reporters_to_a_figure_not_yet_approved(
    gangqu_reporter, pinghu_reporter, gangqu, open_2024, trained
):
    report = report_in(S.DRAFT, indicator=trained, region=gangqu, period=open_2024)
    evidence = services.evidence_add(
        user=gangqu_reporter, report=report, upload=pdf(), is_public=True
    )
    assert (evidence.report, evidence.uploaded_by, evidence.original_name) == (
        report,
        gangqu_reporter,
        "proof.pdf",
    )
    with pytest.raises(PermissionDenied):
        services.evidence_add(user=pinghu_reporter, report=report, upload=pdf(), is_public=False)
    assert report.evidence.count() == 1


def test_an_approved_figures_evidence_is_not_added_to(gangqu_reporter, gangqu, open_2024, trained):
    report = report_in(S.APPROVED, indicator=trained, region=gangqu, period=open_2024)
    with translation.override("en"), pytest.raises(ValidationError, match="after a reopening"):
        services.evidence_add(user=gangqu_reporter, report=report, upload=pdf(), is_public=False)
    assert not report.evidence.exists()


def test_marking_notices_read_touches_only_ones_own_unread_notices(
    gangqu_reporter, pinghu_reporter, gangqu, open_2024, trained
):
    report = report_in(S.SUBMITTED, indicator=trained, region=gangqu, period=open_2024)
    earlier = timezone.now() - timedelta(days=2)
    old = Notification.objects.create(
        user=gangqu_reporter, report=report, kind="submitted", read_at=earlier
    )
    new = Notification.objects.create(user=gangqu_reporter, report=report, kind="submitted")
    other = Notification.objects.create(user=pinghu_reporter, report=report, kind="submitted")
    assert services.notices_read(user=gangqu_reporter) == 1
    old.refresh_from_db(), new.refresh_from_db(), other.refresh_from_db()
    assert old.read_at == earlier
    assert new.read_at is not None
    assert other.read_at is None
