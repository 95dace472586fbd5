"""A catalog change (admin, import, shell) reaches the cached public pages on its commit."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from programs import public_cache
from programs.models import Program, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    cache.clear()
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_a_changed_target_and_program_name_show_on_the_next_request(
    skills_plan, visitor, django_capture_on_commit_callbacks
):
    program = Program.objects.get(name="五大计划")
    url = reverse("public:program", args=[program.pk]) + "?year=2024"
    first = visitor.get(url)
    assert first.status_code == 200
    assert "五大计划" in first.content.decode()
    assert visitor.get(url).headers.get("X-Cache") == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        program.name = "六大计划"
        program.save()
    page = visitor.get(url).content.decode()
    assert "六大计划" in page

    target = Target.objects.filter(plan__program=program).order_by("pk").first()
    version = public_cache.public_version()
    with django_capture_on_commit_callbacks(execute=True):
        target.value = 98765
        target.save()
    assert public_cache.public_version() > version
    assert "98,765" in visitor.get(url).content.decode()


def test_a_rolled_back_change_leaves_the_cache_alone(skills_plan):
    from django.db import transaction

    version = public_cache.public_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Program.objects.update(name="x")  # no signal: an update() bypasses save()
        target = Target.objects.first()
        target.value = 1
        target.save()
        raise RuntimeError
    assert public_cache.public_version() == version
