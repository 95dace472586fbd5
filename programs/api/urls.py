"""The API's routes, mounted at /api/v1/ (schema at /api/schema/, Swagger UI at /api/docs/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ObtainTokenView, ProgressReportViewSet

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("progress", ProgressReportViewSet, basename="progress")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    *router.urls,
]
