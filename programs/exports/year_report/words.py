"""Numbers and words as officials write them: 1,200人, 一、二、…, growth and headline clauses."""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from ...choices import Comparator, IndicatorKind, Status
from ...dashboard import Figure
from ...figures import comparator_sign, plain_number
from ..charts import percent_text

# Growth is quoted for counts and amounts: a rank's or a share's relative change misleads.
GROWTH_KINDS = (IndicatorKind.COUNT, IndicatorKind.AMOUNT)

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


def number_text(value: Decimal | None, *, lower_bound: bool = False) -> str:
    """1200 → "1,200"; a lower bound ("1600余名") keeps its "more than"."""
    if value is None:
        return "—"
    text = plain_number(value)
    return _("more than %(value)s") % {"value": text} if lower_bound else text


def quantity_text(value: Decimal | None, unit: str, *, lower_bound: bool = False) -> str:
    number = number_text(value, lower_bound=lower_bound)
    return _("%(value)s %(unit)s") % {"value": number, "unit": unit} if unit else number


def signed_percent_text(ratio: Decimal | None) -> str:
    if ratio is None:
        return "—"
    return ("+" if ratio > 0 else "") + percent_text(ratio)


def date_text(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def status_text(figure: Figure) -> str:
    """The figure's badge in words: "未设目标" for a value without a target, "暂无数据" without
    a value."""
    return str(Status(figure.badge).label)


def target_text(figure: Figure) -> str:
    target = figure.target
    if target is None:
        return "—"
    if figure.indicator.kind == IndicatorKind.MILESTONE:
        return _("Done")
    # A ceiling (a rank to reach, a rate to stay under) says so; a floor is the usual case.
    prefix = comparator_sign(target.comparator) if target.comparator == Comparator.LTE else ""
    return prefix + number_text(target.value)


def actual_text(figure: Figure) -> str:
    if figure.value is not None and figure.indicator.kind == IndicatorKind.MILESTONE:
        return _("Done") if figure.value >= 1 else _("Not done")
    return number_text(figure.value, lower_bound=figure.is_lower_bound)


def place_text(value: Decimal, *, ceiling: bool = False) -> str:
    """A rank in words: "第3位", or as a ceiling target "前3位" (third place or better)."""
    place = {"place": plain_number(value)}
    return (_("top %(place)s") if ceiling else _("No. %(place)s")) % place


def growth(figure: Figure) -> Decimal | None:
    return figure.growth if figure.indicator.kind in GROWTH_KINDS else None


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


def growth_clause(figure: Figure) -> str:
    change = growth(figure)
    if change is None:
        return ""
    bound = figure.growth_bound
    if change > 0:
        text = bound_words(percent_text(change), bound)
        return _(", up %(growth)s on last year") % {"growth": text}
    if change < 0:
        text = bound_words(percent_text(-change), FLIPPED_BOUND.get(bound, bound))
        return _(", down %(growth)s on last year") % {"growth": text}
    if bound:
        return _(", %(growth)s on last year") % {"growth": bound_words("0%", bound)}
    return _(", the same as last year")


def headline_clause(figure: Figure) -> str:
    """One indicator in words: "全年开展职业技能培训1,200人，完成年度目标的120%，同比增长15.4%"."""
    names = {"indicator": figure.indicator.name}
    if figure.value is None:
        return _("%(indicator)s: no approved figure yet") % names
    if figure.indicator.kind == IndicatorKind.MILESTONE:
        done = figure.value >= 1
        return (_("%(indicator)s: done") if done else _("%(indicator)s: not done yet")) % names
    if figure.indicator.kind == IndicatorKind.RANK:  # met or not: a share of a place is nothing
        values = {**names, "quantity": place_text(figure.value)}
        if figure.target is None:
            return _("%(indicator)s %(quantity)s") % values
        target = figure.target
        return _("%(indicator)s %(quantity)s against a target of %(target)s: %(status)s") % {
            **values,
            "target": place_text(target.value, ceiling=target.comparator == Comparator.LTE),
            "status": status_text(figure),
        }
    values = {
        **names,
        "quantity": quantity_text(
            figure.value, figure.indicator.unit, lower_bound=figure.is_lower_bound
        ),
    }
    ratio = figure.completion.ratio
    if ratio is not None:
        text = _("%(indicator)s %(quantity)s, %(completion)s of the annual target") % {
            **values,
            "completion": bound_words(percent_text(ratio), figure.completion_bound),
        }
    else:
        text = _("%(indicator)s %(quantity)s") % values
    return text + growth_clause(figure)
