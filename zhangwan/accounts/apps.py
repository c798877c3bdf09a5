from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhangwan.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from .roles import sync_role_permissions

        # Permissions exist only after every app has migrated, so the grants follow each migrate.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
        from django.contrib.auth.models import Group, Permission

        from .access_cache import on_change
        from .models import User

        # Who holds what: the cached roles and permissions are read again after any change (access_cache.py).
        for relation in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(on_change, sender=relation, dispatch_uid=f"accounts.access.{relation.__name__}")
        for model in (Group, Permission):
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(on_change, sender=model, dispatch_uid=f"accounts.access.{model.__name__}.{name}")
