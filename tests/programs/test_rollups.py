"""The precomputed figures match the pure functions, incrementally and in full, through every
level of the tree, and stay in step with approvals and reopenings."""

import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F

from programs import dashboard, figures, rollups, services
from programs.choices import PeriodKind, ReportState, RollupRule, TimeNature
from programs.models import ProgressReport, RegionFigure
from regions.choices import RegionKind, RegionLevel
from tests.factories import (
    IndicatorFactory,
    MembershipFactory,
    PeriodFactory,
    RegionFactory,
    ReportFactory,
    UserFactory,
    tracked_in,
)

pytestmark = pytest.mark.django_db


def table() -> dict:
    """Every row: its figures, lower-bound marks and coverage (through, rollup_through, mixed)."""
    return {
        (f.region_id, f.indicator_id, f.year): (
            f.value,
            f.rollup,
            f.is_lower_bound,
            f.rollup_is_lower_bound,
            f.through,
            f.rollup_through,
            f.rollup_mixed,
        )
        for f in RegionFigure.objects.all()
    }


REPORT_FIELDS = (
    "region_id",
    "indicator_id",
    "value",
    "is_lower_bound",
    "period__year",
    "period__kind",
    "period__number",
)
# Quarters and halves of one year overlap: the coarsest kind reported makes the year.
COARSEST_FIRST = (PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH)
MONTHS = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}


@dataclass
class Own:
    value: Decimal
    is_lower_bound: bool
    through: int  # the last month covered: the last period used, at the coarsest kind


def year_figures(rows, *, time_nature) -> dict[int, Own]:
    """DESIGN.md's rule, by hand over one region's and indicator's approved rows: a year report
    wins; otherwise the coarsest sub-periods reported make the year-to-date figure
    (`figures.year_to_date`: a flow adds up, a stock is the latest period's)."""
    by_year = defaultdict(list)
    for row in rows:
        by_year[row["period__year"]].append(row)
    result = {}
    for year, items in by_year.items():
        kind = next(k for k in COARSEST_FIRST if any(r["period__kind"] == k for r in items))
        used = sorted(
            (r for r in items if r["period__kind"] == kind), key=lambda r: r["period__number"]
        )
        result[year] = Own(
            figures.year_to_date([r["value"] for r in used], time_nature=time_nature),
            any(r["is_lower_bound"] for r in used),
            used[-1]["period__number"] * MONTHS[kind],
        )
    return result


FOUR_PLACES = Decimal("0.0001")


def depth(region) -> int:
    return region.path.count("/")


def expected(regions, indicators) -> dict:
    """What `figures` computes from the approved reports, region by region: own figures, then
    each parent's roll-up of its children's effective figures (own, else their roll-up), the
    deepest parents first, each roll-up kept to the table's four decimals. A roll-up covers the
    least of its children's effective coverages, and is mixed when they differ or one of them is
    a mixed roll-up."""
    approved = list(dashboard.approved_reports().values(*REPORT_FIELDS))
    own = {}
    for region in regions:
        for indicator in indicators:
            rows = [
                r
                for r in approved
                if r["region_id"] == region.pk and r["indicator_id"] == indicator.pk
            ]
            for year, value in year_figures(rows, time_nature=indicator.time_nature).items():
                own[(region.pk, indicator.pk, year)] = value
    rolled = {}

    def effective(key) -> tuple:
        if key in own:
            return own[key].value, own[key].is_lower_bound, own[key].through, False
        return rolled.get(key, (None, False, None, False))

    years = {year for (_, _, year) in own}
    for parent in sorted(regions, key=depth, reverse=True):
        children = [r for r in regions if r.parent_id == parent.pk]
        for indicator in indicators:
            for year in years:
                inputs, coverages = [], []
                for child in children:
                    value, lower, through, mixed = effective((child.pk, indicator.pk, year))
                    inputs.append(figures.RollupInput(value, child.counted_in_parent, lower))
                    if value is not None and not child.counted_in_parent:
                        coverages.append((through, mixed))
                total = figures.rollup(inputs, rule=indicator.rollup)
                if total is not None:
                    throughs = {through for through, _ in coverages}
                    rolled[(parent.pk, indicator.pk, year)] = (
                        total.quantize(FOUR_PLACES, ROUND_HALF_UP),
                        figures.rollup_is_lower_bound(inputs, rule=indicator.rollup),
                        min(throughs),
                        len(throughs) > 1 or any(mixed for _, mixed in coverages),
                    )
    result = {
        key: (value.value, None, value.is_lower_bound, False, value.through, None, False)
        for key, value in own.items()
    }
    for key, (total, lower, through, mixed) in rolled.items():
        value, _, own_lower, _, own_through, _, _ = result.get(
            key, (None, None, False, False, None, None, False)
        )
        result[key] = (value, total, own_lower, lower, own_through, through, mixed)
    return result


def same(actual: dict, wanted: dict) -> None:
    """`actual` (from `table()`) holds `wanted`'s figures and marks, and its coverage where
    `wanted` gives one (seven columns rather than four)."""
    assert set(actual) == set(wanted)
    for key, (value, rollup, lower, rollup_lower, *coverage) in wanted.items():
        got = actual[key]
        if coverage:
            assert got[4:] == tuple(coverage), key
        assert got[0] == (None if value is None else value.quantize(FOUR_PLACES)), key
        assert (got[1] is None) == (rollup is None), key
        if rollup is not None:
            assert abs(got[1] - rollup) < FOUR_PLACES, key
        assert bool(got[2]) == lower, key
        assert bool(got[3]) == rollup_lower, key


# Regions of `province` that report nothing: their roll-ups stand for them one level up.
SILENT = {"902", "90101", "90201"}


@pytest.fixture
def province():
    """A four-level tree (province, cities, counties, townships) with zones counted in their
    parent and not, regions that report nothing between reporting ones, and every kind of
    period."""
    root = RegionFactory(code="90", name="合成省", level=RegionLevel.PROVINCE)
    cities = [RegionFactory(code=f"90{c}", parent=root, level=RegionLevel.CITY) for c in "12"]
    counties = [
        RegionFactory(code=f"{city.code}{n:02d}", parent=city, level=RegionLevel.COUNTY)
        for city in cities
        for n in range(1, 4)
    ]
    townships = [
        RegionFactory(code=f"{county.code}{n:02d}", parent=county, level=RegionLevel.TOWNSHIP)
        for county in counties[::2]
        for n in range(1, 3)
    ]
    zone = RegionFactory(
        code="901Z1",
        parent=cities[0],
        level=RegionLevel.COUNTY,
        kind=RegionKind.ZONE,
        counted_in_parent=True,
    )
    zone_township = RegionFactory(code="901Z101", parent=zone, level=RegionLevel.TOWNSHIP)
    open_zone = RegionFactory(
        code="90201Z1", parent=counties[3], level=RegionLevel.TOWNSHIP, kind=RegionKind.ZONE
    )
    counted_zone = RegionFactory(
        code="90201Z2",
        parent=counties[3],
        level=RegionLevel.TOWNSHIP,
        kind=RegionKind.ZONE,
        counted_in_parent=True,
    )
    return [root, *cities, *counties, *townships, zone, zone_township, open_zone, counted_zone]


@pytest.fixture
def indicators():
    return [
        IndicatorFactory(code="FLOW_SUM", time_nature=TimeNature.FLOW, rollup=RollupRule.SUM),
        IndicatorFactory(code="STOCK_MEAN", time_nature=TimeNature.STOCK, rollup=RollupRule.MEAN),
        IndicatorFactory(code="FLOW_MAX", time_nature=TimeNature.FLOW, rollup=RollupRule.MAX),
        IndicatorFactory(code="STOCK_MIN", time_nature=TimeNature.STOCK, rollup=RollupRule.MIN),
        IndicatorFactory(code="NO_ROLLUP", time_nature=TimeNature.FLOW, rollup=RollupRule.NONE),
    ]


def fill(province, indicators, seed):
    """Random approved and unapproved reports over years, quarters, halves and months."""
    rng = random.Random(seed)
    periods = [PeriodFactory(year=2023), PeriodFactory(year=2024)]
    periods += [
        PeriodFactory(year=year, kind=PeriodKind.QUARTER, number=n)
        for year in (2023, 2024)
        for n in range(1, 5)
    ]
    periods += [PeriodFactory(year=2024, kind=PeriodKind.HALF, number=n) for n in (1, 2)]
    periods += [PeriodFactory(year=2025, kind=PeriodKind.MONTH, number=n) for n in (1, 2, 5)]
    periods += [PeriodFactory(year=2025, kind=PeriodKind.QUARTER, number=1)]
    rows = []
    for region in province:
        if region.code in SILENT:
            continue
        for indicator in indicators:
            for period in periods:
                if rng.random() < 0.45:
                    continue
                rows.append(
                    ProgressReport(
                        region=region,
                        indicator=indicator,
                        period=period,
                        value=Decimal(rng.randint(0, 500)),
                        is_lower_bound=rng.random() < 0.1,
                        state=rng.choice([ReportState.APPROVED] * 3 + [ReportState.SUBMITTED]),
                    )
                )
    ProgressReport.objects.bulk_create(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_full_refresh_matches_the_pure_functions(province, indicators, seed):
    fill(province, indicators, seed)
    rollups.refresh_all()
    same(table(), expected(province, indicators))


def test_engines_without_full_join_build_the_same_table(province, indicators, monkeypatch):
    """SQLite before 3.39 (Ubuntu 22.04's, RHEL 9's) rebuilds in two statements instead of one."""
    fill(province, indicators, 9)
    rows = rollups.refresh_all()
    one_pass = table()
    monkeypatch.setattr(rollups, "_has_full_join", lambda: False)
    assert rollups.refresh_all() == rows
    assert table() == one_pass
    same(one_pass, expected(province, indicators))


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_approved_reports_fills_its_figures():
    """Migrations 0007/0008 fill the figures with their own frozen SQL, back and forth: here the
    rules as they were written down then, checked by hand (not against today's code)."""
    city = RegionFactory(code="91", level=RegionLevel.CITY)
    a, b = (RegionFactory(code=f"91{n}", parent=city, level=RegionLevel.COUNTY) for n in "12")
    zone = RegionFactory(code="91Z", parent=city, kind=RegionKind.ZONE, counted_in_parent=True)
    flow = IndicatorFactory(code="FLOW", time_nature=TimeNature.FLOW, rollup=RollupRule.SUM)
    stock = IndicatorFactory(code="STOCK", time_nature=TimeNature.STOCK, rollup=RollupRule.MAX)
    q1, q2 = (PeriodFactory(year=2024, kind=PeriodKind.QUARTER, number=n) for n in (1, 2))
    year = PeriodFactory(year=2024)
    approved = ReportState.APPROVED
    for indicator, region, period, value, state in [
        (flow, a, q1, 10, approved),  # quarters of a flow add up: 15
        (flow, a, q2, 5, approved),
        (flow, b, year, 7, approved),  # a year report
        (flow, b, q1, 100, approved),  # … wins over quarters
        (flow, zone, year, 50, approved),  # counted in its county: not in the city's sum
        (stock, a, q1, 30, approved),  # a stock takes the latest quarter: 20
        (stock, a, q2, 20, approved),
        (stock, b, year, 40, ReportState.SUBMITTED),  # not approved: no figure
    ]:
        ReportFactory(indicator=indicator, region=region, period=period, value=value, state=state)
    by_hand = {
        (a.pk, flow.pk, 2024): (Decimal(15), None, False, False),
        (b.pk, flow.pk, 2024): (Decimal(7), None, False, False),
        (zone.pk, flow.pk, 2024): (Decimal(50), None, False, False),
        (city.pk, flow.pk, 2024): (None, Decimal(22), False, False),
        (a.pk, stock.pk, 2024): (Decimal(20), None, False, False),
        (city.pk, stock.pk, 2024): (None, Decimal(20), False, False),
    }
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("programs")
    executor.migrate([("programs", "0006_submitted_index")])
    with connection.cursor() as cursor:  # the old table, filled by 0008 on its way back
        cursor.execute("SELECT COUNT(*) FROM programs_regionfigure")
        assert cursor.fetchone()[0] == len(by_hand)
        cursor.execute("DELETE FROM programs_regionfigure")
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    migrated = table()
    assert {key: row[:4] for key, row in migrated.items()} == by_hand
    # Coverage (0014) comes with the next rebuild: A's quarters 1–2 cover the half-year, B's year
    # report the year; the city's sum covers the half-year and mixes the two.
    assert {row[4:] for row in migrated.values()} == {(None, None, False)}
    rollups.refresh_all()
    assert {key: row[4:] for key, row in table().items()} == {
        (a.pk, flow.pk, 2024): (6, None, False),
        (b.pk, flow.pk, 2024): (12, None, False),
        (zone.pk, flow.pk, 2024): (12, None, False),
        (city.pk, flow.pk, 2024): (None, 6, True),
        (a.pk, stock.pk, 2024): (6, None, False),
        (city.pk, stock.pk, 2024): (None, 6, False),
    }


def test_refreshing_twice_changes_nothing(province, indicators):
    fill(province, indicators, 4)
    rollups.refresh_all()
    first = table()
    rollups.refresh_all()
    assert table() == first


def test_an_incremental_refresh_matches_a_full_one(province, indicators):
    fill(province, indicators, 5)
    rollups.refresh_all()
    changed = list(
        ProgressReport.objects.filter(state=ReportState.APPROVED).select_related("period")[:25]
    )
    for report in changed:
        report.value += 7
    ProgressReport.objects.bulk_update(changed, ["value"])
    ProgressReport.objects.filter(pk__in=[r.pk for r in changed[:5]]).update(
        state=ReportState.DRAFT
    )
    rollups.refresh(changed)
    incremental = table()
    rollups.refresh_all()
    assert incremental == table()


def test_an_approval_and_a_reopening_move_the_public_figures_at_once(gangqu, jiaxing):
    reviewer = MembershipFactory(
        user=UserFactory(), region=jiaxing, role="reviewer", includes_subregions=True
    ).user
    indicator = IndicatorFactory(rollup=RollupRule.SUM)
    tracked_in(jiaxing, indicator)
    report = ReportFactory(
        region=gangqu,
        indicator=indicator,
        period=PeriodFactory(year=2024),
        value=1200,
        state=ReportState.SUBMITTED,
        submitted_by=UserFactory(),
    )
    assert not RegionFigure.objects.exists()
    services.report_approve(user=reviewer, report=report)
    own = RegionFigure.objects.get(region=gangqu, indicator=indicator, year=2024)
    assert own.value == 1200
    if not gangqu.counted_in_parent:
        parent = RegionFigure.objects.get(region=jiaxing, indicator=indicator, year=2024)
        assert parent.rollup == 1200
    services.report_reopen(user=reviewer, report=report, reason="口径调整")
    assert not RegionFigure.objects.filter(region=gangqu, value__isnull=False).exists()


def test_a_zone_marked_counted_in_its_county_in_the_admin_leaves_the_city_sum(
    client, superuser, django_capture_on_commit_callbacks
):
    city = RegionFactory(code="9101", level=RegionLevel.CITY)
    county = RegionFactory(code="910101", parent=city)
    zone = RegionFactory(code="9101Z1", parent=city, kind=RegionKind.ZONE)
    indicator = IndicatorFactory(rollup=RollupRule.SUM)
    for region, value in ((county, 700), (zone, 300)):
        ReportFactory(region=region, indicator=indicator, value=value, state=ReportState.APPROVED)
    assert RegionFigure.objects.get(region=city).rollup == 1000

    client.force_login(superuser)
    url = f"/admin/regions/region/{zone.pk}/change/"
    formset = client.get(url).context["inline_admin_formsets"][0].formset
    data = {
        "name": zone.name,
        "code": zone.code,
        "level": zone.level,
        "parent": city.pk,
        "kind": RegionKind.ZONE,
        "counted_in_parent": "on",
        f"{formset.prefix}-TOTAL_FORMS": "0",
        f"{formset.prefix}-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    assert RegionFigure.objects.get(region=city).rollup == 700


def test_approvals_and_reopenings_leave_the_table_a_full_rebuild_makes(province, indicators):
    """Through the services, one by one: new figures appear, reopened ones go, roll-ups follow."""
    fill(province, indicators, 7)
    tracked_in(province[0], *indicators)
    rollups.refresh_all()
    reviewer = MembershipFactory(
        user=UserFactory(), region=province[0], role="reviewer", includes_subregions=True
    ).user
    reports = list(
        ProgressReport.objects.filter(state__in=[ReportState.SUBMITTED, ReportState.APPROVED])
        .select_related("period", "region")
        .order_by("pk")
    )
    for report in random.Random(7).sample(reports, 30):
        if report.state == ReportState.SUBMITTED:
            services.report_approve(user=reviewer, report=report)
        else:
            services.report_reopen(user=reviewer, report=report, reason="口径调整")
    incremental = table()
    same(incremental, expected(province, indicators))
    assert rollups.refresh_all() == len(incremental)
    assert table() == incremental


def test_the_rebuild_returns_its_row_count_and_keeps_every_row_once(province, indicators):
    fill(province, indicators, 8)
    assert rollups.refresh_all() == RegionFigure.objects.count() > 0
    keys = RegionFigure.objects.values_list("region_id", "indicator_id", "year")
    assert len(set(keys)) == len(keys)


def test_deleting_a_region_or_an_indicator_takes_its_figures_along(indicators):
    """No database constraint ties the derived rows to them: Django's cascade does."""
    city = RegionFactory(code="9201", level=RegionLevel.CITY)
    other = RegionFactory(code="9202", level=RegionLevel.CITY)
    kept, dropped = indicators[0], indicators[1]
    for region in (city, other):
        for indicator in (kept, dropped):
            RegionFigure.objects.create(
                region=region, indicator=indicator, year=2024, rollup=Decimal(5)
            )
    city.delete()
    dropped.delete()
    assert list(RegionFigure.objects.values_list("region_id", "indicator_id")) == [
        (other.pk, kept.pk)
    ]


def _rebuild_waiting_for_the_indicators() -> bool:
    # pg_locks, not pg_stat_activity: the latter is a snapshot for the reader's whole transaction.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted "
            "AND relation = 'programs_indicator'::regclass"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_reader_sees_the_previous_figures_until_the_rebuild_commits(province, indicators):
    """The rebuild empties the table and fills it again in one transaction: caught between the
    two (its INSERT held up by a lock on the indicators), a reader still sees every old figure."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a second connection; SQLite has one writer and no such wait")
    fill(province, indicators, 9)
    rollups.refresh_all()
    before = table()
    ProgressReport.objects.filter(state=ReportState.APPROVED).update(value=F("value") + 1)
    outcome = []

    def rebuild():
        try:
            outcome.append(rollups.refresh_all())
        finally:
            connection.close()

    worker = threading.Thread(target=rebuild)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE programs_indicator IN ACCESS EXCLUSIVE MODE")
        worker.start()
        for _ in range(600):
            if _rebuild_waiting_for_the_indicators():
                break
            time.sleep(0.05)
        else:
            pytest.fail("the rebuild never reached its INSERT")
        during = table()
    worker.join()
    assert during == before
    after = table()
    assert outcome == [len(after)]
    assert after != before
    same(after, expected(province, indicators))


def test_figures_reach_every_level_by_hand():
    """A three-level subtree by hand: a township's figure reaches the county, city and province
    where nothing between reported; a region's own figure stands for its subtree; zones counted in
    their parent are skipped at every level, others counted; lower bounds carried by each rule."""
    province = RegionFactory(code="93", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="9301", parent=province, level=RegionLevel.CITY)  # reports nothing
    a = RegionFactory(code="930101", parent=city, level=RegionLevel.COUNTY)  # reports nothing
    t1, t2 = (
        RegionFactory(code=f"930101{n}", parent=a, level=RegionLevel.TOWNSHIP) for n in ("01", "02")
    )
    counted = {"kind": RegionKind.ZONE, "counted_in_parent": True}
    za = RegionFactory(code="930101Z1", parent=a, level=RegionLevel.TOWNSHIP, **counted)
    b = RegionFactory(code="930102", parent=city, level=RegionLevel.COUNTY)
    t3 = RegionFactory(code="93010201", parent=b, level=RegionLevel.TOWNSHIP)
    y = RegionFactory(code="9301Z1", parent=city, level=RegionLevel.COUNTY, kind=RegionKind.ZONE)
    zc = RegionFactory(code="9301Z2", parent=city, level=RegionLevel.COUNTY, **counted)
    t4 = RegionFactory(code="9301Z201", parent=zc, level=RegionLevel.TOWNSHIP)
    rules = (RollupRule.SUM, RollupRule.MEAN, RollupRule.MAX, RollupRule.MIN, RollupRule.NONE)
    indicator = {
        rule: IndicatorFactory(
            code=f"HAND_{rule.upper()}", rollup=rule, time_nature=TimeNature.STOCK
        )
        for rule in rules
    }
    year = PeriodFactory(year=2025)
    reports = {}
    for region, value, lower in [
        (t1, 100, True),
        (t2, 50, False),
        (za, 30, False),  # counted in A: never in A's roll-up
        (b, 200, False),  # B's own figure stands for B in the city's roll-up …
        (t3, 70, False),  # … so T3 reaches B's roll-up only
        (y, 20, True),  # a zone not counted elsewhere: in the city's roll-up
        (t4, 999, False),  # below a zone counted in the city: reaches that zone only
    ]:
        for rule in rules:
            reports[(region, rule)] = ReportFactory(
                region=region,
                indicator=indicator[rule],
                period=year,
                value=value,
                is_lower_bound=lower,
                state=ReportState.APPROVED,
            )
    d = Decimal
    mean_city = d("98.3333")  # (75 + 200 + 20) / 3
    rolled = {  # (region, rule): (roll-up, a lower bound)
        (a, RollupRule.SUM): (d(150), True),
        (a, RollupRule.MEAN): (d(75), True),
        (a, RollupRule.MAX): (d(100), True),
        (a, RollupRule.MIN): (d(50), False),  # T2, exact, is at the minimum
        (city, RollupRule.SUM): (d(370), True),  # A 150 + B 200 + Y 20
        (city, RollupRule.MEAN): (mean_city, True),
        (city, RollupRule.MAX): (d(200), True),  # T1 (≥ 100) might be above
        (city, RollupRule.MIN): (d(20), True),  # Y, a lower bound, alone at the minimum
        (province, RollupRule.SUM): (d(370), True),
        (province, RollupRule.MEAN): (mean_city, True),
        (province, RollupRule.MAX): (d(200), True),
        (province, RollupRule.MIN): (d(20), True),
    }
    for rule in rules[:-1]:
        rolled[(b, rule)] = (d(70), False)
        rolled[(zc, rule)] = (d(999), False)

    def by_hand() -> dict:
        wanted = {
            (report.region_id, report.indicator_id, 2025): (
                d(report.value),
                None,
                report.is_lower_bound,
                False,
            )
            for report in reports.values()
            if report.state == ReportState.APPROVED
        }
        for (region, rule), (total, lower) in rolled.items():
            value, _, own_lower, _ = wanted.get(
                (region.pk, indicator[rule].pk, 2025), (None, None, False, False)
            )
            wanted[(region.pk, indicator[rule].pk, 2025)] = (value, total, own_lower, lower)
        return wanted

    incremental = table()  # each approval refreshed its ancestors
    same(incremental, by_hand())
    assert rollups.refresh_all() == len(incremental)
    assert table() == incremental

    # T2 reopened: T1 alone under A, a lower bound at every level and rule now.
    for rule in rules:
        reports[(t2, rule)].state = ReportState.DRAFT
        reports[(t2, rule)].save()
    rollups.refresh([reports[(t2, rule)] for rule in rules])
    for rule in rules[:-1]:
        rolled[(a, rule)] = (d(100), True)
    for region in (city, province):
        rolled[(region, RollupRule.SUM)] = (d(320), True)  # A 100 + B 200 + Y 20
        rolled[(region, RollupRule.MEAN)] = (d("106.6667"), True)  # 320 / 3
    incremental = table()
    same(incremental, by_hand())
    rollups.refresh_all()
    assert table() == incremental


@pytest.mark.parametrize(
    ("rule", "values", "lower_bound"),
    [
        (RollupRule.SUM, [(1, False), (2, True)], True),
        (RollupRule.SUM, [(1, False), (2, False)], False),
        (RollupRule.MEAN, [(1, True), (2, False)], True),
        (RollupRule.MAX, [(5, False), (2, True)], True),  # the 2 might be above 5 in truth
        (RollupRule.MIN, [(1, True), (2, False)], True),
        (RollupRule.MIN, [(1, False), (2, True)], False),
        (RollupRule.MIN, [(1, True), (1, False)], False),  # an exact child at the minimum
        (RollupRule.MIN, [(1, True), (1, True), (3, False)], True),
        (RollupRule.NONE, [(1, True)], False),
        (RollupRule.SUM, [(None, True), (2, False)], False),  # no figure: not in the roll-up
    ],
)
def test_which_roll_ups_are_lower_bounds(rule, values, lower_bound):
    inputs = [
        figures.RollupInput(None if value is None else Decimal(value), False, lower)
        for value, lower in values
    ]
    assert figures.rollup_is_lower_bound(inputs, rule=rule) is lower_bound
    counted = [figures.RollupInput(Decimal(0), True, False), *inputs]  # a zone left out
    assert figures.rollup_is_lower_bound(counted, rule=rule) is lower_bound


def test_a_township_figure_reaches_the_province_summary_with_its_lower_bound():
    """The region page's selector: a province whose city and county report nothing shows its
    township's approved figure as its roll-up (not "—"), marked a lower bound."""
    province = RegionFactory(code="94", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="9401", parent=province, level=RegionLevel.CITY)
    county = RegionFactory(code="940101", parent=city, level=RegionLevel.COUNTY)
    township = RegionFactory(code="940101001", parent=county, level=RegionLevel.TOWNSHIP)
    indicator = IndicatorFactory(rollup=RollupRule.SUM)
    for region in (province, city, county):  # each region's programs list it
        tracked_in(region, indicator)
    ReportFactory(
        region=township,
        indicator=indicator,
        period=PeriodFactory(year=2025),
        value=5200,
        is_lower_bound=True,
        state=ReportState.APPROVED,
    )
    for region in (county, city, province):
        figure = dashboard.region_summary(region, 2025).figures[indicator.pk]
        assert (figure.value, figure.rollup, figure.rollup_is_lower_bound) == (None, 5200, True)
