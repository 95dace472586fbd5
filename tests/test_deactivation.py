"""A session never outlives a deactivation of its account, whatever path deactivated it.

A bulk `update(is_active=False)` sends no signal, so regions.accounts cannot delete the sessions;
a database trigger stamps the deactivation (regions.AccountDeactivation) and the session middleware
ends every session signed in before it. Real sign-ins through the sign-in page, real sessions in
the database, the real trigger (PostgreSQL and SQLite).
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
User = get_user_model()


@pytest.fixture
def official(db):
    return UserFactory(username="wangfang")


def signed_in_browser(username="wangfang") -> Client:
    client = Client(REMOTE_ADDR="203.0.113.7")
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client) -> bool:
    return client.get("/my/").status_code == 200


def test_a_bulk_deactivation_and_reactivation_does_not_revive_the_old_session(official):
    client = signed_in_browser()
    assert signed_in(client)

    User.objects.filter(pk=official.pk).update(is_active=False)  # no signal, no save()
    assert Session.objects.exists()  # nothing deleted the session
    User.objects.filter(pk=official.pk).update(is_active=True)

    assert not signed_in(client)
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    # Signing in again works: only the sessions from before the deactivation are refused.
    again = signed_in_browser()
    assert signed_in(again)


def test_a_bulk_deactivation_undone_by_save_does_not_revive_the_old_session(official):
    client = signed_in_browser()
    User.objects.filter(pk=official.pk).update(is_active=False)
    official.refresh_from_db()
    official.is_active = True
    official.save()
    assert not signed_in(client)


def test_a_session_used_while_its_account_is_inactive_is_ended(official):
    client = signed_in_browser()
    key = client.session.session_key
    User.objects.filter(pk=official.pk).update(is_active=False)
    assert not signed_in(client)
    assert not Session.objects.filter(session_key=key).exists()


def test_every_deactivation_is_stamped_by_the_database(official):
    from regions.models import AccountDeactivation

    other = UserFactory(username="lisi")
    assert not AccountDeactivation.objects.exists()
    User.objects.filter(pk__in=[official.pk, other.pk]).update(is_active=False)
    assert set(AccountDeactivation.objects.values_list("user_id", flat=True)) == {
        official.pk,
        other.pk,
    }
    first = AccountDeactivation.objects.get(user=official).deactivated_at
    User.objects.filter(pk=official.pk).update(is_active=True)
    User.objects.filter(pk=official.pk).update(is_active=False)
    assert AccountDeactivation.objects.get(user=official).deactivated_at >= first
    assert AccountDeactivation.objects.count() == 2  # one row per account, the last time
    # Other changes of an account stamp nothing.
    User.objects.filter(pk=other.pk).update(first_name="李")
    assert AccountDeactivation.objects.count() == 2


def test_an_active_account_keeps_its_session_across_other_changes(official):
    client = signed_in_browser()
    User.objects.filter(pk=official.pk).update(first_name="芳", is_active=True)
    assert signed_in(client)
