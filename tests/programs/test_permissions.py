"""Every officials' route × method × actor: the expected status, and refusals change nothing.

A route of the `programs` URL namespace missing from ROUTES fails test_every_route_is_in_the_matrix.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from programs.choices import JobKind, JobState, ReportState
from programs.models import (
    Evidence,
    Indicator,
    Job,
    Notification,
    PeriodReopening,
    ProgressReport,
)
from regions.choices import Role
from tests.factories import MembershipFactory, PeriodFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "reporter",
    "sibling_reporter",
    "reviewer_above",
    "reviewer_elsewhere",
    "catalog_admin",
]
LOGIN = "login"  # a redirect to the sign-in page
# "302+" / "200+": the action is allowed and may change data; any other status is a refusal or a
# read, after which the database must be exactly as before.
ROUTES = {
    ("home", "GET"): (LOGIN, 200, 200, 200, 200, 200),
    ("grid_start", "GET"): (LOGIN, 302, 404, 302, 404, 302),
    ("grid", "GET"): (LOGIN, 200, 404, 200, 404, 200),
    ("grid", "POST"): (LOGIN, "302+", 404, 403, 404, 403),
    ("excel_template", "GET"): (LOGIN, 200, 404, 200, 404, 200),
    ("excel_upload", "GET"): (LOGIN, 200, 404, 403, 404, 403),
    ("excel_upload", "POST"): (LOGIN, 422, 404, 403, 404, 403),  # no file: nothing to preview
    ("review_index", "GET"): (LOGIN, 403, 403, 200, 200, 403),
    ("review", "GET"): (LOGIN, 403, 403, 200, 200, 403),
    ("review", "POST"): (LOGIN, 403, 403, "302+", 302, 403),
    ("report_list", "GET"): (LOGIN, 200, 200, 200, 200, 200),  # each sees their own scope
    ("report", "GET"): (LOGIN, 200, 404, 200, 404, 200),
    ("evidence_upload", "POST"): (LOGIN, "302+", 404, 403, 404, 403),
    ("report_reopen", "POST"): (LOGIN, 403, 404, "302+", 404, 403),
    ("evidence", "GET"): (404, 200, 404, 200, 404, 200),
    ("period_reopen", "GET"): (LOGIN, 403, 403, 403, 403, 200),
    ("period_reopen", "POST"): (LOGIN, 403, 403, 403, 403, "302+"),
    ("notifications", "GET"): (LOGIN, 200, 200, 200, 200, 200),
    ("notifications", "POST"): (LOGIN, "302+", "302+", "302+", "302+", "302+"),
    ("jobs", "GET"): (LOGIN, 200, 200, 200, 200, 200),
    ("job_status", "GET"): (LOGIN, 200, 200, 200, 200, 200),
    ("job_download", "GET"): (LOGIN, 200, 404, 404, 404, 404),  # the starter's alone
    ("export_start", "POST"): (LOGIN, "302+", 422, "302+", 422, "302+"),
    ("year_report_start", "POST"): (LOGIN, "302+", 404, "302+", 404, "302+"),
    ("catalog_import", "GET"): (LOGIN, 403, 403, 403, 403, 200),
    ("catalog_import", "POST"): (LOGIN, 403, 403, 403, 403, 422),  # no file: nothing to check
    ("catalog_import_template", "GET"): (LOGIN, 403, 403, 403, 403, 200),
}


@pytest.fixture
def world(skills_plan, gangqu, open_2024, zhengxiang, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    codes = ["VT_TRAINED", "SKILLED_NEW", "HIGH_SKILLED_NEW"]
    trained, skilled, high = (Indicator.objects.get(code=c) for c in codes)
    reporter = MembershipFactory(user=UserFactory(username="gangqu"), region=gangqu).user
    draft = ReportFactory(indicator=trained, region=gangqu, period=open_2024, value=1100)
    submitted = ReportFactory(
        indicator=skilled,
        region=gangqu,
        period=open_2024,
        state=ReportState.SUBMITTED,
        submitted_by=reporter,
    )
    approved = ReportFactory(
        indicator=high, region=gangqu, period=open_2024, state=ReportState.APPROVED
    )
    evidence = Evidence.objects.create(
        report=draft,
        file=ContentFile(b"%PDF-1.4 demo", name="proof.pdf"),
        original_name="proof.pdf",
        content_type="application/pdf",
        size=13,
    )
    Notification.objects.create(user=reporter, kind="returned", report=draft)
    job = Job.objects.create(
        user=reporter, kind=JobKind.EXPORT, title="export", state=JobState.DONE, progress=100
    )
    job.result.save("result.xlsx", ContentFile(b"PK\x03\x04 export"), save=False)
    job.result_name = "export.xlsx"
    job.save()
    return {
        "job": job,
        "program": skills_plan.program,
        "period": open_2024,
        "closed": PeriodFactory(year=2022),
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "evidence": evidence,
        "reporter": reporter,
        "region": gangqu,
        "elsewhere": zhengxiang.parent,
    }


def actor_client(name, world, request) -> Client:
    client = Client()
    users = {
        "reporter": lambda: world["reporter"],
        "sibling_reporter": lambda: request.getfixturevalue("pinghu_reporter"),
        "reviewer_above": lambda: request.getfixturevalue("jiaxing_reviewer"),
        "reviewer_elsewhere": lambda: (
            MembershipFactory(
                region=world["elsewhere"], role=Role.REVIEWER, includes_subregions=True
            ).user
        ),
        "catalog_admin": lambda: request.getfixturevalue("catalog_admin"),
    }
    if name != "anonymous":
        client.force_login(users[name]())
    return client


def url_for(route, world):
    region, period, program = world["region"].code, world["period"].pk, world["program"].pk
    args = {
        "home": [],
        "grid_start": [region, period],
        "grid": [region, period, program],
        "excel_template": [region, period, program],
        "excel_upload": [region, period, program],
        "review_index": [],
        "review": [period],
        "report_list": [],
        "report": [world["draft"].pk],
        "evidence_upload": [world["draft"].pk],
        "report_reopen": [world["approved"].pk],
        "evidence": [world["evidence"].pk],
        "period_reopen": [world["closed"].pk],
        "notifications": [],
        "jobs": [],
        "job_status": [],
        "job_download": [world["job"].pk],
        "export_start": [],
        "year_report_start": [world["region"].code],
        "catalog_import": [],
        "catalog_import_template": [],
    }[route]
    return reverse(f"programs:{route}", args=args)


def post_data(route, world):
    draft = world["draft"]
    if route == "grid":
        prefix = f"i{draft.indicator_id}"
        return {f"{prefix}-value": "1150", f"{prefix}-version": draft.version, "action": "save"}
    if route == "review":
        return {"approve": str(world["submitted"].pk)}
    if route == "evidence_upload":
        return {"file": ContentFile(b"%PDF-1.4 more", name="more.pdf")}
    if route == "report_reopen":
        return {"reason": "口径调整"}
    if route == "export_start":
        return {"region": world["region"].code, "year_from": "2024", "year_to": "2024"}
    if route == "year_report_start":
        return {"year": "2024"}
    if route == "period_reopen":
        until = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        return {"region_code": world["region"].code, "reason": "补报", "until": until}
    return {}


def snapshot():
    return (
        list(ProgressReport.objects.order_by("pk").values_list("pk", "value", "state", "version")),
        ProgressReport.history.count(),
        Evidence.objects.count(),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        PeriodReopening.objects.count(),
        Job.objects.count(),
    )


CASES = [
    (route, method, actor, expected)
    for (route, method), statuses in ROUTES.items()
    for actor, expected in zip(ACTORS, statuses, strict=True)
]


@pytest.mark.parametrize(("route", "method", "actor", "expected"), CASES)
def test_permission_matrix(request, world, route, method, actor, expected):
    client = actor_client(actor, world, request)
    url = url_for(route, world)
    before = snapshot()
    response = client.get(url) if method == "GET" else client.post(url, post_data(route, world))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        status = int(str(expected).rstrip("+"))
        assert response.status_code == status, response.content[:500]
    if not str(expected).endswith("+"):
        assert snapshot() == before, "a refused or read-only request changed the database"


def test_allowed_writes_really_change_something(request, world):
    """The '+' cases are not vacuous: each allowed write does what it says."""
    reporter = actor_client("reporter", world, request)
    reporter.post(url_for("grid", world), post_data("grid", world))
    world["draft"].refresh_from_db()
    assert world["draft"].value == 1150
    reviewer = actor_client("reviewer_above", world, request)
    reviewer.post(url_for("review", world), post_data("review", world))
    world["submitted"].refresh_from_db()
    assert world["submitted"].state == ReportState.APPROVED


def test_every_route_is_in_the_matrix():
    _prefix, programs = get_resolver().namespace_dict["programs"]
    names = {name for name in programs.reverse_dict if isinstance(name, str)}
    assert names == {route for route, _ in ROUTES}


# The API: the same access rules through DRF (session auth here; tokens are tested in test_api).
API_ROUTES = {
    ("token", "POST"): (400, 400, 400, 400, 400, 400),
    ("progress-list", "GET"): (401, 200, 200, 200, 200, 200),
    ("progress-list", "POST"): (401, "200+", 403, 403, 403, 403),
    ("progress-detail", "GET"): (401, 200, 404, 200, 404, 200),
    ("progress-detail", "PATCH"): (401, "200+", 404, 403, 404, 403),
    ("progress-submit", "POST"): (401, "200+", 404, 403, 404, 403),
    ("progress-approve", "POST"): (401, 403, 404, "200+", 404, 403),
    ("progress-return", "POST"): (401, 403, 404, "200+", 404, 403),
    ("progress-reopen", "POST"): (401, 403, 404, "200+", 404, 403),
    # Open data: anyone reads it.
    **{
        (route, "GET"): (200,) * 6
        for route in (
            "open-region-list",
            "open-region-detail",
            "open-region-summary",
            "open-program-list",
            "open-indicator-list",
            "open-target-list",
            "open-progress-list",
        )
    },
}


def api_request(route, method, world):
    if route.startswith("open-"):
        by_region = route in ("open-region-detail", "open-region-summary")
        return reverse(f"api:{route}", args=[world["region"].code] if by_region else []), {}
    draft, submitted, approved = world["draft"], world["submitted"], world["approved"]
    target = {
        "token": None,
        "progress-list": None,
        "progress-detail": draft,
        "progress-submit": draft,
        "progress-approve": submitted,
        "progress-return": submitted,
        "progress-reopen": approved,
    }[route]
    url = reverse(f"api:{route}", args=[target.pk] if target else [])
    data = {
        ("progress-list", "POST"): {
            "indicator": draft.indicator.code,
            "region": world["region"].code,
            "period": world["period"].pk,
            "value": "1150",
            "version": draft.version,
        },
        ("progress-detail", "PATCH"): {"value": "1150", "version": draft.version},
        ("progress-return", "POST"): {"comment": "请核实"},
        ("progress-reopen", "POST"): {"reason": "口径调整"},
    }.get((route, method), {})
    return url, data


API_CASES = [
    (route, method, actor, expected)
    for (route, method), statuses in API_ROUTES.items()
    for actor, expected in zip(ACTORS, statuses, strict=True)
]


@pytest.mark.parametrize(("route", "method", "actor", "expected"), API_CASES)
def test_api_permission_matrix(request, world, route, method, actor, expected):
    client = actor_client(actor, world, request)
    url, data = api_request(route, method, world)
    before = snapshot()
    call = getattr(client, method.lower())
    response = call(url, data, content_type="application/json") if method != "GET" else call(url)
    assert response.status_code == int(str(expected).rstrip("+")), response.content[:300]
    if not str(expected).endswith("+"):
        assert snapshot() == before, "a refused or read-only API call changed the database"


def test_every_api_route_is_in_the_matrix():
    _prefix, api = get_resolver().namespace_dict["api"]
    names = {name for name in api.reverse_dict if isinstance(name, str)}
    assert names == {route for route, _ in API_ROUTES}
