from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LimitsConfig(AppConfig):
    """The rate counters behind zhangwan/ratelimit.py."""

    name = "zhangwan.limits"
    label = "limits"
    verbose_name = _("Rate limits")
