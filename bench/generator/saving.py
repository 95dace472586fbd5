"""The small tables, by bulk_create: reporting periods, regions, officials and the catalog."""

from __future__ import annotations

import calendar
import random
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from programs import demo_data
from programs.choices import MilestoneState, PeriodKind
from programs.models import (
    Indicator,
    Measure,
    Plan,
    PlanIndicator,
    PlanTag,
    Program,
    ReportingPeriod,
)
from regions.choices import RegionKind, RegionLevel, Role
from regions.models import OfficialMembership, Region

from .catalog import MEASURE_TEMPLATES, OWNER_OFFICES, PLANS, PROGRAMS, IndicatorSpec
from .shape import INDICATOR_PREFIX, PROVINCE_CODE, PROVINCE_NAME, PROVINCE_PATH, USERNAME_PREFIX
from .tree import Node


def quarter_period(year: int, number: int) -> ReportingPeriod:
    """A quarter: entry from its first day, deadline at the end of the month after it."""
    zone = ZoneInfo(settings.TIME_ZONE)
    opens = datetime(year, 3 * number - 2, 1, tzinfo=zone)
    deadline_year, deadline_month = (year + 1, 1) if number == 4 else (year, 3 * number + 1)
    last_day = calendar.monthrange(deadline_year, deadline_month)[1]
    deadline = datetime(deadline_year, deadline_month, last_day, 23, 59, 59, tzinfo=zone)
    period, _ = ReportingPeriod.objects.get_or_create(
        kind=PeriodKind.QUARTER,
        year=year,
        number=number,
        defaults={"opens_at": opens, "deadline": deadline, "locked": deadline < timezone.now()},
    )
    return period


def save_regions(nodes: list[Node]) -> None:
    for level in sorted(RegionLevel.values):
        batch = [node for node in nodes if node.level == level]
        Region.objects.bulk_create(
            [
                Region(
                    code=node.code,
                    name=node.name,
                    level=node.level,
                    kind=node.kind,
                    counted_in_parent=node.counted_in_parent,
                    parent_id=nodes[node.parent].pk if node.parent is not None else None,
                    path=node.path,
                )
                for node in batch
            ],
            batch_size=1000,
        )
        pks = dict(
            Region.objects.filter(level=level, path__startswith=PROVINCE_PATH).values_list(
                "code", "pk"
            )
        )
        for node in batch:
            node.pk = pks[node.code]


def save_officials(nodes: list[Node]) -> tuple[dict[int, int], dict[int, int]]:
    """A reporter per region, a reviewer per region with sub-regions; (reporter, reviewer) ids
    by node: a region's figures are reviewed above it (the province's by its own office)."""
    User = get_user_model()
    reviewed_regions = [
        i
        for i, node in enumerate(nodes)
        if node.kind == RegionKind.ADMIN and node.level < RegionLevel.TOWNSHIP
    ]
    usernames = {i: f"{USERNAME_PREFIX}{nodes[i].code.lower()}" for i in range(len(nodes))}
    reviewer_names = {i: f"{usernames[i]}-review" for i in reviewed_regions}
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(username=name, password=password, is_active=True)
            for name in [*usernames.values(), *reviewer_names.values()]
        ],
        batch_size=1000,
    )
    ids = dict(
        User.objects.filter(username__startswith=USERNAME_PREFIX).values_list("username", "pk")
    )
    reporter = {i: ids[name] for i, name in usernames.items()}
    reviewer_of_region = {i: ids[name] for i, name in reviewer_names.items()}
    memberships = [
        OfficialMembership(user_id=reporter[i], region_id=nodes[i].pk, role=Role.REPORTER)
        for i in range(len(nodes))
    ] + [
        OfficialMembership(
            user_id=user_id,
            region_id=nodes[i].pk,
            role=Role.REVIEWER,
            includes_subregions=True,
        )
        for i, user_id in reviewer_of_region.items()
    ]
    OfficialMembership.objects.bulk_create(memberships, batch_size=1000)
    reviewer = {
        i: reviewer_of_region[node.parent if node.parent is not None else i]
        for i, node in enumerate(nodes)
    }
    return reporter, reviewer


def save_catalog(
    specs: list[IndicatorSpec], first_year: int, last_year: int, rng: random.Random
) -> tuple[dict[str, int], dict[str, int], int, int]:
    """Indicators, programs, plans, measures and links; (indicator ids, primary plan ids by
    indicator code, programs, plans)."""
    indicator_ids = _save_indicators(specs)
    programs = _save_programs(first_year, last_year)
    plans = _save_plans(programs)
    plan_measures = _save_measures(plans, rng)
    _save_links(specs, plans, indicator_ids, plan_measures)
    primary_plan = {spec.code: plans[spec.plan].pk for spec in specs}
    return indicator_ids, primary_plan, len(programs), len(plans)


def _save_indicators(specs: list[IndicatorSpec]) -> dict[str, int]:
    """The shared indicators; their ids by code."""
    Indicator.objects.bulk_create(
        [
            Indicator(
                code=spec.code,
                name=spec.name,
                unit=spec.unit,
                kind=spec.kind,
                direction=spec.direction,
                time_nature=spec.time_nature,
                rollup=spec.rollup,
                capped_at_100=spec.capped,
            )
            for spec in specs
        ]
    )
    return dict(
        Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).values_list("code", "pk")
    )


def _save_programs(first_year: int, last_year: int) -> list[Program]:
    """The province's programs, in PROGRAMS order."""
    province = Region.objects.get(code=PROVINCE_CODE)
    span = f"({first_year}—{last_year})"
    Program.objects.bulk_create(
        [
            Program(
                region=province,
                name=f"{PROVINCE_NAME}{name}{span}",
                start_year=first_year,
                end_year=last_year,
                source_title=f"{PROVINCE_NAME}{name}",
                summary="",
            )
            for name, _tag in PROGRAMS
        ]
    )
    return list(Program.objects.filter(region=province).order_by("pk"))


def _save_plans(programs: list[Program]) -> list[Plan]:
    """The plans of the programs, in PLANS order, each tagged with what its program serves."""
    tags = {}
    for name, category in demo_data.TAGS:
        tags[name], _ = PlanTag.objects.get_or_create(name=name, defaults={"category": category})
    orders: dict[int, int] = {}
    new_plans = []
    for program, name, _keyword in PLANS:
        orders[program] = orders.get(program, 0) + 1
        new_plans.append(Plan(program=programs[program], name=name, order=orders[program]))
    Plan.objects.bulk_create(new_plans)
    # Plans in PLANS order: programs were created in order, plans are ordered inside them.
    plans = list(Plan.objects.filter(program__in=programs).order_by("program_id", "order"))
    Plan.tags.through.objects.bulk_create(
        [
            Plan.tags.through(plan_id=plan.pk, plantag_id=tags[PROGRAMS[program][1]].pk)
            for plan, (program, _name, _keyword) in zip(plans, PLANS, strict=True)
        ]
    )
    return plans


def _save_measures(plans: list[Plan], rng: random.Random) -> dict[int, list[int]]:
    """Two or three measures per plan, named by its keyword; their ids by plan id, in order."""
    measures = []
    states = MilestoneState.values
    for plan, (_program, _name, keyword) in zip(plans, PLANS, strict=True):
        for order, template in enumerate(MEASURE_TEMPLATES[: rng.randint(2, 3)], 1):
            measures.append(
                Measure(
                    plan=plan,
                    name=template.format(keyword),
                    owner_office=rng.choice(OWNER_OFFICES),
                    milestone_state=rng.choice(states),
                    order=order,
                )
            )
    Measure.objects.bulk_create(measures)
    plan_measures: dict[int, list[int]] = {}
    for plan_id, measure_id in (
        Measure.objects.filter(plan__in=plans)
        .values_list("plan_id", "pk")
        .order_by("plan_id", "order")
    ):
        plan_measures.setdefault(plan_id, []).append(measure_id)
    return plan_measures


def _save_links(
    specs: list[IndicatorSpec],
    plans: list[Plan],
    indicator_ids: dict[str, int],
    plan_measures: dict[int, list[int]],
) -> None:
    """Each indicator in its plan (every other one under a measure); some shared with another."""
    links = []
    for position, spec in enumerate(specs):
        plan = plans[spec.plan]
        order = position % 3 + 1
        measure = plan_measures[plan.pk][position % len(plan_measures[plan.pk])]
        links.append(
            PlanIndicator(
                plan=plan,
                indicator_id=indicator_ids[spec.code],
                measure_id=measure if position % 2 == 0 else None,
                order=order,
            )
        )
        if position % 12 == 5:  # a shared indicator, tracked in another program too
            links.append(
                PlanIndicator(
                    plan=plans[(spec.plan + 5) % len(plans)],
                    indicator_id=indicator_ids[spec.code],
                    order=10 + order,
                )
            )
    PlanIndicator.objects.bulk_create(links)
