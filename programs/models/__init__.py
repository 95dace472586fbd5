"""The models of programs, by concern; `programs.models.X` names every one of them.

catalog: programs, plans, measures, indicators, targets · reporting: periods, reopenings, progress
reports, evidence, notifications · corrections: approved figures corrected after a reopening ·
derived: the dashboards' precomputed figures · jobs: user jobs.
"""

from .catalog import (
    VALUE_FIELD,
    Indicator,
    Measure,
    Plan,
    PlanIndicator,
    PlanTag,
    Program,
    Target,
    check_value_fits,
)
from .corrections import Correction
from .derived import RegionFigure
from .jobs import Job
from .reporting import (
    Evidence,
    Notification,
    PeriodReopening,
    ProgressReport,
    ReportingPeriod,
    evidence_path,
)

__all__ = [
    "VALUE_FIELD",
    "Correction",
    "Evidence",
    "Indicator",
    "Job",
    "Measure",
    "Notification",
    "PeriodReopening",
    "Plan",
    "PlanIndicator",
    "PlanTag",
    "Program",
    "ProgressReport",
    "RegionFigure",
    "ReportingPeriod",
    "Target",
    "check_value_fits",
    "evidence_path",
]
