from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhangwan.accounts.roles import Role, has_role
from zhangwan.actions import refusal_to
from zhangwan.admin_actions import confirmation
from zhangwan.admin_autocomplete import SafeAutocomplete
from zhangwan.admin_history import HistoryAdmin
from zhangwan.admin_links import AppPageLink
from zhangwan.admin_readonly import Numbered, ReadOnly, ReadOnlyAdmin
from zhangwan.admin_search import RelatedSearch
from zhangwan.registry.admin import IdNumberSearch

from .models import Batch, Claim, InsuredPeriod, Kind, Payment, Policy, Rate, Run, ShortageOccupation
from .services import claims_approve, claims_refuse


class RateInline(SafeAutocomplete, admin.TabularInline):
    model = Rate
    extra = 1
    autocomplete_fields = ["trade"]


@admin.register(Policy)
class PolicyAdmin(AppPageLink, HistoryAdmin):
    app_page = "subsidies:policy_detail"
    list_display = ["name", "kind", "valid_from", "valid_to", "budget", "committed", "paid"]
    list_filter = ["kind"]
    search_fields = ["name", "basis"]
    date_hierarchy = "valid_from"
    readonly_fields = ["committed", "paid"]
    inlines = [RateInline]
    fieldsets = [
        (None, {"fields": ["kind", "name", "basis", ("valid_from", "valid_to"), "budget", ("committed", "paid")]}),
        (Kind.SKILL.label, {"fields": ["min_insured_months", ("max_per_year", "shortage_extra_per_year"),
                                       "claim_window_months"]}),
        (Kind.TRAINING.label, {"fields": ["min_attendance_percent", "requires_certificate",
                                          "certificate_within_days"]}),
    ]


@admin.register(Claim)
class ClaimAdmin(AppPageLink, Numbered, IdNumberSearch, RelatedSearch, ReadOnlyAdmin):
    app_page = "subsidies:claim_detail"
    list_display = ["number", "worker", "policy", "amount", "status", "claimed_on", "batch", "reverses", "recovered_on"]
    list_filter = ["status", "policy__kind", "policy"]
    search_fields = ["worker__name"]
    id_number_field = "worker__id_number"
    # A batch is shown as its number and policy, a reversed claim as its number and worker.
    list_select_related = ["worker", "policy", "batch__policy", "reverses__worker"]
    show_full_result_count = False  # no second count(*) over the whole table on every page
    date_hierarchy = "claimed_on"
    raw_id_fields = ["worker", "certificate", "enrollment", "rate", "run", "batch", "reverses"]
    actions = ["approve", "refuse"]

    def has_review_permission(self, request):
        """The training officer reviews claims (as on the claims page); finance never does."""
        return has_role(request.user, Role.TRAINING_OFFICER)

    @admin.action(description=_("Approve the selected claims awaiting review"), permissions=["review"])
    def approve(self, request, queryset):
        answer = confirmation(self, request, queryset, question=_("Approve the selected claims awaiting review?"))
        if isinstance(answer, HttpResponse):
            return answer
        count = claims_approve(claims=queryset, user=request.user)
        self.message_user(request, ngettext("%(count)d claim approved.", "%(count)d claims approved.", count)
                          % {"count": count}, messages.SUCCESS)
        return None

    @admin.action(description=_("Refuse the selected claims awaiting review"), permissions=["review"])
    def refuse(self, request, queryset):
        answer = confirmation(self, request, queryset, question=_("Refuse the selected claims awaiting review?"),
                              reason=_("Reason for refusing (the workers read it)"))
        if isinstance(answer, HttpResponse):
            return answer
        with refusal_to() as refusal:
            count = claims_refuse(claims=queryset, user=request.user, reason=answer)
        if refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return None
        self.message_user(request, ngettext("%(count)d claim refused.", "%(count)d claims refused.", count)
                          % {"count": count}, messages.SUCCESS)
        return None


@admin.register(Batch)
class BatchAdmin(AppPageLink, Numbered, ReadOnlyAdmin):
    app_page = "subsidies:batch_detail"
    list_display = ["number", "policy", "kind", "status", "claim_count", "total", "created_by", "approved_by",
                    "created_at"]
    list_filter = ["status", "kind", "policy"]
    list_select_related = ["policy", "created_by", "approved_by"]
    date_hierarchy = "created_at"
    search_fields = ["note"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "batch", "paid_on", "amount", "recorded_by"]
    list_filter = ["batch__policy", "batch__kind"]
    search_fields = ["reference", "batch__note"]
    list_select_related = ["batch__policy", "recorded_by"]
    date_hierarchy = "paid_on"


@admin.register(Run)
class RunAdmin(AppPageLink, Numbered, ReadOnly, admin.ModelAdmin):
    app_page = "subsidies:run_detail"
    list_display = ["number", "period_start", "period_end", "claimed_on", "status", "claims_created", "started_by"]
    list_filter = ["status"]
    search_fields = ["started_by__full_name", "started_by__username"]
    list_select_related = ["started_by"]
    date_hierarchy = "created_at"


@admin.register(ShortageOccupation)
class ShortageOccupationAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["trade", "level", "valid_from", "valid_to", "source"]
    list_filter = ["level"]
    search_fields = ["trade__code", "trade__name_zh", "source"]
    date_hierarchy = "valid_from"
    autocomplete_fields = ["trade"]


@admin.register(InsuredPeriod)
class InsuredPeriodAdmin(IdNumberSearch, HistoryAdmin):
    """The social-insurance office's periods; they come from its list (/subsidies/insured/import/)."""

    list_display = ["worker", "start", "end", "imported_at"]
    list_filter = [("end", admin.EmptyFieldListFilter), "imported_at"]  # open periods: still insured
    id_number_field = "worker__id_number"
    search_fields = ["worker__name"]
    raw_id_fields = ["worker"]
    date_hierarchy = "start"
