"""The admin's scoping by region: a catalog admin lists, opens, saves and picks only the rows of
their own regions (the rules themselves are in regions/access.py)."""

from django.core.exceptions import PermissionDenied

from .access import Action, can, filter_by_region, is_catalog_admin, region_of

EDIT = Action.EDIT_CATALOG
# How each region-bound model reaches its region: its rows, and the choices of foreign keys to it,
# are narrowed to the catalog admin's regions along this lookup. Apps above regions add theirs.
REGION_FIELD = {
    "regions.region": "pk",
    "regions.officialmembership": "region",
}


def in_catalog_scope(user, queryset):
    """The rows of a region-bound model that `user` may edit the catalog of."""
    if user.is_superuser:
        return queryset
    return filter_by_region(
        user, queryset, EDIT, field=REGION_FIELD[queryset.model._meta.label_lower]
    )


class ScopedChoices:
    """Foreign keys to region-bound rows offer, and so accept, only those of the user's regions."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model._meta.label_lower in REGION_FIELD:
            field.queryset = in_catalog_scope(request.user, field.queryset)
        return field


class CatalogScope(ScopedChoices):
    """The rows of a region: a catalog admin lists, opens and saves those of their regions."""

    def in_scope(self, request, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        if not is_catalog_admin(user):
            return False
        if obj is None:
            return True
        region = region_of(obj, REGION_FIELD[self.model._meta.label_lower])
        return region is not None and bool(region.path) and can(user, EDIT, region)

    def get_queryset(self, request):
        return in_catalog_scope(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return self.in_scope(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.in_scope(request, obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.in_scope(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.in_scope(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.in_scope(request, obj) and super().has_delete_permission(request, obj)

    def may_save(self, request, obj, change) -> bool:
        # Asked here too, for the views that save without asking (simple-history's revert form
        # saves whatever the user may view).
        allowed = (
            self.has_change_permission(request, obj) if change else self.has_add_permission(request)
        )
        return allowed and self.in_scope(request, obj)

    def save_model(self, request, obj, form, change):
        if not self.may_save(request, obj, change):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset):
        # The changelist's "delete selected" asks has_delete_permission without an object.
        if any(not self.has_delete_permission(request, obj) for obj in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)


class SharedLibrary:
    """Rows every region uses (indicators, tags, periods): a catalog admin reads and adds them
    (periods excepted, see ReportingPeriodAdmin); a change or deletion reaches every region, so it
    is for superusers."""

    def has_module_permission(self, request):
        return is_catalog_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_catalog_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_catalog_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or request.user.is_superuser)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class SuperuserOnly:
    """Personal rows (other users' notices): not part of the catalog."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
