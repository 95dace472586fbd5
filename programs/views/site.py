"""The site's own pages, as government portals have them: the site map, the accessibility and
privacy statements, help with a glossary of the words the dashboards use, and the page a refused
CSRF check answers with. The error pages themselves are templates (400/403/404/500.html) that
Django's default handlers render."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render

from regions.models import Region

from ..models import RegionFigure
from ..public_cache import cached_public_page


@cached_public_page()
def sitemap(request):
    """Every kind of public page, and the provinces with approved figures (their own or the
    roll-up of those below them). One query."""
    with_data = RegionFigure.objects.filter(region_id=OuterRef("pk")).filter(
        Q(value__isnull=False) | Q(rollup__isnull=False)
    )
    provinces = (
        Region.objects.filter(parent__isnull=True).filter(Exists(with_data)).order_by("code")
    )
    return render(request, "site/sitemap.html", {"provinces": provinces})


@cached_public_page()
def accessibility(request):
    return render(request, "site/accessibility.html")


@cached_public_page()
def privacy(request):
    return render(request, "site/privacy.html")


@cached_public_page()
def help_page(request):
    return render(request, "site/help.html")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without (or with a stale) token, in the site's look. The
    reason is Django's technical one and is not shown to the visitor."""
    return render(request, "403_csrf.html", status=403)
