"""Numbers as officials write them: no trailing zeros, thousands separated (1,200 / 61.02)."""

from decimal import Decimal

from django import template

from programs import figures, periods

register = template.Library()


register.filter("plain_number", figures.plain_number)
register.filter("comparator_sign", figures.comparator_sign)


@register.filter
def figure_text(value, lower_bound=False) -> str:
    """`{{ figure.value|figure_text:figure.is_lower_bound }}` → 1,200 / 1,200+ / —."""
    return figures.figure_text(value, lower_bound=bool(lower_bound))


@register.filter
def percent(ratio, places: int = 1) -> str:
    """A fraction as a percentage: 1.2 → 120.0%."""
    if ratio is None:
        return "—"
    return f"{figures.as_percent(Decimal(ratio), places=places):,.{places}f}%"


@register.filter
def signed_percent(ratio, places: int = 1) -> str:
    """Growth with its sign: 0.6102 → +61.0%."""
    return figures.signed_percent_text(ratio, places=places)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def bounded(text, bound="") -> str:
    """`{{ figure.growth|signed_percent|bounded:figure.growth_bound }}` → ≥+20.0%."""
    return figures.bounded_text(str(text), bound or "")


@register.simple_tag
def value_text(value, indicator, lower_bound=False) -> str:
    """`{% value_text place.value indicator place.is_lower_bound %}` → 1,200余 人 / 第3位."""
    return figures.value_text(
        value, kind=indicator.kind, lower_bound=bool(lower_bound), unit=indicator.unit
    )


@register.simple_tag
def period_suffix(through, indicator) -> str:
    """`{% period_suffix place.through indicator %}` → 上半年 / 前三季度 ("" for the year)."""
    return periods.period_suffix(through, time_nature=indicator.time_nature)
