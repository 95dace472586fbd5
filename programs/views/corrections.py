"""The public correction log: every approved figure corrected after a reopening, newest first,
filtered by region (with its sub-regions), year and indicator (`filters.CorrectionFilterSet`,
which the open API's feed uses too). Four queries a page whatever the log's length."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .. import corrections
from ..filters import YEAR_MAX, YEAR_MIN, CorrectionFilterSet
from ..public_cache import cached_public_page, exact, not_shared, whole_number

PER_PAGE = 50


@cached_public_page(
    region=exact,
    year=whole_number(YEAR_MIN, YEAR_MAX),
    indicator=exact,
    page=whole_number(1, 100_000),
)
def correction_list(request):
    filterset = CorrectionFilterSet(request.GET, queryset=corrections.public_corrections())
    if not filterset.is_valid():
        raise Http404  # an unknown region or indicator, or a year that is not one
    paginator = Paginator(filterset.qs, PER_PAGE)
    asked = request.GET.get("page")
    page = paginator.get_page(asked)
    if asked and str(page.number) != asked:
        not_shared(request)  # a page past the end shows the last: not its own entry
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/public/corrections.html",
        {
            "filter": filterset,
            "page": page,
            "rows": page.object_list,
            "filtered": any(request.GET.get(name) for name in ("region", "year", "indicator")),
            "query": query.urlencode(),
        },
    )
