from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programs.admin import RebuildsPublicFigures

from .models import OfficialMembership, Region


class MembershipInline(admin.TabularInline):
    model = OfficialMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Region)
class RegionAdmin(RebuildsPublicFigures, admin.ModelAdmin):
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


@admin.register(OfficialMembership)
class OfficialMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "role", "includes_subregions", "created_at"]
    list_filter = ["role", "includes_subregions", "region__level"]
    search_fields = ["user__username", "user__first_name", "region__name", "region__code"]
    autocomplete_fields = ["user", "region"]
    list_select_related = ["user", "region"]
