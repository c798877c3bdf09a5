import contextlib

from django.apps import AppConfig
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_migrate
from django.utils.translation import gettext_lazy as _


def forget_roles(sender, instance, action, reverse, pk_set, **kwargs):
    """A user's groups changed: their cached roles must be read again."""
    from .roles import roles_cache_key

    if action == "pre_clear" and reverse:  # a group emptied: note its members before they go
        instance._members_cleared = list(instance.user_set.values_list("pk", flat=True))  # noqa: SLF001 - our own note on the group
    if not action.startswith("post_"):
        return
    if reverse:
        user_ids = pk_set if pk_set is not None else getattr(instance, "_members_cleared", [])
    else:
        user_ids = {instance.pk}
    # With Redis down the roles simply expire on their own within ROLES_CACHE_SECONDS.
    with contextlib.suppress(Exception):
        cache.delete_many([roles_cache_key(pk) for pk in user_ids])


class AccountsConfig(AppConfig):
    name = "zhangwan.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from .roles import sync_role_permissions

        # Permissions exist only after every app has migrated, so the grants follow each migrate.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
        from .models import User

        m2m_changed.connect(forget_roles, sender=User.groups.through, dispatch_uid="accounts.forget_roles")
