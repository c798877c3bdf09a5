from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Attendance, TrainingClass


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


class LiaisonRegisterForm(forms.Form):
    """Pick workers of the liaison's roster; the choices are limited to that roster."""

    workers = forms.ModelMultipleChoiceField(label=_("Workers"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    file = forms.FileField(label=_("…or an Excel list of identity numbers"), required=False)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = roster

    def clean(self):
        data = super().clean()
        if not data.get("workers") and not data.get("file"):
            raise forms.ValidationError(_("Tick at least one worker or upload a list."))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))
