"""Shared form helpers."""

from django.contrib import messages
from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import gettext as _


def flash_errors(request, form) -> None:
    """The errors of a form posted from a page that does not show it again (a button, a small
    inline form) as messages, each named by its field's label."""
    for name, errors in form.errors.items():
        text = " ".join(errors)
        field = form.fields.get(name)
        if name == NON_FIELD_ERRORS or field is None or not field.label:
            messages.error(request, text)
        else:
            messages.error(request, _("%(field)s: %(errors)s") % {"field": field.label, "errors": text})
