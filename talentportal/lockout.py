"""Sign-in throttling (django-axes): the client address it counts, what a locked-out client sees."""

import ipaddress
import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front the address the first of them
    saw: each proxy appends the address it was connected from, so the client is that many entries
    from the right of X-Forwarded-For and anything further left may be forged."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < count:
        return remote  # did not come through every proxy
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def locked_until(username: str | None, ip_address: str | None):
    """When the lockout of this username + address ends: the cool-off after the last counted
    failure (failures during the lockout are not counted)."""
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last or timezone.now()) + get_cool_off()


def retry_after(until) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page, status 429 with Retry-After, saying when to try again."""
    username = get_client_username(request, credentials)
    until = locked_until(username, getattr(request, "axes_ip_address", None))
    response = render(
        request,
        "axes/lockout.html",
        {"until": until, "minutes": math.ceil(retry_after(until) / 60)},
        status=429,
    )
    response["Retry-After"] = str(retry_after(until))
    return response
