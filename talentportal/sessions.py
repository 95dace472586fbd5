"""A session lasts at most SESSION_COOKIE_AGE, and never outlives a deactivation of its account.

Django renews a session's expiry whenever the session is written (an Excel preview kept in it,
a message), so an official who keeps working would never be asked to sign in again. The sign-in
time is kept in the session and checked on every request.

Django refuses an inactive user's session, but once the account is active again the session would
work again; deactivation through save() deletes the sessions (regions.accounts), while a bulk
`update(is_active=False)` sends no signal. A database trigger stamps every deactivation however it
was made (regions.AccountDeactivation), and a session signed in before the last one is ended.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SIGNED_IN_AT = "signed_in_at"


@receiver(user_logged_in, dispatch_uid="remember_sign_in_time")
def remember_sign_in_time(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:  # an API token request has no session to mark
        session[SIGNED_IN_AT] = time.time()


class AccountBackend(ModelBackend):
    """Django's ModelBackend, reading a session's user with its last deactivation (no query more
    per request for the check below)."""

    def get_user(self, user_id):
        users = get_user_model()
        try:
            user = users._default_manager.select_related("deactivation").get(pk=user_id)
        except users.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def deactivated_since(user, signed_in_at: float) -> bool:
    """Was the account deactivated (by any path) at or after the sign-in?"""
    deactivation = getattr(user, "deactivation", None)  # absent: never deactivated
    return deactivation is not None and deactivation.deactivated_at.timestamp() >= signed_in_at


class SignInAgeMiddleware:
    """After AuthenticationMiddleware: signs out a session signed in too long ago, or before its
    account was last deactivated; ends a session whose user is refused (inactive, gone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if request.user.is_authenticated and session is not None:
            signed_in_at = session.get(SIGNED_IN_AT)
            if (
                signed_in_at is None
                or time.time() - signed_in_at > settings.SESSION_COOKIE_AGE
                or deactivated_since(request.user, signed_in_at)
            ):
                logout(request)
        elif session is not None and SESSION_KEY in session:
            session.flush()  # signed in as a user who may no longer sign in: end it for good
        return self.get_response(request)
