"""Numbers as officials write them: no trailing zeros, thousands separated (1,200 / 61.02)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_number(value) -> str:
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"
