"""The public dashboards: anonymous, approved figures only, cached until the next approval."""

from django.urls import path

from regions import converters  # noqa: F401 (registers <code:…>)

from .views import corrections, indicator, public, share, site

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
    path("sitemap/", site.sitemap, name="sitemap"),
    path("accessibility/", site.accessibility, name="accessibility"),
    path("privacy/", site.privacy, name="privacy"),
    path("help/", site.help_page, name="help"),
    path("qr.svg", share.qr_code, name="qr_code"),
]
