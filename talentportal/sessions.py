"""A sign-in lasts at most SESSION_COOKIE_AGE, however the session is used meanwhile.

Django renews a session's expiry whenever the session is written (an Excel preview kept in it,
a message), so an official who keeps working would never be asked to sign in again. The sign-in
time is kept in the session and checked on every request.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SIGNED_IN_AT = "signed_in_at"


@receiver(user_logged_in, dispatch_uid="remember_sign_in_time")
def remember_sign_in_time(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:  # an API token request has no session to mark
        session[SIGNED_IN_AT] = int(time.time())


class SignInAgeMiddleware:
    """After AuthenticationMiddleware: signs out a session signed in too long ago."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None or time.time() - signed_in_at > settings.SESSION_COOKIE_AGE:
                logout(request)
        return self.get_response(request)
