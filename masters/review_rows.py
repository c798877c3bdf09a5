"""A reviewer's list of nominations written in Python (issue 21): a reviewer has dozens of them, and in the
template each row cost a ``{% url %}``, two ``{% if %}``, a ``{% blocktranslate %}`` and a date filter. The HTML
is the template's, character for character (``masters/tests/test_review_rows.py`` holds it there, in both
languages)."""

from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from zhangwan.links import addresser
from zhangwan.markup import escaped

ROW = ('\n  <a class="list-group-item list-group-item-action d-flex justify-content-between align-items-center" '
       'href="{url}">\n    <span><strong>{name}</strong><br><span class="small text-muted">{trade} · {year}</span>\n'
       '      {due}</span>\n    {badge}\n  </a>\n')


def assignment_rows(assignments) -> SafeString:
    """A row per assignment, each leading to its sheet: the nominee, the trade and the round's year, the
    review's closing date while it is not submitted, and whether it is."""
    if not assignments:
        return mark_safe(  # noqa: S308 - escaped
            f'<div class="list-group-item text-muted">{escaped(gettext("Nothing is assigned to you."))}</div>')
    address = addresser("masters:review_sheet")
    submitted = f'<span class="badge text-bg-success">{escaped(gettext("Submitted"))}</span>'
    to_score = f'<span class="badge text-bg-warning">{escaped(gettext("To score"))}</span>'
    review_by = gettext("Review by %(date)s")
    rows = []
    for a in assignments:
        nomination, done = a.nomination, a.is_submitted
        due = "" if done else ('<br><span class="small">'
                               f'{review_by % {"date": escaped(date_format(nomination.round.review_closes, "Y-m-d"))}}'
                               "</span>")
        rows.append(ROW.format(url=escaped(address(a.pk)), name=escaped(nomination.nominee.name),
                               trade=escaped(nomination.trade), year=escaped(localize(nomination.round.year)),
                               due=due, badge=submitted if done else to_score))
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above
