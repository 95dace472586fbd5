from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from programs.admin import CatalogScope, RebuildsPublicFigures

from .access import Action, can
from .models import OfficialMembership, Region


def _refuse_own_membership(request, membership) -> None:
    """Nobody grants themselves a role: a catalog admin's own memberships are a superuser's."""
    if membership.user_id == request.user.pk and not request.user.is_superuser:
        raise PermissionDenied


class MembershipInline(admin.TabularInline):
    model = OfficialMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Region)
class RegionAdmin(CatalogScope, RebuildsPublicFigures, admin.ModelAdmin):
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
        moved = not change or "parent" in form.changed_data
        in_scope = obj.parent is not None and can(request.user, Action.EDIT_CATALOG, obj.parent)
        if moved and not (request.user.is_superuser or in_scope):
            raise PermissionDenied
        # CatalogScope.save_model checks the region itself, which a new region cannot pass yet.
        RebuildsPublicFigures.save_model(self, request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is OfficialMembership:
            for row in formset.forms:
                if row.has_changed() or row in formset.deleted_forms:
                    _refuse_own_membership(request, row.instance)
        super().save_formset(request, form, formset, change)


@admin.register(OfficialMembership)
class OfficialMembershipAdmin(CatalogScope, admin.ModelAdmin):
    list_display = ["user", "region", "role", "includes_subregions", "created_at"]
    list_filter = ["role", "includes_subregions", "region__level"]
    search_fields = ["user__username", "user__first_name", "region__name", "region__code"]
    autocomplete_fields = ["user", "region"]
    list_select_related = ["user", "region"]

    def has_change_permission(self, request, obj=None):
        own = obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser
        return not own and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        own = obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser
        return not own and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        _refuse_own_membership(request, obj)
        super().save_model(request, obj, form, change)
