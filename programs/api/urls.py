"""Placeholder until the API lands: the routes are defined by programs.api.views."""

app_name = "api"
urlpatterns = []
