from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "zhangwan.api"
    label = "api"
    verbose_name = _("API for enterprise systems")

    def ready(self):
        from . import schema  # noqa: F401 - registers the bearer scheme with drf-spectacular
