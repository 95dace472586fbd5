"""factory-boy factories for the domain; the cast of users and regions is in conftest.py."""

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from programs import rollups
from programs.choices import Comparator, IndicatorKind, PeriodKind, ReportState
from programs.models import (
    Indicator,
    Measure,
    Plan,
    PlanIndicator,
    Program,
    ProgressReport,
    ReportingPeriod,
    Target,
)
from regions.choices import RegionKind, RegionLevel, Role
from regions.models import OfficialMembership, Region

SHANGHAI = ZoneInfo("Asia/Shanghai")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"99{n:04d}")
    name = factory.Sequence(lambda n: f"Region {n}")
    level = RegionLevel.COUNTY
    kind = RegionKind.ADMIN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficialMembership

    user = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegionFactory)
    role = Role.REPORTER


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"IND_{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "人"
    kind = IndicatorKind.COUNT


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    start_year = 2024
    end_year = 2026


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
    order = factory.Sequence(int)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")


class PlanIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanIndicator

    plan = factory.SubFactory(PlanFactory)
    indicator = factory.SubFactory(IndicatorFactory)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ["kind", "year", "number"]

    kind = PeriodKind.YEAR
    year = 2024
    number = 1
    opens_at = factory.LazyAttribute(lambda p: datetime(p.year, 1, 1, tzinfo=SHANGHAI))
    deadline = factory.LazyAttribute(
        lambda p: datetime.combine(datetime(p.year + 1, 1, 31), time(23, 59), SHANGHAI)
    )


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    region = factory.SubFactory(RegionFactory)
    period = factory.SubFactory(PeriodFactory)
    comparator = Comparator.GTE
    value = Decimal(1000)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport
        skip_postgeneration_save = True

    indicator = factory.SubFactory(IndicatorFactory)
    region = factory.SubFactory(RegionFactory)
    period = factory.SubFactory(PeriodFactory)
    value = Decimal(1200)
    state = ReportState.DRAFT

    @factory.post_generation
    def public_figures(report, create, extracted, **kwargs):
        """An approved figure made here reaches the dashboards as an approval would."""
        if create and report.state == ReportState.APPROVED:
            rollups.refresh([report])


def tracked_in(region, *indicators, years=(2000, 2100)):
    """A program of `region` over `years` whose plan lists `indicators`: figures of them may then
    be entered in the region and below it (services refuse an indicator no program tracks)."""
    plan = PlanFactory(
        program=ProgramFactory(region=region, start_year=years[0], end_year=years[1])
    )
    for order, indicator in enumerate(indicators):
        PlanIndicatorFactory(plan=plan, indicator=indicator, order=order)
    return plan


def approved_figure(indicator, region, year, value, *, kind=PeriodKind.YEAR, number=1):
    """An approved report of `value` for the period (the year by default), public at once."""
    return ReportFactory(
        indicator=indicator,
        region=region,
        period=PeriodFactory(kind=kind, year=year, number=number),
        value=Decimal(value),
        state=ReportState.APPROVED,
        reviewed_at=timezone.now(),
    )
