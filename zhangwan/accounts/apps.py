from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhangwan.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from .roles import sync_role_permissions

        # Permissions exist only after every app has migrated, so the grants follow each migrate.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
