from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from zhangwan.admin_autocomplete import SafeAutocomplete

from .models import (
    Attendance,
    ClassSession,
    Course,
    Enrollment,
    Mentorship,
    NeedsResponse,
    NeedsSurvey,
    PlanLine,
    TrainingBase,
    TrainingClass,
    TrainingPlan,
)


@admin.register(TrainingBase)
class TrainingBaseAdmin(SafeAutocomplete, SimpleHistoryAdmin):
    list_display = ["name", "kind", "host", "designated_on", "funding"]
    list_filter = ["kind", "designated_on"]
    search_fields = ["name", "host__name"]
    autocomplete_fields = ["host"]
    list_select_related = ["host"]
    date_hierarchy = "designated_on"


class NeedsResponseInline(SafeAutocomplete, admin.TabularInline):
    model = NeedsResponse
    extra = 0
    autocomplete_fields = ["worker", "organization"]


@admin.register(NeedsSurvey)
class NeedsSurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "starts_on", "ends_on"]
    list_filter = ["year"]
    search_fields = ["title"]
    inlines = [NeedsResponseInline]


@admin.register(NeedsResponse)
class NeedsResponseAdmin(SafeAutocomplete, admin.ModelAdmin):
    list_display = ["survey", "trade", "level", "format", "head_count", "worker", "organization"]
    list_filter = ["survey", "trade", "level", "format"]
    search_fields = ["worker__name", "organization__name", "remark"]
    autocomplete_fields = ["worker", "organization"]
    list_select_related = ["survey", "trade", "worker", "organization"]


class PlanLineInline(admin.TabularInline):
    model = PlanLine
    extra = 0


@admin.register(TrainingPlan)
class TrainingPlanAdmin(SimpleHistoryAdmin):
    list_display = ["year", "title"]
    search_fields = ["title"]
    inlines = [PlanLineInline]


class CourseForm(forms.ModelForm):
    def clean_hours(self):
        """The published classes' sessions must still add up to the course's hours."""
        hours = self.cleaned_data["hours"]
        if self.instance.pk and hours != self.instance.hours:
            disagreeing = (self.instance.classes.exclude(status=TrainingClass.Status.DRAFT)
                           .annotate(total=Sum("sessions__hours")).exclude(total=hours)
                           .values_list("title", flat=True)[:5])
            if disagreeing:
                raise ValidationError(_("The sessions of these published classes do not add up to %(hours)s "
                                        "hours: %(classes)s.") % {"hours": hours, "classes": "、".join(disagreeing)})
        return hours


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    form = CourseForm
    list_display = ["title", "trade", "level", "hours"]
    list_filter = ["trade", "level"]
    search_fields = ["title", "syllabus"]
    list_select_related = ["trade"]


class ClassSessionFormSet(BaseInlineFormSet):
    """Once a class is published its sessions must add up to its course's hours."""

    def clean(self):
        super().clean()
        cls = self.instance
        if not cls.pk or cls.status == TrainingClass.Status.DRAFT or any(self.errors):
            return
        total = sum((form.cleaned_data["hours"] for form in self.forms
                     if form.cleaned_data and not form.cleaned_data.get("DELETE")), Decimal("0"))
        if disagreement := cls.hours_disagreement(total):
            raise ValidationError(disagreement)


class ClassSessionInline(admin.TabularInline):
    model = ClassSession
    formset = ClassSessionFormSet
    extra = 0


@admin.register(TrainingClass)
class TrainingClassAdmin(SafeAutocomplete, SimpleHistoryAdmin):
    list_display = ["title", "course", "provider", "union_class", "starts_on", "capacity", "confirmed_count",
                    "status", "audience"]
    list_filter = ["status", "union_class", "audience", "course__trade", "base", "starts_on"]
    search_fields = ["title", "venue", "provider__name", "course__title"]
    autocomplete_fields = ["course", "provider", "base"]
    list_select_related = ["course", "provider"]
    date_hierarchy = "starts_on"
    readonly_fields = ["status", "confirmed_count"]
    inlines = [ClassSessionInline]


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    list_display = ["worker", "training_class", "status", "queue_number", "channel", "created_at", "exam_passed"]
    list_filter = ["status", "channel", "exam_passed", "training_class__union_class"]
    search_fields = ["worker__name", "training_class__title"]
    list_select_related = ["worker", "training_class"]
    date_hierarchy = "created_at"
    # Seats are counted by the services: enrollments change only through the pages.
    readonly_fields = ["worker", "training_class", "status", "queue_number", "channel", "registered_by",
                       "created_at", "confirmed_at", "cancelled_at", "attended_hours", "required_hours"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["enrollment", "session", "status", "remark", "marked_by", "marked_at"]
    list_filter = ["status", "session__training_class__union_class"]
    search_fields = ["enrollment__worker__name", "session__training_class__title"]
    list_select_related = ["enrollment__worker", "session", "marked_by"]
    readonly_fields = ["enrollment", "session", "marked_by", "marked_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Mentorship)
class MentorshipAdmin(SafeAutocomplete, SimpleHistoryAdmin):
    list_display = ["mentor", "apprentice", "trade", "started_on", "ended_on", "outcome"]
    list_filter = ["trade", "outcome"]
    search_fields = ["mentor__name", "apprentice__name"]
    autocomplete_fields = ["mentor", "apprentice"]
    list_select_related = ["mentor", "apprentice", "trade"]
    date_hierarchy = "started_on"
