from django import template

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
