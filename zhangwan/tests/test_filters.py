"""The list pages' filter bar (zhangwan/filters.py): its selects and search box are written in Python, and
must be the HTML Django's own widgets render (whitespace between tags aside): the same options, the same
one selected, the same value, the same escaping."""

import django_filters
import pytest
from django import forms
from django.test.html import parse_html

from zhangwan.filters import ListFilter, PlainSelect, PlainTextInput, search
from zhangwan.registry.models import Trade


class BarFilter(ListFilter):
    q = search("Name <or> code")
    trade = django_filters.ModelChoiceFilter(field_name="pk", queryset=Trade.objects.all())
    kind = django_filters.ChoiceFilter(choices=[("a", "A & <b>"), ("b", "B"), ("a", "A again")],
                                       empty_label="Any \"kind\"")
    grouped = django_filters.ChoiceFilter(choices=[("Group", [("x", "X")]), ("y", "Y")])

    class Meta:
        model = Trade
        fields = []


def djangos(bound):
    """What Django's own widget renders for the same field (attributes, choices and value)."""
    if isinstance(bound.field.widget, forms.Select):
        widget = forms.Select(attrs=bound.field.widget.attrs)
        widget.choices = bound.field.widget.choices
    else:
        widget = forms.TextInput(attrs=bound.field.widget.attrs)
    return bound.as_widget(widget=widget)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"kind": "a", "grouped": "x"}, {"kind": "zz"}, {"trade": "first"},
                                  {"q": '  "车工" <b> & '}])
def test_the_bars_selects_are_the_html_djangos_select_renders(data):
    first = Trade.objects.create(code="X-1", name_zh="车工 <&>", name_en='Turner "T"')
    Trade.objects.create(code="X-2", name_zh="钳工", name_en="Fitter")
    data = {key: str(first.pk) if value == "first" else value for key, value in data.items()}
    form = BarFilter(data, queryset=Trade.objects.all()).form
    assert type(form["q"].field.widget) is PlainTextInput
    for name in ("q", "trade", "kind", "grouped"):
        bound = form[name]
        if name in ("trade", "kind"):
            assert type(bound.field.widget) is PlainSelect
        assert parse_html(bound.as_widget()) == parse_html(djangos(bound)), name  # whitespace aside
    assert "车工 &lt;&amp;&gt;" in form["trade"].as_widget()
    if data.get("kind") == "a":  # two options share the value: only the first is selected, as in Django
        assert form["kind"].as_widget().count(" selected") == 1
