"""Codes and names are checked on every path that writes them (the models, so the admin and the
catalog import), and a code stored before the checks does not take the public pages down."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from programs.catalog_import import INDICATORS, MEASURES, PLANS, PROGRAM
from programs.demo_data import INDICATORS as DEMO_INDICATORS
from programs.models import Indicator, Measure, Plan, PlanTag, Program
from regions.models import Region
from tests.factories import (
    IndicatorFactory,
    MeasureFactory,
    PeriodFactory,
    PlanFactory,
    PlanIndicatorFactory,
    ProgramFactory,
    ReportFactory,
)
from tests.programs.catalog_import.helpers import (
    as_bytes,
    counts,
    jiaxing_workbook,
    sheet_of,
    upload,
)

pytestmark = pytest.mark.django_db

CODE_ZH = "代码只能使用英文字母、数字、连字符（-）、下划线（_）和点（.），并以字母或数字开头。"
CODE_EN = (
    "Use only Latin letters, digits, hyphens (-), underscores (_) and dots (.) in a code, "
    "starting with a letter or a digit."
)


def one_line_zh(characters: str) -> str:
    return f"请保持在一行内：删除换行符和不可见的控制字符（{characters}）。"


def one_line_en(characters: str) -> str:
    return (
        "Keep this on one line: remove the line breaks and invisible control characters "
        f"({characters})."
    )


def admin_url(model, action="add", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def post_errors(client, url, data) -> dict:
    response = client.post(url, data)
    assert response.status_code == 200, "a bad form is shown again, not saved and redirected"
    return response.context["adminform"].form.errors


def indicator_form(**changes) -> dict:
    data = {
        "code": "VT_TRAINED",
        "name": "职业技能培训人数",
        "unit": "人",
        "kind": "count",
        "direction": "higher",
        "time_nature": "flow",
        "rollup": "sum",
        "capped_at_100": "on",
        "description": "",
    }
    return {**data, **changes}


# --- The admin --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["VT/TRAINED", "VT TRAINED", "..", "VT?x", "职业"])
def test_the_admin_refuses_an_indicator_code_unsafe_in_an_address(admin_client_zh, code):
    errors = post_errors(admin_client_zh, admin_url(Indicator), indicator_form(code=code))
    assert errors["code"] == [CODE_ZH]
    assert not Indicator.objects.exists()


@pytest.mark.parametrize(
    "name, shown",
    [
        ("职业技能\r\n培训人数", "U+000D, U+000A"),
        ("职业技能\u200b培训人数", "U+200B"),
        ("职业技能\u202e培训人数", "U+202E"),
        ("职业技能\t培训人数", "U+0009"),
    ],
)
def test_the_admin_refuses_an_indicator_name_not_on_one_line(admin_client_en, name, shown):
    errors = post_errors(admin_client_en, admin_url(Indicator), indicator_form(name=name))
    assert errors["name"] == [one_line_en(shown)]
    assert not Indicator.objects.exists()


def test_the_admin_still_saves_a_good_indicator(admin_client_zh):
    response = admin_client_zh.post(admin_url(Indicator), indicator_form(code="GEN90-VT.2"))
    assert response.status_code == 302
    assert Indicator.objects.get().code == "GEN90-VT.2"


def test_the_admin_refuses_a_region_code_with_a_slash_and_a_name_on_two_lines(
    admin_client_zh, jiaxing
):
    data = {
        "name": "嘉兴\n港区",
        "code": "3304/Z02",
        "level": 3,
        "parent": jiaxing.pk,
        "kind": "zone",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    errors = post_errors(admin_client_zh, admin_url(Region), data)
    assert errors["code"] == [CODE_ZH]
    assert errors["name"] == [one_line_zh("U+000A")]
    assert not Region.objects.filter(name__startswith="嘉兴\n").exists()


def test_the_admin_refuses_a_tag_and_a_measure_on_two_lines(admin_client_zh, gangqu):
    errors = post_errors(
        admin_client_zh, admin_url(PlanTag), {"name": "技能\n人才", "category": "三支队伍"}
    )
    assert errors["name"] == [one_line_zh("U+000A")]
    plan = PlanFactory(program=ProgramFactory(region=gangqu))
    data = {"plan": plan.pk, "name": "打造\u2028培训圈", "owner_office": "", "order": "0"}
    errors = post_errors(admin_client_zh, admin_url(Measure), data)
    assert errors["name"] == [one_line_zh("U+2028")]
    assert not PlanTag.objects.exists() and not Measure.objects.exists()


@pytest.mark.parametrize(
    "model, field, value",
    [
        (Program, "name", "计划\n二"),
        (Program, "source_title", "文件\x00"),
        (Program, "summary", "摘要\x00"),
        (Plan, "name", "\ufeff计划"),
        (Plan, "description", "说明\x07"),
        (Measure, "owner_office", "人社局\n"),
        (Indicator, "code", "A/B"),
        (Indicator, "name", "指标\x00"),
        (Indicator, "description", "说明\x00"),
        (PlanTag, "category", "三支\n队伍"),
    ],
)
def test_every_catalog_text_is_checked_by_its_model(gangqu, model, field, value):
    """The models' own checks: what the admin, the catalog import and any later path run."""
    plan = PlanFactory(program=ProgramFactory(region=gangqu))
    instance = {
        Program: plan.program,
        Plan: plan,
        Measure: MeasureFactory(plan=plan),
        Indicator: IndicatorFactory(),
        PlanTag: PlanTag(name="技能人才"),
    }[model]
    setattr(instance, field, value)
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    assert list(error.value.message_dict) == [field]


def test_the_demos_codes_and_names_pass():
    for code, (name, *_rest) in DEMO_INDICATORS.items():
        Indicator(code=code, name=name, kind="count").clean_fields(exclude=["kind", "unit"])


# --- The catalog import ------------------------------------------------------------------------


@pytest.fixture
def client_zh(admin_client_zh, jiaxing, pinghu, nanhu, gangqu):
    return admin_client_zh


@pytest.fixture
def urls():
    return {
        "upload": reverse("programs:catalog_import"),
        "template": reverse("programs:catalog_import_template"),
    }


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def cell_errors(response) -> dict[tuple[str, int | None, str], str]:
    return {(e.sheet, e.row, e.column): e.message for e in response.context["check"].errors}


def test_the_dry_run_shows_each_unsafe_code_and_broken_name_at_its_cell(client_en, urls):
    workbook = jiaxing_workbook(client_en, urls)
    sheet_of(workbook, PROGRAM)["B2"] = "嘉兴市技能人才\n工作计划"
    sheet_of(workbook, PLANS)["A3"] = "高技能人才\u200b引领计划"
    sheet_of(workbook, MEASURES)["C2"] = "人力\n社保局"
    indicators = sheet_of(workbook, INDICATORS)
    indicators.append(["VT/TRAINED", "职业技能培训人数", "人", "Count", "", "", "", "", ""])
    indicators.append(["FLOW_NEW", "新增\u202e人才", "人", "Count", "", "", "", "", ""])
    indicators.append(["FLOW..", "新增人才", "人", "Count", "", "", "", "", "第一行\x7f"])
    before = counts()

    response = upload(client_en, urls, as_bytes(workbook))

    assert response.status_code == 422
    errors = cell_errors(response)
    assert errors[("Program", 2, "B")] == one_line_en("U+000A")
    assert errors[("Plans", 3, "A")] == one_line_en("U+200B")
    assert errors[("Measures", 2, "C")] == one_line_en("U+000A")
    assert errors[("Indicators", 4, "A")] == CODE_EN
    assert errors[("Indicators", 5, "B")] == one_line_en("U+202E")
    assert errors[("Indicators", 6, "I")] == "Remove the invisible control characters (U+007F)."
    assert counts() == before


def test_the_same_errors_in_chinese(client_zh, urls):
    workbook = jiaxing_workbook(client_zh, urls)
    sheet_of(workbook, INDICATORS)["A2"] = "VT/TRAINING_TIMES"
    sheet_of(workbook, INDICATORS)["B2"] = "职业技能\n培训人次"

    response = upload(client_zh, urls, as_bytes(workbook))

    assert response.status_code == 422
    errors = cell_errors(response)
    assert errors[("指标", 2, "A")] == CODE_ZH
    assert not Indicator.objects.filter(code__contains="/").exists()


@pytest.fixture
def client_en(admin_client_en, jiaxing, pinghu, nanhu, gangqu):
    return admin_client_en


# --- A code stored before the checks ----------------------------------------------------------


@pytest.mark.parametrize("legacy", ["VT/TRAINED", "..", "50%", "a b&c"])
def test_a_stored_bad_code_leaves_the_region_and_program_pages_working(gangqu, legacy):
    """update() skips the models' checks, as rows written before them did: the region and
    program pages still answer, and their links lead to the indicator's page."""
    indicator = IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数")
    period = PeriodFactory(year=2024)
    ReportFactory(indicator=indicator, region=gangqu, period=period, value=1200, state="approved")
    program = ProgramFactory(region=gangqu, name="优培赋能强提升计划")
    PlanIndicatorFactory(plan=PlanFactory(program=program), indicator=indicator)
    Indicator.objects.filter(pk=indicator.pk).update(code=legacy)
    cache.clear()
    client = Client(raise_request_exception=True)
    link = reverse("public:indicator", args=[legacy])
    for page in (
        reverse("public:region", args=[gangqu.code]) + "?year=2024",
        reverse("public:program", args=[program.pk]) + "?year=2024",
    ):
        response = client.get(page)
        assert response.status_code == 200
        assert f'href="{escape(link)}?region=3304Z01&amp;year=2024"' in response.content.decode()
    indicator_page = client.get(link, {"region": gangqu.code, "year": 2024})
    assert indicator_page.status_code == 200
    assert "职业技能培训人数" in indicator_page.content.decode()


def test_a_stored_bad_region_code_leaves_its_parents_page_and_its_own_working(gangqu, jiaxing):
    indicator = IndicatorFactory(code="VT_TRAINED", name="职业技能培训人数")
    period = PeriodFactory(year=2024)
    ReportFactory(indicator=indicator, region=gangqu, period=period, value=1200, state="approved")
    Region.objects.filter(pk=gangqu.pk).update(code="3304/Z01")
    cache.clear()
    client = Client(raise_request_exception=True)
    city = client.get(reverse("public:region", args=[jiaxing.code]), {"year": 2024})
    assert city.status_code == 200
    link = reverse("public:region", args=["3304/Z01"])
    assert link == "/regions/3304%252FZ01/"
    assert f'href="{link}?year=2024"' in city.content.decode()
    zone = client.get(link, {"year": 2024})
    assert zone.status_code == 200
    assert "嘉兴港区" in zone.content.decode()


def test_a_stored_bad_region_code_leaves_the_excel_template_downloadable(gangqu_reporter, gangqu):
    """The template's file name carries the region's code: a code stored with a line break or a
    quote before the checks no longer breaks the header (BadHeaderError, a 500)."""
    now = timezone.now()
    period = PeriodFactory(
        year=now.year, opens_at=now - timedelta(days=30), deadline=now + timedelta(days=30)
    )
    program = ProgramFactory(region=gangqu, start_year=now.year - 1, end_year=now.year + 1)
    PlanIndicatorFactory(plan=PlanFactory(program=program), indicator=IndicatorFactory())
    Region.objects.filter(pk=gangqu.pk).update(code='3304"Z\r\n01')
    client = Client(raise_request_exception=True)
    client.force_login(gangqu_reporter)
    url = reverse("programs:excel_template", args=['3304"Z\r\n01', period.pk, program.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="talentportal-3304_Z__01-'
    )
