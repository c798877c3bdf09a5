import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Trade, Worker


class WorkerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search",
                                  widget=forms.TextInput(attrs={"placeholder": _("Name, mobile or ID digits")}))
    employer = django_filters.ModelChoiceFilter(label=_("Employer"), queryset=None)
    trade = django_filters.ModelChoiceFilter(label=_("Trade"), field_name="trades__trade",
                                             queryset=Trade.objects.all(), distinct=True)
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Worker.Gender.choices)
    education = django_filters.ChoiceFilter(label=_("Education"), choices=Worker.Education.choices)
    poverty_registered = django_filters.BooleanFilter(
        label=_("Poverty-alleviation labourer"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    team_leader = django_filters.BooleanFilter(
        label=_("Team leader"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    has_account = django_filters.BooleanFilter(
        label=_("Has claimed an account"), field_name="user", lookup_expr="isnull", exclude=True,
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Worker
        fields = []

    def __init__(self, *args, organizations, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["employer"].queryset = organizations
        if organizations.count() <= 1:
            del self.filters["employer"]
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"

    def filter_search(self, queryset, name, value):
        return queryset.search(value, full_id_allowed=self.user.has_perm("registry.view_full_id_number"))
