"""Every route of the site outside the admin × method × actor: the expected status, and refusals
change nothing. The admin's matrix, and the check that every URL pattern of the site has its
expectations here or there, are in tests/test_site_matrix.py.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from programs.choices import JobKind, JobState, ReportState
from programs.models import (
    Correction,
    Evidence,
    Indicator,
    Job,
    Measure,
    Notification,
    PeriodReopening,
    Plan,
    PlanIndicator,
    PlanTag,
    Program,
    ProgressReport,
    ReportingPeriod,
    Target,
)
from regions.choices import Role
from regions.models import OfficialMembership, Region
from tests.factories import MembershipFactory, PeriodFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "reporter",
    "sibling_reporter",
    "reviewer_above",
    "reviewer_elsewhere",
    "catalog_admin",
    "superuser",
]
LOGIN = "login"  # a redirect to the sign-in page
# "302+" / "200+": the action is allowed and may change data; any other status is a refusal or a
# read, after which the database must be exactly as before.
ROUTES = {
    ("home", "GET"): (LOGIN, 200, 200, 200, 200, 200, 200),
    ("grid_start", "GET"): (LOGIN, 302, 404, 302, 404, 302, 302),
    ("grid", "GET"): (LOGIN, 200, 404, 200, 404, 200, 200),
    ("grid", "POST"): (LOGIN, "302+", 404, 403, 404, 403, "302+"),
    ("excel_template", "GET"): (LOGIN, 200, 404, 200, 404, 200, 200),
    ("excel_upload", "GET"): (LOGIN, 200, 404, 403, 404, 403, 200),
    ("excel_upload", "POST"): (LOGIN, 422, 404, 403, 404, 403, 422),  # no file: nothing to preview
    ("review_index", "GET"): (LOGIN, 403, 403, 200, 200, 403, 200),
    ("review", "GET"): (LOGIN, 403, 403, 200, 200, 403, 200),
    ("review", "POST"): (LOGIN, 403, 403, "302+", 302, 403, "302+"),
    ("report_list", "GET"): (LOGIN, 200, 200, 200, 200, 200, 200),  # each sees their own scope
    ("report", "GET"): (LOGIN, 200, 404, 200, 404, 200, 200),
    ("evidence_upload", "POST"): (LOGIN, "302+", 404, 403, 404, 403, "302+"),
    ("report_reopen", "POST"): (LOGIN, 403, 404, "302+", 404, 403, "302+"),
    ("evidence", "GET"): (404, 200, 404, 200, 404, 200, 200),
    ("period_reopen", "GET"): (LOGIN, 403, 403, 403, 403, 200, 200),
    ("period_reopen", "POST"): (LOGIN, 403, 403, 403, 403, "302+", "302+"),
    ("notifications", "GET"): (LOGIN, 200, 200, 200, 200, 200, 200),
    ("notifications", "POST"): (LOGIN, "302+", "302+", "302+", "302+", "302+", "302+"),
    ("jobs", "GET"): (LOGIN, 200, 200, 200, 200, 200, 200),
    ("job_status", "GET"): (LOGIN, 200, 200, 200, 200, 200, 200),
    ("job_download", "GET"): (LOGIN, 200, 404, 404, 404, 404, 404),  # the starter's alone
    ("export_start", "POST"): (LOGIN, "302+", 422, "302+", 422, "302+", "302+"),
    ("year_report_start", "POST"): (LOGIN, "302+", 404, "302+", 404, "302+", "302+"),
    ("catalog_import", "GET"): (LOGIN, 403, 403, 403, 403, 200, 200),
    ("catalog_import", "POST"): (LOGIN, 403, 403, 403, 403, 422, 422),  # no file: nothing to check
    ("catalog_import_template", "GET"): (LOGIN, 403, 403, 403, 403, 200, 200),
}


# The rest of the site, by its full route name.
PUBLIC = (200,) * 7
OTHER_ROUTES = {
    ("public:home", "GET"): PUBLIC,
    ("public:region_search", "GET"): PUBLIC,
    ("public:region", "GET"): PUBLIC,
    ("public:program", "GET"): PUBLIC,
    ("public:indicator", "GET"): PUBLIC,
    ("public:corrections", "GET"): PUBLIC,
    ("public:sitemap", "GET"): PUBLIC,
    ("public:accessibility", "GET"): PUBLIC,
    ("public:privacy", "GET"): PUBLIC,
    ("public:help", "GET"): PUBLIC,
    # Preferences are cookies: anyone sets them, by POST only, and no row changes.
    ("public:elder_mode", "GET"): (405,) * 7,
    ("public:elder_mode", "POST"): (302,) * 7,
    ("public:language", "GET"): (405,) * 7,
    ("public:language", "POST"): (302,) * 7,
    # The QR code of a page: 400 without a path (tests/programs/test_share.py draws them).
    ("public:qr_code", "GET"): (400,) * 7,
    ("public:qr_code", "POST"): (405,) * 7,
    ("set_language", "POST"): (302,) * 7,
    ("healthz", "GET"): PUBLIC,
    ("login", "GET"): PUBLIC,
    ("login", "POST"): PUBLIC,  # no credentials: the form again, nobody signed in
    ("logout", "GET"): (405,) * 7,
    ("logout", "POST"): (302,) * 7,
    ("schema", "GET"): PUBLIC,
    ("swagger-ui", "GET"): PUBLIC,
    ("nesting_server_data", "GET"): (403, 403, 403, 403, 403, 200, 200),  # the admin's: staff
}


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Thousands of requests, each with fresh users: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    Correction.objects.create(  # the public log has a row to show
        report=approved,
        old_value=approved.value - 1,
        new_value=approved.value,
        new_is_lower_bound=False,
        reason="口径调整",
        reopened_at=timezone.now(),
        approved_at=timezone.now(),
    )
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
        "indicator": trained,
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
        "superuser": lambda: request.getfixturevalue("superuser"),
    }
    if name != "anonymous":
        client.force_login(users[name]())
    return client


def url_for(route, world):
    if ":" in route or route in {name for name, _method in OTHER_ROUTES}:
        return other_url(route, world)
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


def other_url(route, world):
    args = {
        "public:region": [world["region"].code],
        "public:program": [world["program"].pk],
        "public:indicator": [world["indicator"].code],
    }.get(route, [])
    return reverse(route, args=args)


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
    if route in ("public:language", "set_language"):
        return {"language": "en"}
    if route == "public:elder_mode":
        return {"on": "1"}
    return {}


def _rows(model, *fields):
    return list(model.objects.order_by("pk").values_list("pk", *fields))


def snapshot():
    """Every row a request could change: figures and their history, files, notices, jobs, the
    catalog, users, their memberships, groups and tokens."""
    return (
        _rows(ProgressReport, "value", "state", "version", "note", "region", "updated_by"),
        ProgressReport.history.count(),
        _rows(Correction, "old_value", "new_value", "approved_at"),
        _rows(Evidence, "is_public", "file"),
        _rows(Notification, "read_at"),
        _rows(PeriodReopening, "until"),
        _rows(Job, "state"),
        _rows(Region, "code", "name", "parent", "path", "kind", "counted_in_parent"),
        _rows(Program, "region", "name", "start_year", "end_year"),
        _rows(Plan, "program", "name", "order"),
        _rows(Measure, "plan", "name", "milestone_state"),
        _rows(PlanIndicator, "plan", "indicator", "measure"),
        _rows(PlanTag, "name"),
        _rows(Indicator, "code", "name", "kind", "rollup"),
        _rows(ReportingPeriod, "opens_at", "deadline", "locked"),
        _rows(Target, "region", "value", "comparator", "plan"),
        Target.history.count(),
        _rows(get_user_model(), "username", "is_active", "is_staff", "is_superuser", "password"),
        _rows(OfficialMembership, "user", "region", "role", "includes_subregions"),
        _rows(Group, "name"),
        sorted(Group.permissions.through.objects.values_list("group", "permission")),
        sorted(get_user_model().groups.through.objects.values_list("user", "group")),
        Token.objects.count(),
        [model.objects.count() for model in (AccessAttempt, AccessLog, AccessFailureLog)],
    )


def check(response, expected, before):
    """The status the matrix expects; after anything but an allowed write ("…+"), no change."""
    if expected == LOGIN:
        assert response.status_code == 302, response.content[:500]
        assert response["Location"].startswith(reverse("login"))
    else:
        status = int(str(expected).rstrip("+"))
        assert response.status_code == status, response.content[:500]
    if not str(expected).endswith("+"):
        assert snapshot() == before, "a refused or read-only request changed the database"


CASES = [
    (route, method, actor, expected)
    for (route, method), statuses in {**ROUTES, **OTHER_ROUTES}.items()
    for actor, expected in zip(ACTORS, statuses, strict=True)
]


@pytest.mark.parametrize(("route", "method", "actor", "expected"), CASES)
def test_permission_matrix(request, world, route, method, actor, expected):
    client = actor_client(actor, world, request)
    url = url_for(route, world)
    before = snapshot()
    response = client.get(url) if method == "GET" else client.post(url, post_data(route, world))
    check(response, expected, before)


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


def test_the_snapshot_sees_catalog_and_account_changes(world):
    """A matrix whose snapshot missed a table could not catch a refused write to it."""
    before = snapshot()
    Target.objects.update(value=1)
    assert snapshot() != before
    before = snapshot()
    OfficialMembership.objects.update(role=Role.REVIEWER)
    assert snapshot() != before
    before = snapshot()
    get_user_model().objects.filter(username="gangqu").update(is_staff=True)
    assert snapshot() != before


# The API: the same access rules through DRF (session auth here; tokens are tested in test_api).
# Detail routes answer only the methods they implement (405), after authentication (401).
API_ROUTES = {
    ("token", "POST"): (400,) * 7,
    ("token", "DELETE"): (401, *("204+",) * 6),  # revokes the caller's own token
    ("progress-list", "GET"): (401, 200, 200, 200, 200, 200, 200),
    ("progress-list", "POST"): (401, "200+", 403, 403, 403, 403, "200+"),
    ("progress-detail", "GET"): (401, 200, 404, 200, 404, 200, 200),
    ("progress-detail", "PATCH"): (401, "200+", 404, 403, 404, 403, "200+"),
    ("progress-detail", "PUT"): (401, 405, 405, 405, 405, 405, 405),
    ("progress-detail", "DELETE"): (401, 405, 405, 405, 405, 405, 405),
    ("progress-submit", "POST"): (401, "200+", 404, 403, 404, 403, "200+"),
    ("progress-approve", "POST"): (401, 403, 404, "200+", 404, 403, "200+"),
    ("progress-return", "POST"): (401, 403, 404, "200+", 404, 403, "200+"),
    ("progress-reopen", "POST"): (401, 403, 404, "200+", 404, 403, "200+"),
    ("progress-bulk", "POST"): (401, "200+", 403, 403, 403, 403, "200+"),
    # Open data: anyone reads it (the viewsets are read-only: they route no other method).
    **{
        (route, "GET"): (200,) * 7
        for route in (
            "open-region-list",
            "open-region-detail",
            "open-region-summary",
            "open-program-list",
            "open-indicator-list",
            "open-target-list",
            "open-progress-list",
            "open-correction-list",
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
        "progress-bulk": None,
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
        ("progress-bulk", "POST"): {
            "items": [
                {
                    "region": world["region"].code,
                    "indicator": draft.indicator.code,
                    "period": world["period"].pk,
                    "value": "1150",
                    "version": draft.version,
                }
            ]
        },
        ("progress-detail", "PATCH"): {"value": "1150", "version": draft.version},
        ("progress-detail", "PUT"): {"value": "1150", "version": draft.version},
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
    check(response, expected, before)
