"""API fuzzing: schemathesis sends generated requests to every operation of `/api/schema/` on a
live server: the officials' operations as a reporter, as the reviewer above them and anonymously,
the open data and sign-in anonymously.

No answer may be a server error, and every answer must be one the schema documents: its status
code, its content type and its body. Writes land in the live server's database, which is flushed
after each test. `API_FUZZ_EXAMPLES` sets the examples per operation (15; CI may afford more).
"""

import json
import os
from decimal import Decimal

import pytest
import requests
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from programs.choices import ReportState
from tests.factories import PeriodFactory, ReportFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def figures(skills_plan, gangqu, pinghu, nanhu, open_2024):
    """The demo's shape in small: 嘉兴港区's plan with its 2024 targets, and figures in every
    state (a draft, a submitted, a returned and an approved one) for the review actions."""
    cache.clear()  # no open-data answer cached from another test's data
    trained, skilled, high_skilled = (
        skills_plan.indicators.get(code=code)
        for code in ["VT_TRAINED", "SKILLED_NEW", "HIGH_SKILLED_NEW"]
    )
    y2023 = PeriodFactory(year=2023)
    for indicator, region, period, value, state in [
        (trained, gangqu, open_2024, 640, ReportState.DRAFT),
        (skilled, gangqu, open_2024, 500, ReportState.SUBMITTED),
        (high_skilled, gangqu, open_2024, 210, ReportState.APPROVED),
        (trained, pinghu, y2023, 4321, ReportState.APPROVED),
        (skilled, nanhu, y2023, 987, ReportState.RETURNED),
    ]:
        approved = state == ReportState.APPROVED
        ReportFactory(
            indicator=indicator,
            region=region,
            period=period,
            value=Decimal(value),
            state=state,
            reviewed_at=timezone.now() if approved else None,
        )


@pytest.fixture(
    params=["gangqu_reporter", "jiaxing_reviewer", None], ids=["reporter", "reviewer", "anonymous"]
)
def officials_headers(request, figures):
    """The officials' operations are fuzzed as a reporter, their reviewer and no one."""
    if request.param is None:
        return {}
    token, _ = Token.objects.get_or_create(user=request.getfixturevalue(request.param))
    return {"Authorization": f"Token {token.key}"}


def built_schema() -> dict:
    """The schema /api/schema/ serves, built without a request (collection has no database), in
    the site's language whatever an earlier test left active."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))


schema = schemathesis.openapi.from_dict(built_schema())
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.include(tag="progress").parametrize()
@FUZZ
def test_the_officials_api_answers_as_documented(case, live_server, officials_headers):
    case.call_and_validate(base_url=live_server.url, headers=officials_headers, checks=CHECKS)


@pytest.fixture(params=["anonymous"])
def visitor(request, figures):
    """Open data and sign-in are fuzzed anonymously. The one parameter also gives each generated
    test a node id of its own (…[GET /api/v1/regions/][anonymous]): without one, under pytest 9
    all eight shared the function's name as node id, and pytest-xdist's --dist loadgroup (or
    loadfile) ran only the first of them."""
    return request.param


@schema.exclude(tag="progress").parametrize()
@FUZZ
def test_open_data_and_sign_in_answer_as_documented(case, live_server, visitor):
    """Anonymous operations: a token changes nothing there (tests/programs/test_open_data_api)."""
    case.call_and_validate(base_url=live_server.url, checks=CHECKS)


def test_the_fuzzed_schema_is_the_one_served(live_server):
    response = requests.get(f"{live_server.url}/api/schema/", {"format": "json"}, timeout=10)
    assert response.status_code == 200
    assert response.json() == built_schema()
