import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhangwan.filters import KeptModelChoiceFilter, ListFilter, search, yes_no
from zhangwan.registry.models import FULL_ID_NUMBER, Organization, Trade, id_number_search

from .models import Batch, Claim, Kind, Policy


class ClaimFilter(ListFilter):
    q = search(_("Name or last digits of the ID"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), field_name="policy__kind", choices=Kind.choices)
    policy = KeptModelChoiceFilter(label=_("Policy"), queryset=Policy.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Claim.Status.choices)
    trade = KeptModelChoiceFilter(label=_("Trade"), queryset=Trade.objects.all())
    employer = KeptModelChoiceFilter(label=_("Employer"), field_name="worker__employer",
                                     queryset=Organization.objects.all())
    claimed = django_filters.DateFromToRangeFilter(
        label=_("Claim date"), field_name="claimed_on",
        widget=django_filters.widgets.RangeWidget(attrs={"type": "date"}))

    class Meta:
        model = Claim
        fields = []

    def __init__(self, *args, user, organization_choices=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not organization_choices:
            del self.filters["employer"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        full_id_allowed = self.user.has_perm(FULL_ID_NUMBER)
        by_number = id_number_search(value, full_id_allowed=full_id_allowed, field="worker__id_number")
        by_name = Q(worker__name__icontains=value)
        return queryset.filter(by_name | by_number if by_number else by_name)


class BatchFilter(ListFilter):
    q = search(_("Note or bank reference"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Batch.Status.choices)
    policy = KeptModelChoiceFilter(label=_("Policy"), queryset=Policy.objects.all())

    class Meta:
        model = Batch
        fields = []

    search_fields = ("note", "payment__reference")


class BankWaitingFilter(ClaimFilter):
    """The claims list's filter without the status: every claim waiting for bank details is approved."""

    reminded = yes_no(_("Reminded today"), method="filter_reminded")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.filters["status"]

    def filter_reminded(self, queryset, name, value):
        if value is None:
            return queryset
        today = Q(bank_reminders__sent_on=timezone.localdate())
        return queryset.filter(pk__in=Claim.objects.filter(today).values("pk")) if value else \
            queryset.exclude(pk__in=Claim.objects.filter(today).values("pk"))
