"""A catalog import over the user's job quota is refused before its upload is used up."""

import pytest

from programs.models import Job
from tests.programs.catalog_import.helpers import confirm, upload, uploads

pytestmark = pytest.mark.django_db


def test_a_confirmation_over_the_job_quota_is_refused_and_the_upload_kept(
    client_en, urls, media, settings, catalog_admin, django_capture_on_commit_callbacks
):
    settings.JOBS_MAX_IN_FLIGHT_PER_USER = 1
    Job.objects.create(user=catalog_admin, kind="export", title="running", state="running")
    preview = upload(client_en, urls, client_en.get(urls["template"]).content)
    token = preview.context["token"]
    refused = confirm(client_en, urls, token, django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert "You already have 1 job queued or running" in refused.content.decode()
    assert Job.objects.count() == 1
    assert len(uploads(media)) == 1  # still there: confirmed once the running job is done
    Job.objects.update(state="done")
    assert confirm(client_en, urls, token, django_capture_on_commit_callbacks).status_code == 302
    assert Job.objects.count() == 2
