import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from training.filters import bootstrap
from zhangwan.query import YearFilter
from zhangwan.registry.models import Trade

from .models import MasterTitle, Nomination, SelectionRound, TalkOrder, TalkTopic


class NominationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("Name or organization")}))
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=SelectionRound.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Nomination.Status.choices)
    trade = django_filters.ModelChoiceFilter(label=_("Trade"), queryset=Trade.objects.all())
    source = django_filters.ChoiceFilter(label=_("Nominated"), choices=Nomination.Source.choices)

    class Meta:
        model = Nomination
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self.form)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(nominee__name__icontains=value) | Q(organization__name__icontains=value)) \
            if value else queryset


class TitleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="worker__name", lookup_expr="icontains",
                                  widget=forms.TextInput(attrs={"placeholder": _("Name")}))
    year = YearFilter()
    trade = django_filters.ModelChoiceFilter(label=_("Trade"), queryset=Trade.objects.all())

    class Meta:
        model = MasterTitle
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self.form)


class TalkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("Organization or speaker")}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TalkOrder.Status.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), field_name="topic__category",
                                           choices=TalkTopic.Category.choices)
    year = YearFilter(field_name="held_on__year")

    class Meta:
        model = TalkOrder
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self.form)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(organization__name__icontains=value) | Q(speaker__icontains=value)) \
            if value else queryset
