from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "training.subsidies"
    label = "subsidies"
    verbose_name = _("Subsidies")

    def ready(self):
        from zhangwan.accounts import context_processors
        from zhangwan.accounts.roles import Role, grant, model_permissions

        from . import (
            exports,  # noqa: F401 - registers the claims export with the export jobs
            receivers,
        )

        receivers.connect()

        grant({
            # Officers keep policies; claims are made by the engine and changed only through the pages.
            Role.TRAINING_OFFICER: [*model_permissions("subsidies", ["policy", "rate", "shortageoccupation"]),
                                    *model_permissions("subsidies", ["insuredperiod"], ["add", "view"]),
                                    *model_permissions("subsidies", ["application"], ["view"]),
                                    *model_permissions("subsidies", ["run", "claim", "batch", "payment"], ["view"])],
            # Finance never creates or edits claims (separation of duties); batches go through the pages.
            Role.FINANCE_OFFICER: model_permissions("subsidies", ["policy", "rate", "shortageoccupation", "claim",
                                                                 "batch", "payment"], ["view"]),
        })
        context_processors.register(
            (_("My subsidies"), "subsidies:mine", "cash-coin", (Role.WORKER,)),
            (_("Our subsidies"), "subsidies:organization", "cash-stack", (Role.LIAISON,)),
            (_("Subsidies"), "subsidies:policy_list", "cash-coin",
             (Role.TRAINING_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR)),
        )
