from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhangwan.admin_autocomplete import SafeAutocomplete
from zhangwan.admin_readonly import ReadOnly, ReadOnlyAdmin
from zhangwan.registry.admin import IdNumberSearch

from .models import Batch, Claim, InsuredPeriod, Kind, Payment, Policy, Rate, Run, ShortageOccupation


class RateInline(SafeAutocomplete, admin.TabularInline):
    model = Rate
    extra = 1
    autocomplete_fields = ["trade"]


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
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
class ClaimAdmin(IdNumberSearch, ReadOnlyAdmin):
    list_display = ["pk", "worker", "policy", "amount", "status", "claimed_on", "batch", "reverses", "recovered_on"]
    list_filter = ["status", "policy__kind", "policy"]
    search_fields = ["worker__name"]
    id_number_field = "worker__id_number"
    list_select_related = ["worker", "policy", "batch", "reverses"]
    date_hierarchy = "claimed_on"
    raw_id_fields = ["worker", "certificate", "enrollment", "rate", "run", "batch", "reverses"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["pk", "policy", "kind", "status", "claim_count", "total", "created_by", "approved_by", "created_at"]
    list_filter = ["status", "kind", "policy"]
    list_select_related = ["policy", "created_by", "approved_by"]
    date_hierarchy = "created_at"
    search_fields = ["note"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "batch", "paid_on", "amount", "recorded_by"]
    search_fields = ["reference"]
    list_select_related = ["batch__policy", "recorded_by"]
    date_hierarchy = "paid_on"


@admin.register(Run)
class RunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "period_start", "period_end", "claimed_on", "status", "claims_created", "started_by"]
    list_filter = ["status"]
    list_select_related = ["started_by"]
    date_hierarchy = "created_at"


@admin.register(ShortageOccupation)
class ShortageOccupationAdmin(SafeAutocomplete, SimpleHistoryAdmin):
    list_display = ["trade", "level", "valid_from", "valid_to", "source"]
    list_filter = ["level"]
    search_fields = ["trade__code", "trade__name_zh", "source"]
    date_hierarchy = "valid_from"
    autocomplete_fields = ["trade"]


@admin.register(InsuredPeriod)
class InsuredPeriodAdmin(IdNumberSearch, SimpleHistoryAdmin):
    """The social-insurance office's periods; they come from its list (/subsidies/insured/import/)."""

    list_display = ["worker", "start", "end", "imported_at"]
    id_number_field = "worker__id_number"
    search_fields = ["worker__name"]
    raw_id_fields = ["worker"]
    date_hierarchy = "start"
