"""zhangwan/markup.py: the lists' escaping gives the text Django's conditional_escape gives, for every kind of
value the rows and filter bars write."""

import datetime
from decimal import Decimal

import pytest
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, override

from zhangwan.markup import attributes, escaped


class Marked:
    def __html__(self):
        return "<b>marked</b>"

    def __str__(self):
        return "<not this>"


VALUES = ["", "plain", "<script>alert('x')</script> & \"quoted\"", "焊工 <&> '班'", mark_safe("<i>safe</i>"),
          format_html("<b>{}</b>", "<x>"), gettext_lazy("Status"), format_lazy("{} <{}>", gettext_lazy("Status"), "&"),
          mark_safe(gettext_lazy("Status")), 0, 12, -3, Decimal("1234.50"), 1.5, None, True,
          datetime.date(2022, 5, 1), Marked()]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_escaped_is_djangos_conditional_escape(value, language):
    with override(language):
        assert escaped(value) == conditional_escape(value)


ATTRIBUTES = [{}, {"class": "form-select form-select-sm", "id": "id_trade"}, {"required": True, "disabled": False},
              {"min": 2000, "max": 2100, "step": Decimal("1"), "value": None}, {"placeholder": gettext_lazy("Status")},
              {"data-x": "<\"'&>", "aria-label": mark_safe("<b>"), "z": "", "a": True, "b": True, "class": "c"}]


@pytest.mark.parametrize("attrs", ATTRIBUTES, ids=range(len(ATTRIBUTES)))
def test_attributes_are_djangos_flatatt(attrs):
    assert attributes(attrs) == flatatt(attrs)
