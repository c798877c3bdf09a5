from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from zhangwan.admin_autocomplete import SafeAutocomplete
from zhangwan.admin_history import HistoryAdmin
from zhangwan.admin_links import AppPageLink

from .forms import EventAdminForm
from .models import (
    AwardRule,
    Competition,
    Entry,
    Event,
    InnovationProject,
    JudgeAssignment,
    OrganizerAward,
    ProjectAttachment,
    Result,
    ScoringPart,
)


class PartFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [f.cleaned_data["weight"] for f in self.forms
                   if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("weight")]
        if weights and sum(weights) != 100:
            raise ValidationError(_("The weights of the parts add up to %(total)s%%; they must add up to 100%%.")
                                  % {"total": sum(weights)})


class ScoringPartInline(admin.TabularInline):
    model = ScoringPart
    formset = PartFormSet
    extra = 0


class AwardRuleInline(admin.TabularInline):
    model = AwardRule
    extra = 0


class JudgeInline(SafeAutocomplete, admin.TabularInline):
    model = JudgeAssignment
    extra = 0
    autocomplete_fields = ["judge"]  # among the judges (the field's limit_choices_to)


class EventInline(admin.StackedInline):
    model = Event
    extra = 0
    show_change_link = True
    fields = ["name", "trade", "team", "max_team_size", "self_entry", "trim_from_judges", "disagreement_points"]


@admin.register(Competition)
class CompetitionAdmin(AppPageLink, SafeAutocomplete, HistoryAdmin):
    app_page = "competitions:manage_competition"
    list_display = ["name", "year", "level", "kind", "leading", "external", "starts_on", "results_published"]
    list_filter = ["year", "level", "kind", "leading", "external", "results_published"]
    search_fields = ["name"]
    filter_horizontal = ["organizers"]
    autocomplete_fields = ["advances_to"]
    date_hierarchy = "starts_on"
    readonly_fields = ["results_published"]
    inlines = [EventInline]


@admin.register(Event)
class EventAdmin(AppPageLink, SafeAutocomplete, HistoryAdmin):
    app_page = "competitions:manage_event"
    form = EventAdminForm
    list_display = ["name", "competition", "trade", "team", "aggregation", "award_basis"]
    list_filter = ["competition__year", "competition__level", "trade", "team"]
    search_fields = ["name", "competition__name"]
    list_select_related = ["competition", "trade"]
    autocomplete_fields = ["competition"]
    inlines = [ScoringPartInline, AwardRuleInline, JudgeInline]


@admin.register(Entry)
class EntryAdmin(HistoryAdmin):
    list_display = ["bib", "event", "worker", "team_name", "organization", "status"]
    list_filter = ["status", "event__competition__year", "event__competition__level"]
    search_fields = ["worker__name", "team_name", "organization__name", "event__name"]
    list_select_related = ["event", "worker", "organization"]
    readonly_fields = ["event", "worker", "team_name", "organization", "bib", "status", "source_entry", "created_by",
                       "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(HistoryAdmin):
    list_display = ["entry", "final_score", "rank", "tier", "title", "upgrade", "recorded"]
    list_filter = ["tier", "upgrade", "recorded", "entry__event__competition__year"]
    search_fields = ["entry__worker__name", "entry__team_name", "entry__event__name"]
    list_select_related = ["entry__event", "entry__worker"]
    # Results change through the services only: computed from the sheets, recorded for competitions
    # held elsewhere, or, once published, corrected with a reason that the advancement, the
    # certification route and the entrants follow (docs/competitions.md).
    readonly_fields = ["entry", "final_score", "rank", "tier", "title", "upgrade", "recorded", "part_scores",
                       "sheets_counted", "sheets_expected", "computed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(OrganizerAward)
class OrganizerAwardAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["organization", "competition", "title", "funding"]
    list_filter = ["competition__year"]
    search_fields = ["organization__name", "competition__name"]
    autocomplete_fields = ["organization", "competition"]
    list_select_related = ["organization", "competition"]


class AttachmentInline(admin.TabularInline):
    """Attachments arrive through the project page, which checks their type and size."""

    model = ProjectAttachment
    extra = 0
    readonly_fields = ["file", "content_type", "size", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InnovationProject)
class InnovationProjectAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["title", "organization", "competition", "status", "award"]
    list_filter = ["status", "competition__year"]
    search_fields = ["title", "organization__name"]
    autocomplete_fields = ["organization", "competition", "team"]
    list_select_related = ["organization", "competition"]
    readonly_fields = ["status"]
    inlines = [AttachmentInline]
