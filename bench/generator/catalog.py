"""The catalog of the generated province: 5 programs of 4 plans each, their measures, and 60
indicators (INDICATOR_TABLE) of every kind, time nature, direction, comparator and roll-up rule."""

from __future__ import annotations

from dataclasses import dataclass

from programs.choices import Comparator, Direction, IndicatorKind, Unit
from regions.choices import RegionLevel

from .shape import INDICATOR_PREFIX

OWNER_OFFICES = ("组织部", "人力社保局", "科技局", "教育局", "农业农村局", "财政局", "住建局")
MEASURE_TEMPLATES = ("制定{}实施方案", "开展{}专项行动", "建立{}工作台账")


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
