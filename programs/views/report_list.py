"""进展数据: every progress figure the official may view, filtered, newest first.

A page is found by seeking from a cursor along the primary key (`tables.keyset_page`), so the last
page of millions costs what the first does, and the list is never counted.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render
from django.views.decorators.http import require_GET

from regions.access import Action, filter_by_region

from ..filters import ProgressReportFilterSet
from ..models import ProgressReport
from ..tables import KeysetPage, ProgressReportTable, keyset_page

PAGE_SIZE = 50
FILTER_FIELDS = ["q", "region", "year", "indicator", "state"]  # `period` only as a parameter


class CursorForm(forms.Form):
    """Where the page starts: the `last` page, else `before` or else `after` a figure's id."""

    after = forms.IntegerField(min_value=0, required=False)
    before = forms.IntegerField(min_value=0, required=False)
    last = forms.BooleanField(required=False)


def page_links(query, page: KeysetPage) -> dict[str, str | None]:
    """The first / newer / older / last links, keeping the filters of the `query` (a QueryDict)."""
    base = query.copy()
    for name in CursorForm.base_fields:
        base.pop(name, None)

    def link(**cursor) -> str:
        params = base.copy()
        params.update(cursor)
        return f"?{params.urlencode()}"

    return {
        "first": link() if page.has_newer else None,
        "newer": link(before=page.newer_cursor) if page.has_newer else None,
        "older": link(after=page.older_cursor) if page.has_older else None,
        "last": link(last=1) if page.has_older else None,
    }


@transaction.non_atomic_requests  # read-only
@login_required
@require_GET
def report_list(request):
    reports = filter_by_region(
        request.user,
        ProgressReport.objects.select_related("region", "indicator", "period"),
        Action.VIEW,
    )
    filterset = ProgressReportFilterSet(request.GET, queryset=reports)
    cursor = CursorForm(request.GET)
    valid = filterset.is_valid() and cursor.is_valid()
    if valid:
        page = keyset_page(filterset.qs, size=PAGE_SIZE, **cursor.cleaned_data)
    else:
        page = KeysetPage([], has_newer=False, has_older=False)
    return render(
        request,
        "programs/report_list.html",
        {
            "filter": filterset,
            "filter_fields": [filterset.form[name] for name in FILTER_FIELDS],
            "table": ProgressReportTable(page.rows),
            "rows": page.rows,
            "links": page_links(request.GET, page),
            "filtered": any(request.GET.get(name) for name in filterset.filters),
        },
        status=200 if valid else 400,
    )
