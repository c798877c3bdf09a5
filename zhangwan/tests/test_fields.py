"""zhangwan/fields.py: ``|as_field`` writes what crispy's ``|as_crispy_field`` writes, for the boxes it
writes itself, bound and unbound, with errors, help texts, required marks and unsafe values, in both
languages; any other widget is crispy's own."""

from decimal import Decimal

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template import Context, Template
from django.test.html import parse_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from zhangwan.fields import as_field


class Sample(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=20, help_text="<b>as on the ID card</b>")
    score = forms.DecimalField(label="得分（0–100）", required=False, min_value=0, max_value=Decimal(100),
                               decimal_places=2, max_digits=7,
                               widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
    note = forms.CharField(label=_("Comment"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    mail = forms.EmailField(label="E-mail <x>", required=False, widget=forms.EmailInput(attrs={"class": "lead"}))
    year = forms.IntegerField(label="", required=False)
    styled = forms.CharField(label="Styled", required=False, widget=forms.TextInput(attrs={"class": "form-control x"}))
    secret = forms.CharField(label="Password", required=False, widget=forms.PasswordInput)
    site = forms.URLField(label="Site", required=False, assume_scheme="https")
    kind = forms.ChoiceField(label=_("Status"), choices=[("a", "A"), ("b", "<B>")])
    agree = forms.BooleanField(label="Agree", required=False)


BOUND = [None, {}, {"name": "x" * 30, "score": "101", "note": "<script>alert('x')</script>\n& \"q\"",
                    "mail": "not an address", "year": "x", "kind": "zzz", "agree": "on", "styled": "s" * 5,
                    "secret": "s3cret", "site": "not a site"},
         {"name": "焊工 <&> '班'", "score": "88.5", "note": "", "mail": "a@b.cn", "year": "2022", "kind": "b"}]


def _form(data, **kwargs):
    form = Sample(data, initial={"score": Decimal("12.50"), "note": "<初始>"}, **kwargs)
    form.is_valid() if data is not None else None
    return form


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("data", BOUND, ids=["unbound", "empty", "invalid", "valid"])
@pytest.mark.parametrize("name", list(Sample.base_fields))
def test_a_field_is_written_as_crispy_writes_it(name, data, language):
    with override(language):
        ours = as_field(_form(data)[name])
        theirs = as_crispy_field(_form(data)[name])  # a form of its own: crispy adds classes to the widget
        assert parse_html(ours) == parse_html(theirs)


def test_a_form_without_ids_or_with_a_prefix_matches_too():
    for kwargs in ({"auto_id": False}, {"prefix": "p"}, {"auto_id": "f-%s"}):
        for data in BOUND:
            for name in ("name", "score", "note"):
                assert parse_html(as_field(_form(data, **kwargs)[name])) == \
                    parse_html(as_crispy_field(_form(data, **kwargs)[name])), (kwargs, data, name)


def test_a_template_reaches_it_without_loading_anything():
    form = _form({"name": "", "score": "-1"})
    html = Template("{{ form.score|as_field }}").render(Context({"form": form}))
    assert 'class="numberinput form-control is-invalid"' in html and 'value="-1"' in html
    assert 'aria-describedby="id_score_error"' in html and "id_score_error" in html


def test_a_password_is_never_written_back():
    form = _form({"secret": "s3cret", "name": ""})
    assert "s3cret" not in as_field(form["secret"])
