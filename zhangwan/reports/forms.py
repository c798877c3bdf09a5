from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhangwan.query import FIRST_YEAR


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"))

    def clean_year(self):
        year = self.cleaned_data["year"]
        last = timezone.localdate().year
        if not FIRST_YEAR <= year <= last:
            raise forms.ValidationError(_("Choose a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR,
                                                                                           "last": last})
        return year
