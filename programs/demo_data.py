"""Demo catalog from the seed texts (shared/seeds): data only, loaded by `manage.py load_demo`.

Targets marked "demo" in their note are invented for illustration; the 2024 targets of 嘉兴港区
(1000 / 800 / 400) and 临海市's 2019 aim ("第一方阵" of 台州) are the texts' own. 嘉兴市's program,
its counties' figures beyond new (highly) skilled workers, 乍浦镇's figures, the half-year and
quarterly figures and the correction are invented too, so that every kind of figure shows
(issues #14 and #15): a township's figure rolled up to the province, lower bounds, targets whose
sub-regions' targets fall short, a figure without a target, a rank over two years, milestones done
and not done, year-to-date figures and a published correction.
"""

# The year whose period is open now: its figures are the ones officials are still working on.
CURRENT_YEAR = "current"

# A functional zone: its figures are also counted in 平湖市 (乍浦), so 嘉兴市's roll-up skips it.
ZONES = [
    {
        "code": "3304Z01",
        "name": "嘉兴港区",
        "parent": "3304",
        "counted_in_parent": True,
    },
]

# Townships loaded by code from the national list (regions/data/streets.csv, its code, name and
# county as there) without loading all ~41,000 of them: 乍浦镇 of 平湖市 reports indicators 平湖市
# does not, so its figures are what 平湖市, 嘉兴市 and 浙江省 roll up.
TOWNSHIPS = ["330482101"]

TAGS = [
    ("高素质干部队伍", "三支队伍"),
    ("高水平创新型人才和企业家队伍", "三支队伍"),
    ("高素养劳动者队伍", "三支队伍"),
    ("人才生态", "其他"),
]

# code: (name, unit, kind, direction, time nature, roll-up)
INDICATORS = {
    "VT_TRAINED": ("职业技能培训人数", "人", "count", "higher", "flow", "sum"),
    "SKILLED_NEW": ("新增技能人才", "人", "count", "higher", "flow", "sum"),
    "HIGH_SKILLED_NEW": ("新增高技能人才", "人", "count", "higher", "flow", "sum"),
    "SKILL_CONTESTS": ("举办技能大赛", "场次", "count", "higher", "flow", "sum"),
    "CADRE_TRAINING": ("干部教育培训", "人次", "count", "higher", "flow", "sum"),
    "YOUNG_CADRE_MENTORED": ("年轻干部“成长导师”结对", "名", "count", "higher", "stock", "sum"),
    "HIGH_LEVEL_TALENT": ("引进高层次和急需紧缺人才", "名", "count", "higher", "flow", "sum"),
    "ENTERPRISE_SERVICES": ("助企实事办结", "项", "count", "higher", "flow", "sum"),
    "HR_AGENCIES": ("人力资源服务机构", "家", "count", "higher", "stock", "sum"),
    "STARTUPS_INCUBATED": ("孵化创业项目", "个", "count", "higher", "flow", "sum"),
    "TALENT_FUND": ("人才专项资金兑现", "万元", "amount", "higher", "flow", "sum"),
    "LOCAL_EXPERTS": ("认定“本土专家”“蒸湘秀才”", "名", "count", "higher", "flow", "sum"),
    "RURAL_TRAINING": ("乡村振兴全员大培训", "人次", "count", "higher", "flow", "sum"),
    "TALENT_STATIONS": ("引才工作站", "个", "count", "higher", "stock", "sum"),
    "MASTER_STUDIOS": ("名师名医名家工作室", "个", "count", "higher", "stock", "sum"),
    "TALENT_WORK_RANK": ("台州市人才工作考核排名", "位", "rank", "lower", "stock", "none"),
    "HYDROGEN_PLATFORM": ("建成氢能“两中心一实验室”", "", "milestone", "higher", "stock", "none"),
    "TALENT_POLICY_3": ("出台港区人才政策3.0版", "", "milestone", "higher", "stock", "none"),
    "DEGREE_SHARE": ("本科及以上学历人才占比", "%", "percentage", "higher", "stock", "mean"),
}

# Programs: region code, name, years, source, plans as (name, tags, measures, indicators).
# A measure is (name, owner office, milestone state); an indicator entry may name its measure.
PROGRAMS = [
    {
        "region": "3304Z01",
        "name": "嘉兴港区人才工作“五大计划”(2024)",
        "years": (2024, CURRENT_YEAR),
        "source_title": "浙江乍浦开发区(嘉兴港区)党工委书记冯中海:建强“三支队伍”赋能“三港一城”",
        "summary": "聚焦“三支队伍”建设,大力实施“五大计划”,为加快建设“三港一城”提供强大的人才支撑。",
        "plans": [
            (
                "凝心铸魂强政治计划",
                ["高素质干部队伍"],
                [
                    ("常态长效推进“循迹溯源学思想促践行”", "党工委组织部", "in_progress"),
                    (
                        "全面加强干部政绩观闭环管理,建立健全常态化考察机制",
                        "党工委组织部",
                        "in_progress",
                    ),
                    (
                        "弘扬科学家精神、企业家精神和劳模精神、劳动精神、工匠精神",
                        "宣传部门",
                        "in_progress",
                    ),
                ],
                [("CADRE_TRAINING", 0)],
            ),
            (
                "激励保护强担当计划",
                ["高素质干部队伍"],
                [
                    ("重构年轻干部“成长导师”培养机制", "党工委组织部", "done"),
                    ("创新建立干部培养“积分制”", "党工委组织部", "in_progress"),
                    ("迭代升级干部考核办法", "党工委组织部", "in_progress"),
                    ("实行常态化“谈心谈话”机制", "党工委组织部", "not_started"),
                ],
                [("YOUNG_CADRE_MENTORED", 0)],
            ),
            (
                "聚才暖企强驱动计划",
                ["高水平创新型人才和企业家队伍"],
                [
                    ("健全完善港区人才政策3.0版", "人才办", "done"),
                    ("持续推进氢能“两中心一实验室”建设", "经济发展局", "in_progress"),
                    ("落实落细助企服务员机制,全力办好助企十件实事", "经济发展局", "in_progress"),
                    ("每年开展企业家和先进企业评选活动", "经济发展局", "not_started"),
                ],
                [
                    ("TALENT_POLICY_3", 0),
                    ("HYDROGEN_PLATFORM", 1),
                    ("ENTERPRISE_SERVICES", 2),
                    ("HIGH_LEVEL_TALENT", None),
                ],
            ),
            (
                "优培赋能强提升计划",
                ["高素养劳动者队伍"],
                [
                    ("加快打造“30分钟职业技能培训圈”", "人力社保局", "in_progress"),
                    ("积极推进技能创富型企业建设", "人力社保局", "in_progress"),
                    ("深入开展“名师带高徒”活动", "总工会", "in_progress"),
                    ("高质量办好各行业各领域技能大赛、比武竞赛活动", "人力社保局", "done"),
                ],
                [
                    ("VT_TRAINED", 0),
                    ("SKILLED_NEW", 0),
                    ("HIGH_SKILLED_NEW", 0),
                    ("SKILL_CONTESTS", 3),
                ],
            ),
            (
                "服务增值强改革计划",
                ["人才生态"],
                [
                    (
                        "大力实施营商环境“一号改革工程”,推进政务服务增值化改革",
                        "行政审批局",
                        "in_progress",
                    ),
                    ("充分发挥人力资源服务机构优势", "人力社保局", "in_progress"),
                    ("依托创业孵化器、创业大赛提供创业指导和资金支持", "科技局", "in_progress"),
                    ("健全税收优惠、住房补贴、子女教育等人才服务保障体系", "人才办", "not_started"),
                ],
                [("HR_AGENCIES", 1), ("STARTUPS_INCUBATED", 2), ("TALENT_FUND", 3)],
            ),
        ],
    },
    {
        "region": "430408",
        "name": "蒸湘区人才“培、引、用”工作",
        "years": (2022, 2025),
        "source_title": "潮涌蒸湘好扬帆 彰显“首位”强担当(红星网,2022-12-11)",
        "summary": "聚焦人才“培、引、用”精准发力,以人才“第一资源”赋能蒸湘高质量发展。",
        "plans": [
            (
                "培植育才储才“厚沃土”",
                ["高素养劳动者队伍"],
                [
                    ("构建“人才+项目”“人才+产业”培养模式", "区委人才办", "in_progress"),
                    ("实施“乡村振兴全员大培训”行动", "区农业农村局", "in_progress"),
                    ("评选认定“本土专家”“蒸湘秀才”", "区委人才办", "done"),
                ],
                [("RURAL_TRAINING", 1), ("LOCAL_EXPERTS", 2)],
            ),
            (
                "构建招才聚才“强磁场”",
                ["高水平创新型人才和企业家队伍"],
                [
                    ("科学制定和实施人才引进规划", "区委组织部", "done"),
                    ("以项目引进人才,以人才拓展项目", "区人社局", "in_progress"),
                ],
                [("HIGH_LEVEL_TALENT", 1)],
            ),
            (
                "筑起爱才敬才“暖港湾”",
                ["人才生态"],
                [
                    ("用好用活人才专项资金", "区财政局", "in_progress"),
                    ("解决人才就医、子女上学、家属就业等实际问题", "区人才服务中心", "in_progress"),
                ],
                [("TALENT_FUND", 0)],
            ),
        ],
    },
    {
        "region": "331082",
        "name": "临海市人才工作要点(2019)",
        "years": (2019, 2019),
        "source_title": "全力打造人才生态最优市 为高质量建设活力品质幸福临海提供强有力智力支撑(2019-04-18)",
        "summary": "紧紧围绕“跻身台州市人才工作第一方阵”的目标,全力打造人才生态最优市。",
        "plans": [
            (
                "高站位谋划工作",
                [],
                [("跻身台州市人才工作第一方阵", "市委组织部", "done")],
                [("TALENT_WORK_RANK", 0)],
            ),
            (
                "高效能理顺机制",
                [],
                [("深化“市镇企”三级联动人才工作机制", "市委人才办", "done")],
                [],
            ),
            (
                "高水平建设平台",
                [],
                [("建设台州学院头门港产业学院", "头门港开发区", "in_progress")],
                [],
            ),
            (
                "高质量引育人才",
                [],
                [
                    ("在人才资源丰富的城市建立引才工作站", "市委人才办", "done"),
                    ("新一轮名师名医名家工作室评选", "市人力社保局", "done"),
                ],
                [("TALENT_STATIONS", 0), ("MASTER_STUDIOS", 1)],
            ),
            (
                "高标准优化服务",
                [],
                [("完善“一站式”人才服务平台", "市人才服务中心", "in_progress")],
                [],
            ),
        ],
    },
    {
        # Invented for the demo: it makes 嘉兴市's counties and 乍浦镇 report these indicators.
        "region": "3304",
        "name": "嘉兴市人才工作要点（示例）",
        "years": (2023, CURRENT_YEAR),
        "source_title": "示例数据（非真实文件），用于演示县（市、区）之间的比较",
        "summary": "围绕技能人才培育、高层次人才引育和人才生态优化，逐年推进全市人才工作。",
        "plans": [
            (
                "技能人才培育行动",
                ["高素养劳动者队伍"],
                [
                    ("实施职业技能提升行动", "市人力社保局", "in_progress"),
                    ("举办全市职业技能大赛", "市人力社保局", "done"),
                ],
                [
                    ("VT_TRAINED", 0),
                    ("SKILLED_NEW", 0),
                    ("HIGH_SKILLED_NEW", 0),
                    ("SKILL_CONTESTS", 1),
                ],
            ),
            (
                "高层次人才引育行动",
                ["高水平创新型人才和企业家队伍"],
                [
                    ("引进高层次和急需紧缺人才", "市委人才办", "in_progress"),
                    ("建设乡镇（街道）创业孵化载体", "市科技局", "in_progress"),
                ],
                [("HIGH_LEVEL_TALENT", 0), ("STARTUPS_INCUBATED", 1)],
            ),
            (
                "人才生态优化行动",
                ["人才生态"],
                [
                    ("兑现人才专项资金", "市财政局", "in_progress"),
                    ("培育人力资源服务机构", "市人力社保局", "not_started"),
                ],
                [("TALENT_FUND", 0), ("HR_AGENCIES", 1)],
            ),
        ],
    },
]

# Targets: (region, indicator, year, comparator, value, baseline, note).
TARGETS = [
    ("3304Z01", "VT_TRAINED", 2024, "gte", 1000, None, ""),
    ("3304Z01", "SKILLED_NEW", 2024, "gte", 800, None, ""),
    ("3304Z01", "HIGH_SKILLED_NEW", 2024, "gte", 400, None, ""),
    ("3304Z01", "ENTERPRISE_SERVICES", 2024, "gte", 10, None, "助企十件实事"),
    ("3304Z01", "TALENT_POLICY_3", 2024, "eq", 1, None, ""),
    ("3304Z01", "VT_TRAINED", 2025, "gte", 1100, 1200, "demo"),
    ("3304Z01", "SKILLED_NEW", 2025, "gte", 850, 950, "demo"),
    ("3304Z01", "HIGH_SKILLED_NEW", 2025, "gte", 420, 380, "demo"),
    ("3304Z01", "VT_TRAINED", CURRENT_YEAR, "gte", 1200, None, "demo"),
    ("3304Z01", "SKILLED_NEW", CURRENT_YEAR, "gte", 900, None, "demo"),
    ("3304Z01", "HIGH_SKILLED_NEW", CURRENT_YEAR, "gte", 450, None, "demo"),
    ("3304Z01", "HYDROGEN_PLATFORM", CURRENT_YEAR, "eq", 1, None, "demo"),
    ("430408", "LOCAL_EXPERTS", 2023, "gte", 50, None, "demo"),
    ("430408", "RURAL_TRAINING", 2023, "gte", 5000, None, "demo"),
    ("430408", "HIGH_LEVEL_TALENT", 2023, "gte", 100, None, "demo"),
    ("331082", "TALENT_WORK_RANK", 2019, "lte", 3, None, "跻身台州市人才工作第一方阵"),
    ("331082", "TALENT_STATIONS", 2019, "gte", 10, None, "demo"),
    ("331082", "MASTER_STUDIOS", 2019, "gte", 20, None, "demo"),
    ("331082", "TALENT_WORK_RANK", 2023, "lte", 3, None, "demo"),
    ("331082", "TALENT_WORK_RANK", 2024, "lte", 3, None, "demo"),
    ("3304Z01", "HYDROGEN_PLATFORM", 2025, "eq", 1, None, "demo"),
    # 嘉兴市 and its counties in 2024: the counties' training targets add up to 34,200, below the
    # city's 36,000 (the target cascade warns); their talent-fund targets to 50,300, above 48,000.
    ("3304", "VT_TRAINED", 2024, "gte", 36000, None, "demo"),
    ("330402", "VT_TRAINED", 2024, "gte", 5500, None, "demo"),
    ("330411", "VT_TRAINED", 2024, "gte", 4800, None, "demo"),
    ("330421", "VT_TRAINED", 2024, "gte", 4200, None, "demo"),
    ("330424", "VT_TRAINED", 2024, "gte", 3300, None, "demo"),
    ("330481", "VT_TRAINED", 2024, "gte", 6300, None, "demo"),
    ("330482", "VT_TRAINED", 2024, "gte", 4500, None, "demo"),
    ("330483", "VT_TRAINED", 2024, "gte", 5600, None, "demo"),
    ("3304", "TALENT_FUND", 2024, "gte", 48000, None, "demo"),
    ("330402", "TALENT_FUND", 2024, "gte", 9000, None, "demo"),
    ("330411", "TALENT_FUND", 2024, "gte", 6800, None, "demo"),
    ("330421", "TALENT_FUND", 2024, "gte", 6000, None, "demo"),
    ("330424", "TALENT_FUND", 2024, "gte", 4000, None, "demo"),
    ("330481", "TALENT_FUND", 2024, "gte", 10000, None, "demo"),
    ("330482", "TALENT_FUND", 2024, "gte", 6000, None, "demo"),
    ("330483", "TALENT_FUND", 2024, "gte", 8500, None, "demo"),
]

# Progress reports: (region, indicator, year, value, lower bound, state, note or review comment).
# 2024 against 2023 gives the texts' kind of figures: 1,200 vs ≥1,000 is 120% and met;
# 950 new skilled workers after 590 is +61.02%; 1,200 trained after 1,040 is +15.4%.
REPORTS = [
    ("3304Z01", "VT_TRAINED", 2023, 1040, False, "approved", ""),
    ("3304Z01", "SKILLED_NEW", 2023, 590, False, "approved", ""),
    ("3304Z01", "HIGH_SKILLED_NEW", 2023, 300, False, "approved", ""),
    ("3304Z01", "VT_TRAINED", 2024, 1200, False, "approved", ""),
    ("3304Z01", "SKILLED_NEW", 2024, 950, False, "approved", ""),
    ("3304Z01", "HIGH_SKILLED_NEW", 2024, 380, False, "approved", ""),
    ("3304Z01", "ENTERPRISE_SERVICES", 2024, 10, False, "approved", ""),
    ("3304Z01", "TALENT_POLICY_3", 2024, 1, False, "approved", ""),
    ("3304Z01", "VT_TRAINED", 2025, 1350, False, "approved", ""),
    ("3304Z01", "SKILLED_NEW", 2025, 900, True, "approved", "900余人"),
    ("3304Z01", "HIGH_SKILLED_NEW", 2025, 430, False, "submitted", ""),
    ("3304Z01", "VT_TRAINED", CURRENT_YEAR, 1100, False, "draft", ""),
    ("3304Z01", "SKILLED_NEW", CURRENT_YEAR, 760, False, "submitted", ""),
    (
        "3304Z01",
        "HIGH_SKILLED_NEW",
        CURRENT_YEAR,
        120,
        False,
        "returned",
        "请核实:较上年下降明显,请补充说明。",
    ),
    ("3304Z01", "HYDROGEN_PLATFORM", CURRENT_YEAR, 0, False, "draft", ""),
    ("430408", "LOCAL_EXPERTS", 2022, 38, False, "approved", ""),
    ("430408", "LOCAL_EXPERTS", 2023, 56, False, "approved", ""),
    ("430408", "RURAL_TRAINING", 2023, 5200, True, "approved", "5200余人次"),
    ("430408", "HIGH_LEVEL_TALENT", 2023, 86, False, "approved", ""),
    ("331082", "TALENT_WORK_RANK", 2018, 5, False, "approved", ""),
    ("331082", "TALENT_WORK_RANK", 2019, 3, False, "approved", ""),
    ("331082", "TALENT_STATIONS", 2019, 12, False, "approved", ""),
    ("331082", "MASTER_STUDIOS", 2019, 18, False, "approved", ""),
    # A rank over two years (5th, then 3rd: the 2024 aim met), and a milestone not done in 2025.
    ("331082", "TALENT_WORK_RANK", 2023, 5, False, "approved", ""),
    ("331082", "TALENT_WORK_RANK", 2024, 3, False, "approved", ""),
    ("3304Z01", "HYDROGEN_PLATFORM", 2025, 0, False, "approved", "实验室主体工程在建"),
    # 乍浦镇: indicators 平湖市 does not report, so its figures are 平湖市's, 嘉兴市's and 浙江省's
    # roll-ups (12 projects incubated in 2024) and no county's own figure stands in their way.
    ("330482101", "STARTUPS_INCUBATED", 2024, 12, False, "approved", ""),
    ("330482101", "SKILL_CONTESTS", 2024, 6, False, "approved", ""),
    ("330482101", "STARTUPS_INCUBATED", CURRENT_YEAR, 9, False, "approved", ""),
    ("330482101", "SKILL_CONTESTS", CURRENT_YEAR, 8, False, "approved", ""),
]

# Approved figures of 嘉兴市's counties and the city itself, so that roll-ups and rankings of
# siblings have something to show: indicator -> {region code: (2023, 2024)}.
CITY_FIGURES = {
    "SKILLED_NEW": {
        "330402": (2100, 2350),
        "330411": (1900, 2050),
        "330421": (1500, 1620),
        "330424": (1200, 1380),
        "330481": (2600, 2710),
        "330482": (1700, 2050),
        "330483": (2400, 2500),
        "3304": (13500, 14700),
    },
    "HIGH_SKILLED_NEW": {
        "330402": (700, 820),
        "330411": (640, 690),
        "330421": (510, 560),
        "330424": (400, 470),
        "330481": (860, 900),
        "330482": (600, 690),
        "330483": (800, 820),
        "3304": (4600, 4950),
    },
    "VT_TRAINED": {
        "330402": (5200, 5800),
        "330411": (4600, 4900),
        "330421": (3900, 4300),
        "330424": (3100, 3400),
        "330481": (6100, 6500),
        "330482": (4200, 4600),
        "330483": (5800, 5500),
    },
    "HIGH_LEVEL_TALENT": {
        "330402": (320, 360),
        "330411": (260, 290),
        "330421": (240, 280),
        "330424": (150, 170),
        "330481": (380, 410),
        "330482": (230, 250),  # 260 after the correction below
        "330483": (340, 330),
    },
    "TALENT_FUND": {
        "330402": (8600, 9800),
        "330411": (6200, 7100),
        "330421": (5400, 6300),
        "330424": (3800, 4200),
        "330481": (9500, 10400),
        "330482": (5600, 6500),
        "330483": (8800, 8200),
    },
}

# The figures of CITY_FIGURES that are lower bounds: (region, indicator, year) -> note.
CITY_LOWER_BOUNDS = {
    ("330424", "HIGH_LEVEL_TALENT", 2024): "据不完全统计，引进170余名",
    ("330421", "TALENT_FUND", 2024): "据不完全统计，兑现6300万元以上",
}

# A correction through the services: the figure approved as in CITY_FIGURES, reopened for this
# reason, entered again with `value` and approved (its period reopened for the region first).
CORRECTION = {
    "region": "330482",
    "reporter": "pinghu",
    "indicator": "HIGH_LEVEL_TALENT",
    "year": 2024,
    "value": 260,
    "note": "含补录的一家企业引进人才10名",
    "reason": "漏报一家企业引进的10名人才，请核实后更正。",
    "period_reason": "平湖市更正2024年引进高层次和急需紧缺人才数",
}

# Approved figures inside the current year, and no year report (the figures on the pages are the
# year to date): (region, indicator, period kind, number, value, lower bound, note). Halves of
# three counties, flows and one stock, and 桐乡市's first three quarters (a flow adds up to 4,350;
# a stock is its latest quarter's, 41). When the third quarter has not ended yet, the year before.
SUB_YEAR_REPORTS = [
    ("330402", "VT_TRAINED", "half", 1, 3100, False, ""),
    ("330402", "HR_AGENCIES", "half", 1, 46, False, ""),
    ("330411", "VT_TRAINED", "half", 1, 2500, False, ""),
    ("330481", "VT_TRAINED", "half", 1, 3300, False, ""),
    ("330481", "SKILLED_NEW", "half", 1, 1400, True, "据不完全统计，1400余人"),
    ("330483", "VT_TRAINED", "quarter", 1, 1300, False, ""),
    ("330483", "VT_TRAINED", "quarter", 2, 1600, False, ""),
    ("330483", "VT_TRAINED", "quarter", 3, 1450, False, ""),
    ("330483", "HR_AGENCIES", "quarter", 1, 38, False, ""),
    ("330483", "HR_AGENCIES", "quarter", 2, 39, False, ""),
    ("330483", "HR_AGENCIES", "quarter", 3, 41, False, ""),
]

# Demo accounts (local use only; `load_demo` refuses to create them when DEBUG is off):
# username: (role, region code, includes sub-regions, staff, superuser).
ACCOUNTS = {
    "admin": (None, None, False, True, True),
    "catalog": ("catalog_admin", "33", True, True, False),
    "gangqu": ("reporter", "3304Z01", False, False, False),
    "pinghu": ("reporter", "330482", False, False, False),
    "jiaxing": ("reviewer", "3304", True, False, False),
    "zhengxiang": ("reporter", "430408", False, False, False),
}
DEMO_PASSWORD = "TalentPortal-demo-2026"
