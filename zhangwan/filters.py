"""A list page's filter bar: django-filter's FilterSet with its form styled for the bar, and one search
box that matches any of the fields the list names.

    class NominationFilter(ListFilter):
        q = search(_("Name or organization"))
        search_fields = ("nominee__name", "organization__name")
"""

import copy
import html
import threading

import django_filters
from django import forms, template
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from zhangwan.markup import attributes, escaped
from zhangwan.table_versions import kept, versions

YES_NO = [("", "---------"), ("true", _("Yes")), ("false", _("No"))]


def search(placeholder) -> django_filters.CharFilter:
    """The search box: its words are matched by the filter's ``filter_q``."""
    return django_filters.CharFilter(label=_("Search"), method="filter_q",
                                     widget=forms.TextInput(attrs={"placeholder": placeholder}))


def yes_no(label, **kwargs) -> django_filters.BooleanFilter:
    """A yes / no / either choice as a select, like the bar's other choices."""
    return django_filters.BooleanFilter(label=label, widget=forms.Select(choices=YES_NO), **kwargs)


class KeptChoiceIterator(ModelChoiceIterator):
    """A model choice list's options from zhangwan.table_versions.kept: read from PostgreSQL once per process
    while its tables are unchanged, instead of once per page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from kept(self.field.kept_name, self.field.kept_tables, self._read, self.field.kept_stamp)

    def __len__(self):
        return len(list(self))

    def _read(self):
        return [(self.field.prepare_value(obj), self.field.label_from_instance(obj)) for obj in self.queryset]


class KeptModelChoiceField(ModelChoiceField):
    iterator = KeptChoiceIterator

    def __init__(self, queryset, *args, kept_tables, kept_stamp=None, **kwargs):
        if queryset.query.has_filters() or queryset.query.is_sliced:
            raise ImproperlyConfigured("A kept choice list is a whole table: its key names the model alone.")
        self.kept_name, self.kept_tables, self.kept_stamp = queryset.model._meta.label, kept_tables, kept_stamp
        super().__init__(queryset, *args, **kwargs)


class KeptModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of one row of a whole table whose options are kept between requests while ``kept_tables``
    (by default the model's table; more where its names read other tables) are unchanged. Choosing still
    reads the chosen row. In a ListFilter the change numbers of all its lists' tables are read once
    (``ListFilter.kept_stamp``)."""

    field_class = KeptModelChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kept_tables", (kwargs["queryset"].model._meta.db_table,))
        super().__init__(*args, **kwargs)


class PlainSelect(forms.Select):
    """The bar's select, the same HTML as Django's widget templates but written here, straight from the
    choices: Django builds a dict per option (copying the attributes) and renders each through two
    templates, which made the selects a fifth of a list page's CPU. A select of a set's shared fields
    (``ListFilter.shared_fields``) keeps its options' HTML for each language and choice it has shown, at most
    MEMO of them (a choice from a crafted address is written, not kept)."""

    MEMO = 64
    keeps_options = False  # set on the selects of shared fields, whose choices never change

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        memo = self.__dict__.setdefault("_memo", {}) if self.keeps_options else {}
        key = (get_language(), *chosen)
        options = memo.get(key)
        if options is None:
            options = self._options(chosen)
            if options is None:  # option groups: Django's way
                return super().render(name, value, attrs, renderer)
            if len(memo) < self.MEMO:
                memo[key] = options
        attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<select name="{html.escape(name)}"{attributes(attrs)}>{options}</select>')  # noqa: S308 - escaped above

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.__dict__.pop("_memo", None)  # another field's widget: its choices may differ
        copied.keeps_options = False
        return copied

    def _options(self, chosen) -> str | None:
        options, has_selected = [], False
        for option_value, label in self.choices:  # iterated once: len() of a model choice list is a query
            if isinstance(label, (list, tuple)):
                return None
            option_value = "" if option_value is None else str(option_value)
            selected = not has_selected and option_value in chosen
            has_selected |= selected
            options.append(f'<option value="{html.escape(option_value)}"{" selected" if selected else ""}>'
                           f'{escaped(label)}</option>')
        return "".join(options)


class PlainInput:
    """The HTML of Django's input template written here (one template less per page)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = "" if value is None else f' value="{html.escape(str(value))}"'
        attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<input type="{self.input_type}" name="{html.escape(name)}"{shown}{attributes(attrs)}>')  # noqa: S308 - escaped above


class PlainTextInput(PlainInput, forms.TextInput):
    """The search box."""


class PlainNumberInput(PlainInput, forms.NumberInput):
    """A number box (a year)."""


def _plain(widget):
    """A plain single select, text or number box becomes its Plain twin with the same attributes and choices."""
    if type(widget) is forms.TextInput:
        return PlainTextInput(attrs=widget.attrs)
    if type(widget) is forms.NumberInput:
        return PlainNumberInput(attrs=widget.attrs)
    if type(widget) is not forms.Select:
        return widget
    plain = PlainSelect(attrs=widget.attrs)
    plain.choices = widget.choices
    return plain


def _fresh(filter_):
    """The class's filter as a FilterSet instance's own: a copy with its own ``extra`` (what the instance
    may change: choices, queryset) and its method bound to the copy. django-filter deep-copies every filter
    instead (its widget, its choices and their translated labels: a fifth of a list page's filter bar);
    the widget and the choices are copied again anyway when the filter builds its form field."""
    if "_field" in vars(filter_):  # a field built on the class's own filter: nothing of it may be shared
        return copy.deepcopy(filter_)
    fresh = copy.copy(filter_)
    fresh.extra = dict(filter_.extra)
    if filter_.method is not None:
        fresh.method = filter_.method  # a FilterMethod of the copy's own (it finds the method on its parent)
    return fresh


SHARED_SETS = 16  # the shared fields kept (ListFilter.shared_fields): a set of fields per class and change numbers
_SHARED_FIELDS: dict = {}
_SHARED_LOCK = threading.Lock()


class _Filters(dict):
    """A FilterSet class's filters; BaseFilterSet.__init__ deep-copies them for each instance."""

    def __deepcopy__(self, memo):
        return {name: _fresh(filter_) for name, filter_ in self.items()}


class ListFilter(django_filters.FilterSet):
    search_fields: tuple[str, ...] = ()  # matched by the search box, any of them, ignoring case
    kept_tables: tuple[str, ...] = ()  # the tables of lists the set keeps itself (beyond its kept choices')
    # True for a set whose form fields depend on nothing but its class and its kept lists (no choice made for
    # the request's user): its fields are made once for each change number of those lists and shared by the
    # requests, read-only (the form's data and errors are the form's own), and its selects keep their HTML.
    shared_fields = False

    @cached_property
    def kept_stamp(self) -> str | None:
        """The change numbers of every table the bar's kept lists come from, in one query."""
        tables = {table for filter_ in self.filters.values() if isinstance(filter_, KeptModelChoiceFilter)
                  for table in filter_.extra["kept_tables"]}
        return versions(tables | set(self.kept_tables)) if tables or self.kept_tables else None

    @classmethod
    def get_filters(cls):
        """The class's filters (django-filter's metaclass keeps them as ``base_filters``), copied for each
        instance by ``_fresh``."""
        return _Filters(super().get_filters())

    @property
    def form(self):
        # Built when first read, so a subclass may still drop filters in its __init__. The fields are the
        # filters' own, made for this instance: given to the form as they are, where django-filter's form
        # class would copy each of them again.
        if not hasattr(self, "_form"):
            form = self._meta.form(self.data, prefix=self.form_prefix) if self.is_bound \
                else self._meta.form(prefix=self.form_prefix)
            form.fields = self._shared_fields() if self.shared_fields and self.kept_stamp else self._fields()
            self._form = form
        return self._form

    def _fields(self) -> dict:
        for filter_ in self.filters.values():
            if isinstance(filter_, KeptModelChoiceFilter):
                filter_.extra["kept_stamp"] = self.kept_stamp
        fields = {name: filter_.field for name, filter_ in self.filters.items()}
        for field in fields.values():
            field.widget = _plain(field.widget)
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
        return fields

    def _shared_fields(self) -> dict:
        key = (type(self), self.kept_stamp)
        fields = _SHARED_FIELDS.get(key)
        if fields is None:
            fields = self._fields()
            for field in fields.values():
                if isinstance(field.widget, PlainSelect):
                    field.widget.keeps_options = True
            with _SHARED_LOCK:
                while len(_SHARED_FIELDS) >= SHARED_SETS:  # the oldest numbers first: tables change, seldom back
                    _SHARED_FIELDS.pop(next(iter(_SHARED_FIELDS)))
                _SHARED_FIELDS[key] = fields
        return dict(fields)  # the form's own dict of the shared fields

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = Q()
        for lookup in self.search_fields:
            match |= Q(**{f"{lookup}__icontains": value})
        return queryset.filter(match)


register = template.Library()  # a builtin of every template (settings.TEMPLATES)


@register.simple_tag
def filter_bar(form, clear_url="") -> SafeString:
    """A list page's filter bar (``{% filter_bar filter.form clear_url %}``, includes/filter_form.html) for a
    ListFilter's form or any form with the same fields: the search box ``q`` and its button, then the other
    fields, folded away on a phone unless one is set. Written here, as the bar's widgets are, from the form's
    bound fields: the template's loop over them was half the bar's cost (issue 21)."""
    search = form["q"] if "q" in form.fields else None
    fields = "".join(
        '<div class="col-6 col-md-4 col-lg"><label class="form-label small mb-1" '
        f'for="{escaped(field.id_for_label)}">{escaped(field.label)}</label>{field.as_widget()}</div>'
        for field in form if field.name != "q")
    label, widget = (f'for="{escaped(search.id_for_label)}">{escaped(search.label)}', search.as_widget()) \
        if search is not None else ('for="">', "")
    find, more, clear = gettext("Search"), gettext("Filters"), gettext("Clear")
    shown = " show" if len(form.data) > 1 else ""
    return mark_safe(  # noqa: S308 - every value escaped here or by its widget
        '<form method="get" class="mb-3" data-autosubmit role="search"><div class="d-flex gap-2 align-items-end">'
        f'<div class="flex-grow-1"><label class="form-label small mb-1" {label}</label>{widget}</div>'
        f'<button class="btn btn-primary btn-sm" type="submit"><i class="bi bi-search"></i> {find}</button>'
        '<button class="btn btn-outline-secondary btn-sm d-md-none" type="button" data-bs-toggle="collapse" '
        'data-bs-target="#more-filters" aria-expanded="false" aria-controls="more-filters">'
        f'<i class="bi bi-funnel"></i> {more}</button></div>'
        f'<div class="collapse d-md-block{shown}" id="more-filters"><div class="row g-2 align-items-end mt-1">'
        f'{fields}<div class="col-auto"><a class="btn btn-link btn-sm" href="{escaped(clear_url)}">{clear}</a>'
        '</div></div></div></form>')
