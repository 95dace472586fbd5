import os

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_json_with_each_dependency(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}


def test_healthz_is_503_when_the_broker_does_not_answer(client, settings):
    # Nothing listens on port 1 of the loopback: a real refused connection, not a mock.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.broker
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL")
def test_healthz_reaches_the_real_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_the_home_page_is_chinese_first_and_switches_to_english(client):
    assert "人才计划进展平台" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert "TalentPortal" in response.content.decode()
    assert '<html lang="en">' in response.content.decode()
