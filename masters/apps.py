from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MastersConfig(AppConfig):
    name = "masters"
    verbose_name = _("Skills Masters")

    def ready(self):
        from zhangwan.accounts import context_processors
        from zhangwan.accounts.roles import OFFICERS, Role, grant, model_permissions

        kept = ["selectionround", "criterion", "reviewer", "conflict", "holiday", "incentivepolicy",
                "incentivegrant", "masterstudio", "talktopic"]
        # Made only through the pages (the services): the admin shows them.
        shown = ["nomination", "attachment", "assignment", "conflictwaiver", "objection", "mastertitle", "talkorder"]
        grant({
            Role.MASTERS_OFFICER: [*model_permissions("masters", kept), *model_permissions("masters", shown, ["view"])],
            **{role: model_permissions("masters", [*kept, *shown], ["view"])
               for role in (OFFICERS - {Role.MASTERS_OFFICER}) | {Role.FINANCE_OFFICER}},
        })
        context_processors.register(
            (_("Skills Masters"), "masters:honour_roll", "stars", None),
            (_("Nominations"), "masters:nomination_list", "person-up", (Role.WORKER, Role.LIAISON)),
            (_("Talks"), "masters:talk_menu", "megaphone", (Role.LIAISON, Role.MASTERS_OFFICER, Role.AUDITOR)),
            (_("Expert review"), "masters:review_home", "pencil-square", (Role.REVIEWER,)),
            (_("Manage selection"), "masters:round_list", "sliders2", (Role.MASTERS_OFFICER, Role.AUDITOR)),
        )
        from zhangwan.accounts import managing

        from .pool import reviewer_active, reviewer_join

        managing.ON_ACCEPT[Role.REVIEWER].append(reviewer_join)
        managing.ON_ACTIVE[Role.REVIEWER].append(reviewer_active)
