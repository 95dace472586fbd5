from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .access import Action, can, may_grant
from .admin_scope import CatalogScope
from .models import OfficialMembership, Region
from .signals import region_tree_changed


def _grantable(user, membership) -> bool:
    """Nobody grants themselves a role, and a catalog admin grants, changes or removes only the
    roles their own scope covers (access.may_grant); a superuser decides the rest."""
    return user.is_superuser or (
        membership.user_id != user.pk
        and may_grant(user, membership.region, membership.includes_subregions)
    )


def _check_grant(request, membership) -> None:
    if not _grantable(request.user, membership):
        raise PermissionDenied


class MembershipForm(forms.ModelForm):
    """The official is named by their user name: catalog admins do not browse the national list
    of accounts (accounts are created by a superuser, who hands the name over)."""

    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.all(),
        to_field_name="username",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        label=_("User name"),
        help_text=_("The official's sign-in name, exactly as their account has it."),
        error_messages={"invalid_choice": _("There is no account with this user name.")},
    )

    class Meta:
        model = OfficialMembership
        fields = ["user", "region", "role", "includes_subregions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:  # the row's user by name, not by id
            self.initial["user"] = self.instance.user.username


class MembershipInline(admin.TabularInline):
    model = OfficialMembership
    form = MembershipForm
    extra = 0


@admin.register(Region)
class RegionAdmin(CatalogScope, admin.ModelAdmin):
    list_display = ["name", "code", "level", "kind", "counted_in_parent", "parent"]
    list_filter = ["level", "kind", "counted_in_parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    list_select_related = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "code", "level", "parent"]}),
        (_("Functional zone"), {"fields": ["kind", "counted_in_parent"]}),
        (_("Tree"), {"fields": ["path"], "classes": ["collapse"]}),
    ]
    inlines = [MembershipInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        """A catalog admin places regions under regions of their own; the top region of their
        scope keeps the parent it has, which lies outside it."""
        form = super().get_form(request, obj, change=change, **kwargs)
        parent = form.base_fields.get("parent")
        if parent is not None and not request.user.is_superuser:
            current = obj.parent_id if obj else None
            if current:
                parent.queryset = parent.queryset | Region.objects.filter(pk=current)
            parent.required = obj is None or current is not None
        return form

    def has_delete_permission(self, request, obj=None):
        # Not the top of one's own scope: deleting it would take the whole subtree.
        user = request.user
        top = obj is not None and (
            obj.parent is None or not can(user, Action.EDIT_CATALOG, obj.parent)
        )
        return not (top and not user.is_superuser) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        stored = Region.objects.get(pk=obj.pk) if change else None
        if not self.may_save(request, stored, change):
            raise PermissionDenied
        # Placing a region (a new one, or one moved with its subtree) changes who may act on it:
        # a catalog admin places only under a region whose whole subtree is theirs, and moves
        # only a subtree that is wholly theirs. Else moving a region elsewhere under their
        # subtree role would widen their own scope.
        user = request.user
        if not user.is_superuser and (not change or "parent" in form.changed_data):
            placed = obj.parent is not None and may_grant(user, obj.parent, True)
            if not placed or (stored is not None and not may_grant(user, stored, True)):
                raise PermissionDenied
        # CatalogScope.save_model checks the region itself, which a new region cannot pass yet.
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        region_tree_changed.send(sender=Region, region=obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        region_tree_changed.send(sender=Region, region=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is OfficialMembership:
            for row in formset.forms:
                removed = row in formset.deleted_forms
                if not (removed or row.has_changed()):
                    continue
                if row.instance.pk:  # the stored row is what is changed or removed
                    _check_grant(request, OfficialMembership.objects.get(pk=row.instance.pk))
                if not removed:
                    _check_grant(request, row.instance)
        super().save_formset(request, form, formset, change)


@admin.register(OfficialMembership)
class OfficialMembershipAdmin(CatalogScope, admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "region", "role", "includes_subregions", "created_at"]
    list_filter = ["role", "includes_subregions", "region__level"]
    search_fields = ["user__username", "user__first_name", "region__name", "region__code"]
    autocomplete_fields = ["region"]
    list_select_related = ["user", "region"]

    def has_change_permission(self, request, obj=None):
        allowed = obj is None or _grantable(request.user, obj)
        return allowed and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = obj is None or _grantable(request.user, obj)
        return allowed and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        _check_grant(request, obj)
        super().save_model(request, obj, form, change)
