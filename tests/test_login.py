"""Signing in: lockouts by username + address (django-axes) on the sign-in page, the admin and the
API token endpoint; password rules; when sessions and tokens end."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
TOKEN_URL = "/api/v1/auth/token/"
PRIVATE_URL = "/my/"
LIMIT = settings.AXES_FAILURE_LIMIT
ADDRESS = "203.0.113.7"
AGENT = "Mozilla/5.0 (TalentPortal test)"


@pytest.fixture
def official(db):
    return UserFactory(username="wangfang")


def browser(address=ADDRESS, **extra):
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=AGENT, **extra)


def sign_in(client, username="wangfang", password=PASSWORD, url=LOGIN_URL):
    return client.post(url, {"username": username, "password": password})


def signed_in(client) -> bool:
    response = client.get(PRIVATE_URL)
    return response.status_code == 200


def fail(client, times, username="wangfang", url=LOGIN_URL):
    return [sign_in(client, username, "wrong-password", url).status_code for _ in range(times)]


# Lockout


def test_five_failures_lock_the_username_from_that_address(official):
    client = browser()
    assert fail(client, LIMIT - 1) == [200] * (LIMIT - 1)  # the form again, with its error
    assert AccessAttempt.objects.get().failures_since_start == LIMIT - 1

    locked = sign_in(client, password="wrong-password")
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()

    refused = sign_in(client)  # the right password, too late
    assert refused.status_code == 429
    assert not signed_in(client)
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == LIMIT  # attempts during the lockout do not extend it


def test_the_lockout_page_says_when_to_try_again_in_english(official):
    client = browser(HTTP_ACCEPT_LANGUAGE="en")
    fail(client, LIMIT)
    page = sign_in(client)
    attempt = AccessAttempt.objects.get()
    until = timezone.localtime(attempt.attempt_time + settings.AXES_COOLOFF_TIME)
    text = page.content.decode()
    assert page.status_code == 429
    assert "Too many failed sign-in attempts" in text
    assert f"You can try again at {until:%H:%M} (in 15 minutes)." in text
    assert 'lang="en"' in text


def test_another_address_or_another_username_is_not_locked(official):
    UserFactory(username="lina")
    fail(browser(), LIMIT)

    elsewhere = browser("198.51.100.9")
    assert sign_in(elsewhere).status_code == 302
    assert signed_in(elsewhere)

    same_address = browser()
    assert sign_in(same_address, "lina", "wrong-password").status_code == 200
    assert sign_in(same_address, "lina").status_code == 302
    assert signed_in(same_address)


def test_after_the_cool_off_the_right_password_works_again(official):
    client = browser()
    fail(client, LIMIT)
    assert sign_in(client).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert sign_in(client).status_code == 302
    assert signed_in(client)


def test_just_before_the_end_of_the_cool_off_it_is_still_locked(official):
    client = browser()
    fail(client, LIMIT)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    )
    assert sign_in(client).status_code == 429


def test_a_successful_sign_in_resets_the_failures(official):
    client = browser()
    fail(client, LIMIT - 1)
    assert sign_in(client).status_code == 302
    assert not AccessAttempt.objects.exists()

    client = browser()
    assert fail(client, LIMIT - 1) == [200] * (LIMIT - 1)
    assert sign_in(client).status_code == 302


def test_every_attempt_is_recorded_and_logged(official, caplog):
    caplog.set_level(logging.INFO, logger="axes")
    client = browser()
    fail(client, 2)
    sign_in(client)

    failures = AccessFailureLog.objects.order_by("attempt_time")
    assert [(f.username, f.ip_address, f.user_agent, f.locked_out) for f in failures] == [
        ("wangfang", ADDRESS, AGENT, False)
    ] * 2
    success = AccessLog.objects.get()
    assert (success.username, success.ip_address, success.user_agent) == (
        "wangfang",
        ADDRESS,
        AGENT,
    )
    records = [r for r in caplog.records if r.name.startswith("axes")]
    assert [r.levelname for r in records if "login failure" in r.getMessage()] == ["WARNING"] * 2
    assert any(r.levelname == "INFO" and "Successful login" in r.getMessage() for r in records)


def test_the_logging_configuration_passes_sign_in_records_to_the_console():
    assert settings.LOGGING["loggers"]["axes"]["level"] == "INFO"
    assert settings.LOGGING["root"]["handlers"] == ["console"]


def test_the_admin_login_locks_out_too(official):
    official.is_staff = True
    official.save()
    client = browser()
    assert fail(client, LIMIT, url=ADMIN_LOGIN_URL)[-1] == 429
    assert sign_in(client, url=ADMIN_LOGIN_URL).status_code == 429
    assert client.get("/admin/").status_code == 302  # still signed out
    assert AccessAttempt.objects.get().path_info == ADMIN_LOGIN_URL


def test_failures_on_the_pages_and_the_admin_count_together(official):
    client = browser()
    fail(client, 3)
    assert fail(client, LIMIT - 3, url=ADMIN_LOGIN_URL)[-1] == 429
    assert sign_in(client).status_code == 429


# The API token endpoint


def token_client(address=ADDRESS):
    return APIClient(REMOTE_ADDR=address, HTTP_USER_AGENT=AGENT)


def ask_token(client, password, username="wangfang"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_failed_token_requests_count_and_lock_the_endpoint(official):
    client = token_client()
    assert [ask_token(client, "wrong").status_code for _ in range(LIMIT - 1)] == [400] * (LIMIT - 1)
    # Recorded although the API answered 400: the failure is not rolled back with the request.
    assert AccessAttempt.objects.get().failures_since_start == LIMIT - 1

    locked = ask_token(client, "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    refused = ask_token(client, PASSWORD)
    assert refused.status_code == 429
    assert "detail" in refused.json()
    assert not Token.objects.exists()

    assert ask_token(token_client("198.51.100.9"), PASSWORD).status_code == 200


def test_a_token_obtained_is_logged_and_resets_the_failures(official):
    client = token_client()
    assert [ask_token(client, "wrong").status_code for _ in range(LIMIT - 1)] == [400] * (LIMIT - 1)
    assert ask_token(client, PASSWORD).status_code == 200
    assert AccessLog.objects.get().username == "wangfang"
    # The count starts again: as many failures as before are still not a lockout.
    assert [ask_token(client, "wrong").status_code for _ in range(LIMIT - 1)] == [400] * (LIMIT - 1)
    assert ask_token(client, PASSWORD).status_code == 200


def test_a_lockout_on_the_pages_also_locks_the_token_endpoint(official):
    fail(browser(), LIMIT)
    assert ask_token(token_client(), PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(days=1))
    assert ask_token(token_client(), PASSWORD).status_code == 200


# The client address behind proxies


def test_the_forwarded_for_header_is_ignored_without_trusted_proxies(official):
    client = browser(HTTP_X_FORWARDED_FOR="192.0.2.1")
    fail(client, 1)
    assert AccessAttempt.objects.get().ip_address == ADDRESS


def test_with_one_trusted_proxy_the_address_it_saw_is_counted(official, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # A forged first entry, then what the proxy appended: the client's real address.
    fail(browser("10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66, 192.0.2.1"), LIMIT)
    assert AccessAttempt.objects.get().ip_address == "192.0.2.1"
    assert sign_in(browser("10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1")).status_code == 429
    # Another client behind the same proxy is not locked.
    assert sign_in(browser("10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.2")).status_code == 302


# Passwords


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Kx7#qLm2", "password_too_short"),
        ("password123", "password_too_common"),
        ("5829174630", "password_entirely_numeric"),
        ("wangfang2026", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(official, password, code):
    with pytest.raises(ValidationError) as error:
        validate_password(password, official)
    assert code in [e.code for e in error.value.error_list]


def test_a_long_uncommon_password_is_accepted(official):
    validate_password("river-lantern-Qiantang-48", official)


def test_the_admin_refuses_a_weak_password(official, superuser):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    url = f"/admin/auth/user/{official.pk}/password/"
    response = client.post(url, {"password1": "wangfang1", "password2": "wangfang1"})
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 10 characters." in (
        response.content.decode()
    )
    official.refresh_from_db()
    assert official.check_password(PASSWORD)


# Sessions


def test_a_session_lasts_the_cookie_age_and_ends_with_the_browser(official):
    client = browser()
    response = sign_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    session = Session.objects.get(session_key=cookie.value)
    lasts = session.expire_date - timezone.now()
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert age - timedelta(minutes=5) < lasts <= age


def test_an_expired_session_is_refused(official):
    client = browser()
    sign_in(client)
    assert signed_in(client)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(PRIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_a_sign_in_ends_after_the_session_age_even_if_the_session_was_renewed(official):
    client = browser()
    sign_in(client)
    assert signed_in(client)
    # The session is written meanwhile (its expiry renewed), but the sign-in is 8 h and 1 s old.
    session = client.session
    session["signed_in_at"] -= settings.SESSION_COOKIE_AGE + 1
    session.save()
    assert Session.objects.get().expire_date > timezone.now()
    response = client.get(PRIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not signed_in(client)


def test_sign_out_only_by_post_and_it_ends_the_session_on_the_server(official):
    client = browser()
    sign_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in(client)

    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = browser()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not signed_in(replay)


def test_deactivation_ends_sessions_and_tokens_at_once(official):
    client = browser()
    sign_in(client)
    token = ask_token(token_client(), PASSWORD).json()["token"]
    api = token_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/progress/").status_code == 200
    assert signed_in(client)

    official.is_active = False
    official.save()

    assert not signed_in(client)
    assert api.get("/api/v1/progress/").status_code == 401
    assert ask_token(token_client(), PASSWORD).status_code == 400

    # The old session and token are gone, not only refused: reactivating brings neither back.
    official.is_active = True
    official.save()
    assert not signed_in(client)
    assert api.get("/api/v1/progress/").status_code == 401


def test_a_password_change_ends_the_other_sessions_and_the_api_token(superuser):
    here, elsewhere = browser(), browser("198.51.100.9")
    for client in (here, elsewhere):
        assert sign_in(client, "admin").status_code == 302
    token = ask_token(token_client(), PASSWORD, username="admin").json()["token"]
    api = token_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/progress/").status_code == 200
    new_password = "river-lantern-Qiantang-48"
    response = here.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert signed_in(here)  # the session that changed it goes on
    assert not signed_in(elsewhere)
    assert api.get("/api/v1/progress/").status_code == 401  # a stolen token ends with it
