"""The officials' pages as a reporter and a reviewer use them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.choices import ReportState
from programs.models import Evidence, Indicator, ProgressReport
from tests.factories import PeriodFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators(skills_plan):
    return {i.code: i for i in Indicator.objects.all()}


@pytest.fixture
def reporter_client(gangqu_reporter):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(gangqu_reporter)
    return client


@pytest.fixture
def grid_url(gangqu, open_2024, skills_plan):
    return reverse("programs:grid", args=[gangqu.code, open_2024.pk, skills_plan.program.pk])


def row(indicator, value="", version="", note="", selected=False, lower=False):
    prefix = f"i{indicator.pk}"
    data = {f"{prefix}-value": value, f"{prefix}-version": version, f"{prefix}-note": note}
    if selected:
        data[f"{prefix}-selected"] = "on"
    if lower:
        data[f"{prefix}-is_lower_bound"] = "on"
    return data


def test_the_grid_shows_every_indicator_with_target_and_last_year(
    reporter_client, grid_url, indicators, gangqu, django_assert_max_num_queries
):
    ReportFactory(
        indicator=indicators["VT_TRAINED"],
        region=gangqu,
        period=PeriodFactory(year=2023),
        value=1040,
        state=ReportState.APPROVED,
    )
    with django_assert_max_num_queries(15):
        page = reporter_client.get(grid_url).content.decode()
    for name in ("职业技能培训人数", "新增技能人才", "新增高技能人才"):
        assert name in page
    assert "≥ 1,000" in page and "≥ 800" in page and "≥ 400" in page
    assert "1,040" in page  # last year's approved value beside the input


def test_valid_rows_are_saved_while_a_bad_row_keeps_what_was_typed(
    reporter_client, grid_url, indicators
):
    data = {
        **row(indicators["VT_TRAINED"], "1200"),
        **row(indicators["SKILLED_NEW"], "950.5"),
        **row(indicators["HIGH_SKILLED_NEW"], "380", lower=True),
        "action": "save",
    }
    response = reporter_client.post(grid_url, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "A count must be a whole number." in page
    assert 'value="950.5"' in page
    saved = dict(ProgressReport.objects.values_list("indicator__code", "value"))
    assert saved == {"VT_TRAINED": Decimal(1200), "HIGH_SKILLED_NEW": Decimal(380)}
    assert ProgressReport.objects.get(indicator__code="HIGH_SKILLED_NEW").is_lower_bound


def test_submitting_the_selected_rows(reporter_client, grid_url, indicators):
    data = {
        **row(indicators["VT_TRAINED"], "1200", selected=True),
        **row(indicators["SKILLED_NEW"], "950"),
        "action": "submit",
    }
    assert reporter_client.post(grid_url, data).status_code == 302
    states = dict(ProgressReport.objects.values_list("indicator__code", "state"))
    assert states == {"VT_TRAINED": "submitted", "SKILLED_NEW": "draft"}


def test_a_second_save_from_an_old_version_shows_the_others_value(
    reporter_client, grid_url, indicators, gangqu, open_2024, pinghu_reporter
):
    trained = indicators["VT_TRAINED"]
    report = ReportFactory(indicator=trained, region=gangqu, period=open_2024, value=1000)
    report.value, report.version = Decimal(1111), 2
    report.save()
    response = reporter_client.post(
        grid_url, {**row(trained, "1200", version="1"), "action": "save"}
    )
    assert response.status_code == 422
    assert "1,111" in response.content.decode()
    report.refresh_from_db()
    assert report.value == 1111


def test_a_big_change_without_a_note_is_refused_at_its_row(
    reporter_client, grid_url, indicators, gangqu
):
    trained = indicators["VT_TRAINED"]
    ReportFactory(
        indicator=trained,
        region=gangqu,
        period=PeriodFactory(year=2023),
        value=100,
        state=ReportState.APPROVED,
    )
    response = reporter_client.post(grid_url, {**row(trained, "1200"), "action": "submit_all"})
    assert response.status_code == 422
    assert "explain it in the note" in response.content.decode()
    assert ProgressReport.objects.get(period__year=2024).state == "draft"


def test_errors_are_in_chinese_for_a_chinese_browser(gangqu_reporter, grid_url, indicators):
    client = Client()
    client.force_login(gangqu_reporter)
    data = {**row(indicators["SKILLED_NEW"], "-3"), "action": "save"}
    assert "数值不能为负数" in client.post(grid_url, data).content.decode()


def test_a_closed_period_shows_no_inputs_and_takes_no_post(reporter_client, gangqu, skills_plan):
    closed = PeriodFactory(
        year=2024,
        number=1,
        kind="half",
        opens_at=timezone.now() - timedelta(days=90),
        deadline=timezone.now() - timedelta(days=1),
    )
    url = reverse("programs:grid", args=[gangqu.code, closed.pk, skills_plan.program.pk])
    page = reporter_client.get(url).content.decode()
    assert "closed for entry" in page
    trained = Indicator.objects.get(code="VT_TRAINED")
    response = reporter_client.post(url, {**row(trained, "5"), "action": "save"})
    assert response.status_code == 422
    assert not ProgressReport.objects.exists()


def test_approved_figures_are_read_only_in_the_grid(
    reporter_client, grid_url, indicators, gangqu, open_2024
):
    trained = indicators["VT_TRAINED"]
    ReportFactory(
        indicator=trained, region=gangqu, period=open_2024, value=1200, state=ReportState.APPROVED
    )
    page = reporter_client.get(grid_url).content.decode()
    assert f'name="i{trained.pk}-value"' not in page
    reporter_client.post(grid_url, {**row(trained, "5", version="1"), "action": "save"})
    assert ProgressReport.objects.get().value == 1200


def test_home_lists_open_periods_with_counts_and_returned_items_first(
    reporter_client, indicators, gangqu, open_2024
):
    ReportFactory(
        indicator=indicators["VT_TRAINED"],
        region=gangqu,
        period=open_2024,
        state=ReportState.RETURNED,
        review_comment="请核实口径",
    )
    page = reporter_client.get(reverse("programs:home")).content.decode()
    assert "嘉兴港区 · 2024" in page
    assert "请核实口径" in page
    assert "has-returned" in page


def test_the_figure_page_shows_its_history(
    reporter_client, gangqu_reporter, jiaxing_reviewer, indicators, gangqu, open_2024
):
    report = services.report_save(
        user=gangqu_reporter,
        indicator=indicators["VT_TRAINED"],
        region=gangqu,
        period=open_2024,
        change=services.Change(value=Decimal(1100)),
        version=None,
    )
    report = services.report_submit(user=gangqu_reporter, report=report)
    services.report_return(user=jiaxing_reviewer, report=report, comment="请补充佐证")
    page = reporter_client.get(reverse("programs:report", args=[report.pk])).content.decode()
    assert "请补充佐证" in page
    assert "jiaxing" in page and "gangqu" in page
    assert page.count("<tr>") >= 4  # header + three versions


@pytest.fixture
def report(indicators, gangqu, open_2024, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return ReportFactory(indicator=indicators["VT_TRAINED"], region=gangqu, period=open_2024)


def upload(client, report, name, content, public=False):
    data = {"file": SimpleUploadedFile(name, content)}
    if public:
        data["is_public"] = "on"
    return client.post(reverse("programs:evidence_upload", args=[report.pk]), data, follow=True)


def test_evidence_is_stored_under_a_random_name(reporter_client, report, tmp_path):
    upload(reporter_client, report, "../../etc/passwd.pdf", b"%PDF-1.7 proof")
    evidence = Evidence.objects.get()
    assert evidence.original_name == "passwd.pdf" or evidence.original_name.endswith("passwd.pdf")
    stored = tmp_path / evidence.file.name
    assert stored.is_file()
    assert stored.resolve().is_relative_to(tmp_path.resolve())
    assert "passwd" not in evidence.file.name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ....", "Upload a PDF"),
        ("fake.pdf", b"MZ not a pdf", "does not match its type"),
    ],
)
def test_wrong_evidence_is_refused(reporter_client, report, name, content, message):
    response = upload(reporter_client, report, name, content)
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_over_the_size_limit_is_refused(reporter_client, report, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    response = upload(reporter_client, report, "big.pdf", b"%PDF-" + b"x" * 100)
    assert "larger than" in response.content.decode()
    assert not Evidence.objects.exists()


def test_private_evidence_is_for_officials_and_public_evidence_for_everyone_once_approved(
    reporter_client, report, jiaxing_reviewer, pinghu_reporter
):
    upload(reporter_client, report, "private.pdf", b"%PDF-1.7 a")
    upload(reporter_client, report, "public.pdf", b"%PDF-1.7 b", public=True)
    private, public = Evidence.objects.order_by("pk")
    reviewer, sibling, anonymous = Client(), Client(), Client()
    reviewer.force_login(jiaxing_reviewer)
    sibling.force_login(pinghu_reporter)
    url = lambda e: reverse("programs:evidence", args=[e.pk])  # noqa: E731
    assert reviewer.get(url(private)).status_code == 200
    assert b"".join(reporter_client.get(url(private)).streaming_content) == b"%PDF-1.7 a"
    assert sibling.get(url(private)).status_code == 404
    assert anonymous.get(url(public)).status_code == 404  # not approved yet
    report.state = ReportState.APPROVED
    report.save()
    assert anonymous.get(url(public)).status_code == 200
    assert anonymous.get(url(private)).status_code == 404


def test_notices_are_listed_and_marked_read(reporter_client, gangqu_reporter, report):
    services.notify(users=[gangqu_reporter], kind="returned", report=report, message="请核实")
    page = reporter_client.get(reverse("programs:notifications")).content.decode()
    assert "请核实" in page
    reporter_client.post(reverse("programs:notifications"))
    assert not gangqu_reporter.notifications.filter(read_at__isnull=True).exists()


def test_the_review_queue_shows_target_and_old_to_new_in_few_queries(
    gangqu_reporter, jiaxing_reviewer, indicators, gangqu, open_2024, django_assert_max_num_queries
):
    for code, value in (("VT_TRAINED", 1100), ("SKILLED_NEW", 900), ("HIGH_SKILLED_NEW", 380)):
        report = services.report_save(
            user=gangqu_reporter,
            indicator=indicators[code],
            region=gangqu,
            period=open_2024,
            change=services.Change(value=Decimal(value)),
            version=None,
        )
        report = services.report_save(
            user=gangqu_reporter,
            indicator=indicators[code],
            region=gangqu,
            period=open_2024,
            change=services.Change(value=Decimal(value + 100)),
            version=1,
        )
        services.report_submit(user=gangqu_reporter, report=report)
    client = Client()
    client.force_login(jiaxing_reviewer)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("programs:review", args=[open_2024.pk])).content.decode()
    page = " ".join(page.split())
    assert "<del>1,100</del> → <ins>1,200</ins>" in page
    assert "≥ 1,000" in page


def test_approve_all_leaves_a_figure_changed_since_the_page_was_shown(
    gangqu_reporter, jiaxing_reviewer, indicators, gangqu, open_2024
):
    shown = ReportFactory(
        indicator=indicators["VT_TRAINED"],
        region=gangqu,
        period=open_2024,
        state=ReportState.SUBMITTED,
        submitted_by=gangqu_reporter,
    )
    changed = ReportFactory(
        indicator=indicators["SKILLED_NEW"],
        region=gangqu,
        period=open_2024,
        state=ReportState.SUBMITTED,
        submitted_by=gangqu_reporter,
        version=3,
    )
    late = ReportFactory(
        indicator=indicators["HIGH_SKILLED_NEW"],
        region=gangqu,
        period=open_2024,
        state=ReportState.SUBMITTED,
        submitted_by=gangqu_reporter,
    )
    client = Client()
    client.force_login(jiaxing_reviewer)
    client.post(
        reverse("programs:review", args=[open_2024.pk]),
        {
            "approve_all": "1",
            "shown": [shown.pk, changed.pk],  # `late` arrived after the page was rendered
            f"version_{shown.pk}": shown.version,
            f"version_{changed.pk}": 2,  # the reviewer saw version 2; it is 3 now
        },
    )
    states = {r.pk: r.state for r in ProgressReport.objects.all()}
    assert states == {shown.pk: "approved", changed.pk: "submitted", late.pk: "submitted"}
