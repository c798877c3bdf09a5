from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhangwan.actions import refusal_to
from zhangwan.admin_actions import confirmation
from zhangwan.admin_autocomplete import SafeAutocomplete
from zhangwan.admin_history import HistoryAdmin
from zhangwan.admin_links import AppPageLink
from zhangwan.admin_search import RelatedSearch

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
from .services import attendance_mark


@admin.register(TrainingBase)
class TrainingBaseAdmin(SafeAutocomplete, HistoryAdmin):
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
class NeedsSurveyAdmin(AppPageLink, admin.ModelAdmin):
    app_page = "training:survey_detail"
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
class TrainingPlanAdmin(HistoryAdmin):
    list_display = ["year", "title"]
    list_filter = ["year"]
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


def course_facts(course) -> str:
    """What a class takes from its course: the trade, the level and the hours."""
    return _("Trade %(trade)s · level %(level)s · %(hours)s hours") % {
        "trade": course.trade, "level": course.get_level_display() or "—", "hours": course.hours}


@admin.register(Course)
class CourseAdmin(HistoryAdmin):
    form = CourseForm
    list_display = ["title", "trade", "level", "hours"]
    list_filter = ["trade", "level"]
    search_fields = ["title", "syllabus"]
    list_select_related = ["trade"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trade")

    def autocomplete_extra(self, course):
        """Sent with each course the class form's lookup finds (zhangwan/admin_site.py): the class form
        shows them under the course and takes the course's title when it has none yet."""
        return {"facts": course_facts(course), "title": course.title}


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
class TrainingClassAdmin(AppPageLink, SafeAutocomplete, HistoryAdmin):
    app_page = "training:class_manage"
    list_display = ["title", "course", "provider", "union_class", "starts_on", "capacity", "confirmed_count",
                    "status", "audience"]
    list_filter = ["status", "union_class", "audience", "course__trade", "base", "starts_on"]
    search_fields = ["title", "venue", "provider__name", "course__title"]
    autocomplete_fields = ["course", "provider", "base"]
    list_select_related = ["course", "provider"]
    date_hierarchy = "starts_on"
    readonly_fields = ["status", "confirmed_count"]
    inlines = [ClassSessionInline]
    # What every class needs first; the rarely changed settings folded away (each has its default).
    fieldsets = [
        (None, {"fields": ["course", "title", "provider", "union_class", "venue", "capacity"]}),
        (gettext_lazy("Dates"), {"fields": [("registration_opens", "registration_closes"), ("starts_on", "ends_on")]}),
        (gettext_lazy("More settings"), {"classes": ["collapse"],
                                  "fields": ["base", "audience", "has_exam", "completion_percent", "description"]}),
    ]

    class Media:
        js = ["admin/js/jquery.init.js", "js/admin_class_form.js"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return [*self.fieldsets, (gettext_lazy("Status"), {"fields": ["status", "confirmed_count"]})]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "course":
            # The course's trade, level and hours appear here once a course is chosen (js/admin_class_form.js).
            field.help_text = format_html('<span id="course-facts" class="course-facts">{}</span>', "")
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "course" in form.base_fields:
            form.base_fields["course"].help_text = format_html(
                '<span id="course-facts" class="course-facts">{}</span>', course_facts(obj.course))
        return form


@admin.register(Enrollment)
class EnrollmentAdmin(RelatedSearch, HistoryAdmin):
    list_display = ["worker", "training_class", "status", "queue_number", "channel", "created_at", "exam_passed"]
    list_filter = ["status", "channel", "exam_passed", "training_class__union_class"]
    search_fields = ["worker__name", "training_class__title"]
    list_select_related = ["worker", "training_class"]
    show_full_result_count = False  # no second count(*) over the whole table on every page
    date_hierarchy = "created_at"
    # Seats are counted by the services: enrollments change only through the pages.
    readonly_fields = ["worker", "training_class", "status", "queue_number", "channel", "registered_by",
                       "created_at", "confirmed_at", "cancelled_at", "attended_hours", "required_hours"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(HistoryAdmin):
    list_display = ["enrollment", "session", "status", "remark", "marked_by", "marked_at"]
    list_filter = ["status", "session__training_class__union_class"]
    search_fields = ["enrollment__worker__name", "session__training_class__title"]
    list_select_related = ["enrollment__worker", "session", "marked_by"]
    readonly_fields = ["enrollment", "session", "marked_by", "marked_at"]
    actions = ["mark_present", "mark_absent"]

    def has_add_permission(self, request):
        return False

    def _mark(self, request, queryset, status):
        marked, refused = 0, []
        for attendance in queryset.select_related("session", "enrollment"):
            with refusal_to() as refusal:
                attendance_mark(session=attendance.session, enrollment=attendance.enrollment, status=status,
                                user=request.user, remark=attendance.remark)
            if refusal:
                refused.append(f"{attendance}: {refusal.message}")
            else:
                marked += 1
        self.message_user(request, ngettext("%(count)d attendance marked.", "%(count)d attendances marked.", marked)
                          % {"count": marked}, messages.SUCCESS)
        for message in refused[:10]:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=gettext_lazy("Mark the selected as present"), permissions=["change"])
    def mark_present(self, request, queryset):
        answer = confirmation(self, request, queryset, question=_("Mark the selected as present?"))
        if isinstance(answer, HttpResponse):
            return answer
        self._mark(request, queryset, Attendance.Status.PRESENT)
        return None

    @admin.action(description=gettext_lazy("Mark the selected as absent"), permissions=["change"])
    def mark_absent(self, request, queryset):
        answer = confirmation(self, request, queryset, question=_("Mark the selected as absent?"))
        if isinstance(answer, HttpResponse):
            return answer
        self._mark(request, queryset, Attendance.Status.ABSENT)
        return None


@admin.register(Mentorship)
class MentorshipAdmin(SafeAutocomplete, HistoryAdmin):
    list_display = ["mentor", "apprentice", "trade", "started_on", "ended_on", "outcome"]
    list_filter = ["trade", "outcome"]
    search_fields = ["mentor__name", "apprentice__name"]
    autocomplete_fields = ["mentor", "apprentice"]
    list_select_related = ["mentor", "apprentice", "trade"]
    date_hierarchy = "started_on"
