import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhangwan.excel_in import cell_text

from .models import Worker
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
    """Eleven digits, typed on a numeric keyboard; spaces and dashes as people write a number
    ("139 5152 0200") are dropped."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 11)
        kwargs.setdefault("label", _("Mobile number"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": "13", "inputmode": "numeric", "autocomplete": "tel"}

    def to_python(self, value):
        return re.sub(r"[\s-]", "", super().to_python(value))

    def clean(self, value):
        value = super().clean(value)
        return check_mobile(value) if value else value


ID_NUMBER_CELL = IdNumberField()


def id_number_cell(value) -> str:
    """An identity number read from an Excel cell: text only, since Excel keeps 15 digits of a number."""
    if isinstance(value, (int, float)):
        raise ValidationError(
            _("Identity numbers must be stored as text in Excel; as a number the last digits are lost."))
    return ID_NUMBER_CELL.clean(cell_text(value))


class RosterImportForm(forms.Form):
    file = forms.FileField(label=_("Roster workbook (.xlsx)"))


class WorkerContactForm(forms.ModelForm):
    class Meta:
        model = Worker
        # The bank account has its own page (subsidies:bank_details): a change needs the password; the
        # mobile number too (accounts:mobile_change): a change needs a code sent to the new number.
        fields = ["education"]
