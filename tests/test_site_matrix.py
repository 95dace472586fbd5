"""The whole site's permission matrix: every URL pattern has expected statuses per actor.

The officials' and public routes and the API are in tests/programs/test_permissions.py; the admin's
are here, generated per registered model from the policy it is given in ADMIN_MODELS (a model
registered in the admin without a policy fails). test_every_url_pattern_is_in_the_matrix walks the
root URL resolver: a new pattern without expectations, or a stale expectation, fails it.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import TokenProxy

from programs.models import Evidence, Notification, PeriodReopening, PlanTag, Program, Target
from regions.choices import Role
from regions.models import OfficialMembership, Region
from tests.factories import (
    IndicatorFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    ProgramFactory,
    RegionFactory,
    ReportFactory,
    TargetFactory,
)
from tests.programs.test_permissions import (
    ACTORS,
    API_ROUTES,
    OTHER_ROUTES,
    ROUTES,
    actor_client,
    quick_passwords,  # noqa: F401 (a fixture)
    snapshot,
    world,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "admin login"  # a redirect to the admin's sign-in page
STAFF = ("catalog_admin", "superuser")  # the only actors with is_staff; the others are officials
P = "302+"  # an allowed write

# (route kind, method, which row) → (catalog admin of 浙江, superuser). Officials without is_staff
# and anonymous visitors are sent to the admin's sign-in page everywhere. "here" is a row in the
# catalog admin's regions (嘉兴港区), "elsewhere" one outside them (衡阳); rows outside the scope
# are not found (Django's admin answers 302 to its index; simple-history's pages 403). Empty POST
# bodies: an allowed form shows its errors (200) and saves nothing.
CATALOG = {  # region-bound catalog rows: a catalog admin edits those of their regions
    ("changelist", "GET", "-"): (200, 200),
    ("changelist", "POST", "elsewhere"): (302, P),  # "delete selected" of a row elsewhere
    ("add", "GET", "-"): (200, 200),
    ("add", "POST", "-"): (200, 200),
    ("change", "GET", "here"): (200, 200),
    ("change", "GET", "elsewhere"): (302, 200),
    ("change", "POST", "here"): (200, 200),
    ("change", "POST", "elsewhere"): (302, 200),
    ("delete", "GET", "here"): (200, 200),
    ("delete", "GET", "elsewhere"): (302, 200),
    ("delete", "POST", "here"): (P, P),
    ("delete", "POST", "elsewhere"): (302, P),
    ("history", "GET", "here"): (200, 200),
    ("history", "GET", "elsewhere"): (302, 200),
}
CATALOG_WITH_HISTORY = {  # the same, with simple-history's pages
    **CATALOG,
    ("history", "GET", "elsewhere"): (403, 200),
    ("simple_history", "GET", "here"): (200, 200),
    ("simple_history", "GET", "elsewhere"): (403, 200),
    ("simple_history", "POST", "here"): (P, P),  # a valid body: reverted
    ("simple_history", "POST", "elsewhere"): (403, P),
}
FIGURES = {  # progress figures: read-only for everyone, in scope (they change through services)
    ("changelist", "GET", "-"): (200, 200),
    ("changelist", "POST", "elsewhere"): (200, 200),  # no "delete selected" to choose
    ("add", "GET", "-"): (403, 403),
    ("add", "POST", "-"): (403, 403),
    ("change", "GET", "here"): (200, 200),
    ("change", "GET", "elsewhere"): (302, 200),
    ("change", "POST", "here"): (403, 403),
    ("change", "POST", "elsewhere"): (403, 403),  # refused before the row is looked up
    ("delete", "GET", "here"): (403, 403),
    ("delete", "GET", "elsewhere"): (403, 403),
    ("delete", "POST", "here"): (403, 403),
    ("delete", "POST", "elsewhere"): (403, 403),
    ("history", "GET", "here"): (200, 200),
    ("history", "GET", "elsewhere"): (403, 200),
    ("simple_history", "GET", "here"): (200, 200),
    ("simple_history", "GET", "elsewhere"): (403, 200),
    # The revert form (a valid body here) saves nothing either.
    ("simple_history", "POST", "here"): (403, 403),
    ("simple_history", "POST", "elsewhere"): (403, 403),
}
RECORDS = {  # period reopenings: read in scope; only a superuser removes one
    **{key: value for key, value in FIGURES.items() if key[0] != "simple_history"},
    ("changelist", "POST", "elsewhere"): (200, P),
    ("delete", "GET", "here"): (403, 200),
    ("delete", "GET", "elsewhere"): (403, 200),
    ("delete", "POST", "here"): (403, P),
    ("delete", "POST", "elsewhere"): (403, P),
    ("history", "GET", "elsewhere"): (302, 200),
}
EVIDENCE = {  # read in scope; a superuser changes whether it is public, or removes it
    **RECORDS,
    ("change", "POST", "here"): (403, P),
    ("change", "POST", "elsewhere"): (403, P),
}
LIBRARY = {  # shared by every region: read and added by catalog admins, changed by superusers
    ("changelist", "GET", "-"): (200, 200),
    ("changelist", "POST", "elsewhere"): (200, P),
    ("add", "GET", "-"): (200, 200),
    ("add", "POST", "-"): (200, 200),
    ("change", "GET", "here"): (200, 200),
    ("change", "POST", "here"): (403, 200),
    ("delete", "GET", "here"): (403, 200),
    ("delete", "POST", "here"): (403, P),
    ("history", "GET", "here"): (200, 200),
}
PERIODS = {  # the reporting calendar: a new period opens entry everywhere, so superusers add
    **LIBRARY,
    ("add", "GET", "-"): (403, 200),
    ("add", "POST", "-"): (403, 200),
}
SUPERUSERS = {  # accounts, tokens, sign-in records, other users' notices
    ("changelist", "GET", "-"): (403, 200),
    ("changelist", "POST", "elsewhere"): (403, P),
    ("add", "GET", "-"): (403, 200),
    ("add", "POST", "-"): (403, 200),
    ("change", "GET", "here"): (403, 200),
    ("change", "POST", "here"): (403, 200),
    ("delete", "GET", "here"): (403, 200),
    ("delete", "POST", "here"): (403, P),
    ("history", "GET", "here"): (403, 200),
}
NOTICES = {**SUPERUSERS, ("add", "GET", "-"): (403, 403), ("add", "POST", "-"): (403, 403)}
NOTICES[("change", "POST", "here")] = (403, 403)
# django-axes: written by sign-ins; superusers read them (fields read-only) and clear them.
SIGN_IN_RECORDS = {**NOTICES, ("change", "POST", "here"): (403, 302)}
USERS = {
    **SUPERUSERS,
    ("password_change", "GET", "here"): (403, 200),
    ("password_change", "POST", "here"): (403, 200),  # empty: errors, no change
}
ADMIN_MODELS = {
    "regions.region": CATALOG,
    "regions.officialmembership": CATALOG,
    "programs.program": CATALOG,
    "programs.plan": CATALOG,
    "programs.measure": CATALOG_WITH_HISTORY,
    "programs.target": CATALOG_WITH_HISTORY,
    "programs.progressreport": FIGURES,
    "programs.periodreopening": RECORDS,
    "programs.evidence": EVIDENCE,
    "programs.indicator": LIBRARY,
    "programs.plantag": LIBRARY,
    "programs.reportingperiod": PERIODS,
    "programs.notification": NOTICES,
    "auth.user": USERS,
    "auth.group": SUPERUSERS,
    # DRF's token admin: a token's checkbox carries its user's id, which "delete selected" then
    # does not find (tokens are deleted from their own page).
    "authtoken.tokenproxy": {**SUPERUSERS, ("changelist", "POST", "elsewhere"): (403, 200)},
    "axes.accessattempt": SIGN_IN_RECORDS,
    "axes.accesslog": SIGN_IN_RECORDS,
    "axes.accessfailurelog": SIGN_IN_RECORDS,
}
# The admin site's own pages: (officials, catalog admin, superuser); anonymous → sign-in, except
# the sign-in page itself.
SITE_PAGES = {
    ("admin:index", "GET"): (ADMIN_LOGIN, 200, 200),
    ("admin:login", "GET"): (200, 302, 302),  # an official sees "not authorised"; staff go in
    ("admin:logout", "POST"): (302, 302, 302),
    ("admin:password_change", "GET"): (ADMIN_LOGIN, 200, 200),
    ("admin:password_change", "POST"): (ADMIN_LOGIN, 200, 200),  # empty: errors, no change
    ("admin:password_change_done", "GET"): (ADMIN_LOGIN, 200, 200),
    ("admin:autocomplete", "GET"): (ADMIN_LOGIN, 403, 403),  # without its parameters
    ("admin:jsi18n", "GET"): (ADMIN_LOGIN, 200, 200),
    ("admin:view_on_site", "GET"): (ADMIN_LOGIN, 404, 404),  # no model has a page to show
    ("admin:app_list", "GET"): (ADMIN_LOGIN, 200, 200),
    ("admin:catch_all", "GET"): (ADMIN_LOGIN, 404, 404),
}
ANONYMOUS_SITE_PAGES = {("admin:login", "GET"): 200, ("admin:logout", "POST"): 302}


def admin_pattern_names() -> dict[str, str]:
    """Every admin URL name of a registered model → the model's label."""
    names = {}
    for model, model_admin in admin.site._registry.items():
        for pattern in model_admin.urls:
            if pattern.name:
                names[pattern.name] = model._meta.label_lower
    return names


def kind_of(name: str, label: str) -> str:
    return name.removeprefix(label.replace(".", "_") + "_")


def all_patterns(resolver=None, prefix="", namespace="") -> set[str]:
    """Each URL pattern of the site: its full name, or for a nameless one its full route."""
    found = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found |= all_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}".lstrip(":") if pattern.name else None
            found.add(name or prefix + str(pattern.pattern))
    return found


def matrix_patterns() -> set[str]:
    covered = {name for name, _method in OTHER_ROUTES}
    covered |= {f"programs:{name}" for name, _method in ROUTES}
    covered |= {f"api:{name}" for name, _method in API_ROUTES}
    covered |= {name for name, _method in SITE_PAGES if name != "admin:catch_all"}
    covered.add("admin/(?P<url>.*)$")  # the catch-all: nameless
    for name, label in admin_pattern_names().items():
        if any(kind == kind_of(name, label) for kind, _m, _w in ADMIN_MODELS.get(label, {})):
            covered.add(f"admin:{name}")
    for model in admin.site._registry:
        if model._meta.label_lower in ADMIN_MODELS:
            # The nameless redirect from …/<id>/ to …/<id>/change/.
            covered.add(f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/")
    return covered


def test_every_url_pattern_is_in_the_matrix():
    site = all_patterns()
    covered = matrix_patterns()
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert sorted(site - covered) == [], "URL patterns without expectations"
    assert sorted(covered - site) == [], "expectations of URL patterns that do not exist"
    assert sorted(registered ^ set(ADMIN_MODELS)) == [], "admin models with no or a stale policy"


@pytest.fixture
def rows(world, zhengxiang):  # noqa: F811 (world is a fixture)
    """For each admin model: a row in the catalog admin's regions and one outside them."""
    here_report, elsewhere = world["draft"], world["elsewhere"]
    program = ProgramFactory(region=elsewhere)
    plan = PlanFactory(program=program)
    there_report = ReportFactory(
        region=elsewhere, indicator=world["indicator"], period=world["period"]
    )
    until = timezone.now() + timedelta(days=3)
    reopen = {"period": world["closed"], "until": until, "reason": "补报"}
    tag = PlanTag.objects.create(name="高素养劳动者队伍", category="三支队伍")
    reporter = world["reporter"]
    group = Group.objects.create(name="Readers")
    attempt = {"username": "gangqu", "ip_address": "10.0.0.1", "user_agent": "x"}
    pairs = {
        # Fresh leaves (nothing hangs from them), so that an allowed deletion goes through.
        "regions.region": (
            RegionFactory(code="3304Z99", name="新区", parent=world["region"].parent),
            RegionFactory(code="430499", name="新区", parent=elsewhere),
        ),
        "regions.officialmembership": (
            OfficialMembership.objects.get(user=reporter),
            MembershipFactory(region=elsewhere),
        ),
        "programs.program": (world["program"], program),
        "programs.plan": (world["program"].plans.first(), plan),
        "programs.measure": (
            MeasureFactory(plan=world["program"].plans.first()),
            MeasureFactory(plan=plan),
        ),
        "programs.target": (
            world["program"].plans.first().targets.first(),
            TargetFactory(region=elsewhere, indicator=world["indicator"], period=world["period"]),
        ),
        "programs.progressreport": (here_report, there_report),
        "programs.periodreopening": (
            PeriodReopening.objects.create(region=world["region"], **reopen),
            PeriodReopening.objects.create(region=elsewhere, **reopen),
        ),
        "programs.evidence": (
            world["evidence"],
            Evidence.objects.create(
                report=there_report,
                file=ContentFile(b"%PDF-1.4 far", name="far.pdf"),
                original_name="far.pdf",
                content_type="application/pdf",
                size=12,
            ),
        ),
        "programs.indicator": (IndicatorFactory(code="UNUSED"),) * 2,
        "programs.plantag": (tag, tag),
        "programs.reportingperiod": (world["closed"],) * 2,
        "programs.notification": (Notification.objects.get(user=reporter),) * 2,
        "auth.user": (reporter, reporter),
        "auth.group": (group, group),
        "authtoken.tokenproxy": (TokenProxy.objects.create(user=reporter),) * 2,
        "axes.accessattempt": (AccessAttempt.objects.create(failures_since_start=1, **attempt),)
        * 2,
        "axes.accesslog": (AccessLog.objects.create(**attempt),) * 2,
        "axes.accessfailurelog": (AccessFailureLog.objects.create(**attempt),) * 2,
    }
    return {
        label: dict(zip(("here", "elsewhere"), pair, strict=True)) for label, pair in pairs.items()
    }


def admin_request(label, kind, method, which, rows):
    """The URL and POST body of one admin case."""
    app_label, model_name = label.split(".")
    prefix = f"admin:{app_label}_{model_name}_"
    obj = rows[label]["here" if which == "-" else which]
    if kind == "changelist":
        data = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        return reverse(prefix + "changelist"), data
    if kind == "add":
        return reverse(prefix + "add"), {}
    if kind == "simple_history":
        history_id = obj.history.order_by("history_id").first().history_id
        url = reverse(prefix + "simple_history", args=[obj.pk, history_id])
        return url, revert_body(obj)
    data = {"post": "yes"} if kind == "delete" else {}
    return reverse(prefix + kind, args=[obj.pk]), data


def revert_body(obj) -> dict:
    """A valid body for simple-history's revert form: the row as it is, with another value (and,
    for a figure, the state an author would like it to have)."""
    data = {key: "" if value is None else value for key, value in model_to_dict(obj).items()}
    if "value" in data:
        data["value"] = "1"
    if "state" in data:
        data["state"] = "approved"
    return data


ADMIN_CASES = [
    pytest.param(label, kind, method, which, id=f"{label}-{kind}-{method}-{which}")
    for label, policy in ADMIN_MODELS.items()
    for kind, method, which in policy
]


def answer(client, method, url, data):
    """The response, with whatever the request wrote rolled back (the next actor starts afresh)."""
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, data)
        after = snapshot()
        transaction.set_rollback(True)
    return response, after


def mismatch(actor, response, expected, before, after) -> str | None:
    if expected == ADMIN_LOGIN:
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(reverse("admin:login")):
            return f"{actor}: {response.status_code} {location}, expected the admin sign-in"
    elif response.status_code != int(str(expected).rstrip("+")):
        return f"{actor}: {response.status_code}, expected {expected}"
    if not str(expected).endswith("+") and after != before:
        return f"{actor}: a refused or read-only request changed the database"
    return None


@pytest.mark.parametrize(("label", "kind", "method", "which"), ADMIN_CASES)
def test_admin_permission_matrix(request, world, rows, label, kind, method, which):  # noqa: F811
    staff = dict(zip(STAFF, ADMIN_MODELS[label][(kind, method, which)], strict=True))
    url, data = admin_request(label, kind, method, which, rows)
    clients = {actor: actor_client(actor, world, request) for actor in ACTORS}
    before = snapshot()
    problems = []
    for actor, client in clients.items():
        expected = staff.get(actor, ADMIN_LOGIN)
        response, after = answer(client, method, url, data)
        problems.append(mismatch(actor, response, expected, before, after))
    problems = [p for p in problems if p]
    assert not problems, "; ".join(problems)


def site_page_url(name, world):  # noqa: F811
    if name == "admin:view_on_site":
        program = world["program"]
        return reverse(name, args=[ContentType.objects.get_for_model(program).pk, program.pk])
    if name == "admin:app_list":
        return reverse(name, args=["programs"])
    if name == "admin:catch_all":
        return "/admin/no-such-page/"
    return reverse(name)


@pytest.mark.parametrize(("name", "method"), list(SITE_PAGES))
def test_admin_site_pages(request, world, name, method):  # noqa: F811
    officials, catalog_admin, superuser = SITE_PAGES[(name, method)]
    expectations = {
        "anonymous": ANONYMOUS_SITE_PAGES.get((name, method), ADMIN_LOGIN),
        **{actor: officials for actor in ACTORS[1:5]},
        "catalog_admin": catalog_admin,
        "superuser": superuser,
    }
    url = site_page_url(name, world)
    clients = {actor: actor_client(actor, world, request) for actor in ACTORS}
    before = snapshot()
    problems = []
    for actor, client in clients.items():
        response, after = answer(client, method, url, {})
        problems.append(mismatch(actor, response, expectations[actor], before, after))
    problems = [p for p in problems if p]
    assert not problems, "; ".join(problems)


# --- The catalog admin's scope in the admin, beyond statuses ----------------------------------


@pytest.fixture
def catalog_client(catalog_admin):
    client = Client()
    client.force_login(catalog_admin)
    return client


def test_a_catalog_admin_cannot_put_a_program_in_another_region(catalog_client, zhengxiang):
    data = {"region": zhengxiang.pk, "name": "外省计划", "start_year": 2024, "end_year": 2026}
    data |= {"plans-TOTAL_FORMS": "0", "plans-INITIAL_FORMS": "0"}
    response = catalog_client.post(reverse("admin:programs_program_add"), data)
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not Program.objects.exists()


def test_region_choices_offer_only_the_admins_regions(catalog_client, gangqu, zhengxiang):
    response = catalog_client.get(
        reverse("admin:autocomplete"),
        {"term": "", "app_label": "programs", "model_name": "program", "field_name": "region"},
    )
    codes = {item["id"] for item in response.json()["results"]}
    assert str(gangqu.pk) in codes
    assert str(zhengxiang.pk) not in codes and str(zhengxiang.parent_id) not in codes


def test_a_catalog_admin_adds_regions_only_under_their_own(catalog_client, jiaxing, zhengxiang):
    url = reverse("admin:regions_region_add")
    base = {"name": "新区", "level": 3, "kind": "admin", "code": "999901"}
    base |= {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    for parent in ("", zhengxiang.pk):  # a new province, or under another province's county
        response = catalog_client.post(url, {**base, "parent": parent})
        assert response.status_code == 200
        assert "parent" in response.context["adminform"].form.errors
    assert not Region.objects.filter(code="999901").exists()
    assert catalog_client.post(url, {**base, "parent": jiaxing.pk}).status_code == 302
    assert Region.objects.get(code="999901").path == "33/3304/999901/"


def test_the_top_of_the_admins_scope_keeps_its_parent_outside_it(catalog_admin, jiaxing):
    """A catalog admin of 嘉兴 edits 嘉兴 itself, though its parent 浙江 is not theirs."""
    admin_of_jiaxing = MembershipFactory(region=jiaxing, role=Role.CATALOG_ADMIN).user
    admin_of_jiaxing.is_staff = True
    admin_of_jiaxing.save()
    admin_of_jiaxing.groups.set(catalog_admin.groups.all())
    client = Client()
    client.force_login(admin_of_jiaxing)
    data = {"name": "嘉兴", "code": "3304", "level": 2, "kind": "admin"}
    data |= {"parent": jiaxing.parent_id, "memberships-TOTAL_FORMS": "0"}
    data |= {"memberships-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:regions_region_change", args=[jiaxing.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    jiaxing.refresh_from_db()
    assert jiaxing.name == "嘉兴"
    delete = client.post(reverse("admin:regions_region_delete", args=[jiaxing.pk]), {"post": "yes"})
    assert delete.status_code == 403  # not the top of one's own scope


def test_nobody_grants_themselves_a_role(catalog_client, catalog_admin, gangqu):
    data = {"user": catalog_admin.username, "region": gangqu.pk, "role": Role.REVIEWER}
    response = catalog_client.post(reverse("admin:regions_officialmembership_add"), data)
    assert response.status_code == 403
    assert not OfficialMembership.objects.filter(user=catalog_admin, role=Role.REVIEWER).exists()


def test_delete_selected_spares_rows_outside_the_scope(catalog_client, gangqu, zhengxiang):
    here, there = TargetFactory(region=gangqu), TargetFactory(region=zhengxiang)
    data = {"action": "delete_selected", "_selected_action": [here.pk, there.pk], "post": "yes"}
    assert catalog_client.post(reverse("admin:programs_target_changelist"), data).status_code == 302
    assert list(Target.objects.values_list("pk", flat=True)) == [there.pk]


def test_filters_do_not_name_other_regions_programs(catalog_client, gangqu, zhengxiang):
    TargetFactory(region=gangqu, plan=PlanFactory(program=ProgramFactory(region=gangqu)))
    far = ProgramFactory(region=zhengxiang, name="蒸湘区人才计划")
    TargetFactory(region=zhengxiang, plan=PlanFactory(program=far))
    page = catalog_client.get(reverse("admin:programs_target_changelist")).content.decode()
    assert far.name not in page


def test_staff_without_a_catalog_role_see_no_catalog(catalog_admin, jiaxing_reviewer):
    """is_staff and the group's model permissions are not enough: a catalog admin role is."""
    jiaxing_reviewer.is_staff = True
    jiaxing_reviewer.save()
    jiaxing_reviewer.groups.set(catalog_admin.groups.all())
    client = Client()
    client.force_login(jiaxing_reviewer)
    assert client.get(reverse("admin:programs_program_changelist")).status_code == 403
    assert client.get(reverse("admin:index")).context["app_list"] == []
