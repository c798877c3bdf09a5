from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_rules(sender, **kwargs):
    from .models import EligibilityRule
    from .seed import ensure_rules

    ensure_rules(EligibilityRule)


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self):
        # The default rules exist after every migrate, and after a flush in transactional tests.
        post_migrate.connect(_ensure_rules, sender=self, dispatch_uid="certification.ensure_rules")
        from zhangwan.accounts import context_processors
        from zhangwan.accounts.roles import OFFICERS, Role, grant, model_permissions

        managed = ["assessmentbody", "accreditation", "eligibilityrule", "assessmentsession"]
        viewed = [*managed, "application", "certificate", "eligibilitygrant"]
        grant({
            Role.CERTIFICATION_OFFICER: [*model_permissions("certification", managed),
                                         *model_permissions("certification", ["application", "certificate",
                                                                              "eligibilitygrant"], ["view"])],
            **{role: model_permissions("certification", viewed, ["view"])
               for role in (OFFICERS - {Role.CERTIFICATION_OFFICER}) | {Role.FINANCE_OFFICER}},
        })
        from zhangwan.accounts import notices

        from .services import decision_reasons

        notices.register("application.decided", notices.Notice(_("Application %(status)s: %(session)s"),
                                                               decision_reasons))
        context_processors.register(
            (_("Assessments"), "certification:session_list", "patch-check", None),
            (_("My certificates"), "certification:my_certificates", "award-fill", (Role.WORKER,)),
            (_("Manage certification"), "certification:manage_sessions", "clipboard2-check",
             (Role.CERTIFICATION_OFFICER, Role.AUDITOR)),
        )
