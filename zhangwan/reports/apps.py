from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "zhangwan.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from zhangwan.accounts import context_processors
        from zhangwan.accounts.roles import OFFICERS, STAFF_ROLES, Role

        context_processors.register(
            (_("Dashboard"), "reports:dashboard", "bar-chart-line", (*STAFF_ROLES, Role.LIAISON)),
            (_("Annual report"), "reports:report_list", "file-earmark-spreadsheet",
             (*OFFICERS, Role.FINANCE_OFFICER, Role.AUDITOR)),
        )
