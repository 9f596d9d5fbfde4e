"""Figures as people read them: money in yuan with the sign, thousands separators and fen."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """264000 → ¥264,000.00; empty for no value."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"
