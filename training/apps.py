from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Skill training")

    def ready(self):
        from zhangwan.accounts import context_processors
        from zhangwan.accounts.roles import OFFICERS, Role, grant, model_permissions
        from zhangwan.history import detail_choices

        from .models import Enrollment

        detail_choices("enrollment.registered", Enrollment.Channel)  # the channel by its label

        managed = ["trainingbase", "needssurvey", "needsresponse", "trainingplan", "planline", "course",
                   "trainingclass", "classsession", "mentorship"]
        viewed = [*managed, "enrollment", "attendance"]
        grant({
            Role.TRAINING_OFFICER: [*model_permissions("training", managed),
                                    *model_permissions("training", ["enrollment", "attendance"], ["view", "change"])],
            **{role: model_permissions("training", viewed, ["view"])
               for role in (OFFICERS - {Role.TRAINING_OFFICER}) | {Role.FINANCE_OFFICER}},
        })
        context_processors.register(
            (_("Class catalogue"), "training:catalogue", "journal-bookmark", None),
            (_("My classes"), "training:my_classes", "mortarboard", (Role.WORKER,)),
            (_("Our enrollments"), "training:liaison_enrollments", "person-lines-fill", (Role.LIAISON,)),
            (_("Classes we run"), "training:provider_classes", "clipboard-check", (Role.LIAISON,)),
            (_("Training needs"), "training:needs_surveys", "ui-checks", (Role.WORKER, Role.LIAISON)),
            (_("Manage classes"), "training:class_list", "easel", (Role.TRAINING_OFFICER, Role.AUDITOR)),
        )
