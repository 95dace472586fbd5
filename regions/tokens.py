"""API tokens: each lasts API_TOKEN_TTL_HOURS from when it was issued, and its owner may revoke it.

DRF's TokenAuthentication already refuses an unknown token and an inactive user's token; the
subclass here also refuses an expired one (401, saying so). Obtaining a token gives the live one,
or a new one in place of an expired one. Tokens also end when their account is deactivated or
reactivated or its password changes (regions/accounts.py), and a token issued before the
account's last deactivation (however it was made: regions.AccountDeactivation) is refused, and
replaced when its owner next obtains one.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from .models import AccountDeactivation


def lifetime() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def expires_at(token: Token) -> datetime:
    return token.created + lifetime()


def is_expired(token: Token) -> bool:
    return expires_at(token) <= timezone.now()


def issued_before_deactivation(token: Token) -> bool:
    """Was the account deactivated (by any path: a database trigger stamps a bulk update too)
    after this token was issued? Reactivating the account does not bring the token back. The
    stamp comes with the token's user where it was read with it (no query more per request)."""
    try:
        stamp = token.user.deactivation.deactivated_at
    except AccountDeactivation.DoesNotExist:
        return False
    return stamp >= token.created


def issue(user) -> Token:
    """The user's live token, or a new one (an expired token is replaced, never extended)."""
    token = Token.objects.filter(user=user).first()
    if token is not None and (is_expired(token) or issued_before_deactivation(token)):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def revoke(user) -> int:
    """End the user's API token; how many were deleted (0 or 1)."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`: unknown, inactive user's (DRF) or expired tokens are 401."""

    def authenticate_credentials(self, key):
        # DRF's lookup, with the account's last deactivation read in the same query.
        try:
            token = Token.objects.select_related("user", "user__deactivation").get(key=key)
        except Token.DoesNotExist:
            raise AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        user = token.user
        if is_expired(token):
            raise AuthenticationFailed(_("This API token has expired: obtain a new one."))
        if issued_before_deactivation(token):  # replaced when the user next obtains one
            raise AuthenticationFailed(_("Invalid token."))
        return user, token
