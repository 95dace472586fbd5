"""How much of a year a figure covers, in words: "2026年上半年", "2026年前三季度", "2026年6月末".

A region's year figure may stand on sub-year reports only (`RegionFigure.through`, the last
month it covers: 6 after a first half-year, 9 after quarters 1–3); a page or an export must then
name the period rather than show the figure as the year's. Pure functions, no database: the
language is the active one (`django.utils.translation`).

A flow adds up from January, so it is named by its span ("前三季度", "1—7月"); a stock is a level
at a moment, named by that moment ("6月末").
"""

from django.utils.translation import gettext, pgettext, pgettext_lazy

from .choices import TimeNature

WHOLE_YEAR = 12

# A month in a span or a moment. English shows its short name, Chinese its number: these
# translate to the number, which the Chinese patterns below follow with "月".
MONTHS = (
    pgettext_lazy("month in a period", "Jan"),
    pgettext_lazy("month in a period", "Feb"),
    pgettext_lazy("month in a period", "Mar"),
    pgettext_lazy("month in a period", "Apr"),
    pgettext_lazy("month in a period", "May"),
    pgettext_lazy("month in a period", "Jun"),
    pgettext_lazy("month in a period", "Jul"),
    pgettext_lazy("month in a period", "Aug"),
    pgettext_lazy("month in a period", "Sep"),
    pgettext_lazy("month in a period", "Oct"),
    pgettext_lazy("month in a period", "Nov"),
    pgettext_lazy("month in a period", "Dec"),
)


def _month(through: int) -> str:
    return str(MONTHS[through - 1])


def _is_whole_year(through: int | None) -> bool:
    return through is None or through >= WHOLE_YEAR


def _check(through: int | None) -> None:
    if through is not None and not 1 <= through <= WHOLE_YEAR:
        raise ValueError(f"a figure covers months 1–12, not {through!r}")


def period_label(year: int, through: int | None, *, time_nature: str) -> str:
    """The period a figure of `year` covering months 1–`through` stands for: "2026年" for the
    whole year (or `through` unknown), "2026年上半年" for a flow through June, "2026年6月末" for
    a stock."""
    _check(through)
    if _is_whole_year(through):
        return gettext("%(year)s") % {"year": year}  # as `ReportingPeriod.label` says a year
    values = {"year": year, "month": _month(through)}
    if time_nature == TimeNature.STOCK:
        return gettext("end of %(month)s %(year)s") % values
    if through == 3:
        return gettext("%(year)s Q1") % values
    if through == 6:
        return gettext("%(year)s H1") % values
    if through == 9:
        return gettext("%(year)s Q1–Q3") % values
    if through == 1:
        return pgettext("one month", "%(year)s %(month)s") % values
    return gettext("%(year)s Jan–%(month)s") % values


def period_suffix(through: int | None, *, time_nature: str) -> str:
    """`period_label` without the year, for a figure shown under its year's heading: "上半年",
    "前三季度", "1—7月", "6月末"; "" for the whole year."""
    _check(through)
    if _is_whole_year(through):
        return ""
    values = {"month": _month(through)}
    if time_nature == TimeNature.STOCK:
        return gettext("end of %(month)s") % values
    if through == 3:
        return gettext("Q1")
    if through == 6:
        return gettext("H1")
    if through == 9:
        return gettext("Q1–Q3")
    if through == 1:
        return pgettext("one month", "%(month)s") % values
    return gettext("Jan–%(month)s") % values


def mixed_note(rollup_through: int | None, *, time_nature: str) -> str:
    """The note under a roll-up whose sub-regions report to different points of the year
    (`RegionFigure.rollup_mixed`): "部分下级仅报至上半年", naming the least coverage among them;
    "" when that is the whole year or unknown."""
    suffix = period_suffix(rollup_through, time_nature=time_nature)
    if not suffix:
        return ""
    return gettext("some sub-regions only through %(period)s") % {"period": suffix}
