from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value):
    """¥1,500.00 in every language (the Chinese number format has no grouping); −¥ for a reversal."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"


@register.filter
def grouped(value):
    """1,500.00: the number alone, for sentences that put the ¥ themselves."""
    shown = yuan(value)
    return shown.replace("¥", "") if shown != "—" else shown
