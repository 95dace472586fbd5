"""Who may do what where: the one place every view, form, export, API endpoint and selector asks.

A membership gives a user a role in a region, and in every region below it when it says
"includes sub-regions". What each role may do:

- reporter: view, enter and submit the figures of the regions in scope;
- reviewer: view, review (approve / return) and reopen approved figures in scope;
- catalog admin: view in scope, reopen closed periods and import catalog workbooks there, and edit
  the catalog of those regions in the admin (which also needs is_staff and Django's model
  permissions); they grant roles only within their scope (sub-regions only where their own role
  includes them) and never to themselves; the shared library (indicators, tags) they may read
  and add to, while changing or deleting it, the reporting calendar (periods, which open entry
  everywhere; a catalog import only adds a missing year's standard period) and the personal
  rows (notices) are for superusers;
- superuser: everything everywhere.

An object outside the user's scope is simply not in their querysets (404); an action their role
does not allow on an object they can see is refused with PermissionDenied (403).
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .choices import Role
from .models import OfficialMembership, Region


class Action(StrEnum):
    VIEW = "view"
    ENTER = "enter"  # create and edit drafts, upload evidence
    SUBMIT = "submit"
    REVIEW = "review"  # approve and return
    REOPEN_REPORT = "reopen_report"  # send an approved figure back to draft
    REOPEN_PERIOD = "reopen_period"
    EDIT_CATALOG = "edit_catalog"  # import programs, plans, indicators and targets there


ROLES_FOR = {
    Action.VIEW: {Role.REPORTER, Role.REVIEWER, Role.CATALOG_ADMIN},
    Action.ENTER: {Role.REPORTER},
    Action.SUBMIT: {Role.REPORTER},
    Action.REVIEW: {Role.REVIEWER},
    Action.REOPEN_REPORT: {Role.REVIEWER},
    Action.REOPEN_PERIOD: {Role.CATALOG_ADMIN},
    Action.EDIT_CATALOG: {Role.CATALOG_ADMIN},
}


def _memberships(user) -> list[OfficialMembership]:
    # Cached on the user object: one query per request, however many checks a page makes.
    if not hasattr(user, "_membership_cache"):
        user._membership_cache = list(
            OfficialMembership.objects.filter(user=user).select_related("region")
        )
    return user._membership_cache


def _scope(user, action: Action) -> Q | None:
    """A filter on Region for where `user` may do `action`; None means nowhere."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    condition = None
    for membership in _memberships(user):
        if membership.role not in ROLES_FOR[action]:
            continue
        here = (
            Q(path__startswith=membership.region.path)
            if membership.includes_subregions
            else Q(pk=membership.region_id)
        )
        condition = here if condition is None else condition | here
    return condition


def regions_where(user, action: Action) -> QuerySet[Region]:
    scope = _scope(user, action)
    return Region.objects.none() if scope is None else Region.objects.filter(scope)


def can(user, action: Action, region: Region) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for membership in _memberships(user):
        if membership.role not in ROLES_FOR[action]:
            continue
        if membership.region_id == region.pk or (
            membership.includes_subregions and region.path.startswith(membership.region.path)
        ):
            return True
    return False


def require(user, action: Action, region: Region) -> None:
    """403 unless `user` may do `action` in `region`."""
    if not can(user, action, region):
        raise PermissionDenied


def filter_by_region(user, queryset: QuerySet, action: Action = Action.VIEW, *, field="region"):
    """Narrow a queryset of region-bound objects (reports, targets, …) to the user's scope."""
    scope = _scope(user, action)
    if scope is None:
        return queryset.none()
    if not scope:
        return queryset
    return queryset.filter(**{f"{field}__in": Region.objects.filter(scope)})


def get_visible_or_404(user, queryset: QuerySet, *, field="region", **lookup):
    """The object when in the user's view scope; else 404, so its existence stays hidden."""
    try:
        return filter_by_region(user, queryset, field=field).get(**lookup)
    except queryset.model.DoesNotExist as error:
        raise Http404 from error


def home_regions(user) -> list[Region]:
    """Where the user's memberships sit (the tops of their scope); provinces for a superuser."""
    if user.is_superuser:
        return list(Region.objects.filter(parent__isnull=True).order_by("code"))
    regions = {m.region.pk: m.region for m in _memberships(user)}
    return sorted(regions.values(), key=lambda region: region.code)


def is_catalog_admin(user) -> bool:
    """May use the catalog admin at all: a superuser, or a catalog admin of some region."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(
        m.role in ROLES_FOR[Action.EDIT_CATALOG] for m in _memberships(user)
    )


def may_grant(user, region: Region, includes_subregions: bool) -> bool:
    """May `user` grant (or change, or revoke) a membership in `region`? Only within their own
    catalog scope: one that includes sub-regions needs a catalog admin role over that subtree."""
    if user.is_superuser:
        return True
    if not includes_subregions:
        return can(user, Action.EDIT_CATALOG, region)
    return bool(region.path) and any(
        m.role in ROLES_FOR[Action.EDIT_CATALOG]
        and m.includes_subregions
        and region.path.startswith(m.region.path)
        for m in _memberships(user)
    )


def region_of(obj, field: str) -> Region | None:
    """The region a region-bound object hangs from, along `field` ("plan__program__region");
    "pk" for a region itself."""
    if field == "pk":
        return obj
    for name in field.split("__"):
        obj = getattr(obj, name, None) if obj is not None else None
    return obj


def is_official(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(_memberships(user)))


def users_who_can(action: Action, region: Region):
    """The officials holding a role for `action` in `region` (for notifications)."""
    from django.contrib.auth import get_user_model

    above = [code for code in region.path.split("/") if code][:-1]
    memberships = OfficialMembership.objects.filter(role__in=ROLES_FOR[action]).filter(
        Q(region=region) | Q(region__code__in=above, includes_subregions=True)
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .distinct()
    )
