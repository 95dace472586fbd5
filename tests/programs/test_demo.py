from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from programs.choices import ReportState
from programs.models import Plan, Program, ProgressReport, Target
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_zone_hangs_under_jiaxing_and_is_counted_in_it(demo):
    zone = Region.objects.get(name="嘉兴港区")
    assert zone.parent.name == "嘉兴市"
    assert zone.counted_in_parent


def test_the_five_plans_with_the_three_2024_targets_of_the_text(demo):
    program = Program.objects.get(name__contains="五大计划")
    assert [p.name for p in program.plans.all()] == [
        "凝心铸魂强政治计划",
        "激励保护强担当计划",
        "聚才暖企强驱动计划",
        "优培赋能强提升计划",
        "服务增值强改革计划",
    ]
    assert all(plan.measures.exists() for plan in program.plans.all())
    training = Plan.objects.get(name="优培赋能强提升计划")
    targets = Target.objects.filter(plan=training, period__year=2024).order_by("-value")
    assert [(t.indicator.name, t.comparator, int(t.value), t.indicator.unit) for t in targets] == [
        ("职业技能培训人数", "gte", 1000, "人"),
        ("新增技能人才", "gte", 800, "人"),
        ("新增高技能人才", "gte", 400, "人"),
    ]


def test_the_other_seed_programs_are_there(demo):
    assert Program.objects.filter(region__name="蒸湘区", name__contains="培、引、用").exists()
    assert Program.objects.filter(region__name="临海市", start_year=2019).exists()


def test_reports_exist_in_every_state(demo):
    states = Counter(ProgressReport.objects.values_list("state", flat=True))
    assert set(states) == set(ReportState.values)


def test_loading_twice_changes_nothing(demo):
    counts = [m.objects.count() for m in (Region, Program, Plan, Target, ProgressReport)]
    history = ProgressReport.history.count()
    call_command("load_demo")
    assert [m.objects.count() for m in (Region, Program, Plan, Target, ProgressReport)] == counts
    assert ProgressReport.history.count() == history


def test_demo_accounts_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
