"""A reviewer's list written in Python (masters/review_rows.py) is the HTML the template gave."""

import datetime

import pytest
from django.template import engines
from django.utils import translation

from masters.models import Assignment, Nomination, SelectionRound
from masters.review_rows import assignment_rows
from zhangwan.registry.models import Trade, Worker

# The template's loop as it was, before the rows were written in Python.
TEMPLATE = """{% load i18n %}{% for a in assignments %}
  <a class="list-group-item list-group-item-action d-flex justify-content-between align-items-center" href="{% url 'masters:review_sheet' a.pk %}">
    <span><strong>{{ a.nomination.nominee.name }}</strong><br><span class="small text-muted">{{ a.nomination.trade }} · {{ a.nomination.round.year }}</span>
      {% if not a.is_submitted %}<br><span class="small">{% blocktranslate with date=a.nomination.round.review_closes|date:"Y-m-d" %}Review by {{ date }}{% endblocktranslate %}</span>{% endif %}</span>
    {% if a.is_submitted %}<span class="badge text-bg-success">{% translate "Submitted" %}</span>{% else %}<span class="badge text-bg-warning">{% translate "To score" %}</span>{% endif %}
  </a>
{% empty %}<div class="list-group-item text-muted">{% translate "Nothing is assigned to you." %}</div>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("count", [0, 1, 2, 80])
def test_the_rows_are_the_templates(language, count):
    round_ = SelectionRound(year=2026, review_closes=datetime.date(2026, 12, 20))
    trade = Trade(code="6-18-02-04", name_zh="焊工", name_en="Welder <& \"arc\">")
    assignments = [
        Assignment(pk=10 + n, status=Assignment.Status.SUBMITTED if n % 2 else Assignment.Status.ASSIGNED,
                   nomination=Nomination(nominee=Worker(name=f"王<{n}>&'"), trade=trade, round=round_))
        for n in range(count)]
    with translation.override(language):
        expected = engines["django"].from_string(TEMPLATE).render({"assignments": assignments})
        assert assignment_rows(assignments) == expected
