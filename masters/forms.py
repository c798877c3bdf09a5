from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhangwan.picker import PersonField
from zhangwan.registry.models import Trade

from .models import Nomination, Objection, Reviewer, TalkOrder


class NominationForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ["nominee", "trade", "statement", "achievements"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 5}), "achievements": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "statement": _("Why this person deserves the title, in a few paragraphs."),
            "achievements": _("Skills, inventions, records, awards and apprentices trained."),
        }

    def __init__(self, *args, picker=None, **kwargs):
        super().__init__(*args, **kwargs)
        if picker is None:
            self.fields.pop("nominee", None)
        elif "nominee" in self.fields:
            self.fields["nominee"] = PersonField(label=self.fields["nominee"].label)
            self.fields["nominee"].use(picker)
        self.fields["trade"].queryset = Trade.objects.all()
        for name in ("statement", "achievements"):
            self.fields[name].max_length = 5000
            self.fields[name].widget.attrs["maxlength"] = 5000


class EditNominationForm(NominationForm):
    class Meta(NominationForm.Meta):
        fields = ["trade", "statement", "achievements"]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment (PDF, JPG or PNG, at most 10 MB)"))


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Overall comment"), required=False, max_length=3000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            score = scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=_("Score (0–%(max)s)") % {"max": f"{criterion.max_score.normalize():f}"}, required=False,
                min_value=0,
                max_value=criterion.max_score, decimal_places=2, max_digits=7,
                initial=score.value if score else None,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=500, initial=score.comment if score else "")

    def rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def clean(self):
        """Submitting needs every criterion scored: each blank one is marked on its own field."""
        cleaned = super().clean()
        if "submit" in self.data:
            for c in self.criteria:
                name = f"score_{c.pk}"
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Score this criterion before submitting."))
        return cleaned

    def scores(self):
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}

    def comments(self):
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TieForm(forms.Form):
    """The officer's decision on a tie at the quota line: which of the tied are in, and why."""

    chosen = forms.TypedMultipleChoiceField(label=_("Put on the shortlist"), coerce=int, choices=())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, tie=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen"].choices = [(n.pk, n.nominee.name) for n in (tie.tied if tie else [])]


class ObjectionForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["name", "contact", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class ResolveForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    upheld = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                    choices=[("no", _("Not upheld: the nomination stays")),
                                             ("yes", _("Upheld: the nomination is rejected"))])


class PublicityForm(forms.Form):
    starts = forms.DateField(label=_("Publicity starts"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_starts(self):
        starts = self.cleaned_data["starts"]
        if starts < timezone.localdate():
            raise forms.ValidationError(_("Publicity cannot start in the past."))
        return starts


class WaiverForm(forms.Form):
    """Dismissing a same-organization conflict of one nomination of the round and one reviewer."""

    nomination = forms.ModelChoiceField(label=_("Nomination"), queryset=Nomination.objects.none())
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=Reviewer.objects.all())
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             error_messages={"required": _("Say why this is not a conflict.")})

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].queryset = Nomination.objects.filter(round=round_)


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=Reviewer.objects.filter(active=True)
                                      .select_related("user"))


class TalkOrderForm(forms.ModelForm):
    class Meta:
        model = TalkOrder
        fields = ["preferred_date", "expected_audience", "note"]
        widgets = {"preferred_date": forms.DateInput(attrs={"type": "date"})}

    def clean_preferred_date(self):
        day = self.cleaned_data["preferred_date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose a date from today on."))
        return day

    def clean_expected_audience(self):
        n = self.cleaned_data["expected_audience"]
        if not 1 <= n <= 100_000:
            raise forms.ValidationError(_("Between 1 and 100,000 people."))
        return n


class TalkScheduleForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    speaker = forms.CharField(label=_("Speaker"), max_length=100)
    venue = forms.CharField(label=pgettext_lazy("talk", "Venue"), max_length=200, required=False)


class AttendanceForm(forms.Form):
    attendance = forms.IntegerField(label=pgettext_lazy("talk", "Attendance"), min_value=0, max_value=100_000)
