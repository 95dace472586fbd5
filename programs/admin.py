"""The catalog admin: every model editable in Chinese, programs with their plans nested inline.

A catalog admin sees and edits the catalog of their own regions only (regions.access decides);
the shared library (indicators, tags, periods) they read, and add indicators and tags to;
superusers do everything.
"""

import nested_admin
from django.contrib import admin, messages
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from regions.admin_scope import (
    REGION_FIELD,
    CatalogScope,
    ScopedChoices,
    SharedLibrary,
    SuperuserOnly,
)

from .catalog_changes import rebuild_public_figures
from .models import (
    Evidence,
    Indicator,
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
from .tables import CappedCountPaginator
from .target_cascade import program_target_shortfalls


class RebuildsPublicFigures:
    """For the catalog rows the precomputed figures depend on (a region's place in the tree, an
    indicator's roll-up rule or time nature, a period's year and kind): a change rebuilds them."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rebuild_public_figures()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        rebuild_public_figures()


# How each region-bound model of programs reaches its region (regions.admin_scope.REGION_FIELD).
REGION_FIELD.update(
    {
        "programs.program": "region",
        "programs.plan": "program__region",
        "programs.measure": "plan__program__region",
        "programs.planindicator": "plan__program__region",
        "programs.target": "region",
        "programs.progressreport": "region",
        "programs.periodreopening": "region",
        "programs.evidence": "report__region",
    }
)


class MeasureInline(ScopedChoices, nested_admin.NestedTabularInline):
    model = Measure
    extra = 0
    fields = ["order", "name", "owner_office", "milestone_state"]
    sortable_field_name = "order"


class PlanIndicatorInline(ScopedChoices, nested_admin.NestedTabularInline):
    model = PlanIndicator
    extra = 0
    fields = ["order", "indicator", "measure"]
    autocomplete_fields = ["indicator"]
    sortable_field_name = "order"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the measures of the program or plan being edited (PlanIndicator.clean
        # then refuses a measure of another plan of the same program).
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "measure":
            match = request.resolver_match
            on_plan_page = match.url_name.startswith("programs_plan_")
            lookup = "plan_id" if on_plan_page else "plan__program_id"
            field.queryset = field.queryset.filter(**{lookup: match.kwargs.get("object_id") or 0})
        return field


class PlanInline(ScopedChoices, nested_admin.NestedStackedInline):
    model = Plan
    extra = 0
    fields = ["order", "name", "tags", "description"]
    autocomplete_fields = ["tags"]
    sortable_field_name = "order"
    inlines = [MeasureInline, PlanIndicatorInline]


@admin.register(Program)
class ProgramAdmin(CatalogScope, nested_admin.NestedModelAdmin):
    list_display = ["name", "region", "start_year", "end_year", "plan_count"]
    list_filter = ["start_year", "region__level"]
    search_fields = ["name", "region__name", "region__code"]
    autocomplete_fields = ["region"]
    readonly_fields = ["target_cascade", "targets_overview"]
    fields = [
        "region",
        "name",
        ("start_year", "end_year"),
        "source_title",
        "source_url",
        "summary",
        "target_cascade",
        "targets_overview",
    ]
    inlines = [PlanInline]
    list_select_related = ["region"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(plan_total=models.Count("plans"))

    @admin.display(description=_("plans"), ordering="plan_total")
    def plan_count(self, program):
        return program.plan_total

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Said at the top of the page as well, where a catalog admin cannot miss it; the list
        # is in the field "target cascade" below.
        if request.method == "GET":
            program = self.get_object(request, object_id)
            shortfalls = program_target_shortfalls(program) if program else []
            if shortfalls:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d target of this program is not covered by its sub-regions' "
                        "targets: see “Target cascade” below.",
                        "%(count)d targets of this program are not covered by their "
                        "sub-regions' targets: see “Target cascade” below.",
                        len(shortfalls),
                    )
                    % {"count": len(shortfalls)},
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("target cascade"))
    def target_cascade(self, program):
        if not program.pk:
            return "—"
        return render_to_string(
            "admin/programs/program_target_cascade.html",
            {"shortfalls": program_target_shortfalls(program)},
        )

    @admin.display(description=_("targets"))
    def targets_overview(self, program):
        if not program.pk:
            return "—"
        targets = (
            Target.objects.filter(plan__program=program)
            .select_related("indicator", "region", "period", "plan")
            .order_by("-period__year", "plan__order", "indicator__code", "region__path")
        )
        edit_url = reverse("admin:programs_target_changelist")
        return render_to_string(
            "admin/programs/program_targets.html",
            {
                "targets": targets,
                "edit_url": f"{edit_url}?plan__program__id__exact={program.pk}",
                "add_url": reverse("admin:programs_target_add"),
            },
        )


@admin.register(Plan)
class PlanAdmin(CatalogScope, nested_admin.NestedModelAdmin):
    list_display = ["name", "program", "order"]
    list_filter = ["tags", "program__start_year"]
    search_fields = ["name", "program__name"]
    autocomplete_fields = ["program", "tags"]
    inlines = [MeasureInline, PlanIndicatorInline]
    list_select_related = ["program"]


@admin.register(PlanTag)
class PlanTagAdmin(SharedLibrary, admin.ModelAdmin):
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name", "category"]


@admin.register(Measure)
class MeasureAdmin(CatalogScope, SimpleHistoryAdmin):
    list_display = ["name", "plan", "owner_office", "milestone_state"]
    list_editable = ["milestone_state"]
    history_list_display = ["milestone_state"]
    list_filter = ["milestone_state", ("plan__program", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "owner_office", "plan__name"]
    autocomplete_fields = ["plan"]
    list_select_related = ["plan"]


@admin.register(Indicator)
class IndicatorAdmin(SharedLibrary, RebuildsPublicFigures, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "kind", "direction", "time_nature", "rollup"]
    list_filter = ["kind", "direction", "time_nature", "rollup", "unit"]
    search_fields = ["code", "name"]
    readonly_fields = ["usage"]

    @admin.display(description=_("in use"))
    def usage(self, indicator):
        if not indicator.pk:
            return "—"
        figures, targets = indicator.usage()
        if not (figures or targets):
            return _("No figure or target uses this indicator yet.")
        return _(
            "Figures: %(figures)s, targets: %(targets)s. While any use it, its kind, unit, "
            "direction, time nature and roll-up rule cannot change."
        ) % {"figures": figures, "targets": targets}


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SharedLibrary, RebuildsPublicFigures, admin.ModelAdmin):
    list_display = ["__str__", "kind", "year", "number", "opens_at", "deadline", "locked"]
    list_filter = ["kind", "year", "locked"]
    ordering = ["-year", "kind", "number"]

    def has_add_permission(self, request):
        # A new period opens entry for every region in the country: the operator's decision.
        return request.user.is_superuser and super().has_add_permission(request)


@admin.register(Target)
class TargetAdmin(CatalogScope, SimpleHistoryAdmin):
    """Targets are edited in the list, filtered to one program and year."""

    list_display = [
        "region",
        "indicator",
        "period",
        "comparator",
        "value",
        "unit",
        "baseline",
        "plan",
    ]
    list_editable = ["comparator", "value", "baseline"]
    history_list_display = ["comparator", "value", "baseline"]
    list_filter = [
        ("plan__program", admin.RelatedOnlyFieldListFilter),
        "period__year",
        "period__kind",
        "indicator__kind",
    ]
    search_fields = ["region__name", "region__code", "indicator__name", "indicator__code"]
    autocomplete_fields = ["indicator", "region", "plan"]
    list_select_related = ["region", "indicator", "period", "plan"]

    @admin.display(description=_("unit"))
    def unit(self, target):
        return target.indicator.get_unit_display() if target.indicator.unit else ""


@admin.register(ProgressReport)
class ProgressReportAdmin(CatalogScope, SimpleHistoryAdmin):
    list_display = [
        "region",
        "indicator",
        "period",
        "value",
        "is_lower_bound",
        "state",
        "updated_at",
        "updated_by",
    ]
    list_filter = ["state", "period__year", "period__kind", "indicator__kind"]
    history_list_display = ["value", "is_lower_bound", "state", "history_change_reason"]
    search_fields = ["region__name", "region__code", "indicator__name", "indicator__code"]
    autocomplete_fields = ["indicator", "region"]
    readonly_fields = [
        "version",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
    ]
    list_select_related = ["region", "indicator", "period", "updated_by"]
    # Millions of figures at province scale: never counted in full (the capped count and, past
    # it, the table's size as PostgreSQL estimates it), newest first along the primary key.
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ["-pk"]

    # Figures change only through the review services (scope, states, history, public cache):
    # the admin lists them and their history, read-only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeriodReopening)
class PeriodReopeningAdmin(CatalogScope, admin.ModelAdmin):
    """The record of reopenings; they are made on the site, where the access rules apply."""

    list_display = ["period", "region", "until", "reason", "reopened_by", "created_at"]
    list_filter = ["period__year"]
    search_fields = ["region__name", "region__code", "reason"]
    list_select_related = ["period", "region", "reopened_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Evidence)
class EvidenceAdmin(CatalogScope, admin.ModelAdmin):
    list_display = ["original_name", "report", "size", "is_public", "uploaded_by", "uploaded_at"]
    list_filter = ["is_public"]
    search_fields = ["original_name", "report__region__name"]
    list_select_related = ["report__region", "report__indicator", "report__period", "uploaded_by"]
    readonly_fields = ["report", "file", "original_name", "content_type", "size", "uploaded_by"]

    # Evidence is the reporter's, uploaded with the figure: in the admin it is read, and only a
    # superuser changes whether it is public or removes it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Notification)
class NotificationAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["user", "kind", "report", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["user", "report__region", "report__indicator", "report__period"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
