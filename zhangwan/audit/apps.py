from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "zhangwan.audit"
    label = "audit"
    verbose_name = _("Activity log")

    def ready(self):
        from zhangwan.accounts import context_processors
        from zhangwan.accounts.roles import Role

        from . import exports  # noqa: F401 - registers the log's export job

        context_processors.register((_("Activity log"), "audit:activity_log", "journal-text", (Role.AUDITOR,)))
