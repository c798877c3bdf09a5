from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Trade, Worker
from .validators import check_id_number, check_mobile


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("label", _("Resident identity number"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return check_id_number(value) if value else value


class MobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 11)
        kwargs.setdefault("label", _("Mobile number"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return check_mobile(value) if value else value


YES = {"是", "y", "yes", "1", "true", "√"}
NO = {"否", "n", "no", "0", "false", ""}


class RosterRowForm(forms.Form):
    """One row of a roster workbook, after the cells were turned into text."""

    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = IdNumberField()
    mobile = MobileField()
    education = forms.CharField(label=_("Education"), required=False)
    insured_since = forms.DateField(label=_("Unemployment insurance since"), required=False)
    poverty_registered = forms.CharField(label=_("Poverty-alleviation labourer"), required=False)
    team_leader = forms.CharField(label=_("Team leader"), required=False)
    trade_code = forms.CharField(label=_("Trade code"), required=False)
    trade_since = forms.IntegerField(label=_("In the trade since (year)"), required=False,
                                     min_value=1950, max_value=2100)
    employed_since = forms.DateField(label=_("Employed since"), required=False)

    def __init__(self, *args, trades: dict[str, Trade], education_lookup: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.trades = trades
        self.education_lookup = education_lookup

    def clean_education(self):
        value = self.cleaned_data["education"].strip().lower()
        if not value:
            return Worker.Education.SENIOR
        if value not in self.education_lookup:
            raise forms.ValidationError(_("Unknown education; use one of the values on the instructions sheet."))
        return self.education_lookup[value]

    def _yes_no(self, name):
        value = self.cleaned_data[name].strip().lower()
        if value in YES:
            return True
        if value in NO:
            return False
        raise forms.ValidationError(_("Write 是 (yes) or 否 (no)."))

    def clean_poverty_registered(self):
        return self._yes_no("poverty_registered")

    def clean_team_leader(self):
        return self._yes_no("team_leader")

    def clean_trade_code(self):
        code = self.cleaned_data["trade_code"].strip()
        if code and code not in self.trades:
            raise forms.ValidationError(_("Unknown trade code; use one from the instructions sheet."))
        return self.trades.get(code)

    def clean(self):
        data = super().clean()
        if data.get("trade_code") and not data.get("trade_since"):
            self.add_error("trade_since", _("Give the year the worker started in this trade."))
        return data


class RosterImportForm(forms.Form):
    file = forms.FileField(label=_("Roster workbook (.xlsx)"))


class WorkerContactForm(forms.ModelForm):
    mobile = MobileField()

    class Meta:
        model = Worker
        # The bank account has its own page (subsidies:bank_details): a change needs the password.
        fields = ["mobile", "education"]
