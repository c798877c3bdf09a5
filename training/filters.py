import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhangwan.query import YearFilter
from zhangwan.registry.models import SkillLevel, Trade

from .models import Enrollment, TrainingBase, TrainingClass


def bootstrap(form):
    for field in form.fields.values():
        select = isinstance(field.widget, forms.Select)
        field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"


class ClassFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("Class, venue or provider")}))
    trade = django_filters.ModelChoiceFilter(label=_("Trade"), field_name="course__trade", queryset=Trade.objects.all())
    level = django_filters.ChoiceFilter(label=_("Level"), field_name="course__level", choices=SkillLevel.choices)
    base = django_filters.ModelChoiceFilter(label=_("Training base"), queryset=TrainingBase.objects.all())
    month = django_filters.CharFilter(label=_("Month"), method="filter_month",
                                      widget=forms.DateInput(attrs={"type": "month"}))
    audience = django_filters.ChoiceFilter(label=_("Audience"), choices=TrainingClass.Audience.choices)

    class Meta:
        model = TrainingClass
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self.form)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(venue__icontains=value)
                               | Q(provider__name__icontains=value) | Q(course__title__icontains=value))

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
    union_class = django_filters.BooleanFilter(
        label=_("Held by the union"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]))
    year = YearFilter(field_name="starts_on", lookup_expr="year")


class EnrollmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("Worker or class")}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Enrollment.Status.choices)

    class Meta:
        model = Enrollment
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self.form)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(worker__name__icontains=value) | Q(training_class__title__icontains=value))
