from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Regions and officials")

    def ready(self):
        # Receivers: sessions and tokens end on deactivation; each sign-in's time is recorded
        # (connected here, not when the middleware is first built: a sign-in may come earlier).
        from talentportal import sessions  # noqa: F401

        from . import accounts  # noqa: F401
