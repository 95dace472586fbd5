"""The public dashboards: anonymous, approved figures only, cached until the next approval."""

from django.urls import path

from regions import converters  # noqa: F401 (registers <code:…>)

from .views import corrections, indicator, public, share

app_name = "public"

urlpatterns = [
    path("", public.home, name="home"),
    path("regions/", public.region_search, name="region_search"),
    path("regions/<code:code>/", public.region, name="region"),
    path("programs/<int:pk>/", public.program, name="program"),
    path("indicators/<code:code>/", indicator.indicator, name="indicator"),
    path("corrections/", corrections.correction_list, name="corrections"),
    path("elder-mode/", public.elder_mode, name="elder_mode"),
    path("language/", public.language, name="language"),
    path("qr.svg", share.qr_code, name="qr_code"),
]
