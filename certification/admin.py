from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhangwan.admin_actions import confirmation
from zhangwan.admin_autocomplete import SafeAutocomplete
from zhangwan.admin_history import HistoryAdmin
from zhangwan.admin_links import AppPageLink

from . import services
from .models import (
    Accreditation,
    Application,
    AssessmentBody,
    AssessmentSession,
    Certificate,
    EligibilityGrant,
    EligibilityRule,
)


class AccreditationInline(admin.TabularInline):
    model = Accreditation
    extra = 0


@admin.register(AssessmentBody)
class AssessmentBodyAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["name", "organization", "registration_code", "certificate_prefix"]
    list_filter = ["accreditations__trade", "accreditations__level"]
    search_fields = ["name", "organization__name", "registration_code"]
    autocomplete_fields = ["organization"]
    inlines = [AccreditationInline]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(HistoryAdmin):
    list_display = ["name", "level", "trade", "min_trade_years", "previous_level", "previous_held_years",
                    "min_education", "active"]
    list_filter = ["level", "trade", "active"]
    search_fields = ["name"]


@admin.register(AssessmentSession)
class AssessmentSessionAdmin(AppPageLink, HistoryAdmin):
    app_page = "certification:manage_session"
    list_display = ["__str__", "body", "trade", "level", "date", "capacity", "admitted_count", "status"]
    list_filter = ["status", "level", "trade", "body"]
    search_fields = ["venue", "body__name"]
    date_hierarchy = "date"
    list_select_related = ["body", "trade"]
    readonly_fields = ["admitted_count", "status"]  # moved only through services.session_transition
    actions = ["admit_eligible", "close_applications", "reopen_applications"]

    @admin.action(description=_("Admit the eligible applicants of the selected sessions"), permissions=["change"])
    def admit_eligible(self, request, queryset):
        answer = confirmation(self, request, queryset,
                              question=_("Admit the eligible applicants of the selected sessions, up to each one's "
                                         "capacity?"))
        if isinstance(answer, HttpResponse):
            return answer
        admitted = 0
        for session in queryset:
            try:
                admitted += services.applications_admit(session=session, user=request.user)
            except services.CertificationError as error:
                self.message_user(request, f"{session}: {error.message}", messages.ERROR)
        self.message_user(request, ngettext("%(count)d applicant admitted.", "%(count)d applicants admitted.",
                                            admitted) % {"count": admitted}, messages.SUCCESS)
        return None

    def _move(self, request, queryset, to):
        for session in queryset:
            try:
                services.session_transition(session=session, to=to, user=request.user)
            except services.CertificationError as error:
                self.message_user(request, f"{session}: {error.message}", messages.ERROR)

    @admin.action(description=_("Close applications"))
    def close_applications(self, request, queryset):
        self._move(request, queryset, AssessmentSession.Status.CLOSED)

    @admin.action(description=_("Reopen applications"))
    def reopen_applications(self, request, queryset):
        self._move(request, queryset, AssessmentSession.Status.OPEN)


@admin.register(Application)
class ApplicationAdmin(HistoryAdmin):
    list_display = ["worker", "session", "status", "theory_score", "practical_score", "review_score", "created_at"]
    list_filter = ["status", "session__level", "session__trade"]
    search_fields = ["worker__name"]
    list_select_related = ["worker", "session__trade"]
    date_hierarchy = "created_at"
    readonly_fields = ["worker", "session", "status", "reasons", "theory_score", "practical_score", "review_score",
                       "applied_by", "created_at", "evaluated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(HistoryAdmin):
    list_display = ["number", "holder", "trade", "level", "issued_on", "source", "status"]
    list_filter = ["status", "source", "level", "trade"]
    search_fields = ["=number", "holder__name"]
    list_select_related = ["holder", "trade"]
    date_hierarchy = "issued_on"
    readonly_fields = ["number", "holder", "trade", "level", "issued_on", "body", "issuer_name", "source",
                       "application", "competition_result", "status", "revoked_reason", "revoked_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EligibilityGrant)
class EligibilityGrantAdmin(HistoryAdmin):
    list_display = ["worker", "trade", "level", "granted_on"]
    list_filter = ["level", "trade"]
    search_fields = ["worker__name"]
    list_select_related = ["worker", "trade"]
    readonly_fields = ["worker", "trade", "level", "competition_result", "granted_on"]

    def has_add_permission(self, request):
        return False
