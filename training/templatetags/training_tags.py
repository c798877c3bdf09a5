from django import template

from training import rows

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def status_label(value):
    from training.models import TrainingClass

    return TrainingClass.Status(value).label


@register.filter
def level_label(value):
    from zhangwan.registry.models import SkillLevel

    return SkillLevel(value).label if value is not None else "—"


register.filter("status_badge", rows.badge_colour)  # the badge colour of a class's or an enrollment's status
register.filter("badge", rows.badge)  # a class's or an enrollment's status as a coloured badge
register.filter("catalogue_cards", rows.catalogue_cards)  # the catalogue's cards (training/rows.py)
register.filter("class_rows", rows.class_rows)  # the officer's list's rows (training/rows.py)


@register.filter
def cancels(value) -> bool:
    """Whether moving a class to this status cancels it (its button is red)."""
    from training.models import TrainingClass

    return value == TrainingClass.Status.CANCELLED


@register.filter
def finishes(value) -> bool:
    """Whether moving a class to this status finishes it (early, it asks for the reason)."""
    from training.models import TrainingClass

    return value == TrainingClass.Status.FINISHED
