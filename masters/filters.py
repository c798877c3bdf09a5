import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from zhangwan.filters import KeptModelChoiceFilter, ListFilter, search
from zhangwan.query import YearFilter
from zhangwan.registry.models import Trade

from .models import MasterTitle, Nomination, SelectionRound, TalkOrder, TalkTopic


class NominationFilter(ListFilter):
    q = search(_("Name or organization"))
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=SelectionRound.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Nomination.Status.choices)
    trade = KeptModelChoiceFilter(label=_("Trade"), queryset=Trade.objects.all())
    source = django_filters.ChoiceFilter(label=_("Nominated"), choices=Nomination.Source.choices)

    class Meta:
        model = Nomination
        fields = []

    search_fields = ("nominee__name", "organization__name")


class TitleFilter(ListFilter):
    q = django_filters.CharFilter(label=_("Search"), field_name="worker__name", lookup_expr="icontains",
                                  widget=forms.TextInput(attrs={"placeholder": _("Name")}))
    year = YearFilter()
    trade = KeptModelChoiceFilter(label=_("Trade"), queryset=Trade.objects.all())

    class Meta:
        model = MasterTitle
        fields = []


class TalkOrderFilter(ListFilter):
    q = search(_("Organization or speaker"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TalkOrder.Status.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), field_name="topic__category",
                                           choices=TalkTopic.Category.choices)
    year = YearFilter(field_name="held_on__year")

    class Meta:
        model = TalkOrder
        fields = []

    search_fields = ("organization__name", "speaker")
