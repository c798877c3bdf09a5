import django_filters
from django.utils.translation import gettext_lazy as _

from zhangwan.filters import KeptModelChoiceFilter, ListFilter, search, yes_no

from .models import Trade, Worker


class WorkerFilter(ListFilter):
    q = search(_("Name, mobile or ID digits"))
    employer = django_filters.ModelChoiceFilter(label=_("Employer"), queryset=None)
    trade = KeptModelChoiceFilter(label=_("Trade"), field_name="trades__trade", queryset=Trade.objects.all(),
                                  distinct=True)
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Worker.Gender.choices)
    education = django_filters.ChoiceFilter(label=_("Education"), choices=Worker.Education.choices)
    poverty_registered = yes_no(_("Poverty-alleviation labourer"))
    team_leader = yes_no(_("Team leader"))
    has_account = yes_no(_("Has claimed an account"), field_name="user", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Worker
        fields = []

    def __init__(self, *args, organizations, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["employer"].queryset = organizations
        if organizations.count() <= 1:
            del self.filters["employer"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value, full_id_allowed=self.user.has_perm("registry.view_full_id_number"))
