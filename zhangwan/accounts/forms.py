from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from zhangwan.registry.forms import IdNumberField, MobileField

from .models import User


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("Username or mobile number"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))


class ClaimForm(forms.Form):
    """Who the worker says they are; all three must match the roster."""

    id_number = IdNumberField()
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = MobileField(help_text=_("The mobile number your organization registered."))


class ClaimCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"), max_length=6, min_length=6,
        validators=[RegexValidator(r"^[0-9]{6}$", _("Enter the six digits from the text message."))],
        error_messages={"min_length": _("Enter the six digits from the text message.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class SetAccountForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("You will log in with this; your mobile number is a good choice."))
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput,
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken; choose another."))
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(username=data.get("username", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ResetIdentifyForm(forms.Form):
    id_number = IdNumberField(help_text=_("A code goes by text message to the mobile number on your record."))


class ResetCodeForm(SetPasswordForm):
    """The code from the text message and the new password (Django's validators)."""

    field_order = ["code", "new_password1", "new_password2"]

    code = ClaimCodeForm.base_fields["code"]


class InviteForm(forms.Form):
    """An officer's invitation: the role among those they manage, the person, where to send the link."""

    role = forms.ChoiceField(label=_("Role"))
    full_name = forms.CharField(label=_("Full name"), max_length=50)
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None, required=False,
                                          help_text=_("Required for a liaison: the organization they act for."))
    email = forms.EmailField(label=_("E-mail address"), required=False)
    mobile = MobileField(required=False, help_text=_("The link goes by e-mail when an address is given, "
                                                     "otherwise by text message."))

    def __init__(self, *args, roles, **kwargs):
        from zhangwan.registry.models import Organization

        from .roles import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        self.fields["organization"].queryset = Organization.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("mobile") and not self.errors:
            raise forms.ValidationError(_("Give an e-mail address or a mobile number to send the invitation to."))
        return data


class EmailAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class MobileChangeForm(forms.Form):
    mobile = MobileField(label=_("New mobile number"))
