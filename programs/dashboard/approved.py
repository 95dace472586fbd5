"""The one filter that keeps unapproved values out of every public read of the reports
themselves (the dashboards' other reads are of the precomputed figures, approved only)."""

from ..choices import ReportState
from ..models import ProgressReport

APPROVED = ReportState.APPROVED


def approved_reports():
    return ProgressReport.objects.filter(state=APPROVED)
