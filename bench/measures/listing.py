"""The officials' progress list (P8): its last page against its first."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .common import median, rolled_back
from .pages import Pages


def report_list_figures(*, repeat: int) -> dict | None:
    """P8: first and last page of `programs:report_list` for a superuser (who sees every figure);
    None when the page does not exist."""
    from django.urls import NoReverseMatch

    try:
        url = reverse("programs:report_list")
    except NoReverseMatch:
        return None
    first, last = [], []
    with rolled_back():
        user = get_user_model().objects.create_superuser(
            username=f"bench-{os.getpid()}", email="", password=None
        )
        pages = Pages()
        pages.client.force_login(user)
        page = pages.get(url)
        has_last_link = b"last=1" in page.content
        pages.get(url + "?last=1")  # warm up
        for _ in range(repeat):
            first.append(pages.timed(url))
            last.append(pages.timed(url + "?last=1"))
        with CaptureQueriesContext(connection) as queries:
            pages.get(url)
        first_queries = len(queries)  # now: the next request empties the log the count reads
        with CaptureQueriesContext(connection) as queries:
            pages.get(url + "?last=1")
        last_queries = len(queries)
    return {
        "first": median(first),
        "last": median(last),
        "first_queries": first_queries,
        "last_queries": last_queries,
        "has_last_link": has_last_link,
    }
