from functools import cache

from django import template
from django.utils.html import format_html

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


@cache
def _badges():
    from training.models import Enrollment, TrainingClass

    C, E = TrainingClass.Status, Enrollment.Status
    return {
        C.OPEN: "text-bg-success", E.CONFIRMED: "text-bg-success", E.COMPLETED: "text-bg-success",
        E.WAITLISTED: "text-bg-warning", C.CLOSED: "text-bg-warning",
        C.CANCELLED: "text-bg-secondary", E.FAILED: "text-bg-secondary", E.NO_SHOW: "text-bg-secondary",
        C.RUNNING: "text-bg-primary",
    }


@register.filter
def status_badge(value):
    """The badge colour of a class's or an enrollment's status."""
    return _badges().get(value, "text-bg-light border")


@register.filter
def badge(obj):
    """A class's or an enrollment's status as a coloured badge (one filter call, not a template per row)."""
    return format_html('<span class="badge {}">{}</span>', status_badge(obj.status), obj.get_status_display())


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
