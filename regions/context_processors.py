"""What the navigation may offer the signed-in user, asked of the access rules."""

from django.utils.functional import SimpleLazyObject

from .access import Action, regions_where


def roles(request):
    user = request.user
    return {
        "may_review": SimpleLazyObject(lambda: regions_where(user, Action.REVIEW).exists()),
        "may_import_catalog": SimpleLazyObject(
            lambda: regions_where(user, Action.EDIT_CATALOG).exists()
        ),
    }
