"""The home page's selectors: the headline region and the recently updated regions, read without
aggregating the whole progress table."""

from datetime import UTC, datetime, timedelta

import pytest

from programs import dashboard
from programs.choices import ReportState
from programs.models import ProgressReport
from regions.choices import RegionLevel
from tests.factories import IndicatorFactory, PeriodFactory, RegionFactory, ReportFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def approve_many(region, *, count, newest, indicators, periods):
    """`count` approved figures of `region`, one a minute back from `newest` (bulk: no roll-ups)."""
    keys = [(i, p) for p in periods for i in indicators][:count]
    assert len(keys) == count
    ProgressReport.objects.bulk_create(
        ProgressReport(
            indicator=indicator,
            region=region,
            period=period,
            value=1,
            state=ReportState.APPROVED,
            reviewed_at=newest - timedelta(minutes=n),
        )
        for n, (indicator, period) in enumerate(keys)
    )


def test_recently_updated_lists_each_region_once_by_its_latest_approval(
    django_assert_max_num_queries,
):
    busy, quiet, older = (RegionFactory() for _ in range(3))
    indicators = IndicatorFactory.create_batch(3)
    periods = [PeriodFactory(year=year) for year in range(2001, 2031)]
    # More approvals of one region than the first window reads (limit × 25 = 50): the selector
    # must read further back to find the second region.
    approve_many(busy, count=80, newest=NOW, indicators=indicators, periods=periods)
    approve_many(
        quiet, count=1, newest=NOW - timedelta(days=2), indicators=indicators, periods=periods
    )
    approve_many(
        older, count=1, newest=NOW - timedelta(days=9), indicators=indicators, periods=periods
    )
    # A draft or a submission is not an update of the public figures.
    ReportFactory(region=older, state=ReportState.SUBMITTED, period=periods[-1])

    with django_assert_max_num_queries(4):
        recent = dashboard.recently_updated(limit=2)

    assert recent == [(busy, NOW), (quiet, NOW - timedelta(days=2))]
    assert dashboard.recently_updated(limit=5) == [
        (busy, NOW),
        (quiet, NOW - timedelta(days=2)),
        (older, NOW - timedelta(days=9)),
    ]


def test_the_headline_region_is_the_highest_with_approved_figures():
    province = RegionFactory(level=RegionLevel.PROVINCE)
    city = RegionFactory(level=RegionLevel.CITY, parent=province)
    busy, quiet = (RegionFactory(level=RegionLevel.COUNTY, parent=city) for _ in range(2))
    first, second = IndicatorFactory.create_batch(2)
    assert dashboard.headline_region() is None

    ReportFactory(region=quiet, indicator=first, state=ReportState.APPROVED)
    ReportFactory(region=busy, indicator=first, state=ReportState.APPROVED)
    ReportFactory(region=busy, indicator=second, state=ReportState.APPROVED)
    # Drafts of a higher region do not make it the headline.
    ReportFactory(region=city, indicator=first, state=ReportState.DRAFT)
    assert dashboard.headline_region() == busy  # most figures among the counties

    ReportFactory(region=province, indicator=first, state=ReportState.APPROVED)
    assert dashboard.headline_region() == province
