"""The store of uploads kept until confirmed: keys only, tokens bound to their user and page, the
sweep of what nobody confirmed, and the hand-over to a job."""

import os
import time
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.files.base import ContentFile

from programs import uploads

SALT = "tests.uploads"
OWNER, OTHER = SimpleNamespace(pk=1), SimpleNamespace(pk=2)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def kept(media) -> list[str]:
    folder = media / uploads.FOLDER
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_an_upload_is_kept_under_a_random_key_until_deleted(media):
    key = uploads.upload_save(file=ContentFile(b"workbook", name="filled.xlsx"))
    assert uploads.KEY_RE.fullmatch(key)
    assert kept(media) == [f"{key}.xlsx"]
    assert uploads.upload_path(key=key).read_bytes() == b"workbook"

    uploads.upload_delete(key=key)
    assert kept(media) == []
    uploads.upload_delete(key=key)  # gone already: nothing happens


@pytest.mark.parametrize("key", ["../../settings", "a" * 31, "A" * 32, "", None])
def test_nothing_but_a_key_names_an_upload(key):
    with pytest.raises(ValueError):
        uploads.upload_path(key=key)
    with pytest.raises(ValueError):
        uploads.upload_token(key=key, user=OWNER, salt=SALT)


def test_a_token_gives_the_key_back_to_its_user_on_its_page_only(media):
    key = uploads.upload_save(file=ContentFile(b"x", name="a.xlsx"))
    token = uploads.upload_token(key=key, user=OWNER, salt=SALT, program="五大计划")

    assert uploads.upload_from_token(token=token, user=OWNER, salt=SALT) == (
        key,
        {"program": "五大计划", "user": OWNER.pk, "upload": key},
    )
    assert uploads.upload_from_token(token=token, user=OTHER, salt=SALT) is None
    assert uploads.upload_from_token(token=token, user=OWNER, salt="another page") is None
    assert uploads.upload_from_token(token=token[:-2] + "xx", user=OWNER, salt=SALT) is None
    forged = signing.dumps({"user": OWNER.pk, "upload": "../../settings"}, salt=SALT)
    assert uploads.upload_from_token(token=forged, user=OWNER, salt=SALT) is None


def test_a_token_expires_with_the_upload(media, monkeypatch):
    key = uploads.upload_save(file=ContentFile(b"x", name="a.xlsx"))
    token = uploads.upload_token(key=key, user=OWNER, salt=SALT)
    later = time.time() + uploads.KEEP_SECONDS + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert uploads.upload_from_token(token=token, user=OWNER, salt=SALT) is None


def test_uploads_nobody_confirmed_are_swept_after_a_day(media):
    old = uploads.upload_save(file=ContentFile(b"old", name="a.xlsx"))
    day_ago = time.time() - uploads.KEEP_SECONDS - 60
    os.utime(uploads.upload_path(key=old), (day_ago, day_ago))
    recent = uploads.upload_save(file=ContentFile(b"recent", name="b.xlsx"))
    newest = uploads.upload_save(file=ContentFile(b"newest", name="c.xlsx"))
    assert kept(media) == sorted([f"{recent}.xlsx", f"{newest}.xlsx"])


def test_a_taken_upload_leaves_the_store_once(media):
    key = uploads.upload_save(file=ContentFile(b"catalog", name="a.xlsx"))

    name = uploads.upload_take(key=key, folder="jobs/uploads")

    assert name == f"jobs/uploads/{key}.xlsx"
    assert (media / name).read_bytes() == b"catalog"
    assert kept(media) == []
    assert uploads.upload_take(key=key, folder="jobs/uploads") is None  # a second confirmation
