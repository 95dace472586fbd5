"""Uploads kept until confirmed: the file a preview showed, waiting for its confirmation.

Both uploads that are previewed before anything is saved keep their file here in between: the
officials' entry workbook (`views/excel.py`) and the catalog import (`views/catalog.py`). The
confirmation then reads the very file that was previewed, never one sent again.

A kept upload is named by its key, 32 random hex digits, and the store takes back no other name, so
nothing a request carries can point outside its folder. The page never gets the bare key but a
token: the key signed together with the user's id, under a salt naming the page, and valid for
KEEP_SECONDS. `upload_from_token` gives the key back only to the same user, from the same page,
while the token is fresh; a page may check more (the entry workbook also keeps the keys its
session may confirm).

What a confirmation does with the file is its page's business: the entry workbook reads it and
deletes it; the catalog import hands it to its job with `upload_take`, out of this folder, where a
job waiting in the queue for longer than a day still finds it. Uploads nobody confirmed are swept
KEEP_SECONDS after they were saved, when the next upload is saved.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from pathlib import Path

from django.core import signing
from django.core.files.storage import default_storage

FOLDER = "uploads"  # under MEDIA_ROOT
SUFFIX = ".xlsx"
KEEP_SECONDS = 24 * 60 * 60  # a preview is confirmed the same day or uploaded again
KEY_RE = re.compile(r"[0-9a-f]{32}")


def _name(key: str) -> str:
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise ValueError("not the key of a kept upload")
    return f"{FOLDER}/{key}{SUFFIX}"


def upload_save(*, file) -> str:
    """Keep an uploaded file until it is confirmed; returns its key."""
    upload_sweep()
    key = uuid.uuid4().hex
    default_storage.save(_name(key), file)
    return key


def upload_path(*, key: str) -> Path:
    """Where the kept upload is (or was); ValueError for anything that is not a key."""
    return Path(default_storage.path(_name(key)))


def upload_delete(*, key: str) -> None:
    """Forget a kept upload; nothing happens if it is gone already."""
    upload_path(key=key).unlink(missing_ok=True)


def upload_take(*, key: str, folder: str) -> str | None:
    """Move a kept upload out of the store to `folder` (under MEDIA_ROOT), beyond the sweep's
    reach; its storage name there, or None if it is no longer kept (swept, or taken already)."""
    source = upload_path(key=key)
    name = f"{folder}/{key}{SUFFIX}"
    target = Path(default_storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)  # atomic: of two confirmations at once, one gets the file
    except FileNotFoundError:
        return None
    return name


def upload_sweep() -> None:
    """Forget the uploads nobody confirmed within KEEP_SECONDS."""
    folder = Path(default_storage.path(FOLDER))
    if not folder.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.glob(f"*{SUFFIX}"):
        with contextlib.suppress(OSError):  # swept by a twin request meanwhile
            if path.stat().st_mtime < cutoff:
                path.unlink()


def upload_token(*, key: str, user, salt: str, **data) -> str:
    """What the page holds for the confirmation: the key and `data`, signed with the user's id.

    `salt` names the page, so that a token of one page is worth nothing on another.
    """
    _name(key)  # a key, nothing else
    return signing.dumps({**data, "user": user.pk, "upload": key}, salt=salt)


def upload_from_token(*, token: str, user, salt: str) -> tuple[str, dict] | None:
    """The key and the signed data of a token made by `upload_token` for this user and salt
    within KEEP_SECONDS; None for anything else (tampered, expired, another user's or page's).

    The file itself may be gone since (swept, or confirmed already): the caller finds out when it
    reads or takes it.
    """
    try:
        signed = signing.loads(token, salt=salt, max_age=KEEP_SECONDS)
    except signing.BadSignature:  # tampered, or expired (SignatureExpired is a BadSignature)
        return None
    if not isinstance(signed, dict) or signed.get("user") != user.pk:
        return None
    key = signed.get("upload")
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        return None
    return key, signed
