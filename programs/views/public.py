"""The public dashboards: home, region, program pages and the visitor's preferences.

Anonymous pages are cached whole, keyed on the public data version (bumped by every approval),
the language and elder mode, so an approved figure shows within seconds and a page costs one
cache read otherwise.
"""

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from regions.access import Action, can
from regions.models import Region

from .. import dashboard, figures
from ..models import Measure, Program
from ..public_cache import (
    ELDER_COOKIE,
    cached_public_page,
    exact,
    free_text,
    not_shared,
    whole_number,
)

FIRST_YEAR, LAST_YEAR = 1990, 2100
YEAR = whole_number(FIRST_YEAR, LAST_YEAR)


def _year(request, default) -> int:
    """The ?year= asked for, else `default()` (only computed when needed)."""
    try:
        year = int(request.GET["year"])
    except (KeyError, ValueError):
        return default()
    return year if FIRST_YEAR <= year <= LAST_YEAR else default()


@cached_public_page()
def home(request):
    headline = dashboard.headline_region()
    summary = None
    if headline is not None:
        summary = dashboard.region_summary(headline, dashboard.default_year(headline))
    return render(
        request,
        "programs/public/home.html",
        {
            "provinces": Region.objects.filter(parent__isnull=True).order_by("code"),
            "recent": dashboard.recently_updated(),
            "summary": summary,
            "today": _today(),
        },
    )


@cached_public_page(q=free_text)
def region_search(request):
    query = request.GET.get("q", "").strip()[:50]
    regions = []
    if query:
        regions = list(
            Region.objects.filter(Q(name__contains=query) | Q(code__startswith=query)).order_by(
                "level", "path"
            )[:50]
        )
    codes = {code for r in regions for code in r.path.split("/")[:-2] if code}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    results = [(r, [names.get(c, c) for c in r.path.split("/")[:-2]]) for r in regions]
    return render(
        request, "programs/public/region_search.html", {"query": query, "results": results}
    )


@cached_public_page(year=YEAR, compare=exact)
def region(request, code):
    place = get_object_or_404(Region, code=code)
    year = _year(request, lambda: dashboard.default_year(place))
    summary = dashboard.region_summary(place, year)
    compare_code = request.GET.get("compare")
    comparable = [f for f in summary.figures.values() if summary.rankings[f.indicator.pk].shown]
    compare = next((f for f in comparable if f.indicator.code == compare_code), None) or (
        comparable[0] if comparable else None
    )
    if compare_code and (compare is None or compare.indicator.code != compare_code):
        not_shared(request)  # an unknown code shows the first indicator: not its own entry
    return render(
        request,
        "programs/public/region.html",
        {
            "summary": summary,
            "year": year,
            "today": _today(),
            "comparable": comparable,
            "compare": compare,
            "ranking": summary.child_ranking(compare.indicator.pk) if compare else [],
            "ranking_rollups": bool(compare)
            and bool(summary.rankings[compare.indicator.pk].rollups),
            "ranking_places": bool(compare) and bool(summary.rankings[compare.indicator.pk].places),
            "charts": _region_charts(summary, compare),
            "may_start_jobs": can(request.user, Action.VIEW, place),
        },
    )


@cached_public_page(year=YEAR)
def program(request, pk):
    item = get_object_or_404(Program.objects.select_related("region"), pk=pk)
    year = _year(
        request,
        lambda: dashboard.default_year(
            item.region, within=(item.start_year, item.end_year), program=item
        ),
    )
    summary = dashboard.region_summary(item.region, year)
    plans = next((plans for p, plans in summary.programs if p.pk == item.pk), [])
    measures = {}
    for measure in Measure.objects.filter(plan__program=item).order_by("order", "pk"):
        measures.setdefault(measure.plan_id, []).append(measure)
    return render(
        request,
        "programs/public/program.html",
        {
            "program": item,
            "summary": summary,
            "plans": [(p, measures.get(p.plan.pk, [])) for p in plans],
            "year": year,
            "years": range(item.start_year, item.end_year + 1),
            "today": _today(),
        },
    )


def _today():
    return timezone.localdate()


def _region_charts(summary, compare) -> dict:
    """The data behind the region page's charts; each chart also has a table on the page."""
    trend_years = sorted({y for f in summary.headline for y, _ in f.history})
    trend = {
        "years": trend_years,
        "series": [
            {
                "name": f.indicator.name,
                "values": [figures.chart_number(dict(f.history).get(y)) for y in trend_years],
            }
            for f in summary.headline
            if f.history and f.indicator.kind in ("count", "amount")
        ],
    }
    with_target = [
        f
        for f in summary.headline
        if f.target is not None and f.value is not None and f.indicator.kind in ("count", "amount")
    ]
    plan_bars = {
        "categories": [f.indicator.name for f in with_target],
        "actual": [figures.chart_number(f.value) for f in with_target],
        "target": [figures.chart_number(f.target.value) for f in with_target],
    }
    ranking, ranked = {}, []
    if compare and compare.is_quantity:  # a place or a done / not done makes no bar
        ranked = [p for p in summary.child_ranking(compare.indicator.pk) if p.value is not None]
    if len(ranked) >= 2:  # one bar compares nothing
        ranking = {
            "categories": [p.region.name for p in ranked][::-1],
            "values": [figures.chart_number(p.value) for p in ranked][::-1],
        }
    # The tables beside the charts show the exact figures, not the charts' floats, with their
    # lower-bound marks.
    trend_table = [
        (
            f.indicator.name,
            [(dict(f.history).get(y), y in f.lower_bound_years) for y in trend_years],
        )
        for f in summary.headline
        if f.history and f.indicator.kind in ("count", "amount")
    ]
    return {"trend": trend, "trend_table": trend_table, "plan_bars": plan_bars, "ranking": ranking}


def _back(request):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)


# Preferences only set a cookie on the visitor's own browser: no state to forge, so no CSRF
# token, which keeps the cached public pages free of per-visitor tokens.
@csrf_exempt
@require_POST
def elder_mode(request):
    response = _back(request)
    if request.POST.get("on") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(ELDER_COOKIE)
    return response


@csrf_exempt
@require_POST
def language(request):
    code = request.POST.get("language", "")
    if not check_for_language(code) or code not in dict(settings.LANGUAGES):
        raise Http404
    response = _back(request)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response
