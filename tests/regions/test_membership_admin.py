"""Granting roles in the admin: officials named by user name, and never beyond the granter's scope.

A catalog admin of 嘉兴市 alone (without its sub-regions) may make someone a reporter of 嘉兴市,
but not a reporter of 嘉兴市 and below: that would reach further than their own role does.
"""

import pytest
from django.test import Client
from django.urls import reverse

from regions.choices import Role
from regions.models import OfficialMembership, Region
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jiaxing_only_admin(catalog_admin, jiaxing):
    """A catalog admin of 嘉兴市 itself, without its sub-regions."""
    user = UserFactory(username="jiaxing-catalog", is_staff=True)
    user.groups.set(catalog_admin.groups.all())
    MembershipFactory(user=user, region=jiaxing, role=Role.CATALOG_ADMIN)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


@pytest.fixture
def newcomer(db):
    return UserFactory(username="xiaowang")


def grant(client, region, *, username="xiaowang", subregions=False, role=Role.REPORTER):
    data = {"user": username, "region": region.pk, "role": role}
    if subregions:
        data["includes_subregions"] = "on"
    return client.post(reverse("admin:regions_officialmembership_add"), data)


def region_form(region, **row):
    """The region's change form with one new membership row in its inline."""
    data = {"name": region.name, "code": region.code, "level": region.level, "kind": region.kind}
    data |= {"parent": region.parent_id or ""}
    data |= {"memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0"}
    data |= {f"memberships-0-{key}": value for key, value in row.items()}
    return reverse("admin:regions_region_change", args=[region.pk]), data


def test_an_official_is_named_by_user_name(admin_client_zh, newcomer, pinghu):
    response = grant(admin_client_zh, pinghu, subregions=True)
    assert response.status_code == 302
    membership = OfficialMembership.objects.get(user=newcomer)
    assert (membership.region, membership.includes_subregions) == (pinghu, True)
    page = admin_client_zh.get(
        reverse("admin:regions_officialmembership_change", args=[membership.pk])
    )
    assert 'value="xiaowang"' in page.content.decode()


def test_an_unknown_user_name_is_refused_at_the_field(admin_client_zh, newcomer, pinghu):
    response = grant(admin_client_zh, pinghu, username="xiaowang2")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"] == ["没有使用此用户名的账户。"]
    assert not OfficialMembership.objects.filter(user=newcomer).exists()


def test_a_role_within_the_granters_own_region_is_granted(jiaxing_only_admin, newcomer, jiaxing):
    assert grant(jiaxing_only_admin, jiaxing).status_code == 302
    assert OfficialMembership.objects.get(user=newcomer).region == jiaxing


def test_sub_regions_are_granted_only_by_who_holds_them(jiaxing_only_admin, newcomer, jiaxing):
    assert grant(jiaxing_only_admin, jiaxing, subregions=True).status_code == 403
    url, data = region_form(jiaxing, user="xiaowang", role=Role.REVIEWER, includes_subregions="on")
    assert jiaxing_only_admin.post(url, data).status_code == 403
    assert not OfficialMembership.objects.filter(user=newcomer).exists()


def test_the_region_inline_grants_within_scope(jiaxing_only_admin, newcomer, jiaxing):
    url, data = region_form(jiaxing, user="xiaowang", role=Role.REVIEWER)
    assert jiaxing_only_admin.post(url, data).status_code == 302
    assert OfficialMembership.objects.get(user=newcomer).role == Role.REVIEWER


def test_a_wider_role_granted_by_a_superuser_is_not_theirs_to_change(
    jiaxing_only_admin, newcomer, jiaxing
):
    wider = MembershipFactory(user=newcomer, region=jiaxing, includes_subregions=True)
    change = reverse("admin:regions_officialmembership_change", args=[wider.pk])
    delete = reverse("admin:regions_officialmembership_delete", args=[wider.pk])
    data = {"user": "xiaowang", "region": jiaxing.pk, "role": Role.REPORTER}  # narrowing it
    assert jiaxing_only_admin.post(change, data).status_code == 403
    assert jiaxing_only_admin.post(delete, {"post": "yes"}).status_code == 403
    wider.refresh_from_db()
    assert wider.includes_subregions


def test_no_row_is_edited_into_a_wider_one_or_onto_oneself(jiaxing_only_admin, newcomer, jiaxing):
    row = MembershipFactory(user=newcomer, region=jiaxing)
    change = reverse("admin:regions_officialmembership_change", args=[row.pk])
    wider = {"user": "xiaowang", "region": jiaxing.pk, "role": Role.REPORTER}
    assert (
        jiaxing_only_admin.post(change, {**wider, "includes_subregions": "on"}).status_code == 403
    )
    onto_oneself = {**wider, "user": "jiaxing-catalog", "role": Role.REVIEWER}
    assert jiaxing_only_admin.post(change, onto_oneself).status_code == 403
    row.refresh_from_db()
    assert (row.user, row.role, row.includes_subregions) == (newcomer, Role.REPORTER, False)


def test_delete_selected_removes_no_row_beyond_the_granters_scope(
    jiaxing_only_admin, newcomer, jiaxing
):
    narrow = MembershipFactory(user=newcomer, region=jiaxing)
    wide = MembershipFactory(user=newcomer, region=jiaxing, role=Role.REVIEWER)
    wide.includes_subregions = True
    wide.save()
    data = {"action": "delete_selected", "_selected_action": [narrow.pk, wide.pk], "post": "yes"}
    response = jiaxing_only_admin.post(reverse("admin:regions_officialmembership_changelist"), data)
    assert response.status_code == 403
    assert OfficialMembership.objects.filter(user=newcomer).count() == 2


def test_under_a_region_alone_no_region_is_added(jiaxing_only_admin, newcomer, jiaxing):
    """Under 嘉兴市 alone a catalog admin adds no region (it would fall outside their scope),
    with or without roles in its inline."""
    data = {"name": "新区", "code": "330499", "level": 3, "kind": "admin", "parent": jiaxing.pk}
    data |= {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    url = reverse("admin:regions_region_add")
    assert jiaxing_only_admin.post(url, data).status_code == 403
    data |= {"memberships-TOTAL_FORMS": "1", "memberships-0-user": "xiaowang"}
    data |= {"memberships-0-role": Role.REPORTER}
    assert jiaxing_only_admin.post(url, data).status_code == 403
    assert not Region.objects.filter(code="330499").exists()
    assert not OfficialMembership.objects.filter(user=newcomer).exists()


def test_moving_a_region_under_ones_subtree_does_not_widen_ones_scope(
    catalog_admin, jiaxing, zhengxiang
):
    """An admin of 嘉兴市 and below, and of 蒸湘区 alone, may not move 蒸湘区 (with whatever
    lies below it) under 嘉兴市: their subtree role would then reach below 蒸湘区."""
    user = UserFactory(username="two-hats", is_staff=True)
    user.groups.set(catalog_admin.groups.all())
    MembershipFactory(user=user, region=jiaxing, role=Role.CATALOG_ADMIN, includes_subregions=True)
    MembershipFactory(user=user, region=zhengxiang, role=Role.CATALOG_ADMIN)
    client = Client()
    client.force_login(user)
    parent = zhengxiang.parent_id
    url, data = region_form(zhengxiang)
    data |= {"parent": jiaxing.pk, "memberships-TOTAL_FORMS": "0"}
    assert client.post(url, data).status_code == 403
    zhengxiang.refresh_from_db()
    assert zhengxiang.parent_id == parent
