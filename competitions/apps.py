from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = _("Skill competitions")

    def ready(self):
        from zhangwan.accounts import context_processors
        from zhangwan.accounts.roles import OFFICERS, Role, grant, model_permissions

        managed = ["competition", "event", "scoringpart", "awardrule", "judgeassignment", "organizeraward",
                   "innovationproject", "projectattachment"]
        viewed = [*managed, "entry", "scoresheet", "mark", "result"]
        grant({
            Role.COMPETITIONS_OFFICER: [*model_permissions("competitions", managed),
                                        *model_permissions("competitions", ["entry", "result"], ["view", "change"]),
                                        *model_permissions("competitions", ["scoresheet", "mark"], ["view"])],
            **{role: model_permissions("competitions", viewed, ["view"])
               for role in (OFFICERS - {Role.COMPETITIONS_OFFICER}) | {Role.FINANCE_OFFICER}},
        })
        context_processors.register(
            (_("Competitions"), "competitions:competition_list", "trophy", None),
            (_("My competitions"), "competitions:my_entries", "award", (Role.WORKER,)),
            (_("Our entries"), "competitions:liaison_entries", "people-fill", (Role.LIAISON,)),
            (_("Judging"), "competitions:judge_home", "clipboard-check", (Role.JUDGE,)),
            (_("Manage competitions"), "competitions:manage_list", "sliders2",
             (Role.COMPETITIONS_OFFICER, Role.AUDITOR)),
        )
