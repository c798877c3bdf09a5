from django import forms
from django.utils.translation import gettext_lazy as _

from zhangwan.picker import PeopleField
from zhangwan.registry.forms import IdNumberField, MobileField
from zhangwan.registry.models import Trade, Worker

from .models import Attendance, NeedsResponse, TrainingClass


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=TrainingClass.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=80, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=80)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("New capacity"), min_value=1, max_value=100_000)


class AttendanceMarkForm(forms.Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)
    remark = forms.CharField(max_length=200, required=False)


class ExamForm(forms.Form):
    passed = forms.TypedChoiceField(choices=[("", "—"), ("1", _("Passed")), ("0", _("Not passed"))],
                                    coerce=lambda v: v == "1", empty_value=None, required=False)


class ExamResultsForm(forms.Form):
    """One exam result per seat of the class: field `exam-<enrollment id>`."""

    def __init__(self, *args, enrollments, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrollments = list(enrollments)
        for enrollment in self.enrollments:
            self.fields[f"exam-{enrollment.pk}"] = forms.TypedChoiceField(
                label=enrollment.worker.name, choices=ExamForm.base_fields["passed"].choices,
                coerce=lambda v: v == "1", empty_value=None, required=False,
                initial={True: "1", False: "0"}.get(enrollment.exam_passed, ""))

    def results(self) -> dict:
        return {e.pk: self.cleaned_data[f"exam-{e.pk}"] for e in self.enrollments}

    def rows(self):
        return [(e, self[f"exam-{e.pk}"]) for e in self.enrollments]


class LiaisonRegisterForm(forms.Form):
    """Pick workers of the liaison's roster (zhangwan/picker.py); the choices are limited to that roster."""

    workers = PeopleField(label=_("Workers"), required=False)
    file = forms.FileField(label=_("…or an Excel list of identity numbers"), required=False)

    def __init__(self, *args, picker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].use(picker)

    def clean(self):
        data = super().clean()
        if not data.get("workers") and not data.get("file"):
            raise forms.ValidationError(_("Tick at least one worker or upload a list."))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))


class StaffPickForm(forms.Form):
    """A worker the training officer found, to register."""

    worker = forms.ModelChoiceField(queryset=Worker.objects.all())
    reason = forms.CharField(label=_("Reason (once the class has started)"), max_length=80, required=False)


class StaffWorkerForm(forms.Form):
    """A worker who may not be on record yet: found by identity number, or created with it."""

    id_number = IdNumberField()
    name = forms.CharField(label=_("Full name"), max_length=50)
    mobile = MobileField()
    poverty_registered = forms.BooleanField(label=_("Registered poverty-alleviation labourer"), required=False)
    reason = forms.CharField(label=_("Reason (once the class has started)"), max_length=80, required=False)


class MoveForm(forms.Form):
    to_class = forms.ModelChoiceField(label=_("Move to class"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=80, required=False)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_class"].queryset = targets


class NeedsAnswerForm(forms.ModelForm):
    """One answer to a needs survey: a worker's (no head count: it is themself) or a liaison's for their
    organization."""

    head_count = forms.IntegerField(label=_("Head count"), min_value=1, max_value=100_000, initial=1)

    class Meta:
        model = NeedsResponse
        fields = ["trade", "level", "format", "head_count", "remark"]
        labels = {"remark": _("Remark (optional)"), "level": _("Level (optional)")}

    def __init__(self, *args, for_worker: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trade"].queryset = Trade.objects.order_by("code")
        if for_worker:
            del self.fields["head_count"]

    def _post_clean(self):
        """The service saves (and checks the survey's dates and the one answer per trade), not the form."""


class PlanFromNeedsForm(forms.Form):
    """The trades to plan and, for each, the target trainees (the summed head count, editable)."""

    trades = forms.ModelMultipleChoiceField(label=_("Trades"), queryset=None, widget=forms.CheckboxSelectMultiple,
                                            error_messages={"required": _("Choose at least one trade.")})

    def __init__(self, *args, trades, totals: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trades"].queryset = trades
        rows = []
        for trade in trades:
            name = f"target_{trade.pk}"
            self.fields[name] = forms.IntegerField(label=_("Target trainees"), min_value=1, max_value=1_000_000,
                                                   initial=totals.get(trade.pk, 1), required=False)
            rows.append((trade, totals.get(trade.pk, 0), name))
        self.rows = [(trade, total, self[name]) for trade, total, name in rows]  # for the page's table

    def targets(self) -> dict:
        return {trade: self.cleaned_data[f"target_{trade.pk}"] for trade in self.cleaned_data["trades"]}

    def clean(self):
        data = super().clean()
        for trade in data.get("trades") or []:
            name = f"target_{trade.pk}"
            if name not in self.errors and data.get(name) is None:
                self.add_error(name, _("Give the target number of trainees."))
        return data
