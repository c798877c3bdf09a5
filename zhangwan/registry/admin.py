from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from zhangwan.accounts.scope import organizations_for, workers_for
from zhangwan.actions import refusal_to
from zhangwan.admin_autocomplete import SafeAutocomplete
from zhangwan.admin_history import HistoryAdmin

from .models import (
    FULL_ID_NUMBER,
    Employment,
    Organization,
    Trade,
    TransferRequest,
    Worker,
    WorkerTrade,
    id_number_search,
)
from .services import transfer_decide

FULL_ID = FULL_ID_NUMBER
BANK = "registry.view_bank_account"


class IdNumberSearch:
    """Admin search by a worker's identity number within the same limits as the pages' searches
    (registry.models.id_number_search): no ending longer than the mask shows without the permission.
    Name the number's field in ``id_number_field``; keep it out of ``search_fields``."""

    id_number_field = "id_number"

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        relation, _, field = self.id_number_field.rpartition("__")
        by_number = id_number_search(search_term, full_id_allowed=request.user.has_perm(FULL_ID), field=field)
        if by_number and relation:
            # The worker's number through a subquery, not a join (zhangwan.admin_search): the same rows.
            workers = queryset.model._meta.get_field(relation).related_model._meta.base_manager.filter(by_number)
            found |= queryset.filter(**{f"{relation}__in": workers.values("pk")})
        elif by_number:
            found |= queryset.filter(by_number)
        return found, may_have_duplicates


class EmploymentInline(SafeAutocomplete, admin.TabularInline):
    model = Employment
    extra = 0
    autocomplete_fields = ["organization"]


class WorkerTradeInline(admin.TabularInline):
    model = WorkerTrade
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["name", "credit_code", "kind", "parent", "industry", "street", "contact_name"]
    list_filter = ["kind", "industry", "street"]
    search_fields = ["name", "credit_code", "contact_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return organizations_for(request.user)


class MajorGroupFilter(admin.SimpleListFilter):
    """A trade's major group: the first part of its national code (6-18-02-04 is in group 6)."""

    title = _("major group")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        groups = sorted({code.split("-")[0] for code in Trade.objects.values_list("code", flat=True)})
        return [(group, _("Major group %(group)s") % {"group": group}) for group in groups]

    def queryset(self, request, queryset):
        return queryset.filter(code__startswith=f"{self.value()}-") if self.value() else queryset


@admin.register(Trade)
class TradeAdmin(HistoryAdmin):
    list_display = ["code", "name_zh", "name_en"]
    list_filter = [MajorGroupFilter]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Worker)
class WorkerAdmin(IdNumberSearch, SafeAutocomplete, HistoryAdmin):
    # Without the permission: the masked number beside the birth year, and neither sortable (the order
    # of the hidden digits would tell them); with it, the whole number and the birth date.
    list_display = ["name", "shown_id_number", "gender", "birth_year", "mobile", "employer", "education",
                    "poverty_registered"]
    list_filter = ["gender", "education", "poverty_registered", "team_leader", "employer__kind", "employer"]
    list_select_related = ["employer"]
    show_full_result_count = False  # no second count(*) over the whole table on every page
    autocomplete_fields = ["employer"]
    date_hierarchy = "created_at"
    inlines = [EmploymentInline, WorkerTradeInline]
    # The account link is made by the worker's own claim, never typed in by staff.
    # Bank details only ever change on the worker's own page, with their password (frozen into batches).
    readonly_fields = ["birth_date", "birth_year", "gender", "shown_id_number", "bank_name", "bank_account",
                       "shown_bank_account", "user"]
    search_fields = ["name", "mobile"]

    def get_queryset(self, request):
        return workers_for(request.user)

    @admin.display(description=_("resident identity number"))
    def shown_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("year of birth"))
    def birth_year(self, obj):
        return f"{obj.birth_date:%Y}"

    @admin.display(description=_("bank account number"))
    def shown_bank_account(self, obj):
        return obj.masked_bank_account

    def get_list_display(self, request):
        if request.user.has_perm(FULL_ID):
            return ["name", "id_number", "gender", "birth_date", *self.list_display[4:]]
        return self.list_display

    def get_fields(self, request, obj=None):
        full = request.user.has_perm(FULL_ID)
        base = ["name", "mobile", "employer", "education", "insured_since", "poverty_registered", "team_leader", "user",
                "birth_date" if full else "birth_year", "gender"]
        id_field = "id_number" if full else "shown_id_number"
        # Staff never type a worker's bank details: the worker gives them on their own page.
        bank = ["bank_name", "bank_account"] if request.user.has_perm(BANK) else ["bank_name", "shown_bank_account"]
        return [base[0], id_field, *base[1:7], *bank, *base[7:]]

    def history_view(self, request, object_id, extra_context=None):
        if not request.user.has_perm(FULL_ID):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not request.user.has_perm(FULL_ID):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Employment)
class EmploymentAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["worker", "organization", "position", "started_on", "ended_on"]
    list_filter = ["organization__kind", "organization"]
    search_fields = ["worker__name", "organization__name"]
    autocomplete_fields = ["worker", "organization"]
    list_select_related = ["worker", "organization"]
    date_hierarchy = "started_on"


@admin.register(WorkerTrade)
class WorkerTradeAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["worker", "trade", "started_year"]
    list_filter = ["trade"]
    search_fields = ["worker__name", "trade__name_zh", "trade__code"]
    autocomplete_fields = ["worker"]
    list_select_related = ["worker", "trade"]


@admin.register(TransferRequest)
class TransferRequestAdmin(HistoryAdmin):
    """Liaisons' requests to move a worker to their organization; the training officer approves or refuses
    them here (approving moves the worker's employment). The reason is written before refusing."""

    list_display = ["worker", "from_organization", "to_organization", "requested_by", "created_at", "status",
                    "decided_by"]
    list_filter = ["status", "to_organization"]
    list_select_related = ["worker", "from_organization", "to_organization", "requested_by", "decided_by"]
    search_fields = ["worker__name", "to_organization__name"]
    fields = ["worker", "from_organization", "to_organization", "requested_by", "created_at", "status", "reason",
              "decided_by", "decided_at"]
    readonly_fields = [f for f in fields if f != "reason"]
    actions = ["approve", "refuse"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, approve):
        for transfer in queryset:
            with refusal_to() as refusal:
                transfer_decide(request=transfer, user=request.user, approve=approve)
            if refusal:
                self.message_user(request, f"{transfer}: {refusal.message}", messages.ERROR)

    @admin.action(description=_("Approve: move the workers to the requesting organization"),
                  permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Refuse"), permissions=["change"])
    def refuse(self, request, queryset):
        self._decide(request, queryset, False)
