from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhangwan.actions import refusal_to
from zhangwan.admin_autocomplete import SafeAutocomplete
from zhangwan.admin_history import HistoryAdmin
from zhangwan.admin_links import AppPageLink
from zhangwan.admin_readonly import ReadOnlyAdmin

from .models import (
    Assignment,
    Conflict,
    ConflictWaiver,
    Criterion,
    Holiday,
    IncentiveGrant,
    IncentivePolicy,
    MasterStudio,
    MasterTitle,
    Nomination,
    Objection,
    Reviewer,
    SelectionRound,
    TalkOrder,
    TalkTopic,
)
from .services.incentives import grant_check, grant_record


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class RoundForm(forms.ModelForm):
    class Meta:
        model = SelectionRound
        fields = ["name", "year", "title", "quota", "nominations_open", "nominations_close", "review_opens",
                  "review_closes", "publicity_days", "max_level", "min_years_in_trade", "award_required",
                  "district_employment_required", "reviewers_per_nomination", "discrepancy_threshold",
                  "competition", "competition_weight"]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("nominations_open"), data.get("nominations_close")
        review_opens, review_closes = data.get("review_opens"), data.get("review_closes")
        if opens and closes and closes < opens:
            self.add_error("nominations_close", _("Nominations must close after they open."))
        if closes and review_opens and review_opens < closes:
            self.add_error("review_opens", _("Review opens once nominations have closed."))
        if review_opens and review_closes and review_closes < review_opens:
            self.add_error("review_closes", _("Review must close after it opens."))
        if (data.get("reviewers_per_nomination") or 3) < 3:
            self.add_error("reviewers_per_nomination", _("At least 3 reviewers per nomination."))
        if (data.get("competition_weight") or 0) > 100:
            self.add_error("competition_weight", _("A weight between 0 and 100."))
        if data.get("competition_weight") and not data.get("competition"):
            self.add_error("competition", _("Choose the competition whose score counts."))
        return data


class CriterionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [f.cleaned_data.get("weight") or 0 for f in self.forms
                   if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if weights and sum(weights) != 100:
            raise forms.ValidationError(_("The criteria's weights add up to %(sum)s; they must add up to 100.")
                                        % {"sum": sum(weights)})


CriterionInline.formset = CriterionFormSet


@admin.register(SelectionRound)
class SelectionRoundAdmin(AppPageLink, SafeAutocomplete, HistoryAdmin):
    app_page = "masters:round_detail"
    form = RoundForm
    list_display = ["name", "year", "quota", "nominations_open", "nominations_close", "review_closes",
                    "publicity_starts", "conferred_on"]
    list_filter = ["year"]
    search_fields = ["name"]
    inlines = [CriterionInline]
    readonly_fields = ["publicity_starts", "publicity_ends", "conferred_on"]
    autocomplete_fields = ["competition"]
    fieldsets = [
        (None, {"fields": ["name", "year", "title", "quota"]}),
        (_("Windows"), {"fields": [("nominations_open", "nominations_close"), ("review_opens", "review_closes"),
                                   "publicity_days", ("publicity_starts", "publicity_ends"), "conferred_on"]}),
        (_("Eligibility"), {"fields": ["max_level", "min_years_in_trade", "award_required",
                                       "district_employment_required"]}),
        (_("Review and ranking"), {"fields": ["reviewers_per_nomination", "discrepancy_threshold",
                                              "competition", "competition_weight"]}),
    ]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "working_day"]
    list_filter = ["working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]


class ConflictInline(admin.TabularInline):
    model = Conflict
    extra = 0
    raw_id_fields = ["worker"]


@admin.register(Reviewer)
class ReviewerAdmin(SafeAutocomplete, admin.ModelAdmin):
    list_display = ["user", "title", "organization", "max_load", "active"]
    list_filter = ["active", "trades"]
    search_fields = ["user__full_name", "user__username", "title", "organization__name"]
    autocomplete_fields = ["user", "organization", "trades"]  # the user among the reviewers' logins
    list_select_related = ["user", "organization"]
    inlines = [ConflictInline]


@admin.register(Nomination)
class NominationAdmin(AppPageLink, ReadOnlyAdmin):
    app_page = "masters:nomination_detail"
    list_display = ["nominee", "round", "trade", "source", "status", "final_score", "rank", "discrepancy"]
    list_filter = ["round", "status", "source", "discrepancy", "trade"]
    search_fields = ["nominee__name", "organization__name"]
    list_select_related = ["nominee", "round", "trade"]
    raw_id_fields = ["nominee", "organization", "created_by"]


# Scores are not in the admin at all: review is blind, and the officer reads totals on the ranking page.
@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["nomination", "reviewer", "status", "assigned_at", "submitted_at"]
    list_filter = ["status", "nomination__round"]
    search_fields = ["nomination__nominee__name", "reviewer__user__full_name"]
    list_select_related = ["nomination__nominee", "nomination__round", "reviewer__user"]
    exclude = ["total", "comment"]


@admin.register(ConflictWaiver)
class ConflictWaiverAdmin(ReadOnlyAdmin):
    list_display = ["nomination", "reviewer", "reason", "waived_by", "waived_at"]
    list_filter = ["nomination__round"]
    search_fields = ["nomination__nominee__name", "reviewer__user__full_name", "reason"]
    list_select_related = ["nomination__nominee", "nomination__round", "reviewer__user", "waived_by"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["nomination", "name", "filed_at", "resolved_at", "upheld"]
    list_filter = ["upheld", "nomination__round"]
    search_fields = ["nomination__nominee__name", "name", "text"]
    list_select_related = ["nomination__nominee", "nomination__round"]


@admin.register(MasterTitle)
class MasterTitleAdmin(ReadOnlyAdmin):
    list_display = ["number", "worker", "trade", "year", "title", "conferred_on"]
    list_filter = ["year", "trade"]
    search_fields = ["worker__name", "number"]
    list_select_related = ["worker", "trade"]


@admin.register(IncentivePolicy)
class IncentivePolicyAdmin(HistoryAdmin):
    list_display = ["number", "name", "beneficiary", "involves_money", "active"]
    list_filter = ["beneficiary", "involves_money", "active"]
    search_fields = ["name"]


class GrantForm(forms.ModelForm):
    class Meta:
        model = IncentiveGrant
        fields = ["policy", "master", "organization", "granted_on", "amount", "note"]

    def clean(self):
        data = super().clean()
        if data.get("policy"):
            for name, value in data.items():
                setattr(self.instance, name, value)
            with refusal_to(self):
                grant_check(self.instance)
        return data


@admin.register(IncentiveGrant)
class IncentiveGrantAdmin(SafeAutocomplete, HistoryAdmin):
    form = GrantForm
    list_display = ["policy", "master", "organization", "granted_on", "amount"]
    list_filter = ["policy", "granted_on"]
    search_fields = ["master__worker__name", "organization__name", "note"]
    list_select_related = ["policy", "master__worker", "organization"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["master"]
    date_hierarchy = "granted_on"

    def save_model(self, request, obj, form, change):
        grant_record(grant=obj, user=request.user)


@admin.register(MasterStudio)
class MasterStudioAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["name", "master", "host", "funding", "established_on", "training_base"]
    list_filter = ["master__trade", "established_on"]
    search_fields = ["name", "master__worker__name", "host__name"]
    autocomplete_fields = ["host"]
    raw_id_fields = ["master", "training_base"]
    list_select_related = ["master__worker", "host", "training_base"]


@admin.register(TalkTopic)
class TalkTopicAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "speaker", "minutes", "active"]
    list_filter = ["category", "active"]
    search_fields = ["title", "speaker"]


@admin.register(TalkOrder)
class TalkOrderAdmin(ReadOnlyAdmin):
    list_display = ["topic", "organization", "preferred_date", "status", "held_on", "attendance"]
    list_filter = ["status", "topic__category"]
    search_fields = ["topic__title", "organization__name", "speaker"]
    list_select_related = ["topic", "organization"]
    date_hierarchy = "preferred_date"
