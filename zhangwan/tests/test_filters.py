"""The list pages' filter bar (zhangwan/filters.py): its selects, search box and number boxes are written in
Python, and must be the HTML Django's own widgets render (whitespace between tags aside): the same options,
the same one selected, the same value, the same escaping."""

import django_filters
import pytest
from django import forms
from django.test.html import parse_html

from zhangwan.filters import ListFilter, PlainNumberInput, PlainSelect, PlainTextInput, filter_bar, search
from zhangwan.query import YearFilter
from zhangwan.registry.models import Trade


class BarFilter(ListFilter):
    q = search("Name <or> code")
    trade = django_filters.ModelChoiceFilter(field_name="pk", queryset=Trade.objects.all())
    kind = django_filters.ChoiceFilter(choices=[("a", "A & <b>"), ("b", "B"), ("a", "A again")],
                                       empty_label="Any \"kind\"")
    grouped = django_filters.ChoiceFilter(choices=[("Group", [("x", "X")]), ("y", "Y")])
    year = YearFilter(field_name="pk")

    class Meta:
        model = Trade
        fields = []


def djangos(bound):
    """What Django's own widget renders for the same field (attributes, choices and value)."""
    if isinstance(bound.field.widget, forms.Select):
        widget = forms.Select(attrs=bound.field.widget.attrs)
        widget.choices = bound.field.widget.choices
    else:
        widget = (forms.NumberInput if isinstance(bound.field.widget, forms.NumberInput) else forms.TextInput)(
            attrs=bound.field.widget.attrs)
    return bound.as_widget(widget=widget)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"kind": "a", "grouped": "x"}, {"kind": "zz"}, {"trade": "first"},
                                  {"q": '  "车工" <b> & '}, {"year": "2022"}, {"year": '"><b>'}])
def test_the_bars_selects_are_the_html_djangos_select_renders(data):
    first = Trade.objects.create(code="X-1", name_zh="车工 <&>", name_en='Turner "T"')
    Trade.objects.create(code="X-2", name_zh="钳工", name_en="Fitter")
    data = {key: str(first.pk) if value == "first" else value for key, value in data.items()}
    form = BarFilter(data, queryset=Trade.objects.all()).form
    assert type(form["q"].field.widget) is PlainTextInput and type(form["year"].field.widget) is PlainNumberInput
    for name in ("q", "trade", "kind", "grouped", "year"):
        bound = form[name]
        if name in ("trade", "kind"):
            assert type(bound.field.widget) is PlainSelect
        assert parse_html(bound.as_widget()) == parse_html(djangos(bound)), name  # whitespace aside
    assert "车工 &lt;&amp;&gt;" in form["trade"].as_widget()
    if data.get("kind") == "a":  # two options share the value: only the first is selected, as in Django
        assert form["kind"].as_widget().count(" selected") == 1


class CodeFilter(ListFilter):
    """A filter set that changes its filters per instance, as the project's do (choices, querysets, a
    filter dropped) and filters by a method of its own."""

    kind = django_filters.ChoiceFilter(choices=[("a", "A")], method="filter_kind")
    trade = django_filters.ModelChoiceFilter(field_name="pk", queryset=Trade.objects.all())
    q = search("Code")
    search_fields = ("code",)

    class Meta:
        model = Trade
        fields = []

    def __init__(self, *args, codes=(), keep_trade=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = codes
        self.filters["kind"].extra["choices"] = [(code, code) for code in codes]
        self.filters["trade"].queryset = Trade.objects.filter(code__in=codes)
        if not keep_trade:
            del self.filters["trade"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(code__in=[code for code in self.codes if code == value])


@pytest.mark.django_db
def test_each_filter_set_has_its_own_filters_and_fields():
    turner = Trade.objects.create(code="X-1", name_zh="车工", name_en="Turner")
    Trade.objects.create(code="X-2", name_zh="钳工", name_en="Fitter")
    first = CodeFilter({"kind": "X-1"}, queryset=Trade.objects.all(), codes=["X-1"], keep_trade=False)
    second = CodeFilter({"kind": "X-2", "trade": str(turner.pk)}, queryset=Trade.objects.all(), codes=["X-2"])

    # the first's choices, queryset and dropped filter are its own
    assert [c for c, _label in second.form.fields["kind"].choices] == ["", "X-2"]
    assert [c for c, _label in first.form.fields["kind"].choices] == ["", "X-1"]
    assert "trade" not in first.form.fields and "trade" in second.form.fields
    assert [t.code for t in second.form.fields["trade"].queryset] == ["X-2"]
    assert "trade" in second.errors  # the turner is not among the second's trades
    assert CodeFilter.base_filters["kind"].extra["choices"] == [("a", "A")]
    assert set(CodeFilter.base_filters) == {"kind", "trade", "q"}
    # each filters by its own method, on its own data
    assert list(first.qs.values_list("code", flat=True)) == ["X-1"]
    second_only = CodeFilter({"kind": "X-2"}, queryset=Trade.objects.all(), codes=["X-2"])
    assert list(second_only.qs.values_list("code", flat=True)) == ["X-2"]
    # the fields and widgets are not shared between instances
    assert first.form.fields["q"] is not second.form.fields["q"]
    assert first.form.fields["q"].widget is not second.form.fields["q"].widget
    assert first.form.fields["q"].widget.attrs is not CodeFilter.base_filters["q"].extra["widget"].attrs


# The bar's template as it was (templates/includes/filter_form.html): filter_bar must give its HTML.
BAR = """{% load i18n %}<form method="get" class="mb-3" data-autosubmit role="search">
  <div class="d-flex gap-2 align-items-end">
    <div class="flex-grow-1">
      <label class="form-label small mb-1" for="{{ filter.form.q.id_for_label }}">{{ filter.form.q.label }}</label>
      {{ filter.form.q.as_widget }}
    </div>
    <button class="btn btn-primary btn-sm" type="submit"><i class="bi bi-search"></i> {% translate "Search" %}</button>
    <button class="btn btn-outline-secondary btn-sm d-md-none" type="button" data-bs-toggle="collapse" data-bs-target="#more-filters" aria-expanded="false" aria-controls="more-filters"><i class="bi bi-funnel"></i> {% translate "Filters" %}</button>
  </div>
  <div class="collapse d-md-block{% if filter.form.data|length > 1 %} show{% endif %}" id="more-filters">
    <div class="row g-2 align-items-end mt-1">
      {% for field in filter.form %}{% if field.name != 'q' %}
      <div class="col-6 col-md-4 col-lg">
        <label class="form-label small mb-1" for="{{ field.id_for_label }}">{{ field.label }}</label>
        {{ field.as_widget }}
      </div>
      {% endif %}{% endfor %}
      <div class="col-auto"><a class="btn btn-link btn-sm" href="{{ clear_url }}">{% translate "Clear" %}</a></div>
    </div>
  </div>
</form>"""  # noqa: E501


def project_filter_sets():
    from masters.filters import NominationFilter, TalkOrderFilter, TitleFilter
    from training.filters import ClassFilter, EnrollmentFilter, StaffClassFilter
    from training.subsidies.filters import BatchFilter

    return [ClassFilter, StaffClassFilter, EnrollmentFilter, BatchFilter, NominationFilter, TitleFilter,
            TalkOrderFilter, BarFilter]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", ["", "q=%3C%22x%22%3E+%26", "q=a&page=2", "year=2022&status=open&union_class=true"])
def test_the_bar_is_the_html_its_template_rendered(query, language):
    """For the project's filter sets and the activity log's plain form, in every state of the bar."""
    from django.http import QueryDict
    from django.template import Context, Template
    from django.utils import translation

    from zhangwan.audit.forms import ActivityFilterForm

    Trade.objects.create(code="X-1", name_zh="车工 <&>", name_en='Turner "T"')
    with translation.override(language):
        forms_ = [filter_set(QueryDict(query), queryset=filter_set._meta.model.objects.all()).form
                  for filter_set in project_filter_sets()] + [ActivityFilterForm(QueryDict(query) or None)]
        for form in forms_:
            clear_url = '/list/?a="<b>"&c'
            context = {"filter": {"form": form}, "clear_url": clear_url}
            written = filter_bar(form, clear_url)
            assert parse_html(written) == parse_html(Template(BAR).render(Context(context))), type(form)
            assert Template('{% include "includes/filter_form.html" %}').render(Context(context)).strip() == written


@pytest.mark.django_db
def test_the_bar_renders_as_the_template_did_without_a_clear_address():
    """A page that sets no clear_url got a bar whose Clear link went nowhere; it still does, not an error."""
    from django.http import QueryDict
    from django.template import Context, Template

    form = BarFilter(QueryDict(""), queryset=Trade.objects.all()).form
    html = Template('{% include "includes/filter_form.html" %}').render(Context({"filter": {"form": form}}))
    assert parse_html(html) == parse_html(Template(BAR).render(Context({"filter": {"form": form}})))


@pytest.mark.django_db
def test_the_catalogues_fields_are_made_once_for_each_change_of_its_lists_and_keep_no_visitors_choice():
    """The class lists' filter sets share their fields between requests while the trades, bases and classes
    are unchanged (ListFilter.shared_fields): a visitor's choice stays in their own form, a new trade shows
    at the next request, and each language gets its own options."""
    from django.http import QueryDict
    from django.utils import translation

    from training.filters import ClassFilter
    from training.models import TrainingClass

    def bar(query):
        filterset = ClassFilter(QueryDict(query), queryset=TrainingClass.objects.all())
        return filterset.form, filter_bar(filterset.form, "/")

    welder = Trade.objects.create(code="X-9", name_zh="焊工甲", name_en="Welder A")
    first, chosen = bar(f"trade={welder.pk}&level=4")
    second, plain = bar("")
    assert second.fields["trade"] is first.fields["trade"] and second.fields is not first.fields
    assert f'<option value="{welder.pk}" selected>焊工甲</option>' in chosen
    assert f'<option value="{welder.pk}">焊工甲</option>' in plain and '<option value="4" selected>' not in plain
    assert '<option value="4" selected>' in chosen
    assert first.cleaned_data["trade"] == welder and second.cleaned_data["trade"] is None
    with translation.override("en"):
        assert f'<option value="{welder.pk}">Welder A</option>' in bar("")[1]
    Trade.objects.create(code="X-10", name_zh="钳工乙", name_en="Fitter B")
    third, fresh = bar("")
    assert third.fields["trade"] is not first.fields["trade"] and "钳工乙" in fresh


def test_a_select_of_a_field_made_for_one_request_shows_its_choices_as_they_are_now():
    """Only a shared field's select keeps its options' HTML: another's choices may change between renders."""
    select = PlainSelect()
    select.choices = [("a", "A")]
    assert '<option value="a">A</option>' in select.render("kind", "")
    select.choices = [("b", "B")]
    assert '<option value="b">B</option>' in select.render("kind", "") and ">A<" not in select.render("kind", "")
