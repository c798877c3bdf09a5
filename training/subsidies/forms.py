import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhangwan.registry.models import Organization, Worker

from .models import Batch, Policy, ShortageOccupation, budget_below_committed


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")  # what <input type=date> reads, in any language


class RunForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=DateInput)
    period_end = forms.DateField(label=_("Period to"), widget=DateInput)
    claimed_on = forms.DateField(label=_("Claim date"), widget=DateInput, initial=timezone.localdate,
                                 help_text=_("The date the claims are made; the 12-month limit counts to it."))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > 366 * 2:
                raise forms.ValidationError(_("Compute at most two years at a time."))
        if data.get("claimed_on") and start and data["claimed_on"] < start:
            self.add_error("claimed_on", _("Claims cannot be made before the period starts."))
        return data


class ReviewForm(forms.Form):
    """Bulk review: the ticked claims, or every claim the current filter shows."""

    ACTIONS = [("approve", _("Approve")), ("refuse", _("Refuse"))]
    action = forms.ChoiceField(choices=ACTIONS)
    scope = forms.ChoiceField(initial="selected", choices=[("selected", _("Ticked claims")),
                                                           ("filtered", _("All claims shown by the filter"))])
    claims = forms.TypedMultipleChoiceField(coerce=int, required=False)
    reason = forms.CharField(label=_("Reason for refusing"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The ids are checked against the officer's queryset by the view; here only their form.
        self.fields["claims"].choices = [(v, v) for v in self.data.getlist("claims") if str(v).isdigit()]

    def clean(self):
        data = super().clean()
        if data.get("action") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for refusing; the worker will read it."))
        if data.get("scope") == "selected" and not data.get("claims"):
            raise forms.ValidationError(_("Tick at least one claim."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=200)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the reversal"), max_length=300,
                             widget=forms.TextInput(
                                 attrs={"placeholder": _("e.g. paid twice; the certificate was revoked")}))


class BatchForm(forms.Form):
    policy = forms.ModelChoiceField(label=_("Policy"), queryset=Policy.objects.order_by("-valid_from", "kind"))
    kind = forms.ChoiceField(label=_("Kind of batch"), choices=Batch.Kind.choices, initial=Batch.Kind.PAYMENT,
                             help_text=_("A recovery batch takes back the money of reversed claims."))
    organization = forms.ModelChoiceField(label=_("Only workers of"), queryset=Organization.objects.all(),
                                          required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BudgetForm(forms.Form):
    """A policy's new budget; never below what is committed (the service checks it again, locked)."""

    budget = forms.DecimalField(label=_("Budget (yuan)"), max_digits=14, decimal_places=2, min_value=0)

    def __init__(self, *args, policy: Policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.fields["budget"].help_text = _("At least the ¥%(committed)s already committed.") % {
            "committed": f"{policy.committed:,.2f}"}

    def clean_budget(self):
        budget = self.cleaned_data["budget"]
        if budget < self.policy.committed:
            raise forms.ValidationError(budget_below_committed(self.policy))
        return budget


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("Reason for sending it back"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. two payees' accounts are wrong")}))


class RecoveryForm(forms.Form):
    """Finance records a reversal's money as recovered outside a recovery batch."""

    recovered_on = forms.DateField(label=_("Recovered on"), widget=DateInput, initial=timezone.localdate)
    reference = forms.CharField(label=_("Reference"), max_length=60,
                                help_text=_("The bank or receipt reference of the money received."))
    reason = forms.CharField(label=_("How it was recovered"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. paid in at the counter")}))

    def clean_recovered_on(self):
        value = self.cleaned_data["recovered_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of the recovery cannot be in the future."))
        if value < datetime.date(2000, 1, 1):
            raise forms.ValidationError(_("Enter the date the money was received."))
        return value


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput, initial=timezone.localdate)
    reference = forms.CharField(label=_("Bank reference"), max_length=60)

    def clean_paid_on(self):
        value = self.cleaned_data["paid_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        if value < datetime.date(2000, 1, 1):
            raise forms.ValidationError(_("Enter the date the bank made the transfer."))
        return value


class BankDetailsForm(forms.ModelForm):
    """Where the worker's subsidies are paid; a change needs their password again."""

    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput,
                               help_text=_("For your safety a change of bank account needs your password."))

    class Meta:
        model = Worker
        fields = ["bank_name", "bank_account"]
        help_texts = {"bank_account": _("Subsidies are paid into this account.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("bank_name", "bank_account"):
            self.fields[name].required = True

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct; nothing was changed."))
        return password


class StaffBankDetailsForm(BankDetailsForm):
    """An officer enters the bank details of a worker who never logs in; the officer's own password
    again, and the account field starts empty (the page shows the current one masked)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["bank_account"] = ""
        self.fields["password"].help_text = _("For safety, entering bank details needs your password again.")
        self.fields["bank_account"].help_text = _("The worker's subsidies are paid into this account.")


class BankImportForm(forms.Form):
    file = forms.FileField(label=_("Bank details workbook (.xlsx)"))


class ReminderForm(forms.Form):
    claims = forms.ModelMultipleChoiceField(queryset=None)

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claims"].queryset = claims


class ShortageForm(forms.ModelForm):
    """An entry of the shortage list; the database refuses a period ending before it starts and a
    second entry for one occupation and level starting the same day (the form says so first)."""

    class Meta:
        model = ShortageOccupation
        fields = ["trade", "level", "valid_from", "valid_to", "source"]
        widgets = {"valid_from": DateInput, "valid_to": DateInput}

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The period ends before it starts."))
        return data


class InsuredImportForm(forms.Form):
    file = forms.FileField(label=_("The social-insurance office's list (.xlsx)"))


class ApplicationImportForm(forms.Form):
    file = forms.FileField(label=_("Certificates to apply for (.xlsx)"),
                           help_text=_("One certificate number a row, in a column headed Certificate number."))
