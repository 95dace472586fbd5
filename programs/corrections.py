"""The public correction log: approved figures that were reopened and approved again with
another value (`models.Correction`, written by `services.report_reopen` / `report_approve`).

Only completed corrections are read here, and each names two approved figures (the one
withdrawn and the one that replaced it) and the reopening's reason: nothing of a draft. One
query per list whatever its length; the public pages, the open API and the indicator page all
read `public_corrections()`.
"""

from django.db.models import QuerySet

from regions.models import Region

from .models import Correction, Indicator

# The indicator page lists at most this many, newest first, and links to the full log.
FIGURE_PAGE_LIMIT = 20


def public_corrections() -> QuerySet[Correction]:
    """Completed corrections, newest first, with what a row shows joined in."""
    return (
        Correction.objects.filter(approved_at__isnull=False)
        .select_related("report__region", "report__indicator", "report__period")
        .order_by("-approved_at", "-pk")
    )


def figure_corrections(indicator: Indicator, region: Region) -> tuple[list[Correction], bool]:
    """The corrections of one region's figures of one indicator (every period), newest first,
    and whether there are more than FIGURE_PAGE_LIMIT."""
    rows = list(
        public_corrections().filter(report__indicator=indicator, report__region=region)[
            : FIGURE_PAGE_LIMIT + 1
        ]
    )
    return rows[:FIGURE_PAGE_LIMIT], len(rows) > FIGURE_PAGE_LIMIT
