"""The rules of item "Rules" of issue 13, through the services and where officials meet them.

Nobody approves their own submission (superusers included); a required comment or reason must
show something; a period reopens for a bounded time; a figure only for an indicator a program of
its region (or above) tracks that year.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from programs import services
from programs.choices import ReportState
from programs.models import Indicator, PeriodReopening, ProgressReport
from programs.services import Change
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    ProgramFactory,
    ReportFactory,
    TargetFactory,
    tracked_in,
)

pytestmark = pytest.mark.django_db
S = ReportState
INVISIBLE = ["", "   ", "\u200b", "\u200c\u200d", "\ufeff", "\u2060", " \u200b\t\n\u3000", "\x00"]


@pytest.fixture
def trained(skills_plan):
    return Indicator.objects.get(code="VT_TRAINED")


def api_as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def browser_as(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def save(user, region, period, indicator, value=100, version=None, note=""):
    return services.report_save(
        user=user,
        indicator=indicator,
        region=region,
        period=period,
        change=Change(value=Decimal(value), note=note),
        version=version,
    )


def submitted(user, region, period, indicator, value=100):
    report = save(user, region, period, indicator, value)
    return services.report_submit(user=user, report=report)


# --- Nobody approves their own submission -------------------------------------------------


def test_a_superuser_cannot_approve_a_figure_they_submitted(superuser, gangqu, open_2024, trained):
    report = submitted(superuser, gangqu, open_2024, trained)
    with pytest.raises(PermissionDenied):
        services.report_approve(user=superuser, report=report)
    assert ProgressReport.objects.get().state == S.SUBMITTED


def test_another_superuser_approves_it(superuser, gangqu, open_2024, trained):
    from tests.factories import UserFactory

    report = submitted(superuser, gangqu, open_2024, trained)
    other = UserFactory(username="admin2", is_superuser=True, is_staff=True)
    assert services.report_approve(user=other, report=report).state == S.APPROVED


def test_the_api_refuses_a_superusers_approval_of_their_own_figure(
    superuser, gangqu, open_2024, trained
):
    report = submitted(superuser, gangqu, open_2024, trained)
    response = api_as(superuser).post(f"/api/v1/progress/{report.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    assert ProgressReport.objects.get().state == S.SUBMITTED


@pytest.mark.parametrize("button", ["approve", "approve_all", "approve_selected"])
def test_the_review_page_refuses_a_superusers_approval_of_their_own_figure(
    superuser, gangqu, open_2024, trained, button
):
    report = submitted(superuser, gangqu, open_2024, trained)
    pk = str(report.pk)
    data = {"shown": [pk], "selected": [pk], f"version_{pk}": str(report.version), button: pk}
    url = reverse("programs:review", args=[open_2024.pk])
    page = browser_as(superuser).post(url, data, follow=True).content.decode()
    assert "You cannot approve a figure you submitted yourself." in page
    assert ProgressReport.objects.get().state == S.SUBMITTED


# --- Required texts must show something -----------------------------------------------------


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_text_is_no_text(text):
    from programs.text import has_visible_text, visible

    assert not has_visible_text(text)
    assert visible(text) == ""


@pytest.mark.parametrize("text", ["请核实", "a", " x\u200b", "0", "—"])
def test_any_character_that_shows_is_text(text):
    from programs.text import has_visible_text

    assert has_visible_text(text)


@pytest.mark.parametrize("text", INVISIBLE)
def test_returning_needs_a_comment_that_shows(
    gangqu_reporter, jiaxing_reviewer, gangqu, open_2024, trained, text
):
    report = submitted(gangqu_reporter, gangqu, open_2024, trained)
    with pytest.raises(ValidationError) as refused:
        services.report_return(user=jiaxing_reviewer, report=report, comment=text)
    assert "comment" in refused.value.message_dict
    assert ProgressReport.objects.get().state == S.SUBMITTED


@pytest.fixture
def approved(gangqu_reporter, jiaxing_reviewer, gangqu, open_2024, trained):
    report = submitted(gangqu_reporter, gangqu, open_2024, trained)
    return services.report_approve(user=jiaxing_reviewer, report=report)


@pytest.mark.parametrize("text", INVISIBLE)
def test_reopening_a_figure_needs_a_reason_that_shows(jiaxing_reviewer, approved, text):
    with pytest.raises(ValidationError) as refused:
        services.report_reopen(user=jiaxing_reviewer, report=approved, reason=text)
    assert "reason" in refused.value.message_dict
    assert ProgressReport.objects.get().state == S.APPROVED


def test_the_api_refuses_a_zero_width_return_comment_and_reopen_reason(
    gangqu_reporter, jiaxing_reviewer, gangqu, open_2024, trained, approved
):
    api = api_as(jiaxing_reviewer)
    response = api.post(
        f"/api/v1/progress/{approved.pk}/reopen/", {"reason": "\u200b"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert ProgressReport.objects.get().state == S.APPROVED
    other = submitted(gangqu_reporter, gangqu, open_2024, Indicator.objects.get(code="SKILLED_NEW"))
    response = api.post(
        f"/api/v1/progress/{other.pk}/return/", {"comment": "\u200b\ufeff"}, format="json"
    )
    assert response.status_code == 400
    assert "comment" in response.json()
    assert ProgressReport.objects.get(pk=other.pk).state == S.SUBMITTED


def test_the_review_page_refuses_a_zero_width_return_comment(
    gangqu_reporter, jiaxing_reviewer, gangqu, open_2024, trained
):
    report = submitted(gangqu_reporter, gangqu, open_2024, trained)
    pk = str(report.pk)
    data = {"shown": [pk], "return": pk, f"comment_{pk}": "\u200b", f"version_{pk}": "2"}
    url = reverse("programs:review", args=[open_2024.pk])
    page = browser_as(jiaxing_reviewer).post(url, data, follow=True).content.decode()
    assert "Say what needs correcting" in page
    assert ProgressReport.objects.get().state == S.SUBMITTED


def test_the_figure_page_refuses_a_zero_width_reopen_reason(jiaxing_reviewer, approved):
    url = reverse("programs:report_reopen", args=[approved.pk])
    page = browser_as(jiaxing_reviewer).post(url, {"reason": "\u200b"}, follow=True)
    assert "Give the reason for reopening an approved figure." in page.content.decode()
    assert ProgressReport.objects.get().state == S.APPROVED


def test_a_big_change_needs_a_note_that_shows(gangqu_reporter, gangqu, open_2024, trained):
    last_year = PeriodFactory(year=2023)
    ReportFactory(indicator=trained, region=gangqu, period=last_year, value=10, state=S.APPROVED)
    report = save(gangqu_reporter, gangqu, open_2024, trained, 1000, note="\u200b\u2060")
    with pytest.raises(ValidationError) as refused:
        services.report_submit(user=gangqu_reporter, report=report)
    assert "note" in refused.value.message_dict


# --- A period reopens for a bounded time ----------------------------------------------------


@pytest.fixture
def closed(db):
    return PeriodFactory(
        year=2023,
        opens_at=timezone.now() - timedelta(days=400),
        deadline=timezone.now() - timedelta(days=1),
    )


def reopen(user, period, region, *, reason="补报", until):
    return services.period_reopen(
        user=user, period=period, region=region, reason=reason, until=until
    )


@pytest.mark.parametrize("text", INVISIBLE)
def test_reopening_a_period_needs_a_reason_that_shows(catalog_admin, closed, gangqu, text):
    with pytest.raises(ValidationError) as refused:
        reopen(catalog_admin, closed, gangqu, reason=text, until=timezone.now() + timedelta(days=3))
    assert "reason" in refused.value.message_dict
    assert not PeriodReopening.objects.exists()


def test_a_period_is_not_reopened_until_the_end_of_time(catalog_admin, closed, gangqu):
    forever = datetime(9999, 12, 31, 23, 59, tzinfo=timezone.get_current_timezone())
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        reopen(catalog_admin, closed, gangqu, until=forever)
    assert refused.value.message_dict["until"] == ["A reopening lasts at most 365 days."]
    assert not PeriodReopening.objects.exists()


def test_a_reopening_of_up_to_max_reopen_days_is_taken(catalog_admin, closed, gangqu, settings):
    settings.MAX_REOPEN_DAYS = 10
    with pytest.raises(ValidationError):
        reopen(catalog_admin, closed, gangqu, until=timezone.now() + timedelta(days=10, hours=1))
    reopening = reopen(catalog_admin, closed, gangqu, until=timezone.now() + timedelta(days=9))
    assert PeriodReopening.objects.get() == reopening


@pytest.mark.parametrize(
    ("reason", "until", "field", "message"),
    [
        ("补报", "9999-12-31T23:59", "until", "A reopening lasts at most 365 days."),
        ("\u200b", None, "reason", "This field is required."),
    ],
)
def test_the_reopen_page_refuses_an_endless_or_reasonless_reopening(
    catalog_admin, closed, gangqu, reason, until, field, message
):
    until = until or (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("programs:period_reopen", args=[closed.pk])
    data = {"region_code": gangqu.code, "reason": reason, "until": until}
    response = browser_as(catalog_admin).post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not PeriodReopening.objects.exists()


def test_the_admin_adds_and_changes_no_reopening(admin_client_en, catalog_admin, closed, gangqu):
    """Reopenings are made on the site only, where the bound applies."""
    from tests.factories import UserFactory

    superuser = browser_as(UserFactory(username="root", is_superuser=True, is_staff=True))
    for client in (admin_client_en, superuser):
        add = client.get(reverse("admin:programs_periodreopening_add"))
        assert add.status_code == 403
    reopening = reopen(catalog_admin, closed, gangqu, until=timezone.now() + timedelta(days=3))
    url = reverse("admin:programs_periodreopening_change", args=[reopening.pk])
    before = reopening.until
    superuser.post(url, {"until_0": "9999-12-31", "until_1": "23:59", "reason": "x"})
    reopening.refresh_from_db()
    assert reopening.until == before


# --- A figure only for an indicator its region's programs track -------------------------


@pytest.fixture
def untracked(db):
    return IndicatorFactory(code="NOT_TRACKED", name="无人跟踪的指标")


def test_a_figure_of_an_indicator_no_program_tracks_is_refused(
    gangqu_reporter, gangqu, open_2024, untracked
):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        save(gangqu_reporter, gangqu, open_2024, untracked)
    assert refused.value.message_dict["indicator"] == [
        "No program of 嘉兴港区 or above tracks the indicator NOT_TRACKED in 2024: "
        "figures are entered only for the indicators of its programs."
    ]
    assert not ProgressReport.objects.exists()


def test_the_refusal_is_in_chinese_first(gangqu_reporter, gangqu, open_2024, untracked):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        save(gangqu_reporter, gangqu, open_2024, untracked)
    assert "NOT_TRACKED" in refused.value.message_dict["indicator"][0]
    assert "计划" in refused.value.message_dict["indicator"][0]


def test_a_program_above_the_region_tracks_the_indicator_there(
    gangqu_reporter, zhejiang, gangqu, open_2024, untracked
):
    tracked_in(zhejiang, untracked, years=(2024, 2024))
    assert save(gangqu_reporter, gangqu, open_2024, untracked).value == 100


def test_a_target_set_for_the_region_tracks_the_indicator(
    gangqu_reporter, gangqu, open_2024, untracked
):
    TargetFactory(indicator=untracked, region=gangqu, period=open_2024)
    assert save(gangqu_reporter, gangqu, open_2024, untracked).value == 100


def test_a_program_of_another_year_below_or_beside_does_not_track_it(
    gangqu_reporter, pinghu, gangqu, jiaxing, open_2024, untracked
):
    tracked_in(jiaxing, untracked, years=(2020, 2023))  # above, but over before 2024
    tracked_in(pinghu, untracked)  # a sibling's
    TargetFactory(indicator=untracked, region=pinghu, period=open_2024)  # the sibling's target
    ProgramFactory(region=gangqu, start_year=2024, end_year=2024)  # gangqu's, without it
    with pytest.raises(ValidationError):
        save(gangqu_reporter, gangqu, open_2024, untracked)


def test_a_bulk_save_refuses_the_untracked_items_at_their_index(
    gangqu_reporter, gangqu, open_2024, trained, untracked
):
    entries = [
        services.Entry(indicator=indicator, region=gangqu, period=open_2024, change=Change(5))
        for indicator in (trained, untracked)
    ]
    with pytest.raises(services.ItemErrors) as refused:
        services.report_save_many(user=gangqu_reporter, entries=entries)
    assert [(item.index, item.field) for item in refused.value.items] == [(1, "indicator")]
    assert not ProgressReport.objects.exists()


def test_the_api_refuses_an_untracked_figure_and_the_public_page_never_shows_it(
    gangqu_reporter, jiaxing_reviewer, gangqu, open_2024, trained, untracked
):
    """The finding: a reporter filed a figure for any library indicator, and once approved it
    showed on the public page."""
    api = api_as(gangqu_reporter)
    item = {"region": gangqu.code, "period": open_2024.pk, "value": "98765"}
    response = api.post("/api/v1/progress/", {**item, "indicator": untracked.code}, format="json")
    assert response.status_code == 400
    assert "indicator" in response.json()
    bulk = {"items": [{**item, "indicator": trained.code}, {**item, "indicator": untracked.code}]}
    response = api.post("/api/v1/progress/bulk/", bulk, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "indicator")]
    assert not ProgressReport.objects.exists()
    page = Client().get(reverse("public:region", args=[gangqu.code]), {"year": 2024})
    assert "98765" not in page.content.decode() and "NOT_TRACKED" not in page.content.decode()


def test_a_figure_filed_before_the_check_is_not_approved(
    gangqu_reporter, jiaxing_reviewer, gangqu, open_2024, untracked
):
    """A submitted figure of an untracked indicator stored before figures were checked against
    the programs is refused at approval: it never reaches the public page."""
    report = ReportFactory(
        indicator=untracked,
        region=gangqu,
        period=open_2024,
        value=98765,
        state=ReportState.SUBMITTED,
        submitted_by=gangqu_reporter,
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.report_approve(user=jiaxing_reviewer, report=report)
    assert "NOT_TRACKED" in refused.value.message_dict["indicator"][0]
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
