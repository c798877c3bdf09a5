"""django-axes (the login lockout) under the project's name for it: its admin section, models and
records read in the reader's language. Axes ships no Chinese catalogue, so its words are in the
project's (locale/zh_Hans), and the records' names, which axes writes as English f-strings, are given
here."""

from axes.apps import AppConfig
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i:s") if moment else "—"


def _attempt(self):
    return gettext("Failed logins of %(username)s from %(ip)s") % {"username": self.username, "ip": self.ip_address}


def _failure(self):
    text = gettext("Failed login of %(username)s from %(ip)s at %(when)s") % {
        "username": self.username, "ip": self.ip_address, "when": _when(self.attempt_time)}
    return f"{text} ({gettext('locked out')})" if self.locked_out else text


def _log(self):
    return gettext("Login of %(username)s at %(when)s") % {"username": self.username, "when": _when(self.attempt_time)}


class AxesConfig(AppConfig):
    verbose_name = _("Login protection")

    def ready(self):
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessAttempt.__str__ = _attempt
        AccessFailureLog.__str__ = _failure
        AccessLog.__str__ = _log
