"""A shared indicator's meaning is fixed once figures or targets use it (issue #14, item 9).

Its kind, unit, direction, time nature and roll-up rule say what every region's stored figures and
targets mean; the superuser's change form refuses to change them at the field, with how many use
it, and saves nothing. Name and description stay editable, and an unused indicator stays free.
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from programs.models import Indicator
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory, TargetFactory

pytestmark = pytest.mark.django_db

# One change per guarded field, each valid on its own for a count in persons summed upwards.
MEANING_CHANGES = {
    "kind": "amount",
    "unit": "项",
    "direction": "lower",
    "time_nature": "stock",
    "rollup": "mean",
}


@pytest.fixture
def superuser_zh(superuser):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(superuser)
    return client


@pytest.fixture
def superuser_en(superuser):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    return client


@pytest.fixture
def indicator(db):
    return IndicatorFactory(code="TALENT", name="新增人才", unit="人", kind="count")


@pytest.fixture
def used(indicator):
    """Used by three figures (of any state) and one target."""
    for year in (2023, 2024, 2025):
        ReportFactory(indicator=indicator, period=PeriodFactory(year=year))
    TargetFactory(indicator=indicator, period=PeriodFactory(year=2025))
    return indicator


def change_url(indicator):
    return reverse("admin:programs_indicator_change", args=[indicator.pk])


def indicator_form(indicator, **changes):
    data = {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "direction": indicator.direction,
        "time_nature": indicator.time_nature,
        "rollup": indicator.rollup,
        "capped_at_100": "on",
        "description": indicator.description,
    }
    data.update(changes)
    return data


def stored(indicator):
    return Indicator.objects.filter(pk=indicator.pk).values().get()


def post_errors(client, indicator, **changes):
    before = stored(indicator)
    response = client.post(change_url(indicator), indicator_form(indicator, **changes))
    assert response.status_code == 200, "a refused change is shown again, not saved"
    assert stored(indicator) == before, "nothing is saved"
    return response.context["adminform"].form.errors


ZH = {
    "kind": "类型",
    "unit": "单位",
    "direction": "方向",
    "time_nature": "时间属性",
    "rollup": "汇总规则",
}


@pytest.mark.parametrize("field", MEANING_CHANGES)
def test_a_used_indicators_meaning_is_refused_at_the_field_in_chinese(superuser_zh, used, field):
    errors = post_errors(superuser_zh, used, name="改了名字", **{field: MEANING_CHANGES[field]})
    assert list(errors) == [field]
    message = errors[field][0]
    assert "数据 3 条" in message and "目标 1 个" in message
    assert f"不能再修改其{ZH[field]}" in message


def test_every_changed_field_gets_its_own_message(superuser_zh, used):
    errors = post_errors(superuser_zh, used, **MEANING_CHANGES)
    assert sorted(errors) == sorted(MEANING_CHANGES)


def test_the_same_refusal_in_english(superuser_en, used):
    errors = post_errors(superuser_en, used, kind="amount")
    assert errors["kind"] == [
        "This indicator is in use (figures: 3, targets: 1): its kind can no longer change, "
        "or what is stored would no longer mean what it says. Add a new indicator instead."
    ]


def test_figures_alone_or_targets_alone_are_enough(superuser_en, indicator):
    ReportFactory(indicator=indicator)
    assert "figures: 1, targets: 0" in post_errors(superuser_en, indicator, unit="项")["unit"][0]
    other = IndicatorFactory(code="OTHER")
    TargetFactory(indicator=other)
    assert "figures: 0, targets: 1" in post_errors(superuser_en, other, rollup="max")["rollup"][0]


def test_name_and_description_of_a_used_indicator_still_change(superuser_zh, used):
    response = superuser_zh.post(
        change_url(used), indicator_form(used, name="新引进人才", description="口径说明")
    )
    assert response.status_code == 302
    used.refresh_from_db()
    assert (used.name, used.description) == ("新引进人才", "口径说明")


def test_an_unused_indicator_can_still_be_redefined(superuser_zh, indicator):
    response = superuser_zh.post(
        change_url(indicator), indicator_form(indicator, **MEANING_CHANGES)
    )
    assert response.status_code == 302
    assert {key: stored(indicator)[key] for key in MEANING_CHANGES} == MEANING_CHANGES


def test_the_model_itself_refuses_so_every_validating_path_does(used):
    used.kind = "amount"
    with pytest.raises(ValidationError) as caught, translation.override("zh-hans"):
        used.full_clean()
    assert caught.value.error_dict["kind"][0].code == "indicator_in_use"
    fresh = Indicator(code="NEW", name="新指标", unit="人", kind="amount")
    fresh.full_clean()  # a new indicator has nothing stored to compare with


def test_the_change_page_says_how_many_use_it(superuser_zh, used):
    page = superuser_zh.get(change_url(used)).content.decode()
    assert "数据 3 条，目标 1 个" in page


def test_an_unused_indicators_page_says_so(superuser_en, indicator):
    page = superuser_en.get(change_url(indicator)).content.decode()
    assert "No figure or target uses this indicator yet." in page


@pytest.fixture
def uncapped_share(db):
    return IndicatorFactory(
        code="GROWTH",
        name="增长率",
        unit="%",
        kind="percentage",
        rollup="mean",
        capped_at_100=False,
    )


def test_capping_a_percentage_with_figures_above_100_is_refused(superuser_zh, uncapped_share):
    ReportFactory(indicator=uncapped_share, value=114)
    TargetFactory(indicator=uncapped_share, value=90, baseline=120)
    TargetFactory(indicator=uncapped_share, value=80, baseline=50)
    errors = post_errors(superuser_zh, uncapped_share, capped_at_100="on")
    assert errors == {
        "capped_at_100": ["此指标已有超过 100 的数据或目标（2 个），现在不能设为上限为100。"]
    }


def test_capping_a_percentage_whose_figures_fit_is_allowed(superuser_zh, uncapped_share):
    ReportFactory(indicator=uncapped_share, value=100)
    response = superuser_zh.post(
        change_url(uncapped_share), indicator_form(uncapped_share, capped_at_100="on")
    )
    assert response.status_code == 302
    uncapped_share.refresh_from_db()
    assert uncapped_share.capped_at_100
