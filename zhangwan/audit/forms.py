"""The activity log's filter bar: a plain GET form (the log is a UNION, not one model's queryset, so
zhangwan.filters' FilterSet does not apply); a bad value is ignored, never an error."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhangwan.registry.models import Organization

from .log import KINDS, Filters, model_choices

TEXT_LENGTH = 100


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("Reason"), required=False, max_length=TEXT_LENGTH,
                        widget=forms.TextInput(attrs={"placeholder": _("Words of the reason")}))
    user = forms.CharField(label=_("Done by"), required=False, max_length=TEXT_LENGTH,
                           widget=forms.TextInput(attrs={"placeholder": _("Name or username")}))
    model = forms.ChoiceField(label=_("Kind of record"), required=False)
    kind = forms.ChoiceField(label=_("Operation"), required=False,
                             choices=[("", "---------"), *((k, v) for k, v in KINDS.items())])
    organization = forms.ModelChoiceField(label=_("Organization"), required=False,
                                          queryset=Organization.objects.order_by("name"))
    date_from = forms.DateField(label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "---------"), *model_choices()]
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"

    def filters(self) -> Filters:
        """The valid fields' filters; an invalid field is left out (the form shows its error)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        user_ids = None
        if data.get("user", "").strip():
            text = data["user"].strip()
            user_ids = get_user_model().objects.filter(
                Q(username__icontains=text) | Q(full_name__icontains=text)).values("pk")
        organization = data.get("organization")
        return Filters(model=data.get("model") or "", user_ids=user_ids,
                       organization_id=organization.pk if organization else None,
                       date_from=data.get("date_from"), date_to=data.get("date_to"), kind=data.get("kind") or "",
                       reason=data.get("q") or "")
