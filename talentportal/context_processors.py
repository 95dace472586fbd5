"""Who runs the site (sponsor, organizer, contact, filing numbers), for every page's header and
footer. Read from settings only: no database, so error pages can show it too."""

from django.conf import settings


def site(request):
    return {
        "site": {
            "sponsor": settings.SITE_SPONSOR,
            "organizer": settings.SITE_ORGANIZER,
            "phone": settings.SITE_PHONE,
            "email": settings.SITE_EMAIL,
            "address": settings.SITE_ADDRESS,
            "identifier": settings.SITE_IDENTIFIER,
            "icp": settings.SITE_ICP,
            "psb": settings.SITE_PSB,
            "logo_url": settings.SITE_LOGO_URL,
        }
    }
