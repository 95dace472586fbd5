"""The API's routes, mounted at /api/v1/ (schema at /api/schema/, Swagger UI at /api/docs/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import bulk, public
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

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("progress/bulk/", bulk.ProgressBulkView.as_view(), name="progress-bulk"),
    *router.urls,
]
