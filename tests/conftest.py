"""The fixed cast: a slice of the real region tree and an official for each role.

Zhejiang 33 > Jiaxing 3304 > Pinghu 330482 and Nanhu 330402, with the zone 嘉兴港区 (3304Z01,
counted in its parent); Hunan 43 > Hengyang 4304 > Zhengxiang 430408 elsewhere.
"""

import os

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from regions.choices import RegionKind, RegionLevel, Role

from .factories import MembershipFactory, RegionFactory, UserFactory

# The property and fuzz tests draw new examples on every local run; CI (.ci/run) sets
# HYPOTHESIS_PROFILE=ci so that a landing is decided by the same examples each time it is tried.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def database_order(item) -> int:
    """pytest-django's (and Django's) order: tests rolled back in a transaction of their own (0),
    then transactional ones and those with a live server (1), then those without a database (2)."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.fixtures import validate_django_db

    if getattr(item, "cls", None) and issubclass(item.cls, TransactionTestCase):
        return 0 if issubclass(item.cls, TestCase) else 1
    marker, fixtures = item.get_closest_marker("django_db"), fixture_names(item)
    transaction, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    if transaction or reset_sequences or {"transactional_db", "live_server"} & fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


def fixture_names(item) -> set[str]:
    return set(getattr(item, "fixturenames", ()))


@pytest.hookimpl(trylast=True)  # after pytest-django has put the database tests in its order
def pytest_collection_modifyitems(config, items):
    """The tests on a demo loaded once per module (demo_of_the_module) come last among the tests in
    a transaction of their own, before the transactional ones: no other test of their module runs
    while that demo is loaded, and a worker of `--dist load` keeps this order too. In parallel
    (make test), the tests marked slow start first: the run then ends with many short tests shared
    out among the workers, not with one worker busy on a long one."""
    items.sort(key=lambda item: (database_order(item), "demo_of_the_module" in fixture_names(item)))
    if hasattr(config, "workerinput"):  # a pytest-xdist worker; every worker sorts alike
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session", autouse=True)
def cache_of_this_process():
    """Local memory is each worker's own; a Redis cache (REDIS_CACHE_URL) would be shared by the
    workers of a parallel run, and a test's cache.clear() empties the whole Redis database under
    the others. In parallel the tests therefore use local memory whatever is configured."""
    from django.conf import settings
    from django.test.utils import override_settings

    if (
        "PYTEST_XDIST_WORKER" not in os.environ
        or "redis" not in settings.CACHES["default"]["BACKEND"].lower()
    ):
        yield
        return
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        yield


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Every test user's password is hashed with MD5: PBKDF2 takes ~0.25 s a password by design,
    which made a quarter of some tests' time (the demo's six accounts, each official of the cast).
    Production keeps Django's PBKDF2 (tests/test_settings.py checks it)."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def zhejiang(db):
    return RegionFactory(code="33", name="浙江省", level=RegionLevel.PROVINCE)


@pytest.fixture
def jiaxing(zhejiang):
    return RegionFactory(code="3304", name="嘉兴市", level=RegionLevel.CITY, parent=zhejiang)


@pytest.fixture
def pinghu(jiaxing):
    return RegionFactory(code="330482", name="平湖市", level=RegionLevel.COUNTY, parent=jiaxing)


@pytest.fixture
def nanhu(jiaxing):
    return RegionFactory(code="330402", name="南湖区", level=RegionLevel.COUNTY, parent=jiaxing)


@pytest.fixture
def gangqu(jiaxing):
    return RegionFactory(
        code="3304Z01",
        name="嘉兴港区",
        level=RegionLevel.COUNTY,
        kind=RegionKind.ZONE,
        counted_in_parent=True,
        parent=jiaxing,
    )


@pytest.fixture
def zhengxiang(db):
    hunan = RegionFactory(code="43", name="湖南省", level=RegionLevel.PROVINCE)
    hengyang = RegionFactory(code="4304", name="衡阳市", level=RegionLevel.CITY, parent=hunan)
    return RegionFactory(code="430408", name="蒸湘区", level=RegionLevel.COUNTY, parent=hengyang)


@pytest.fixture
def gangqu_reporter(gangqu):
    return MembershipFactory(user=UserFactory(username="gangqu"), region=gangqu).user


@pytest.fixture
def pinghu_reporter(pinghu):
    return MembershipFactory(user=UserFactory(username="pinghu"), region=pinghu).user


@pytest.fixture
def jiaxing_reviewer(jiaxing):
    return MembershipFactory(
        user=UserFactory(username="jiaxing"),
        region=jiaxing,
        role=Role.REVIEWER,
        includes_subregions=True,
    ).user


@pytest.fixture
def catalog_admin(zhejiang):
    from programs.demo import catalog_admin_group

    user = UserFactory(username="catalog", is_staff=True)
    user.groups.add(catalog_admin_group())
    MembershipFactory(user=user, region=zhejiang, role=Role.CATALOG_ADMIN, includes_subregions=True)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client_zh(catalog_admin):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(catalog_admin)
    return client


@pytest.fixture
def admin_client_en(catalog_admin):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(catalog_admin)
    return client


@pytest.fixture
def open_2024(db):
    """The 2024 period, open for entry now (its deadline a month ahead)."""
    from datetime import timedelta

    from django.utils import timezone

    from .factories import PeriodFactory

    return PeriodFactory(
        year=2024,
        opens_at=timezone.now() - timedelta(days=30),
        deadline=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def skills_plan(gangqu, open_2024):
    """嘉兴港区's 优培赋能强提升计划 with the three 2024 targets of the seed text."""
    from decimal import Decimal

    from .factories import (
        IndicatorFactory,
        PlanFactory,
        PlanIndicatorFactory,
        ProgramFactory,
        TargetFactory,
    )

    plan = PlanFactory(
        program=ProgramFactory(region=gangqu, name="五大计划", start_year=2024, end_year=2026),
        name="优培赋能强提升计划",
    )
    for order, (code, name, target) in enumerate(
        [
            ("VT_TRAINED", "职业技能培训人数", 1000),
            ("SKILLED_NEW", "新增技能人才", 800),
            ("HIGH_SKILLED_NEW", "新增高技能人才", 400),
        ]
    ):
        indicator = IndicatorFactory(code=code, name=name, unit="人")
        PlanIndicatorFactory(plan=plan, indicator=indicator, order=order)
        TargetFactory(
            indicator=indicator, region=gangqu, period=open_2024, value=Decimal(target), plan=plan
        )
    return plan


@pytest.fixture(autouse=True)
def celery_runs_tasks_in_process(request):
    """Tasks run eagerly in tests, whatever the broker; tests marked `broker` use the real one."""
    from talentportal.celery import app

    if request.node.get_closest_marker("broker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def load_demo():
    from django.core.management import call_command

    call_command("load_regions")
    call_command("load_demo")


@pytest.fixture
def demo(settings):
    """`make run`'s data: the national regions and the demo programs, accounts and figures."""
    settings.DEBUG = True  # load_demo refuses to create its accounts otherwise
    load_demo()


DEMO_OF_THE_MODULE: set[str] = set()  # the modules whose demo is loaded now (at most one)


@pytest.fixture(scope="module")
def demo_of_the_module(request, django_db_setup, django_db_blocker):
    """The demo loaded once for a module whose tests only read it (1-2 s each time otherwise),
    inside a transaction kept open around them and rolled back after the last; each test's own
    transaction nests in it as a savepoint, so what a test changes is undone as usual.

    Only for tests without transaction=True or a live server. The tests that use it run after the
    other tests of that kind (pytest_collection_modifyitems), so a test without the demo never
    runs while it is loaded (no_demo_of_the_module_left checks it); under pytest-xdist each
    worker keeps that order (--dist load; not loadgroup or loadfile, whose units come in any
    order)."""
    from django.db import transaction
    from django.test.utils import override_settings

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(DEBUG=True):
                load_demo()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    DEMO_OF_THE_MODULE.add(request.module.__name__)
    yield
    DEMO_OF_THE_MODULE.discard(request.module.__name__)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def no_demo_of_the_module_left(request):
    """A test without the module's demo must not run while it is loaded (the order above)."""
    if DEMO_OF_THE_MODULE and "demo_of_the_module" not in request.fixturenames:
        pytest.fail(f"The demo of {DEMO_OF_THE_MODULE} is still loaded: the test order is broken")


@pytest.fixture
def shared_demo(request, demo_of_the_module, db, settings):
    """The `demo` fixture for modules that load it once (demo_of_the_module)."""
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker and marker.kwargs.get("transaction")
    ):
        pytest.fail("The demo loaded once per module is for tests in a transaction of their own")
    settings.DEBUG = True


@pytest.fixture
def high_skilled_in_every_state(jiaxing, pinghu, nanhu, gangqu):
    """新增高技能人才 of 2023 in each state, each in its own sub-region of 嘉兴 (approved only in
    平湖: 4,321), and a 2024 draft of 嘉兴 itself: what public pages and downloads must hide."""
    from decimal import Decimal

    from django.utils import timezone

    from programs.choices import ReportState

    from .factories import IndicatorFactory, PeriodFactory, ReportFactory

    xiuzhou = RegionFactory(code="330411", name="秀洲区", level=RegionLevel.COUNTY, parent=jiaxing)
    indicator = IndicatorFactory(code="HIGH_SKILLED_NEW", name="新增高技能人才", unit="人")
    y2023, y2024 = PeriodFactory(year=2023), PeriodFactory(year=2024)
    ReportFactory(
        indicator=indicator,
        region=pinghu,
        period=y2023,
        value=Decimal(4321),
        state=ReportState.APPROVED,
        reviewed_at=timezone.now(),
    )
    for region, state, value in [
        (nanhu, ReportState.DRAFT, 9871),
        (gangqu, ReportState.SUBMITTED, 9872),
        (xiuzhou, ReportState.RETURNED, 9873),
        (jiaxing, ReportState.DRAFT, 9874),
    ]:
        period = y2024 if region == jiaxing else y2023
        ReportFactory(
            indicator=indicator, region=region, period=period, value=Decimal(value), state=state
        )
    return indicator
