from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from zhangwan.uploads import check_attachment

from .importing import MAX_RANK
from .models import Competition, Event, InnovationProject, Tier


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def bootstrap(form):
    for field in form.fields.values():
        if isinstance(field.widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
            continue
        select = isinstance(field.widget, forms.Select)
        field.widget.attrs.setdefault("class", "form-select" if select else "form-control")


class SheetForm(forms.Form):
    """One field per scoring part, bounded by the part's maximum mark."""

    def __init__(self, *args, parts, marks, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = parts
        for part in parts:
            self.fields[f"part_{part.pk}"] = forms.DecimalField(
                label=f"{part.name} (0–{part.max_mark})", min_value=Decimal("0"), max_value=part.max_mark,
                max_digits=7, decimal_places=2, required=False, initial=marks.get(part.pk),
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "class": "form-control"}),
            )

    def marks(self) -> dict:
        return {p.pk: self.cleaned_data.get(f"part_{p.pk}") for p in self.parts}


class EntryForm(forms.Form):
    workers = forms.ModelMultipleChoiceField(label=_("Workers"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    team_name = forms.CharField(label=_("Team name"), max_length=100, required=False)

    def __init__(self, *args, roster, team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = roster
        if not team:
            del self.fields["team_name"]  # an individual event's entries have no team name

    def clean(self):
        data = super().clean()
        if not data.get("workers"):
            raise forms.ValidationError(_("Tick at least one worker."))
        return data


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 - the admin chooses the fields it shows

    def clean_tie_breaks(self):
        """A list of short codes: any other JSON (or a NUL or an infinite number in it) is refused
        here rather than by the database."""
        value = self.cleaned_data["tie_breaks"]
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(
                isinstance(code, str) and code and len(code) <= 50 and "\x00" not in code for code in value):
            raise forms.ValidationError(_('Write a list of part codes and "time", e.g. ["practical", "time"].'))
        return value


class CorrectionForm(forms.Form):
    value = forms.DecimalField(label=_("Corrected mark"), min_value=0, max_digits=7, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RecordResultForm(forms.Form):
    id_number = forms.CharField(label=_("Identity number"), max_length=18)
    rank = forms.IntegerField(label=_("Rank"), min_value=1, max_value=MAX_RANK, required=False)
    tier = forms.ChoiceField(label=_("Award"), choices=[("", "—"), *Tier.choices], required=False)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)


class ProjectDecisionForm(forms.Form):
    to = forms.ChoiceField(label=_("Decision"), choices=InnovationProject.Status.choices)
    award = forms.CharField(label=_("Award"), max_length=100, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    competition = forms.ModelChoiceField(label=_("Competition"), queryset=Competition.objects.none())
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    team = forms.ModelMultipleChoiceField(label=_("Team"), queryset=None, widget=forms.CheckboxSelectMultiple)
    attachments = MultipleFileField(label=_("Attachments (PDF, JPG or PNG, at most 10 MB each)"), required=False)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = roster
        self.fields["competition"].queryset = Competition.objects.filter(Competition.taking_projects())
        bootstrap(self)

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        for upload in files:
            upload.sniffed_type = check_attachment(upload)
        return files


class PublishForm(forms.Form):
    reason = forms.CharField(label=_("Reason for publishing with entries short of score sheets"), max_length=200,
                             required=False)


class WithdrawResultsForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing the results"), max_length=200)


class ResultCorrectionForm(forms.Form):
    rank = forms.IntegerField(label=_("Rank"), min_value=1, max_value=MAX_RANK, required=False)
    tier = forms.ChoiceField(label=_("Award"), choices=[("", "—"), *Tier.choices], required=False)
    title = forms.CharField(label=_("Title"), max_length=100, required=False,
                            help_text=_("Empty: the title the award's rule gives."))
    reason = forms.CharField(label=_("Reason"), max_length=200)
