"""Mass assignment: fields a form or payload does not own are ignored, never written.

Every write form and API payload is sent its normal fields plus state, region, version, authors,
reviewers, indicator and period with other values; the row ends as the service's rules say (the
state it moves to, the user who acted), the extras nowhere.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs.choices import ReportState
from programs.models import (
    Evidence,
    Indicator,
    Job,
    Notification,
    PeriodReopening,
    ProgressReport,
)
from tests.factories import PeriodFactory, ReportFactory, UserFactory
from tests.programs.test_entry_workbook import fill, post_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast(skills_plan, gangqu, pinghu, open_2024, gangqu_reporter, jiaxing_reviewer, zhengxiang):
    codes = ["VT_TRAINED", "SKILLED_NEW", "HIGH_SKILLED_NEW"]
    trained, skilled, high = (Indicator.objects.get(code=c) for c in codes)
    other = UserFactory(username="intruder")
    return {
        "region": gangqu,
        "elsewhere": zhengxiang,
        "period": open_2024,
        "other_period": PeriodFactory(year=2023),
        "program": skills_plan.program,
        "trained": trained,
        "skilled": skilled,
        "high": high,
        "reporter": gangqu_reporter,
        "reviewer": jiaxing_reviewer,
        "other": other,
    }


def extras(cast, prefix="") -> dict:
    """What no form or payload owns, pointing elsewhere."""
    other = cast["other"].pk
    fields = {
        "state": ReportState.APPROVED,
        "region": cast["elsewhere"].pk,
        "version": 99,
        "approved_by": other,
        "approved_at": "2020-01-01T00:00:00Z",
        "reviewed_by": other,
        "submitted_by": other,
        "created_by": other,
        "updated_by": other,
        "user": other,
        "indicator": cast["high"].pk,
        "period": cast["other_period"].pk,
    }
    return {f"{prefix}{key}": value for key, value in fields.items()}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def figure(cast, indicator="trained", state=ReportState.DRAFT, **fields):
    return ReportFactory(
        indicator=cast[indicator],
        region=cast["region"],
        period=cast["period"],
        state=state,
        **fields,
    )


def where(report) -> tuple:
    return (report.indicator_id, report.region_id, report.period_id)


# --- Forms ----------------------------------------------------------------------------------------


def test_the_entry_grid_saves_values_only(cast):
    draft = figure(cast, value=1100, created_by=cast["reporter"])
    home = where(draft)
    prefix = f"i{draft.indicator_id}-"
    data = {f"{prefix}value": "1150", f"{prefix}version": draft.version, "action": "save"}
    url = reverse(
        "programs:grid", args=[cast["region"].code, cast["period"].pk, cast["program"].pk]
    )
    response = client_for(cast["reporter"]).post(
        url, {**extras(cast), **extras(cast, prefix), **data}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.value, draft.state, draft.version) == (1150, ReportState.DRAFT, 2)
    assert where(draft) == home
    assert (draft.created_by, draft.updated_by) == (cast["reporter"], cast["reporter"])
    assert draft.reviewed_by is None and draft.submitted_by is None
    assert ProgressReport.objects.count() == 1


def test_the_excel_confirmation_saves_the_files_values_only(cast):
    client = client_for(cast["reporter"])
    args = [cast["region"].code, cast["period"].pk, cast["program"].pk]
    template = client.get(reverse("programs:excel_template", args=args)).content
    upload = reverse("programs:excel_upload", args=args)
    preview = post_file(client, upload, fill(template, {"VT_TRAINED": {"value": 1234}}))
    token = preview.context["token"]
    done = client.post(upload, {**extras(cast), "confirm": token})
    assert done.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.value, report.state, report.version) == (1234, ReportState.DRAFT, 1)
    assert where(report) == (cast["trained"].pk, cast["region"].pk, cast["period"].pk)
    assert report.created_by == cast["reporter"] and report.reviewed_by is None


def test_the_review_form_approves_as_the_reviewer(cast):
    submitted = figure(cast, state=ReportState.SUBMITTED, submitted_by=cast["reporter"])
    data = {**extras(cast), "approve": str(submitted.pk), "state": ReportState.RETURNED}
    url = reverse("programs:review", args=[cast["period"].pk])
    assert client_for(cast["reviewer"]).post(url, data).status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ReportState.APPROVED
    assert submitted.reviewed_by == cast["reviewer"] and submitted.submitted_by == cast["reporter"]
    assert where(submitted) == (cast["trained"].pk, cast["region"].pk, cast["period"].pk)


def test_a_reopening_goes_back_to_draft_whatever_state_is_sent(cast):
    approved = figure(cast, state=ReportState.APPROVED, value=900)
    data = {**extras(cast), "reason": "口径调整", "state": ReportState.SUBMITTED, "value": "1"}
    url = reverse("programs:report_reopen", args=[approved.pk])
    assert client_for(cast["reviewer"]).post(url, data).status_code == 302
    approved.refresh_from_db()
    assert (approved.state, approved.value) == (ReportState.DRAFT, 900)
    assert where(approved) == (cast["trained"].pk, cast["region"].pk, cast["period"].pk)


def test_evidence_goes_to_the_figure_of_the_url_by_its_uploader(cast):
    draft, elsewhere = figure(cast), figure(cast, indicator="skilled")
    data = {
        **extras(cast),
        "report": elsewhere.pk,
        "uploaded_by": cast["other"].pk,
        "original_name": "evil.exe",
        "content_type": "application/x-msdownload",
        "size": 1,
        "file": ContentFile(b"%PDF-1.4 proof", name="proof.pdf"),
    }
    url = reverse("programs:evidence_upload", args=[draft.pk])
    assert client_for(cast["reporter"]).post(url, data).status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.report, evidence.uploaded_by) == (draft, cast["reporter"])
    assert (evidence.original_name, evidence.content_type) == ("proof.pdf", "application/pdf")
    assert evidence.size == len(b"%PDF-1.4 proof")
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT


def test_a_period_reopening_is_recorded_for_the_url_period_by_the_admin(cast, catalog_admin):
    closed = PeriodFactory(year=2022)
    until = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        **extras(cast),
        "reopened_by": cast["other"].pk,
        "region_code": cast["region"].code,
        "reason": "补报",
        "until": until,
    }
    url = reverse("programs:period_reopen", args=[closed.pk])
    assert client_for(catalog_admin).post(url, data).status_code == 302
    reopening = PeriodReopening.objects.get()
    assert (reopening.period, reopening.region) == (closed, cast["region"])
    assert reopening.reopened_by == catalog_admin


def test_marking_notices_read_touches_only_ones_own(cast):
    report = figure(cast)
    mine = Notification.objects.create(user=cast["reporter"], kind="returned", report=report)
    theirs = Notification.objects.create(user=cast["other"], kind="returned", report=report)
    data = {**extras(cast), "user": cast["other"].pk, "read_at": "", "pk": theirs.pk}
    client_for(cast["reporter"]).post(reverse("programs:notifications"), data)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_jobs_belong_to_their_starter_with_the_forms_parameters(cast):
    client = client_for(cast["reporter"])
    data = {**extras(cast), "kind": "catalog_import", "params": "{}", "result": "x"}
    export = {**data, "region": cast["region"].code, "year_from": "2024", "year_to": "2024"}
    assert client.post(reverse("programs:export_start"), export).status_code == 302
    year = reverse("programs:year_report_start", args=[cast["region"].code])
    assert client.post(year, {**data, "year": "2024"}).status_code == 302
    jobs = list(Job.objects.order_by("pk"))
    assert [job.kind for job in jobs] == ["export", "year_report"]
    assert {job.user for job in jobs} == {cast["reporter"]}
    assert jobs[0].params == {"region": cast["region"].pk, "year_from": 2024, "year_to": 2024}
    assert jobs[1].params == {"region": cast["region"].pk, "year": 2024}


def test_an_export_of_a_region_outside_the_scope_is_refused_not_redirected(cast):
    data = {"region": cast["elsewhere"].code, "year_from": "2024", "year_to": "2024"}
    response = client_for(cast["reporter"]).post(reverse("programs:export_start"), data)
    assert response.status_code == 422
    assert not Job.objects.exists()


def test_a_catalog_import_confirmation_is_bound_to_its_signed_token(cast, catalog_admin):
    """The user, upload and program come from the signed token, never from the form."""
    data = {**extras(cast), "upload": "jobs/uploads/" + "a" * 32 + ".xlsx", "confirm": "forged"}
    response = client_for(catalog_admin).post(reverse("programs:catalog_import"), data)
    assert response.status_code == 400
    assert not Job.objects.exists()


# --- The API --------------------------------------------------------------------------------------


def api(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def api_extras(cast) -> dict:
    data = extras(cast)
    data["region"] = cast["elsewhere"].code
    data["indicator"] = cast["high"].code
    data["approved_by"] = data["reviewed_by"] = data["created_by"] = "intruder"
    data["review_comment"] = "pre-approved"
    return data


def test_api_create_takes_the_natural_key_and_the_inputs_only(cast):
    payload = {
        **api_extras(cast),
        "indicator": cast["trained"].code,
        "region": cast["region"].code,
        "period": cast["period"].pk,
        "value": "1150",
    }
    del payload["version"]
    response = post(api(cast["reporter"]), reverse("api:progress-list"), payload)
    assert response.status_code == 201, response.json()
    report = ProgressReport.objects.get()
    assert (report.state, report.version, report.review_comment) == (ReportState.DRAFT, 1, "")
    assert report.created_by == cast["reporter"] and report.reviewed_by is None


def test_api_patch_changes_the_inputs_only(cast):
    draft = figure(cast, value=1100)
    home = where(draft)
    payload = {**api_extras(cast), "value": "1150", "version": draft.version}
    response = api(cast["reporter"]).patch(
        reverse("api:progress-detail", args=[draft.pk]), payload, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    assert (draft.value, draft.state, draft.version) == (1150, ReportState.DRAFT, 2)
    assert where(draft) == home and draft.reviewed_by is None


@pytest.mark.parametrize(
    ("action", "start", "actor", "body", "end"),
    [
        ("submit", ReportState.DRAFT, "reporter", {}, ReportState.SUBMITTED),
        ("approve", ReportState.SUBMITTED, "reviewer", {}, ReportState.APPROVED),
        ("return", ReportState.SUBMITTED, "reviewer", {"comment": "请核实"}, ReportState.RETURNED),
        ("reopen", ReportState.APPROVED, "reviewer", {"reason": "口径调整"}, ReportState.DRAFT),
    ],
)
def test_api_actions_move_one_step_whatever_else_is_sent(cast, action, start, actor, body, end):
    report = figure(cast, state=start, value=1100, submitted_by=cast["reporter"])
    home, version = where(report), report.version
    payload = {**api_extras(cast), **body, "value": "1", "version": version}
    response = post(api(cast[actor]), reverse(f"api:progress-{action}", args=[report.pk]), payload)
    assert response.status_code == 200, response.json()
    report.refresh_from_db()
    assert (report.state, report.value, report.version) == (end, 1100, version + 1)
    assert where(report) == home
    assert report.updated_by == cast[actor]
    assert report.submitted_by == cast["reporter"]
    assert report.reviewed_by in (None, cast["reviewer"])


def test_api_bulk_items_take_the_inputs_only(cast):
    item = {
        **api_extras(cast),
        "region": cast["region"].code,
        "indicator": cast["trained"].code,
        "period": cast["period"].pk,
        "value": "1150",
    }
    del item["version"]
    payload = {"items": [item], "state": "approved", "user": cast["other"].pk}
    response = post(api(cast["reporter"]), reverse("api:progress-bulk"), payload)
    assert response.status_code == 200, response.json()
    report = ProgressReport.objects.get()
    assert (report.state, report.value, report.version) == (ReportState.DRAFT, 1150, 1)
    assert report.created_by == cast["reporter"] and report.reviewed_by is None
