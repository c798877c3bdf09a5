from django import forms
from django.utils.translation import gettext_lazy as _

from zhangwan.picker import PeopleField


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=30)
    name = forms.CharField(label=_("Holder's name"), max_length=50)


class ScoresForm(forms.Form):
    theory = forms.DecimalField(label=_("Theory"), min_value=0, max_value=100, max_digits=5, decimal_places=1,
                                required=False)
    practical = forms.DecimalField(label=_("Practical"), min_value=0, max_value=100, max_digits=5, decimal_places=1,
                                   required=False)
    review = forms.DecimalField(label=_("Review"), min_value=0, max_value=100, max_digits=5, decimal_places=1,
                                required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))


class ApplyForWorkersForm(forms.Form):
    workers = PeopleField(label=_("Workers"))

    def __init__(self, *args, picker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].use(picker)
