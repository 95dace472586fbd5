"""Numbers and words as officials write them: 1,200人, 一、二、…, change and headline clauses.

A figure's own words (第3位, 已完成, 前3位, 上升2位, +2.1个百分点, 5,200余) come from `figures`
through `dashboard.Figure`, as on the pages; here are only the report's sentences around them.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from ...choices import Comparator, IndicatorKind, Status
from ...dashboard import Figure
from ...figures import figure_text, plain_number, value_text
from ..charts import percent_text

# Section numbers as officials write them (一、二、… and (一)(二)…), from the catalog.
NUMERALS = (
    pgettext_lazy("counting numeral", "1"),
    pgettext_lazy("counting numeral", "2"),
    pgettext_lazy("counting numeral", "3"),
    pgettext_lazy("counting numeral", "4"),
    pgettext_lazy("counting numeral", "5"),
    pgettext_lazy("counting numeral", "6"),
    pgettext_lazy("counting numeral", "7"),
    pgettext_lazy("counting numeral", "8"),
    pgettext_lazy("counting numeral", "9"),
    pgettext_lazy("counting numeral", "10"),
)


# --- Numbers and words ----------------------------------------------------------------------------


def numeral(number: int) -> str:
    return str(NUMERALS[number - 1]) if 1 <= number <= len(NUMERALS) else str(number)


def join_names(names: list[str]) -> str:
    return pgettext("between names in a list", ", ").join(names)


def join_sentences(sentences: list[str]) -> str:
    text = sentences[0] if sentences else ""
    for sentence in sentences[1:]:
        text = pgettext("joins two sentences", "%(first)s %(second)s") % {
            "first": text,
            "second": sentence,
        }
    return text


def date_text(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def status_text(figure: Figure) -> str:
    """The figure's badge in words: "未设目标" for a value without a target, "暂无数据" without
    a value."""
    return str(Status(figure.badge).label)


# --- A figure in a table cell: `figures.value_text` without the unit, which has its own column --


def unit_text(figure: Figure) -> str:
    """The unit column: a place or a done / not done has none of its own ("第3位" says it)."""
    return (figure.indicator.unit if figure.is_quantity else "") or "—"


def target_cell(figure: Figure) -> str:
    """A count's target as the plans print it ("1,000"; a ceiling "≤3.5"), a rank's "前3位", a
    milestone's "完成"."""
    target = figure.target
    if target is None or not figure.is_quantity:
        return figure.target_text
    sign = "≤" if target.comparator == Comparator.LTE else ""  # a floor is the usual case
    return sign + plain_number(target.value)


# --- A figure in a sentence -----------------------------------------------------------------------


def bound_words(text: str, bound: str) -> str:
    """A percentage computed from a lower bound, in words: "至少120%" / "at most 5%" / "约5%"."""
    if bound == "≥":
        return _("at least %(value)s") % {"value": text}
    if bound == "≤":
        return _("at most %(value)s") % {"value": text}
    if bound == "≈":
        return _("about %(value)s") % {"value": text}
    return text


FLIPPED_BOUND = {"≥": "≤", "≤": "≥"}  # a fall's size is bounded the other way round


def change_clause(figure: Figure) -> str:
    """The change on last year in the measure the kind allows (`Figure.change`): growth in % for
    counts and amounts, percentage points for a percentage, places for a rank; "" for a
    milestone or without last year's figure."""
    change, kind = figure.change, figure.indicator.kind
    if change is None:
        return ""
    if kind == IndicatorKind.RANK:  # 上升2位 / 下降1位 / 名次不变
        return _(", %(change)s on last year") % {"change": figure.change_text}
    bound = figure.growth_bound
    if kind == IndicatorKind.PERCENTAGE:  # 同比增长2.1个百分点, never a growth in %
        points = plain_number(abs(change).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        size = pgettext("percentage points", "%(points)s pp") % {"points": points}
    else:
        size = percent_text(abs(change))
    if change > 0:
        return _(", up %(growth)s on last year") % {"growth": bound_words(size, bound)}
    if change < 0:
        size = bound_words(size, FLIPPED_BOUND.get(bound, bound))
        return _(", down %(growth)s on last year") % {"growth": size}
    if bound:
        return _(", %(growth)s on last year") % {"growth": bound_words(size, bound)}
    return _(", the same as last year")


def headline_clause(figure: Figure) -> str:
    """One indicator in words: "全年开展职业技能培训1,200人，完成年度目标的120%，同比增长15.4%";
    a rank "第3位（目标前3位），已达标，较上年上升2位"; a milestone "已完成"."""
    indicator = figure.indicator
    names = {"indicator": indicator.name}
    if figure.value is None:
        if figure.rollup is not None:  # nothing of its own: what the regions below it reported
            return _("%(indicator)s: sub-regions combined %(quantity)s") % {
                **names,
                "quantity": quantity_text(figure.rollup, figure, figure.rollup_is_lower_bound),
            }
        return _("%(indicator)s: no approved figure yet") % names
    if indicator.kind == IndicatorKind.MILESTONE:
        done = figure.value >= 1
        return (_("%(indicator)s: done") if done else _("%(indicator)s: not done yet")) % names
    values = {**names, "quantity": quantity_text(figure.value, figure, figure.is_lower_bound)}
    if indicator.kind == IndicatorKind.RANK:  # met or not: a share of a place is nothing
        if figure.target is None:
            text = _("%(indicator)s %(quantity)s") % values
        else:
            text = _("%(indicator)s %(quantity)s against a target of %(target)s: %(status)s") % {
                **values,
                "target": figure.target_text,
                "status": status_text(figure),
            }
        return text + change_clause(figure)
    ratio = figure.completion.ratio
    if ratio is not None:
        text = _("%(indicator)s %(quantity)s, %(completion)s of the annual target") % {
            **values,
            "completion": bound_words(percent_text(ratio), figure.completion_bound),
        }
    else:
        text = _("%(indicator)s %(quantity)s") % values
    return text + change_clause(figure)


def quantity_text(value: Decimal, figure: Figure, lower_bound: bool) -> str:
    """ "1,200 人" / "5,200余 人" in a sentence, a rank's "第3位"."""
    indicator = figure.indicator
    if not figure.is_quantity:
        return value_text(value, kind=indicator.kind)
    number = figure_text(value, lower_bound=lower_bound)
    if not indicator.unit:
        return number
    return _("%(value)s %(unit)s") % {"value": number, "unit": indicator.unit}
