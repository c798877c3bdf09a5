import django_filters
from django.utils.translation import gettext_lazy as _

from zhangwan.filters import KeptModelChoiceFilter, ListFilter, search, yes_no
from zhangwan.query import YearFilter
from zhangwan.registry.models import SkillLevel, Trade
from zhangwan.table_versions import kept

from .models import Enrollment, TrainingBase, TrainingClass

CATALOGUE_STATUSES = [
    ("open", _("Open for registration")),
    ("full", _("Full · waiting list open")),
    ("running", _("Running")),
    ("finished", _("Finished")),
    ("all", _("All classes")),
]


class ClassFilter(ListFilter):
    """The public catalogue's filters. Without a status it shows what one can still join: classes
    open for registration or closed and not yet started (ClassQuerySet.upcoming)."""

    q = search(_("Class, venue or provider"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CATALOGUE_STATUSES, method="filter_status",
                                         empty_label=_("Open or starting soon"))
    trade = KeptModelChoiceFilter(label=_("Trade"), field_name="course__trade", queryset=Trade.objects.all())
    level = django_filters.ChoiceFilter(label=_("Level"), field_name="course__level", choices=SkillLevel.choices)
    base = KeptModelChoiceFilter(label=_("Training base"), queryset=TrainingBase.objects.all())
    month = django_filters.ChoiceFilter(label=_("Month"), method="filter_month", empty_label=_("Any month"))
    audience = django_filters.ChoiceFilter(label=_("Audience"), choices=TrainingClass.Audience.choices)

    class Meta:
        model = TrainingClass
        fields = []

    search_fields = ("title", "venue", "provider__name", "course__title")
    kept_tables = ("training_trainingclass",)  # the months
    shared_fields = True  # (the same for every visitor: the choices are the kept lists')
    upcoming_by_default = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["month"].extra["choices"] = kept("training.months", self.kept_tables, _months, self.kept_stamp)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.upcoming_by_default and not self.form.cleaned_data.get("status"):
            queryset = queryset.upcoming()
        return queryset

    def filter_status(self, queryset, name, value):
        if value == "full":
            return queryset.full()
        if value == "open":
            return queryset.filter(status=TrainingClass.Status.OPEN)
        if value in (TrainingClass.Status.RUNNING, TrainingClass.Status.FINISHED):
            return queryset.filter(status=value)
        return queryset

    def filter_month(self, queryset, name, value):
        try:
            year, month = (int(part) for part in value.split("-"))
        except ValueError:
            return queryset.none()
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return queryset.none()
        return queryset.filter(starts_on__year=year, starts_on__month=month)


def _months():
    months = TrainingClass.objects.public().dates("starts_on", "month", order="DESC")
    return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in months]


class StaffClassFilter(ClassFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TrainingClass.Status.choices)
    upcoming_by_default = False
    union_class = yes_no(_("Held by the union"))
    year = YearFilter(field_name="starts_on", lookup_expr="year")


class EnrollmentFilter(ListFilter):
    q = search(_("Worker or class"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Enrollment.Status.choices)

    class Meta:
        model = Enrollment
        fields = []

    search_fields = ("worker__name", "training_class__title")
