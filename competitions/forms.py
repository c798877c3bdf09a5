from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from zhangwan.picker import PeopleField
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
                help_text=_("Weighs %(weight)s%% of the score") % {"weight": f"{part.weight.normalize():f}"},
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "class": "form-control"}),
            )

    def marks(self) -> dict:
        return {p.pk: self.cleaned_data.get(f"part_{p.pk}") for p in self.parts}


class EntryForm(forms.Form):
    workers = PeopleField(label=_("Workers"), required=False)
    team_name = forms.CharField(label=_("Team name"), max_length=100, required=False)

    def __init__(self, *args, picker, team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].use(picker)
        if not team:
            del self.fields["team_name"]  # an individual event's entries have no team name

    def clean(self):
        data = super().clean()
        if not data.get("workers"):
            raise forms.ValidationError(_("Tick at least one worker."))
        return data


TIE_BREAK_PLACES = 3
TIME_USED = "time"


class TieBreakWidget(forms.MultiWidget):
    def __init__(self, choices=()):
        super().__init__([forms.Select(choices=choices) for _ in range(TIE_BREAK_PLACES)])

    def decompress(self, value):
        value = [v for v in (value or []) if isinstance(v, str)]
        return [*value, *[""] * TIE_BREAK_PLACES][:TIE_BREAK_PLACES]


class TieBreakField(forms.MultiValueField):
    """The tie-break order chosen from lists (first, second, third): the scoring parts' codes and
    "time", stored as the JSON list the results read (``Event.tie_breaks``)."""

    def __init__(self, **kwargs):
        fields = [forms.ChoiceField(required=False) for _ in range(TIE_BREAK_PLACES)]
        super().__init__(fields, require_all_fields=False, required=False, widget=TieBreakWidget(), **kwargs)

    def set_choices(self, choices):
        for field in self.fields:
            field.choices = choices
        for widget in self.widget.widgets:
            widget.choices = choices

    def compress(self, values):
        order = []
        for value in values or []:
            if value and value not in order:
                order.append(value)
        return order


class EventAdminForm(forms.ModelForm):
    tie_breaks = TieBreakField(
        label=_("tie-break order"),
        help_text=_("What decides between equal final scores, in order: a scoring part's mark (higher first) or "
                    "the time used (less first). Parts added below can be chosen once the event is saved."))

    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 - the admin chooses the fields it shows

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tie_breaks"].set_choices(self.tie_break_choices())

    def tie_break_choices(self):
        """The event's parts (before it has any: the parts other events use, theory, practical, …) and the time used;
        a stored code no longer among them stays choosable, so saving never drops it."""
        from .models import ScoringPart

        parts = ScoringPart.objects.order_by("code", "pk")
        own = parts.filter(event=self.instance).order_by("order", "pk") if self.instance.pk else parts.none()
        if own.exists():
            parts = own
        named = {}
        for code, name in parts.values_list("code", "name")[:200]:
            named.setdefault(code, name)
        for code in self.instance.tie_breaks or []:
            if isinstance(code, str) and code != TIME_USED:
                named.setdefault(code, code)
        return [("", "—"), *named.items(),
                (TIME_USED, _("Time used (less is better)"))]


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
    team = PeopleField(label=_("Team"))
    attachments = MultipleFileField(label=_("Attachments (PDF, JPG or PNG, at most 10 MB each)"), required=False)

    def __init__(self, *args, picker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].use(picker)
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
