"""The synthetic province of `generate_province`, at a scale small enough for a test."""

from collections import Counter
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max

from bench import generator
from bench.generator import bulk
from programs.choices import IndicatorKind, ReportState, RollupRule, TimeNature
from programs.models import Indicator, Program, ProgressReport, Target
from regions.access import Action, can
from regions.choices import RegionKind, RegionLevel
from regions.models import Region
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory

pytestmark = pytest.mark.django_db

TINY = ["--scale", "0.005", "--last-year", "2024"]


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_province", *TINY, *args, stdout=out)
    return out.getvalue()


def province_reports():
    return ProgressReport.objects.filter(region__path__startswith="90/")


def snapshot() -> list[tuple]:
    return sorted(
        province_reports().values_list(
            "region__code",
            "indicator__code",
            "period__kind",
            "period__year",
            "period__number",
            "value",
            "state",
            "is_lower_bound",
        )
    )


@pytest.fixture
def province():
    return generate("--seed", "7")


def test_the_province_has_the_shape_of_a_real_one(province):
    levels = Counter(Region.objects.filter(path__startswith="90/").values_list("level", flat=True))
    assert levels[RegionLevel.PROVINCE] == 1
    assert levels[RegionLevel.CITY] < levels[RegionLevel.COUNTY] < levels[RegionLevel.TOWNSHIP]
    zones = Region.objects.filter(path__startswith="90/", kind=RegionKind.ZONE)
    assert zones.filter(counted_in_parent=True).exists()
    assert zones.filter(counted_in_parent=False).exists()
    township = Region.objects.filter(path__startswith="90/", level=RegionLevel.TOWNSHIP).first()
    assert township.path == f"90/{township.code[:4]}/{township.code[:6]}/{township.code}/"


def test_the_catalog_has_every_kind_and_every_indicator_has_targets_and_figures(province):
    indicators = Indicator.objects.filter(code__startswith="GEN90-")
    assert indicators.count() == 60
    assert Program.objects.filter(region__code="90").count() == 5
    assert set(indicators.values_list("kind", flat=True)) == set(IndicatorKind.values)
    assert set(indicators.values_list("rollup", flat=True)) == set(RollupRule.values)
    assert set(indicators.values_list("time_nature", flat=True)) == set(TimeNature.values)
    assert not indicators.annotate(n=Count("targets")).filter(n=0).exists()
    assert not indicators.annotate(n=Count("reports")).filter(n=0).exists()
    assert not indicators.filter(plan_indicators__isnull=True).exists()


def test_figures_and_targets_pass_the_models_validation(province):
    for report in province_reports().select_related("indicator"):
        report.clean()
    targets = Target.objects.filter(region__path__startswith="90/").select_related(
        "indicator", "region", "plan__program__region"
    )
    for target in targets[::7]:
        target.full_clean(validate_unique=False, validate_constraints=False)


def test_one_figure_per_indicator_region_and_quarter(province):
    duplicates = (
        province_reports().values("indicator", "region", "period").annotate(n=Count("id"))
    ).filter(n__gt=1)
    assert not duplicates.exists()
    regions = Region.objects.filter(path__startswith="90/")
    upper = regions.filter(level__lte=RegionLevel.COUNTY).count()
    by_township = Indicator.objects.filter(code__startswith="GEN90-").count() - 8
    assert province_reports().count() == 8 * (by_township * regions.count() + 8 * upper)


def test_approved_figures_name_who_submitted_and_approved_them(province):
    approved = province_reports().filter(state=ReportState.APPROVED)
    assert approved.count() > 0.9 * province_reports().count()
    assert not approved.filter(reviewed_by__isnull=True).exists()
    assert not approved.filter(reviewed_at__isnull=True).exists()
    assert not approved.filter(submitted_by__isnull=True).exists()
    assert set(approved.values_list("version", flat=True)) == {3}
    for report in approved.filter(period__number=1).select_related(
        "region", "reviewed_by", "submitted_by"
    )[::50]:
        assert report.created_at <= report.submitted_at <= report.reviewed_at
        assert can(report.submitted_by, Action.SUBMIT, report.region)
        assert can(report.reviewed_by, Action.REVIEW, report.region)


def test_the_latest_quarter_still_has_drafts_submissions_and_returns(province):
    states = Counter(province_reports().values_list("state", flat=True))
    assert set(states) == set(ReportState.values)
    pending = province_reports().exclude(state=ReportState.APPROVED)
    assert set(pending.values_list("period__year", "period__number")) == {(2024, 4)}
    assert not pending.filter(state=ReportState.DRAFT, submitted_at__isnull=False).exists()
    returned = pending.filter(state=ReportState.RETURNED)
    assert not returned.filter(review_comment="").exists()


def test_stocks_never_fall_and_flows_grow(province):
    stock = Indicator.objects.get(code="GEN90-HIGH-TECH-FIRMS")
    series: dict[int, list] = {}
    for region_id, value in (
        province_reports()
        .filter(indicator=stock)
        .order_by("region", "period__year", "period__number")
        .values_list("region", "value")
    ):
        series.setdefault(region_id, []).append(value)
    assert all(values == sorted(values) for values in series.values())
    flow = province_reports().filter(indicator__code="GEN90-VT-TRAINED", region__code="90")
    years = {
        year: sum(flow.filter(period__year=year).values_list("value", flat=True))
        for year in (2023, 2024)
    }
    assert years[2024] > years[2023]


def test_a_city_reports_about_what_its_counties_add_up_to(province):
    city = Region.objects.filter(path__startswith="90/", level=RegionLevel.CITY).first()
    reports = province_reports().filter(indicator__code="GEN90-SKILLED-NEW", period__year=2023)
    own = sum(reports.filter(region=city).values_list("value", flat=True))
    parts = sum(
        reports.filter(region__parent=city, region__counted_in_parent=False).values_list(
            "value", flat=True
        )
    )
    assert parts <= own <= parts * 106 / 100 + 4


def test_the_same_seed_gives_the_same_figures_and_clear_leaves_no_duplicates(province):
    first = snapshot()
    counts = (Region.objects.count(), Target.objects.count(), ProgressReport.objects.count())
    generate("--seed", "7", "--clear")
    assert snapshot() == first
    assert (Region.objects.count(), Target.objects.count(), ProgressReport.objects.count()) == (
        counts
    )
    generate("--seed", "8", "--clear")
    assert snapshot() != first


def test_a_second_run_without_clear_is_refused(province):
    with pytest.raises(CommandError, match="--clear"):
        generate()


def test_clearing_leaves_the_rest_of_the_data_alone(zhejiang):
    period = PeriodFactory(year=2024)
    report = ReportFactory(region=zhejiang, indicator=IndicatorFactory(), period=period)
    generate()
    generate("--clear")
    assert ProgressReport.objects.filter(pk=report.pk).exists()
    assert Region.objects.filter(code="33").exists()
    assert Target.objects.filter(period=period, region__code="90").exists()  # periods reused


def test_reports_go_in_by_copy_on_postgresql_only():
    with mock.patch.object(bulk, "copy_rows", wraps=bulk.copy_rows) as copy:
        output = generate("--verbosity", "2")
    on_postgresql = connection.vendor == "postgresql"
    assert copy.called == on_postgresql
    assert ("by COPY" if on_postgresql else "by INSERT") in output
    assert "regions:" in output and "targets:" in output


def test_the_latest_period_is_q4_of_the_last_year(province):
    latest = province_reports().aggregate(year=Max("period__year"))["year"]
    assert latest == 2024
    assert not province_reports().filter(period__year__lt=2023).exists()


def test_scale_one_is_a_province_and_ten_is_ten_times_its_volume():
    one, ten = generator.province_shape(1), generator.province_shape(10)
    assert (one.cities, one.counties, one.townships, one.years) == (11, 100, 1300, 10)
    assert (ten.cities, ten.counties, ten.townships, ten.years) == (11, 316, 13000, 10)
    tiny = generator.province_shape(0.005)
    assert tiny.cities < tiny.counties < tiny.townships


@pytest.mark.parametrize("scale", ["0", "-1", "51"])
def test_a_scale_out_of_range_is_refused(scale):
    with pytest.raises(CommandError, match="scale"):
        call_command("generate_province", "--scale", scale)
