"""The API's routes, mounted at /api/v1/ (schema at /api/schema/, Swagger UI at /api/docs/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import bulk, corrections, public, schema  # noqa: F401 (schema: extensions for drf-spectacular)
from .query import json_parsers
from .views import ObtainTokenView, ProgressReportViewSet

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("progress", ProgressReportViewSet, basename="progress")
# Open data: anonymous and read-only. Approved figures are under open/, apart from the officials'
# progress/ (which shows drafts to those who may see them).
router.register("regions", public.RegionViewSet, basename="open-region")
router.register("programs", public.ProgramViewSet, basename="open-program")
router.register("indicators", public.IndicatorViewSet, basename="open-indicator")
router.register("targets", public.TargetViewSet, basename="open-target")
router.register("open/progress", public.OpenProgressViewSet, basename="open-progress")
router.register("open/corrections", corrections.CorrectionViewSet, basename="open-correction")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    # JSON bodies only, as for the figures one at a time (programs/api/query.py).
    path(
        "progress/bulk/",
        bulk.ProgressBulkView.as_view(parser_classes=json_parsers()),
        name="progress-bulk",
    ),
    *router.urls,
]
