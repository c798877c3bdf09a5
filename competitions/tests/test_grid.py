"""The judge's grid of bibs written in Python (competitions/grid.py) is the HTML the template gave."""

import datetime

import pytest
from django.template import engines
from django.utils import timezone, translation

from competitions.grid import bib_buttons
from competitions.models import Entry, ScoreSheet

# The template's loop as it was, before the grid was written in Python.
TEMPLATE = """{% load i18n %}  {% for e in entries %}{% with sheet=e.my_sheets.0 %}
  <div class="col-4 col-sm-3 col-md-2">
    <a class="btn w-100 py-3 {% if sheet.submitted_at %}btn-success{% elif sheet %}btn-warning{% else %}btn-outline-secondary{% endif %}" href="{% url 'competitions:judge_sheet' e.pk %}" id="bib-{{ e.bib }}">
      <span class="fs-4 d-block">{{ e.bib }}</span><small>{% if sheet.submitted_at %}{% translate "Submitted" %}{% elif sheet %}{% translate "Draft" %}{% else %}{% translate "To mark" %}{% endif %}</small></a>
  </div>
  {% endwith %}{% empty %}<p class="text-muted">{% translate "No entries to mark." %}</p>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("count", [0, 1, 3, 1200])
def test_the_grid_is_the_templates(language, count):
    entries = [Entry(pk=100 + n, bib=n + 1) for n in range(count)]
    submitted = timezone.make_aware(datetime.datetime(2026, 5, 1, 9))
    sheets = {e.pk: ScoreSheet(entry=e, submitted_at=submitted if e.bib % 3 == 1 else None)
              for e in entries if e.bib % 3 != 0}  # submitted, a draft, none: in turn
    for entry in entries:
        entry.my_sheets = [sheets[entry.pk]] if entry.pk in sheets else []
    with translation.override(language):
        expected = engines["django"].from_string(TEMPLATE).render({"entries": entries})
        shown = "  " + bib_buttons(entries, sheets)
    assert shown == expected
    assert count < 3 or all(f"py-3 {css}\"" in shown for css in ("btn-success", "btn-warning", "btn-outline-secondary"))
