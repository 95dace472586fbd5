"""What happens to an account's ways in when it is deactivated or its password changes.

Deactivation: its sessions and API token end. Django already refuses an inactive user's session
and DRF its token; deleting them as well means that reactivating the account does not bring back
a session or token issued before. Reactivation through save() ends them too. A bulk
`update(is_active=False)` sends no signal: a database trigger records that deactivation too
(AccountDeactivation); talentportal.sessions ends any session signed in before it and
regions.tokens refuses any token issued before it. A password change: its API token ends (Django
already ends the other sessions through the session's password hash; a token has no such link).
"""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authtoken.models import Token

SESSION_USER_KEY = "_auth_user_id"


def end_sessions(user) -> int:
    """Delete the user's live sessions (database sessions: each is decoded, there are few) and
    API token; the number of sessions ended."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_USER_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    Token.objects.filter(user=user).delete()
    return len(ended)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="end_sessions_on_deactivation")
def end_sessions_on_deactivation(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values("is_active", "password").first()
    if before is None:
        return
    if before["is_active"] != instance.is_active:
        end_sessions(instance)
    elif before["password"] != instance.password:
        Token.objects.filter(user=instance).delete()
