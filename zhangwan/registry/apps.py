from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_trades(sender, **kwargs):
    from .models import Trade
    from .seed import ensure_trades

    ensure_trades(Trade)


class RegistryConfig(AppConfig):
    name = "zhangwan.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from zhangwan import choices, constraints

        choices.install()  # every model's get_FOO_display without rebuilding its choices on each call
        constraints.install()  # a model's check constraints validated in one query, not one each
        # Also after a flush (transactional tests), which empties tables filled by migrations.
        post_migrate.connect(_ensure_trades, sender=self, dispatch_uid="registry.ensure_trades")
