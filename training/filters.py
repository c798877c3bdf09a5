import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from zhangwan.filters import ListFilter, search, yes_no
from zhangwan.query import YearFilter
from zhangwan.registry.models import SkillLevel, Trade

from .models import Enrollment, TrainingBase, TrainingClass


class ClassFilter(ListFilter):
    q = search(_("Class, venue or provider"))
    trade = django_filters.ModelChoiceFilter(label=_("Trade"), field_name="course__trade", queryset=Trade.objects.all())
    level = django_filters.ChoiceFilter(label=_("Level"), field_name="course__level", choices=SkillLevel.choices)
    base = django_filters.ModelChoiceFilter(label=_("Training base"), queryset=TrainingBase.objects.all())
    month = django_filters.CharFilter(label=_("Month"), method="filter_month",
                                      widget=forms.DateInput(attrs={"type": "month"}))
    audience = django_filters.ChoiceFilter(label=_("Audience"), choices=TrainingClass.Audience.choices)

    class Meta:
        model = TrainingClass
        fields = []

    search_fields = ("title", "venue", "provider__name", "course__title")

    def filter_month(self, queryset, name, value):
        try:
            year, month = (int(part) for part in value.split("-"))
        except ValueError:
            return queryset.none()
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return queryset.none()
        return queryset.filter(starts_on__year=year, starts_on__month=month)


class StaffClassFilter(ClassFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TrainingClass.Status.choices)
    union_class = yes_no(_("Held by the union"))
    year = YearFilter(field_name="starts_on", lookup_expr="year")


class EnrollmentFilter(ListFilter):
    q = search(_("Worker or class"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Enrollment.Status.choices)

    class Meta:
        model = Enrollment
        fields = []

    search_fields = ("worker__name", "training_class__title")
