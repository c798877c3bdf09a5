from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import EventType, Scope


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Which system uses it, e.g. “HR system”."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    networks = forms.CharField(label=_("Allowed addresses"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("One address or network a line (e.g. 203.0.113.0/24); empty: any."))
    expires_on = forms.DateField(label=_("Expires on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Empty: never."))

    def clean_networks(self):
        lines = [line.strip() for line in self.cleaned_data["networks"].splitlines() if line.strip()]
        if len(lines) > 20:
            raise forms.ValidationError(_("At most 20 addresses or networks."))
        return lines

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return day

    def expires_at(self):
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("Where your system receives the events, e.g. https://hr.example.com/zhangwan."))
    events = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple,
                                       choices=[c for c in EventType.choices if c[0] != EventType.TEST])
