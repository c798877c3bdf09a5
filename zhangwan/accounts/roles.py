"""Roles are groups. Their names are stable slugs; the labels are translated.

Which model permissions each role holds is declared once here and synced after every migrate,
so a later app only adds its lines to ``ROLE_PERMISSIONS``.
"""


from django.db import models
from django.utils.translation import gettext_lazy as _

from .access_cache import kept


class Role(models.TextChoices):
    TRAINING_OFFICER = "training_officer", _("Training officer")
    COMPETITIONS_OFFICER = "competitions_officer", _("Competitions officer")
    CERTIFICATION_OFFICER = "certification_officer", _("Certification officer")
    MASTERS_OFFICER = "masters_officer", _("Masters officer")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    LIAISON = "liaison", _("Enterprise liaison")
    WORKER = "worker", _("Worker")
    REVIEWER = "reviewer", _("Expert reviewer")
    JUDGE = "judge", _("Judge")
    AUDITOR = "auditor", _("Auditor")


OFFICERS = {
    Role.TRAINING_OFFICER, Role.COMPETITIONS_OFFICER, Role.CERTIFICATION_OFFICER, Role.MASTERS_OFFICER,
}
# Roles that work in the admin site and see the whole district.
STAFF_ROLES = OFFICERS | {Role.FINANCE_OFFICER, Role.AUDITOR}
# Roles that keep or read worker rosters.
ROSTER_ROLES = (*sorted(STAFF_ROLES), Role.LIAISON)

REGISTRY_EDIT = [
    "registry.add_organization", "registry.change_organization", "registry.view_organization",
    "registry.add_worker", "registry.change_worker", "registry.view_worker",
    "registry.add_employment", "registry.change_employment", "registry.delete_employment",
    "registry.view_employment",
    "registry.add_workertrade", "registry.change_workertrade", "registry.delete_workertrade",
    "registry.view_workertrade",
    "registry.view_trade",
]
REGISTRY_VIEW = [p for p in REGISTRY_EDIT if ".view_" in p]

ROLE_PERMISSIONS = {
    Role.TRAINING_OFFICER: REGISTRY_EDIT + ["registry.view_full_id_number", "registry.change_trade",
                                            "registry.view_transferrequest", "registry.change_transferrequest"],
    Role.CERTIFICATION_OFFICER: REGISTRY_EDIT + ["registry.view_full_id_number", "registry.change_trade"],
    Role.COMPETITIONS_OFFICER: REGISTRY_VIEW,
    Role.MASTERS_OFFICER: REGISTRY_VIEW,
    Role.FINANCE_OFFICER: REGISTRY_VIEW + ["registry.view_full_id_number", "registry.view_bank_account"],
    Role.LIAISON: [],
    Role.WORKER: [],
    Role.REVIEWER: [],
    Role.JUDGE: [],
    # The auditor gets every view permission (see sync_role_permissions) and nothing else.
    Role.AUDITOR: ["registry.view_full_id_number"],
}


def grant(permissions_by_role: dict) -> None:
    """Called by a later app's AppConfig.ready() to give roles its models' permissions."""
    for role, names in permissions_by_role.items():
        ROLE_PERMISSIONS[role] = [*ROLE_PERMISSIONS[role], *names]


def model_permissions(app_label: str, models: list[str], actions=("add", "change", "delete", "view")) -> list[str]:
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


def user_roles(user) -> set[str]:
    """The user's role names: per request on the user object, across requests in the shared cache
    (read again after any change of who holds what: access_cache.py)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_cache"):
        user._role_cache = kept("roles", user, _read_roles)  # noqa: SLF001 - per-request memo on the user
    return user._role_cache  # noqa: SLF001


def _read_roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def has_role(user, *roles) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user_roles(user) & set(roles)))


def is_district_staff(user) -> bool:
    """Union staff who see every organization."""
    return has_role(user, *STAFF_ROLES)


def sync_role_permissions(sender=None, **kwargs):
    from django.contrib.auth.models import Group, Permission

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in Role.values}
    all_perms = {f"{p.content_type.app_label}.{p.codename}": p
                 for p in Permission.objects.select_related("content_type")}
    for role, names in ROLE_PERMISSIONS.items():
        group = groups[role]
        wanted = {all_perms[n] for n in names if n in all_perms}
        if role == Role.AUDITOR:
            wanted |= {p for key, p in all_perms.items() if key.split(".")[1].startswith("view_")}
        group.permissions.set(wanted)
