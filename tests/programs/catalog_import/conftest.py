"""Fixtures of the catalog import's tests: uploads kept under a scratch MEDIA_ROOT, the pages'
addresses, and the catalog admin of Zhejiang with 嘉兴's slice of the region tree."""

import pytest
from django.urls import reverse


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def urls():
    return {
        "upload": reverse("programs:catalog_import"),
        "template": reverse("programs:catalog_import_template"),
        "jobs": reverse("programs:jobs"),
    }


@pytest.fixture
def client_en(admin_client_en, jiaxing, pinghu, nanhu, gangqu):
    """The catalog admin of Zhejiang (33 and below), with 嘉兴's slice of the tree in place."""
    return admin_client_en
