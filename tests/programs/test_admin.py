"""The catalog admin as a catalog admin uses it: pages, the program overview, and bad input."""

import pytest
from django.urls import reverse

from programs.models import (
    Indicator,
    Measure,
    Plan,
    PlanIndicator,
    PlanTag,
    Program,
    ProgressReport,
    ReportingPeriod,
    Target,
)
from regions.models import OfficialMembership, Region
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory, TargetFactory

pytestmark = pytest.mark.django_db

MODELS = [
    Region,
    OfficialMembership,
    Program,
    Plan,
    PlanTag,
    Measure,
    Indicator,
    PlanIndicator,
    ReportingPeriod,
    Target,
    ProgressReport,
]


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", [m for m in MODELS if m not in (PlanIndicator, ProgressReport)])
def test_every_catalog_list_and_add_page_opens(admin_client_zh, target_parts, model):
    ReportFactory(**target_parts)
    TargetFactory(**target_parts)
    assert admin_client_zh.get(admin_url(model)).status_code == 200
    # The reporting calendar is the operator's (a new period opens entry everywhere).
    added_by_superusers_only = model is ReportingPeriod
    add = admin_client_zh.get(admin_url(model, "add")).status_code
    assert add == (403 if added_by_superusers_only else 200)


def test_the_admin_speaks_chinese_by_default(admin_client_zh):
    page = admin_client_zh.get(reverse("admin:index")).content.decode()
    assert "人才计划" in page
    assert "目标" in page


def test_the_admin_speaks_english_on_request(admin_client_en):
    page = admin_client_en.get(reverse("admin:index")).content.decode()
    assert "Targets" in page


def test_the_five_plans_and_2024_targets_show_on_the_program_page(admin_client_zh, demo):
    program = Program.objects.get(name__contains="五大计划")
    page = admin_client_zh.get(admin_url(Program, "change", program.pk)).content.decode()
    for plan in program.plans.all():
        assert plan.name in page
    for value in ("1,000", "800", "400"):
        assert f"≥ {value} 人" in page
    assert "越高越好" in page


def test_targets_can_be_listed_per_program_and_year(admin_client_zh, demo):
    program = Program.objects.get(name__contains="五大计划")
    response = admin_client_zh.get(
        admin_url(Target), {"plan__program__id__exact": program.pk, "period__year": 2024}
    )
    assert response.context["cl"].result_count == 5


def test_region_search_finds_by_name_and_by_code(admin_client_zh, pinghu, nanhu, gangqu):
    by_name = admin_client_zh.get(admin_url(Region), {"q": "平湖"}).context["cl"].result_list
    by_code = admin_client_zh.get(admin_url(Region), {"q": "330482"}).context["cl"].result_list
    assert [r.code for r in by_name] == ["330482"]
    assert "330482" in [r.code for r in by_code]


def test_region_autocomplete_answers(admin_client_zh, gangqu, pinghu):
    response = admin_client_zh.get(
        reverse("admin:autocomplete"),
        {"term": "嘉兴", "app_label": "programs", "model_name": "program", "field_name": "region"},
    )
    assert response.status_code == 200
    assert "嘉兴港区" in {item["text"].split(" ")[0] for item in response.json()["results"]}


def test_a_targets_history_shows_who_changed_it(admin_client_zh, target_parts):
    target = TargetFactory(**target_parts)
    response = admin_client_zh.post(
        admin_url(Target, "change", target.pk), target_form(target_parts, value="1200")
    )
    assert response.status_code == 302
    history = admin_client_zh.get(admin_url(Target, "history", target.pk))
    records = list(history.context["page_obj"])
    assert [r.value for r in records] == [1200, 1000]
    assert records[0].history_user.username == "catalog"


def target_form(target_like, **changes):
    data = {
        "indicator": target_like["indicator"].pk,
        "region": target_like["region"].pk,
        "period": target_like["period"].pk,
        "comparator": "gte",
        "value": "1000",
        "baseline": "",
        "plan": "",
        "note": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def target_parts(gangqu):
    return {
        "indicator": IndicatorFactory(code="VT", name="职业技能培训人数"),
        "region": gangqu,
        "period": PeriodFactory(year=2024),
    }


def post_errors(client, url, data) -> dict:
    response = client.post(url, data)
    assert response.status_code == 200, "a bad form is shown again, not saved and redirected"
    return response.context["adminform"].form.errors


def test_an_admin_saves_a_good_target(admin_client_zh, target_parts):
    response = admin_client_zh.post(admin_url(Target, "add"), target_form(target_parts))
    assert response.status_code == 302
    assert Target.objects.get().value == 1000


def test_a_duplicate_target_gets_a_chinese_message_at_the_period(admin_client_zh, target_parts):
    TargetFactory(**target_parts)
    errors = post_errors(admin_client_zh, admin_url(Target, "add"), target_form(target_parts))
    assert errors["period"] == ["该区域在此周期已有此指标的目标。"]
    assert Target.objects.count() == 1


def test_the_same_message_in_english(admin_client_en, target_parts):
    TargetFactory(**target_parts)
    errors = post_errors(admin_client_en, admin_url(Target, "add"), target_form(target_parts))
    assert errors["period"] == ["This region already has a target for this indicator and period."]


def test_a_negative_count_is_refused_at_the_value(admin_client_zh, target_parts):
    errors = post_errors(
        admin_client_zh, admin_url(Target, "add"), target_form(target_parts, value="-5")
    )
    assert "value" in errors
    assert not Target.objects.exists()


def test_a_percentage_above_100_is_refused(admin_client_zh, target_parts):
    target_parts["indicator"] = IndicatorFactory(kind="percentage", unit="%", rollup="mean")
    errors = post_errors(
        admin_client_zh, admin_url(Target, "add"), target_form(target_parts, value="120")
    )
    assert "value" in errors
    assert not Target.objects.exists()


def test_a_target_for_a_kind_that_cannot_take_it_is_refused(admin_client_zh, target_parts):
    target_parts["indicator"] = IndicatorFactory(kind="milestone", unit="", rollup="none")
    errors = post_errors(
        admin_client_zh, admin_url(Target, "add"), target_form(target_parts, value="5")
    )
    assert "value" in errors
    assert not Target.objects.exists()


def test_a_region_moved_under_its_own_child_is_refused(admin_client_zh, jiaxing, pinghu):
    data = {
        "name": jiaxing.name,
        "code": jiaxing.code,
        "level": jiaxing.level,
        "parent": pinghu.pk,
        "kind": "admin",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    errors = post_errors(admin_client_zh, admin_url(Region, "change", jiaxing.pk), data)
    assert errors["parent"] == ["区域不能放在自身或其下级区域之下。"]
    jiaxing.refresh_from_db()
    assert jiaxing.parent.code == "33"


def test_an_invalid_value_in_the_target_list_saves_nothing(admin_client_zh, target_parts, nanhu):
    good = TargetFactory(**target_parts)
    other = TargetFactory(**{**target_parts, "region": nanhu})
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": good.pk,
        "form-0-comparator": "gte",
        "form-0-value": "1500",
        "form-0-baseline": "",
        "form-1-id": other.pk,
        "form-1-comparator": "gte",
        "form-1-value": "-1",
        "form-1-baseline": "",
        "_save": "1",
    }
    response = admin_client_zh.post(admin_url(Target), data)
    assert response.status_code == 200
    good.refresh_from_db()
    assert good.value == 1000


def test_figures_are_read_only_in_the_admin(admin_client_zh, target_parts):
    """Figures change through the review services only (scope, states, history, cache)."""
    report = ReportFactory(**target_parts)
    assert admin_client_zh.get(admin_url(ProgressReport)).status_code == 200
    page = admin_client_zh.get(admin_url(ProgressReport, "change", report.pk))
    assert page.status_code == 200 and 'name="value"' not in page.content.decode()
    response = admin_client_zh.post(
        admin_url(ProgressReport, "change", report.pk), {"value": "1", "state": "approved"}
    )
    assert response.status_code == 403
    assert admin_client_zh.get(admin_url(ProgressReport, "add")).status_code == 403
    report.refresh_from_db()
    assert (report.value, report.state, report.version) == (1200, "draft", 1)


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(admin_url(Target))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_program_list_costs_the_same_queries_for_many_programs(
    admin_client_zh, gangqu, django_assert_max_num_queries
):
    from tests.factories import PlanFactory, ProgramFactory

    for _ in range(30):
        PlanFactory(program=ProgramFactory(region=gangqu))
    with django_assert_max_num_queries(12):
        assert admin_client_zh.get(admin_url(Program)).status_code == 200


def test_a_plan_page_offers_only_that_plans_measures(admin_client_zh, gangqu):
    from tests.factories import MeasureFactory, PlanFactory

    plan = PlanFactory(program__region=gangqu)
    sibling = PlanFactory(program=plan.program)
    own, other = MeasureFactory(plan=plan), MeasureFactory(plan=sibling)
    page = admin_client_zh.get(admin_url(Plan, "change", plan.pk)).content.decode()
    assert f'<option value="{own.pk}">' in page
    assert f'<option value="{other.pk}">' not in page
