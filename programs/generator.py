"""A synthetic province for benchmarks: `manage.py generate_province --scale 1 --seed 1`.

What it builds, under the reserved province code 90 (path "90/"; the National Bureau of
Statistics' province codes are 11–65, so it never clashes with `load_regions`):

- regions: 11 cities (9001…), 100 counties (900101…), 1,300 townships (900101001…), plus
  functional zones: one county-level zone under every other city (9001Z01) and one township-level
  zone under every tenth county (900101Z01), alternately counted in their parent or not;
- a catalog of 60 shared indicators (codes "GEN90-…") in 5 province programs of 4 plans each,
  2–3 measures per plan, every kind, time nature, direction, comparator and roll-up rule the
  models allow; 52 indicators are reported down to townships, 8 (ranks, milestones, an amount in
  100M yuan) by counties and above only;
- a reporter per region and a reviewer (with sub-regions) per province, city and county
  ("gen90-…" accounts without a usable password);
- 10 years × 4 quarters of progress reports (≈3.0 million at scale 1), all approved except the
  latest quarter, where some regions are still in draft, submitted, or had figures returned.
  Flows are per quarter with a seasonal pattern and yearly growth; stocks are levels at quarter
  end that grow (and never fall, for higher-is-better counts); a parent's own figure follows its
  children's by the indicator's roll-up rule (zones counted in their parent left out), plus a
  little of its own; ranks are places among siblings; milestones switch from 0 to 1 once done;
- yearly targets (on the year periods): every indicator for counties and above, 16 headline
  indicators for townships, near the actual figure so some are met and some are not.

Scale. `--scale 1` is the shape above. Above 1 the number of years stays 10 and the regions grow:
counties by √scale and townships by scale, so `--scale 10` has 11 cities, 316 counties and 13,000
townships (≈28 million values). Below 1 both the years (by scale^⅓) and the tree shrink, so
`--scale 0.005` is 3 cities, 9 counties, 32 townships and 2 years: a test fixture.

The same seed and last year give the same data: names, values, states and dates (not the
database ids; and in a quarter not yet over, the dates are spread between its opening and now).
The latest quarter is Q4 of `last_year`: by default the current year from October on, else the
year before. Reporting periods are global: existing ones are reused by (kind, year, number).

Bulk paths: on PostgreSQL the progress reports and targets go in by COPY, with the foreign keys
from and to those two tables dropped for the load and added back (checked) before the commit,
which locks the tables for the run; elsewhere by `executemany` (bulk_create would overwrite the
reports' created/updated times with now); the small tables by `bulk_create`. No simple-history
rows are written for the bulk data, and no model `save()`/`full_clean()` runs: the generator
keeps the models' constraints and clean() rules itself (the tests check them). Everything runs
in one transaction: a failure leaves no half province, and `--clear` then regenerating works.
"""

from __future__ import annotations

import calendar
import io
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from regions.choices import RegionKind, RegionLevel, Role
from regions.models import PATH_SEPARATOR, OfficialMembership, Region

from . import demo, demo_data, rollups
from .choices import (
    Comparator,
    Direction,
    IndicatorKind,
    MilestoneState,
    PeriodKind,
    ReportState,
    RollupRule,
    TimeNature,
    Unit,
)
from .models import (
    Evidence,
    Indicator,
    Measure,
    Notification,
    Plan,
    PlanIndicator,
    PlanTag,
    Program,
    ProgressReport,
    RegionFigure,
    ReportingPeriod,
    Target,
)

PROVINCE_CODE = "90"
PROVINCE_PATH = f"{PROVINCE_CODE}{PATH_SEPARATOR}"
INDICATOR_PREFIX = "GEN90-"
USERNAME_PREFIX = "gen90-"
MAX_SCALE = 50  # beyond it a city would need more than 99 two-digit county codes

BASE_CITIES, BASE_COUNTIES, BASE_TOWNSHIPS, BASE_YEARS = 11, 100, 1300, 10
QUARTERS = 4
COPY_BATCH = 200_000
INSERT_BATCH = 5_000


class ProvinceExists(Exception):
    """A generated province is there already; pass clear=True to replace it."""


# --- The shape ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    cities: int
    counties: int
    townships: int
    county_zones: int
    township_zones: int
    years: int


def province_shape(scale: float) -> Shape:
    """How many regions and years a scale means (see the module docstring)."""
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"The scale must be above 0 and at most {MAX_SCALE}.")
    if scale >= 1:
        years, cities = BASE_YEARS, BASE_CITIES
        counties = round(BASE_COUNTIES * math.sqrt(scale))
        townships = round(BASE_TOWNSHIPS * scale)
    else:
        years = max(1, round(BASE_YEARS * scale ** (1 / 3)))
        regions = scale * BASE_YEARS / years  # what is left of the scale for the tree
        fan_out = regions ** (1 / 3)  # each level of the tree shrinks alike
        cities = max(1, round(BASE_CITIES * fan_out))
        counties = max(cities, round(BASE_COUNTIES * fan_out**2))
        townships = max(counties, round(BASE_TOWNSHIPS * regions))
    return Shape(
        cities=cities,
        counties=counties,
        townships=townships,
        county_zones=max(1, round(cities / 2)),
        township_zones=max(1, round(counties / 10)),
        years=years,
    )


def default_last_year(today: date | None = None) -> int:
    """The year whose Q4 is the latest period: this year once its Q4 has opened."""
    today = today or timezone.localdate()
    return today.year if today.month >= 10 else today.year - 1


# --- Data: names and the catalog ----------------------------------------------------------------

PROVINCE_NAME = "合成省"
CITY_SUFFIX = "市"
NAME_STEMS = (
    "青云江河山林泉石清安平宁丰华阳溪东西南北新兴永和泰康长乐明德临海湖滨金玉春秋龙凤桃竹松梅"
)
COUNTY_SUFFIXES = ("区", "区", "县", "县", "县", "市")
TOWNSHIP_SUFFIXES = ("镇", "镇", "镇", "街道", "街道", "乡")
ZONE_SUFFIXES = ("经济开发区", "高新技术产业园区", "港区", "工业园区")
OWNER_OFFICES = ("组织部", "人力社保局", "科技局", "教育局", "农业农村局", "财政局", "住建局")
MEASURE_TEMPLATES = ("制定{}实施方案", "开展{}专项行动", "建立{}工作台账")
RETURN_COMMENTS = (
    "与上季度相比变化较大,请核实并在备注中说明。",
    "请补充上传佐证材料。",
    "统计口径与指标定义不一致,请修改后重新提交。",
)
LOWER_BOUND_NOTE = "据初步统计,实际数不少于此数。"
SEASON = (0.2, 0.25, 0.24, 0.31)  # a year's flow by quarter: slow start, busy year end

# The five programs of the province: (name, the plan tag its plans serve).
PROGRAMS = (
    ("高素质干部队伍建设计划", "高素质干部队伍"),
    ("创新型人才集聚计划", "高水平创新型人才和企业家队伍"),
    ("技能人才培育计划", "高素养劳动者队伍"),
    ("乡村人才振兴计划", "高素养劳动者队伍"),
    ("人才生态优化计划", "人才生态"),
)
# Four plans per program, in order: (program index, name, the keyword its measures are named by).
PLANS = (
    (0, "干部教育培训提质计划", "干部教育培训"),
    (0, "基层干部队伍强基计划", "基层干部队伍建设"),
    (0, "年轻干部墩苗计划", "年轻干部墩苗"),
    (0, "干部担当激励计划", "担当作为激励"),
    (1, "高层次人才引育计划", "高层次人才引育"),
    (1, "青年人才集聚计划", "青年人才集聚"),
    (1, "创新平台建设计划", "创新平台建设"),
    (1, "企业家队伍培育计划", "企业家培育"),
    (2, "职业技能提升计划", "职业技能提升"),
    (2, "技能竞赛促进计划", "技能竞赛"),
    (2, "技能人才评价计划", "技能人才评价"),
    (2, "产教融合计划", "产教融合"),
    (3, "乡村工匠培育计划", "乡村工匠培育"),
    (3, "新型职业农民计划", "高素质农民培育"),
    (3, "人才下乡计划", "人才下乡"),
    (3, "乡村人才服务计划", "乡村人才服务"),
    (4, "人才服务提升计划", "人才服务提升"),
    (4, "人才安居计划", "人才安居"),
    (4, "人才资金保障计划", "人才资金保障"),
    (4, "人才政策创新计划", "人才政策创新"),
)
# The indicators, three per plan: plan index, code, name, unit, kind, time nature, roll-up rule,
# base, growth, flags ("-" for none). base: a flow's yearly figure or a stock's level per
# township-sized region; for a percentage, its starting level. growth: yearly, as a fraction;
# for a percentage, in points. Flags: T = townships get targets too, C = counties and above
# only, L = lower is better, E = exact (=) targets, U = a percentage that may exceed 100.
INDICATOR_TABLE = """
0 CADRE-TRAINING 干部教育培训 人次 count flow sum 120 0.05 T
0 YOUNG-MENTORED 年轻干部成长导师结对 名 count stock sum 6 0.06 -
0 ONLINE-LEARNING 干部网络学院参学 人次 count flow sum 300 0.08 -
1 VILLAGE-DEGREE 村社干部大专以上学历占比 % percentage stock mean 42 2.0 -
1 GRASSROOTS-NEW 新招录基层公务员 名 count flow sum 3 0.03 -
1 CADRE-RANK 干部队伍建设考核排名 位 rank stock none 0 0 C
2 YOUNG-POSTS 年轻干部基层挂职 名 count flow sum 2 0.04 -
2 YOUNG-SHARE 35岁以下干部占比 % percentage stock mean 24 0.6 -
2 CADRE-ACADEMY 建成乡村干部技能学院 - milestone stock none 0 0 C
3 CADRE-COMMENDED 表彰激励担当作为干部 名 count flow sum 1.5 0.02 -
3 ERROR-TOLERANCE 容错免责案例 个 count flow sum 0.3 0.05 -
3 CADRE-TURNOVER 干部队伍流失率 % percentage stock mean 4.5 -0.2 TL
4 HIGH-LEVEL-TALENT 引进高层次和急需紧缺人才 名 count flow sum 8 0.1 T
4 DOCTORS-NEW 新引进博士 名 count flow sum 1.2 0.12 -
4 EXPERTS-HIRED 柔性引进专家 名 count flow sum 2 0.08 -
5 GRADUATES-NEW 新引进高校毕业生 人 count flow sum 150 0.09 T
5 INTERNSHIP-BASES 青年就业见习基地 个 count stock sum 1.5 0.07 -
5 YOUTH-SHARE 青年人才占比 % percentage stock mean 30 0.8 -
6 RD-PLATFORMS 省级以上研发平台 个 count stock sum 0.8 0.09 -
6 POSTDOC-STATIONS 博士后工作站 个 count stock sum 0.3 0.1 -
6 INNOVATION-HARBOR 建成人才创新港 - milestone stock max 0 0 C
7 ENTREPRENEURS 企业家培训 人次 count flow sum 40 0.06 -
7 HIGH-TECH-FIRMS 高新技术企业 家 count stock sum 4 0.08 T
7 TALENT-INDEX-RANK 人才发展指数排名 位 rank stock min 0 0 C
8 VT-TRAINED 职业技能培训人数 人 count flow sum 400 0.06 T
8 SKILLED-NEW 新增技能人才 人 count flow sum 250 0.08 T
8 HIGH-SKILLED-NEW 新增高技能人才 人 count flow sum 90 0.1 T
9 SKILL-CONTESTS 举办技能大赛 场次 count flow sum 1.5 0.05 -
9 CONTEST-WINNERS 省级以上技能竞赛获奖 人次 count flow sum 0.8 0.07 -
9 MASTER-STUDIOS 技能大师工作室 个 count stock sum 0.6 0.08 -
10 CERTIFIED 取得职业资格证书 人 count flow sum 300 0.05 -
10 SKILLED-SHARE 技能人才占从业人员比例 % percentage stock mean 24 1.0 T
10 SKILL-CENTER 建成技能人才评价中心 - milestone stock max 0 0 C
11 SCHOOL-ENTERPRISE 校企合作项目 项 count flow sum 1 0.06 -
11 APPRENTICES 新型学徒制培养 人 count flow sum 40 0.1 -
11 SKILL-GAP 重点产业技能人才缺口 人 count stock sum 120 -0.05 TL
12 RURAL-CRAFTSMEN 认定乡村工匠 名 count flow sum 6 0.07 T
12 RURAL-TRAINING 乡村振兴全员大培训 人次 count flow sum 500 0.05 T
12 FARMER-TECHNICIANS 农民技术员 名 count stock sum 25 0.04 -
13 NEW-FARMERS 培育高素质农民 人 count flow sum 30 0.05 -
13 COOP-LEADERS 合作社带头人 名 count stock sum 8 0.04 -
13 LOCAL-EXPERTS 认定本土专家 名 count flow sum 2 0.06 -
14 TECH-COMMISSIONERS 科技特派员 名 count stock sum 3 0.05 T
14 DOCTORS-DOWN 医疗人才下沉 人次 count flow sum 15 0.06 -
14 TEACHERS-EXCHANGE 教师交流轮岗 人次 count flow sum 10 0.05 -
15 RURAL-STATIONS 乡村人才服务站 个 count stock sum 1 0.05 E
15 RURAL-FUND 乡村人才专项资金 万元 amount flow sum 30 0.08 -
15 RETURNEES 返乡创业人才 人 count flow sum 12 0.09 T
16 ENTERPRISE-SERVICES 助企实事办结 项 count flow sum 10 0.06 -
16 SATISFACTION 人才服务满意度 % percentage stock mean 88 0.5 T
16 HR-AGENCIES 人力资源服务机构 家 count stock sum 1.2 0.07 -
17 TALENT-HOUSING 人才公寓房源 个 count stock sum 20 0.08 E
17 HOUSING-OCCUPANCY 人才公寓入住率 % percentage stock min 72 1.0 -
17 HOUSING-SUBSIDY 人才安居补贴发放 万元 amount flow sum 25 0.1 -
18 TALENT-FUND 人才专项资金兑现 万元 amount flow sum 60 0.09 T
18 TALENT-INVESTMENT 人才发展投入 亿元 amount flow sum 0.02 0.08 C
18 FUND-IN-PLACE 人才项目资金到位率 % percentage stock mean 96 0.5 U
19 TALENT-POLICY 出台人才新政 - milestone stock none 0 0 C
19 POLICY-RANK 营商环境人才评价排名 位 rank stock none 0 0 CE
19 MAX-GRANT 单个人才项目最高资助 万元 amount stock max 50 0.05 -
"""


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    unit: str
    kind: str
    time_nature: str
    rollup: str
    base: float
    growth: float
    flags: str
    plan: int  # index in PLANS

    @property
    def direction(self) -> str:
        lower = "L" in self.flags or self.kind == IndicatorKind.RANK
        return Direction.LOWER_BETTER if lower else Direction.HIGHER_BETTER

    @property
    def comparator(self) -> str:
        if self.kind == IndicatorKind.MILESTONE or "E" in self.flags:
            return Comparator.EQ
        return Comparator.LTE if self.direction == Direction.LOWER_BETTER else Comparator.GTE

    @property
    def lowest_level(self) -> int:
        return RegionLevel.COUNTY if "C" in self.flags else RegionLevel.TOWNSHIP

    @property
    def capped(self) -> bool:
        return "U" not in self.flags

    @property
    def decimals(self) -> int:
        if self.kind == IndicatorKind.PERCENTAGE:
            return 2
        if self.kind == IndicatorKind.AMOUNT:
            return 4 if self.unit == Unit.HUNDRED_MILLION_YUAN else 2
        return 0


def indicator_specs() -> list[IndicatorSpec]:
    specs = []
    for line in INDICATOR_TABLE.strip().splitlines():
        plan, key, name, unit, kind, nature, rollup, base, growth, flags = line.split()
        specs.append(
            IndicatorSpec(
                code=INDICATOR_PREFIX + key,
                name=name,
                unit="" if unit == "-" else unit,
                kind=kind,
                time_nature=nature,
                rollup=rollup,
                base=float(base),
                growth=float(growth),
                flags="" if flags == "-" else flags,
                plan=int(plan),
            )
        )
    return specs


# --- The region tree -----------------------------------------------------------------------------


@dataclass
class Node:
    code: str
    name: str
    level: int
    kind: str = RegionKind.ADMIN
    counted_in_parent: bool = False
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    weight: float = 0.0  # its size in townships, for additive figures
    path: str = ""
    pk: int | None = None


def allocate(total: int, parts: int, rng: random.Random, spread: float) -> list[int]:
    """Split `total` into `parts` uneven whole shares of at least 1 each."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    shares = [max(1, int(x)) for x in raw]
    by_remainder = sorted(range(parts), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    step = 0
    while sum(shares) < total:
        shares[by_remainder[step % parts]] += 1
        step += 1
    while sum(shares) > total:
        largest = max(range(parts), key=lambda i: shares[i])
        shares[largest] -= 1
    return shares


def unique_names(rng: random.Random, count: int, suffixes: Sequence[str]) -> list[str]:
    names: list[str] = []
    taken: set[str] = set()
    while len(names) < count:
        stem = rng.choice(NAME_STEMS) + rng.choice(NAME_STEMS)
        if stem[0] == stem[1] or stem in taken:
            continue
        taken.add(stem)
        names.append(stem + rng.choice(suffixes))
    return names


def build_tree(shape: Shape, rng: random.Random) -> list[Node]:
    """The regions top-down (every child after its parent), with their sizes."""
    nodes = [Node(PROVINCE_CODE, PROVINCE_NAME, RegionLevel.PROVINCE)]

    def add(node: Node, parent: int) -> int:
        node.parent = parent
        nodes.append(node)
        nodes[parent].children.append(len(nodes) - 1)
        return len(nodes) - 1

    city_names = unique_names(rng, shape.cities, (CITY_SUFFIX,))
    cities = [
        add(Node(f"{PROVINCE_CODE}{i:02d}", name, RegionLevel.CITY), 0)
        for i, name in enumerate(city_names, 1)
    ]
    counties = []
    for city, share in zip(cities, allocate(shape.counties, shape.cities, rng, 0.4), strict=True):
        for j, name in enumerate(unique_names(rng, share, COUNTY_SUFFIXES), 1):
            counties.append(add(Node(f"{nodes[city].code}{j:02d}", name, RegionLevel.COUNTY), city))
    for n, city in enumerate(cities[::2][: shape.county_zones]):
        zone = Node(
            f"{nodes[city].code}Z01",
            nodes[city].name.removesuffix(CITY_SUFFIX) + ZONE_SUFFIXES[n % len(ZONE_SUFFIXES)],
            RegionLevel.COUNTY,
            RegionKind.ZONE,
            counted_in_parent=n % 2 == 0,
            weight=rng.lognormvariate(1.1, 0.4),
        )
        add(zone, city)
    shares = allocate(shape.townships, shape.counties, rng, 0.5)
    for county, share in zip(counties, shares, strict=True):
        for k, name in enumerate(unique_names(rng, share, TOWNSHIP_SUFFIXES), 1):
            township = Node(
                f"{nodes[county].code}{k:03d}",
                name,
                RegionLevel.TOWNSHIP,
                weight=rng.lognormvariate(0, 0.5),
            )
            add(township, county)
    step = max(1, len(counties) // shape.township_zones)
    for n, county in enumerate(counties[::step][: shape.township_zones]):
        zone = Node(
            f"{nodes[county].code}Z01",
            nodes[county].name[:2] + ZONE_SUFFIXES[(n + 1) % len(ZONE_SUFFIXES)],
            RegionLevel.TOWNSHIP,
            RegionKind.ZONE,
            counted_in_parent=n % 2 == 1,
            weight=rng.lognormvariate(0.4, 0.4),
        )
        add(zone, county)
    for node in reversed(nodes):
        if node.children:
            node.weight = sum(
                nodes[c].weight for c in node.children if not nodes[c].counted_in_parent
            )
    for node in nodes:
        prefix = nodes[node.parent].path if node.parent is not None else ""
        node.path = f"{prefix}{node.code}{PATH_SEPARATOR}"
    return nodes


# --- Figures -------------------------------------------------------------------------------------


def _walk_ranks(
    nodes: list[Node], members: list[int], periods: int, rng: random.Random
) -> dict[int, list[float]]:
    """Places among siblings, drifting over time; the province's place among 31 provinces."""
    member_set = set(members)
    values: dict[int, list[float]] = {}
    root = members[0]
    place = rng.randint(3, 20)
    values[root] = []
    for _ in range(periods):
        if rng.random() < 0.15:
            place = min(31, max(1, place + rng.choice((-1, 1))))
        values[root].append(place)
    for parent in members:
        group = [c for c in nodes[parent].children if c in member_set]
        if not group:
            continue
        scores = {c: rng.gauss(0, 1) for c in group}
        for c in group:
            values[c] = []
        for _ in range(periods):
            for c in group:
                scores[c] += rng.gauss(0, 0.15)
            for place, c in enumerate(sorted(group, key=lambda c: -scores[c]), 1):
                values[c].append(place)
    return values


def _milestones(
    members: list[int], years: int, periods: int, rng: random.Random
) -> tuple[dict[int, list[float]], dict[int, int]]:
    """0 until the quarter the milestone is done, then 1; and the year index it is due."""
    values, due = {}, {}
    for index in members:
        due_year = rng.randint(1, years - 1) if years > 1 else 0
        draw = rng.random()
        if draw < 0.7:
            done = rng.randint(max(0, QUARTERS * due_year - QUARTERS), QUARTERS * due_year + 3)
        elif draw < 0.9:
            done = QUARTERS * due_year + QUARTERS + rng.randint(0, 3)
        else:
            done = periods
        values[index] = [1 if t >= done else 0 for t in range(periods)]
        due[index] = due_year
    return values, due


def _leaf(spec: IndicatorSpec, node: Node, years: int, rng: random.Random) -> list[float]:
    additive = spec.rollup == RollupRule.SUM
    size = node.weight if additive else rng.lognormvariate(0, 0.3)
    periods = years * QUARTERS
    higher = spec.direction == Direction.HIGHER_BETTER
    if spec.kind == IndicatorKind.PERCENTAGE:
        start = spec.base + rng.uniform(-8, 8) * (spec.base / 50 if spec.base < 50 else 1)
        drift = spec.growth * rng.uniform(0.5, 1.5) / QUARTERS
        ceiling = 100.0 if spec.capped else 1000.0
        return [
            min(ceiling, max(0.0, start + drift * t + rng.gauss(0, 0.4))) for t in range(periods)
        ]
    growth = spec.growth + rng.gauss(0, 0.03)
    if spec.time_nature == TimeNature.FLOW:
        base = spec.base * size * rng.uniform(0.8, 1.2)
        values = []
        for year in range(years):
            annual = base * (1 + growth) ** year * max(0.2, 1 + rng.gauss(0, 0.06))
            for share in SEASON:
                values.append(annual * share * max(0.1, 1 + rng.gauss(0, 0.1)))
        if spec.kind == IndicatorKind.COUNT:  # whole numbers whose sum keeps the expected size
            return [math.floor(x + rng.random()) for x in values]
        return values
    level = spec.base * size * rng.uniform(0.7, 1.3)
    offset = rng.random()  # a region's own rounding, so small stocks do not flicker
    values, previous = [], 0.0
    for t in range(periods):
        x = level * (1 + growth) ** (t / QUARTERS) * (1 + rng.gauss(0, 0.015))
        if spec.kind == IndicatorKind.COUNT:
            x = math.floor(x + offset)
        if higher:  # a stock that is built up does not shrink
            x = max(x, previous)
        values.append(x)
        previous = x
    return values


def _aggregate(
    spec: IndicatorSpec, parts: list[list[float]], rng: random.Random, *, province: bool
) -> list[float]:
    """A parent's own figure from its children's, by the roll-up rule, plus a little of its own."""
    columns = list(zip(*parts, strict=True))
    rule = spec.rollup
    if rule == RollupRule.SUM:
        extra = 1 + rng.uniform(0, 0.02 if province else 0.05)
        values = [sum(column) * extra for column in columns]
    elif rule == RollupRule.MEAN:
        values = [sum(c) / len(c) * (1 + rng.gauss(0, 0.01)) for c in columns]
    elif rule == RollupRule.MAX:
        extra = 1 + rng.uniform(0, 0.05)
        values = [max(c) * extra for c in columns]
    else:
        extra = 1 - rng.uniform(0, 0.05)
        values = [min(c) * extra for c in columns]
    if spec.kind == IndicatorKind.PERCENTAGE and spec.capped:
        values = [min(100.0, v) for v in values]
    if spec.kind == IndicatorKind.COUNT:
        return [math.floor(v + 0.5) for v in values]
    return values


@dataclass
class Series:
    members: list[int]  # the regions reporting the indicator, top-down
    values: dict[int, list[float]]
    milestone_due: dict[int, int] = field(default_factory=dict)


def indicator_series(
    spec: IndicatorSpec, nodes: list[Node], years: int, rng: random.Random
) -> Series:
    periods = years * QUARTERS
    members = [i for i, node in enumerate(nodes) if node.level <= spec.lowest_level]
    if spec.kind == IndicatorKind.RANK:
        return Series(members, _walk_ranks(nodes, members, periods, rng))
    if spec.kind == IndicatorKind.MILESTONE:
        values, due = _milestones(members, years, periods, rng)
        return Series(members, values, due)
    member_set = set(members)
    values: dict[int, list[float]] = {}
    for index in reversed(members):
        node = nodes[index]
        parts = [
            values[c] for c in node.children if c in member_set and not nodes[c].counted_in_parent
        ]
        if parts and spec.rollup != RollupRule.NONE:
            values[index] = _aggregate(spec, parts, rng, province=node.parent is None)
        else:
            values[index] = _leaf(spec, node, years, rng)
    return Series(members, values)


def format_value(spec: IndicatorSpec, value: float) -> str:
    if spec.decimals == 0:
        return str(int(value))
    return f"{max(0.0, value):.{spec.decimals}f}"


def year_figure(spec: IndicatorSpec, values: list[float], year: int) -> float:
    """The year's figure from its quarters: a flow adds up, a stock is the Q4 level."""
    quarters = values[year * QUARTERS : (year + 1) * QUARTERS]
    return sum(quarters) if spec.time_nature == TimeNature.FLOW else quarters[-1]


def round_target(spec: IndicatorSpec, value: float) -> float:
    """A target as plans state it: round numbers."""
    if spec.kind == IndicatorKind.PERCENTAGE:
        value = round(value, 1)
        return min(100.0, value) if spec.capped else value
    if spec.decimals:
        return round(value, spec.decimals)
    if value >= 1000:
        value = round(value, 1 - int(math.log10(value)))
    elif value >= 100:
        value = round(value, -1)
    value = round(value)
    return max(1, value) if spec.comparator == Comparator.GTE else value


def target_values(
    spec: IndicatorSpec, series: Series, index: int, year: int, rng: random.Random
) -> tuple[str, str, str | None] | None:
    """(comparator, value, baseline) of a region's target for a year, or None for no target."""
    values = series.values[index]
    if spec.kind == IndicatorKind.MILESTONE:
        return (Comparator.EQ, "1", None) if series.milestone_due[index] == year else None
    if spec.kind == IndicatorKind.RANK:
        place = int(values[year * QUARTERS - 1] if year else values[0])
        if spec.comparator == Comparator.LTE:
            place = max(1, place - rng.randint(0, 1))
        return spec.comparator, str(place), None
    actual = year_figure(spec, values, year)
    low, high = (0.95, 1.15) if spec.comparator == Comparator.LTE else (0.88, 1.12)
    value = round_target(spec, actual * rng.uniform(low, high))
    baseline = format_value(spec, year_figure(spec, values, year - 1)) if year else None
    return spec.comparator, format_value(spec, value), baseline


# --- Writing -------------------------------------------------------------------------------------


def copy_text(value) -> str:
    """A field in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(cursor, table: str, columns: Sequence[str], lines: list[str]) -> None:
    """COPY text lines into a table (psycopg2's copy_expert; psycopg 3's copy as a fallback)."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):
        raw.copy_expert(sql, io.StringIO("".join(lines)))
    else:  # pragma: no cover - psycopg 3
        with raw.copy(sql) as copy:
            copy.write("".join(lines))


def insert_rows(cursor, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608 - names from _meta
        f"VALUES ({placeholders})"
    )
    cursor.executemany(sql, rows)


class TableWriter:
    """Rows of one table in batches: COPY text lines on PostgreSQL, tuples elsewhere."""

    def __init__(self, cursor, model, columns: Sequence[str]):
        self.cursor, self.columns = cursor, list(columns)
        self.table = model._meta.db_table
        self.use_copy = connection.vendor == "postgresql"
        self.batch = COPY_BATCH if self.use_copy else INSERT_BATCH
        self.buffer: list = []
        self.count = 0

    def row(self, values: tuple):
        """A row in the form `buffer` takes: a COPY line or a tuple of database values."""
        if self.use_copy:
            return "\t".join(map(copy_text, values)) + "\n"
        return tuple(adapt(v) for v in values)

    def maybe_flush(self) -> None:
        if len(self.buffer) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.use_copy:
            copy_rows(self.cursor, self.table, self.columns, self.buffer)
        else:
            insert_rows(self.cursor, self.table, self.columns, self.buffer)
        self.count += len(self.buffer)
        self.buffer.clear()  # in place: callers keep a reference to it


def adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@contextmanager
def foreign_keys_suspended(cursor, models: Sequence) -> Iterator[None]:
    """On PostgreSQL, drop the foreign keys from and to these tables, and add them back after.

    PostgreSQL checks a foreign key row by row, queued to the commit for Django's deferred
    constraints: three quarters of a bulk load's time, and memory for millions of queued events.
    Adding a key back checks the whole table in one join instead (as the manual's "Populating a
    Database" advises). All in the caller's transaction, so nothing is left without its keys; the
    tables are locked until it commits.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    cursor.execute(
        "SELECT DISTINCT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' "
        "AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s)) "
        "ORDER BY 1, 2",
        [tables, tables],
    )
    keys = cursor.fetchall()
    quote = connection.ops.quote_name
    # A table with queued constraint checks cannot be altered: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, name, _definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


# --- Clearing ------------------------------------------------------------------------------------


def _delete_in_province(cursor, model) -> int:
    """Delete a table's rows of the province in one statement: no signals, no history rows."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(model._meta.get_field("region").column)
    regions = quote(Region._meta.db_table)
    cursor.execute(
        f"DELETE FROM {table} WHERE {column} IN "  # noqa: S608 - names from _meta
        f"(SELECT id FROM {regions} WHERE path LIKE %s)",
        [PROVINCE_PATH + "%"],
    )
    return cursor.rowcount


def province_exists() -> bool:
    return (
        Region.objects.filter(path__startswith=PROVINCE_PATH).exists()
        or Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).exists()
        or get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).exists()
    )


@transaction.atomic
def clear_province() -> int:
    """Remove a generated province with its catalog and accounts; returns the reports removed."""
    Notification.objects.filter(report__region__path__startswith=PROVINCE_PATH).delete()
    Evidence.objects.filter(report__region__path__startswith=PROVINCE_PATH).delete()
    with connection.cursor() as cursor, foreign_keys_suspended(cursor, [ProgressReport, Target]):
        reports = _delete_in_province(cursor, ProgressReport)
        _delete_in_province(cursor, ProgressReport.history.model)
        _delete_in_province(cursor, Target)
        _delete_in_province(cursor, Target.history.model)
    programs = Program.objects.filter(region__path__startswith=PROVINCE_PATH)
    plan_ids = list(Plan.objects.filter(program__in=programs).values_list("pk", flat=True))
    programs.delete()
    Measure.history.filter(plan_id__in=plan_ids).delete()
    Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).delete()
    get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).delete()
    for level in sorted(RegionLevel.values, reverse=True):  # children before their parents
        Region.objects.filter(level=level, path__startswith=PROVINCE_PATH).delete()
    return reports


# --- Generating ----------------------------------------------------------------------------------


@dataclass
class GenerationResult:
    shape: Shape
    regions: dict[str, int] = field(default_factory=dict)
    indicators: int = 0
    programs: int = 0
    plans: int = 0
    targets: int = 0
    reports: dict[str, int] = field(default_factory=dict)
    cleared_reports: int = 0
    method: str = ""
    seconds: float = 0.0

    @property
    def report_count(self) -> int:
        return sum(self.reports.values())


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


def _save_regions(nodes: list[Node]) -> None:
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


def _save_officials(nodes: list[Node]) -> tuple[dict[int, int], dict[int, int]]:
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


def _save_catalog(
    specs: list[IndicatorSpec], first_year: int, last_year: int, rng: random.Random
) -> tuple[dict[str, int], dict[str, int], int, int]:
    """Indicators, programs, plans, measures and links; (indicator ids, primary plan ids by
    indicator code, programs, plans)."""
    province = Region.objects.get(code=PROVINCE_CODE)
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
    indicator_ids = dict(
        Indicator.objects.filter(code__startswith=INDICATOR_PREFIX).values_list("code", "pk")
    )
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
    programs = list(Program.objects.filter(region=province).order_by("pk"))
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
    primary_plan = {spec.code: plans[spec.plan].pk for spec in specs}
    return indicator_ids, primary_plan, len(programs), len(plans)


def _latest_states(nodes: list[Node], rng: random.Random) -> list[str]:
    """Where each region stands in the latest period: most approved, some still in the works."""
    order = list(range(len(nodes)))
    rng.shuffle(order)
    states = [ReportState.APPROVED] * len(nodes)
    count = len(nodes)
    quotas = [
        (ReportState.RETURNED, max(1, round(count * 0.06))),
        (ReportState.DRAFT, max(1, round(count * 0.10))),
        (ReportState.SUBMITTED, max(1, round(count * 0.14))),
    ]
    position = 0
    for state, quota in quotas:
        for index in order[position : position + quota]:
            states[index] = state
        position += quota
    return states


@dataclass
class Tails:
    """The columns after (value, lower bound, note, indicator) of every region and period, in the
    writer's form: the approved row of each period, and the latest period's other states."""

    approved: list[list]
    latest: dict[int, dict[str, object]]


def _tails(
    writer: TableWriter,
    nodes: list[Node],
    periods: list[ReportingPeriod],
    reporter: dict[int, int],
    reviewer: dict[int, int],
    states: list[str],
    rng: random.Random,
) -> Tails:
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    latest = len(periods) - 1
    approved: list[list] = []
    latest_tails: dict[int, dict[str, object]] = {}

    def tail(state, *, index, period, created, submitted, reviewed, comment=""):
        made, checked = reporter[index], reviewer[index]
        version, updated_at, updated_by = 1, created, made
        if state == ReportState.SUBMITTED:
            version, updated_at = 2, submitted
        elif state in (ReportState.APPROVED, ReportState.RETURNED):
            version, updated_at, updated_by = 3, reviewed, checked
        reviewed_state = state in (ReportState.APPROVED, ReportState.RETURNED)
        return writer.row(
            (
                state,
                comment,
                version,
                submitted if state != ReportState.DRAFT else None,
                reviewed if reviewed_state else None,
                created,
                updated_at,
                made,
                updated_by,
                made if state != ReportState.DRAFT else None,
                checked if reviewed_state else None,
                nodes[index].pk,
                period.pk,
            )
        )

    for index in range(len(nodes)):
        row = []
        for t, period in enumerate(periods):
            end = datetime.combine(period.end_date, datetime.min.time(), zone)
            # Drafts in the last days of the quarter, submitted after it, reviewed days later.
            created = end + timedelta(days=-rng.randint(0, 12), minutes=540 + rng.randint(0, 480))
            submitted = end + timedelta(days=rng.randint(2, 20), minutes=600 + rng.randint(0, 480))
            reviewed = submitted + timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 300))
            shares = rng.uniform(0.4, 1), rng.uniform(0.2, 0.6), rng.uniform(0.2, 0.9)
            if t == latest and reviewed > now:  # a period in progress: spread over it so far
                elapsed = max(now - period.opens_at, timedelta(hours=3))
                created = now - elapsed * shares[0]
                submitted = created + (now - created) * shares[1]
                reviewed = submitted + (now - submitted) * shares[2]
            times = {"created": created, "submitted": submitted, "reviewed": reviewed}
            row.append(tail(ReportState.APPROVED, index=index, period=period, **times))
            state = states[index]
            if t == latest and state == ReportState.RETURNED:
                latest_tails[index] = {
                    comment: tail(state, index=index, period=period, comment=comment, **times)
                    for comment in RETURN_COMMENTS
                }
            elif t == latest and state != ReportState.APPROVED:
                latest_tails[index] = {state: tail(state, index=index, period=period, **times)}
        approved.append(row)
    return Tails(approved, latest_tails)


REPORT_COLUMNS = (
    "value",
    "is_lower_bound",
    "note",
    "indicator_id",
    "state",
    "review_comment",
    "version",
    "submitted_at",
    "reviewed_at",
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "submitted_by_id",
    "reviewed_by_id",
    "region_id",
    "period_id",
)
TARGET_COLUMNS = (
    "indicator_id",
    "region_id",
    "period_id",
    "plan_id",
    "comparator",
    "value",
    "baseline",
    "note",
)


def _write_indicator(
    *,
    spec: IndicatorSpec,
    series: Series,
    indicator_id: int,
    plan_id: int,
    nodes: list[Node],
    tails: Tails,
    states: list[str],
    reports: TableWriter,
    targets: TableWriter,
    year_periods: list[ReportingPeriod],
    rng: random.Random,
    counts: dict[str, int],
) -> None:
    use_copy = reports.use_copy
    buffer = reports.buffer
    latest = len(tails.approved[0]) - 1
    may_be_bound = spec.kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT)
    plain_head = f"\tf\t\t{indicator_id}\t" if use_copy else (False, "", indicator_id)
    bound_head = (
        f"\tt\t{copy_text(LOWER_BOUND_NOTE)}\t{indicator_id}\t"
        if use_copy
        else (True, LOWER_BOUND_NOTE, indicator_id)
    )
    random_ = rng.random
    for index in series.members:
        texts = [format_value(spec, v) for v in series.values[index]]
        row_tails = tails.approved[index]
        for t, text in enumerate(texts):
            tail = row_tails[t]
            state = ReportState.APPROVED
            if t == latest and index in tails.latest:
                state = states[index]
                options = tails.latest[index]
                if state == ReportState.RETURNED:
                    if random_() < 0.35:
                        tail = options[RETURN_COMMENTS[int(random_() * len(RETURN_COMMENTS))]]
                    else:
                        state = ReportState.APPROVED
                else:
                    tail = options[state]
            head = bound_head if may_be_bound and random_() < 0.01 else plain_head
            if use_copy:
                buffer.append(text + head + tail)
            else:
                buffer.append((text, *head, *tail))
            counts[state] += 1
        reports.maybe_flush()
        if nodes[index].level < RegionLevel.TOWNSHIP or "T" in spec.flags:
            for year, period in enumerate(year_periods):
                found = target_values(spec, series, index, year, rng)
                if found:
                    comparator, value, baseline = found
                    targets.buffer.append(
                        targets.row(
                            (
                                indicator_id,
                                nodes[index].pk,
                                period.pk,
                                plan_id,
                                comparator,
                                value,
                                baseline,
                                "",
                            )
                        )
                    )
            targets.maybe_flush()


def generate_province(
    *,
    scale: float = 1.0,
    seed: int = 1,
    last_year: int | None = None,
    clear: bool = False,
    log: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Build the synthetic province in one transaction (see the module docstring)."""
    started = time.monotonic()
    shape = province_shape(scale)
    last_year = last_year or default_last_year()
    log = log or (lambda message: None)
    result = GenerationResult(shape=shape)
    big_tables = [ProgressReport, Target]
    with transaction.atomic(), connection.cursor() as cursor:
        if province_exists() and not clear:
            raise ProvinceExists
        with foreign_keys_suspended(cursor, big_tables):
            if province_exists():
                result.cleared_reports = clear_province()
                log(f"cleared the previous province ({result.cleared_reports} reports)")
            _generate(cursor, result, seed=seed, last_year=last_year, log=log)
            log("checking the foreign keys")
        log("rebuilding the dashboards' figures")
        rollups.refresh_all()
        if connection.vendor == "postgresql":
            tables = ", ".join(
                connection.ops.quote_name(m._meta.db_table) for m in [*big_tables, RegionFigure]
            )
            cursor.execute(f"ANALYZE {tables}")  # fresh statistics for the benchmarks' plans
    result.seconds = time.monotonic() - started
    return result


def _generate(
    cursor, result: GenerationResult, *, seed: int, last_year: int, log: Callable[[str], None]
) -> None:
    shape = result.shape
    first_year = last_year - shape.years + 1

    def stream(name: str) -> random.Random:
        # One stream per purpose, so changing one part leaves the others' numbers alone.
        return random.Random(f"{seed}:{name}")  # noqa: S311 - test data, not secrets

    nodes = build_tree(shape, stream("tree"))
    _save_regions(nodes)
    for node in nodes:
        key = RegionLevel(node.level).name.lower()
        key += "_zone" if node.kind == RegionKind.ZONE else ""
        result.regions[key] = result.regions.get(key, 0) + 1
    reporter, reviewer = _save_officials(nodes)
    specs = indicator_specs()
    indicator_ids, primary_plan, result.programs, result.plans = _save_catalog(
        specs, first_year, last_year, stream("catalog")
    )
    result.indicators = len(specs)
    years = range(first_year, last_year + 1)
    year_periods = [demo.year_period(year) for year in years]
    periods = [quarter_period(year, number) for year in years for number in (1, 2, 3, 4)]
    log(f"{len(nodes)} regions, {len(specs)} indicators, {len(periods)} quarters")

    counts = dict.fromkeys(ReportState.values, 0)
    reports = TableWriter(cursor, ProgressReport, REPORT_COLUMNS)
    targets = TableWriter(cursor, Target, TARGET_COLUMNS)
    states = _latest_states(nodes, stream("states"))
    tails = _tails(reports, nodes, periods, reporter, reviewer, states, stream("times"))
    for number, spec in enumerate(specs, 1):
        rng = stream(spec.code)
        _write_indicator(
            spec=spec,
            series=indicator_series(spec, nodes, shape.years, rng),
            indicator_id=indicator_ids[spec.code],
            plan_id=primary_plan[spec.code],
            nodes=nodes,
            tails=tails,
            states=states,
            reports=reports,
            targets=targets,
            year_periods=year_periods,
            rng=rng,
            counts=counts,
        )
        if number % 10 == 0:
            log(f"{number} indicators, {reports.count + len(reports.buffer)} reports")
    reports.flush()
    targets.flush()
    result.reports = counts
    result.targets = targets.count
    result.method = "COPY" if reports.use_copy else "INSERT"
