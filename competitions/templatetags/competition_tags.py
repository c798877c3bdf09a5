from django import template

register = template.Library()


@register.filter
def part_score(scores, part_id):
    if not scores:
        return "—"
    return scores.get(str(part_id), "—")
