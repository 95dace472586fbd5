"""Who may import a catalog, where, and with which token; what the upload folder keeps."""

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programs.catalog_import import PROGRAM, TARGETS
from programs.choices import JobState
from programs.models import Job
from regions.choices import Role
from tests.factories import MembershipFactory, UserFactory
from tests.programs.catalog_import.helpers import (
    XLSX,
    as_bytes,
    confirm,
    download_template,
    errors_of,
    jiaxing_workbook,
    sheet_of,
    upload,
    uploads,
)

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(urls):
    for url in (urls["upload"], urls["template"]):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_reporter_may_not_import(gangqu_reporter, urls):
    client = Client()
    client.force_login(gangqu_reporter)
    assert client.get(urls["upload"]).status_code == 403
    assert client.get(urls["template"]).status_code == 403
    response = client.post(urls["upload"], {"file": SimpleUploadedFile("a.xlsx", b"x", XLSX)})
    assert response.status_code == 403


def test_the_upload_page_has_a_labelled_file_input_and_the_template_link(client_en, urls):
    response = client_en.get(urls["upload"])
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_file">' in html
    assert urls["template"] in html


def test_a_region_outside_the_admins_scope_is_refused_at_its_cell(
    client_en, zhengxiang, urls, media
):
    workbook = jiaxing_workbook(client_en, urls)
    sheet_of(workbook, TARGETS).append(["VT_TRAINING_TIMES", "430408", 2024, "", 5, "", "", ""])
    response = upload(client_en, urls, as_bytes(workbook))
    assert response.status_code == 422
    assert errors_of(response) == {("Targets", 7, "B")}
    [error] = response.context["check"].errors
    assert "may not edit the catalog" in error.message

    sheet_of(workbook, PROGRAM)["A2"] = "430408"  # a program of 蒸湘区
    response = upload(client_en, urls, as_bytes(workbook))
    assert ("Program", 2, "A") in errors_of(response)


def test_a_county_admin_cannot_set_the_citys_targets(jiaxing, pinghu, gangqu, urls):
    admin = UserFactory(username="gangqu-admin")
    MembershipFactory(user=admin, region=gangqu, role=Role.CATALOG_ADMIN)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    workbook = download_template(client, urls)
    sheet_of(workbook, TARGETS).append(["VT_TRAINING_TIMES", "3304", 2024, "", 5, "", "", ""])
    response = upload(client, urls, as_bytes(workbook))
    assert response.status_code == 422
    assert errors_of(response) == {("Targets", 3, "B")}


def test_a_tampered_or_another_users_token_is_refused(
    client_en, jiaxing, urls, media, django_capture_on_commit_callbacks
):
    preview = upload(client_en, urls, client_en.get(urls["template"]).content)
    token = preview.context["token"]
    other = UserFactory(username="other-admin")
    MembershipFactory(user=other, region=jiaxing, role=Role.CATALOG_ADMIN)
    other_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_client.force_login(other)
    forged = signing.dumps(
        {
            "user": other.pk,
            "upload": signing.loads(token, salt="programs.catalog_import")["upload"],
        },
        salt="wrong salt",
    )

    for client, value in [
        (other_client, token),
        (client_en, token[:-2] + "xx"),
        (other_client, forged),
    ]:
        response = confirm(client, urls, value, django_capture_on_commit_callbacks)
        assert response.status_code == 400
        assert response.context["problems"]
    assert not Job.objects.exists()

    response = confirm(client_en, urls, token, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Job.objects.get().state == JobState.DONE


def test_the_upload_folder_holds_only_what_awaits_confirmation(client_en, urls, media):
    content = client_en.get(urls["template"]).content
    upload(client_en, urls, b"not a workbook")
    assert uploads(media) == []
    upload(client_en, urls, content)
    [name] = uploads(media)
    assert len(name) == len("0" * 32 + ".xlsx")


def test_a_superuser_may_import_anywhere(superuser, zhengxiang, urls):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    workbook = download_template(client, urls)
    sheet_of(workbook, PROGRAM)["A2"] = "430408"
    sheet_of(workbook, TARGETS)["B2"] = "430408"
    response = upload(client, urls, as_bytes(workbook))
    assert response.status_code == 200
    assert response.context["check"].counts()["created"] == 7


def test_a_preview_confirmed_once_starts_one_job(
    client_en, urls, media, django_capture_on_commit_callbacks
):
    preview = upload(client_en, urls, client_en.get(urls["template"]).content)
    token = preview.context["token"]
    assert confirm(client_en, urls, token, django_capture_on_commit_callbacks).status_code == 302

    again = confirm(client_en, urls, token, django_capture_on_commit_callbacks)

    assert again.status_code == 400
    assert Job.objects.count() == 1
    assert uploads(media) == []
