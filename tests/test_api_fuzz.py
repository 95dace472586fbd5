"""API fuzzing: schemathesis sends generated requests to every operation of `/api/schema/` on a
live server: the officials' operations as a reporter, as the reviewer above them and anonymously,
the open data, sign-in and token revocation anonymously.

Every check schemathesis has runs (all those it registers: 14 in 4.32), over its examples,
coverage and fuzzing phases with valid and invalid data. No answer may be a server error; every
answer must be one the schema documents (status, content type, headers, body); invalid data must
be refused; a method the schema does not list is 405 with `Allow`; an operation that needs a
token refuses none or a wrong one; a required header left out is refused.

One check is narrowed, and only where the schema cannot say what the server does: valid data
must be accepted, except that a 400 naming only fields whose validity depends on what is stored
(DATA_DEPENDENT: a code or id that does not exist, a cursor the list did not give, a value the
indicator's kind does not allow, a change to a figure in a state or period that forbids it) is
a right answer. A 400 at any other field (a page size, a year, a state) fails it.
use_after_free, ensure_resource_availability and object_level_authorization look at sequences
of requests (stateful runs, several identities configured); they run on every answer here and
find no sequence to judge.

Writes land in the live server's database, which is flushed after each test.
`API_FUZZ_EXAMPLES` sets the examples per operation (15; CI may afford more).
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
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.specs.openapi.checks import positive_data_acceptance

from programs.choices import IndicatorKind, ReportState
from programs.models import Correction
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))
# Fields whose validity the schema cannot state: it depends on the rows stored.
DATA_DEPENDENT = {
    "region",  # a code: does it exist?
    "parent",
    "indicator",
    "period",  # an id
    "cursor",  # only a list's own `next` / `previous` links hold valid ones
    "value",  # the indicator's kind: whole, at most 100 (%), not negative …
    "note",  # a big change from the last figure needs one
    "version",  # for a figure that exists, and only then
    "non_field_errors",  # the figure's state, a closed or locked period, the region's plan
}


def blamed_fields(response) -> set[str]:
    """The fields a 400 names: DRF's {field: [messages]}, or the bulk save's errors list."""
    try:
        body = response.json()
    except ValueError:
        return {"(not JSON)"}
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return {str(error.get("field")) for error in body["errors"]}
    return set(body) if isinstance(body, dict) else {"(not an object)"}


def valid_data_is_accepted_unless_stored_data_says_no(ctx, response, case):
    """schemathesis's positive_data_acceptance, but for a 400 at DATA_DEPENDENT fields only."""
    if response.status_code == 400 and blamed_fields(response) <= DATA_DEPENDENT:
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [
    valid_data_is_accepted_unless_stored_data_says_no
    if check is positive_data_acceptance
    else check
    for check in REGISTERED_CHECKS.get_all()
]


@pytest.fixture
def figures(skills_plan, gangqu, pinghu, nanhu, open_2024):
    """The demo's shape in small: 嘉兴港区's plan with its 2024 targets, and figures in every
    state (a draft, a submitted, a returned and an approved one) for the review actions, and a
    correction of each approved one."""
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
        report = ReportFactory(
            indicator=indicator,
            region=region,
            period=period,
            value=Decimal(value),
            state=state,
            reviewed_at=timezone.now() if approved else None,
        )
        if approved:  # each approved figure corrected once, for the correction log's feed
            Correction.objects.create(
                report=report,
                old_value=report.value - 1,
                old_is_lower_bound=True,
                new_value=report.value,
                new_is_lower_bound=False,
                reason="口径调整",
                reopened_at=report.reviewed_at,
                approved_at=report.reviewed_at,
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
    """Anonymous operations: a token changes nothing there (tests/programs/test_open_data_api).
    The token revocation is fuzzed here too, anonymously (401): with the fuzzed identities'
    tokens it would end them mid-run (tests/programs/test_api_contract.py revokes for real)."""
    case.call_and_validate(base_url=live_server.url, checks=CHECKS)


def test_the_fuzzed_schema_is_the_one_served(live_server):
    response = requests.get(f"{live_server.url}/api/schema/", {"format": "json"}, timeout=10)
    assert response.status_code == 200
    assert response.json() == built_schema()


def test_every_registered_check_runs():
    names = {check.__name__ for check in CHECKS}
    assert len(CHECKS) == len(REGISTERED_CHECKS.get_all()) >= 14
    assert {"negative_data_rejection", "ignored_auth", "unsupported_method"} <= names
    assert "valid_data_is_accepted_unless_stored_data_says_no" in names


def test_a_unit_left_blank_is_answered_as_the_schema_says(live_server):
    """A milestone has no unit: "" must be in the schema's enum of units, in every answer."""
    IndicatorFactory(code="MILESTONE_X", name="建成平台", unit="", kind=IndicatorKind.MILESTONE)
    cache.clear()
    response = requests.get(f"{live_server.url}/api/v1/indicators/", timeout=10)
    assert [row["unit"] for row in response.json()["results"]] == [""]
    case = schema["/api/v1/indicators/"]["GET"].Case()
    case.validate_response(response, checks=CHECKS)
    units = built_schema()["components"]["schemas"]["BlankEnum"]["enum"]
    assert units == [""]
