from django import template

from zhangwan.history import reason_text

register = template.Library()


@register.filter
def history_reason(stored):
    """A history row's reason in the reader's language (see zhangwan.history.REASONS)."""
    return reason_text(stored)
