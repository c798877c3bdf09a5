from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """Events counted for one key of one limit in one fixed window (zhangwan/ratelimit.py writes them).

    The key is a keyed digest of the address, user or identity number: the table holds none of them."""

    scope = models.CharField(_("limit"), max_length=50)
    key = models.CharField(_("key"), max_length=64)
    window_start = models.DateTimeField(_("window start"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="ratecounter_one_per_window"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("window_start")),
                                   name="ratecounter_window_has_length"),
        ]

    def __str__(self):
        return f"{self.scope} {self.key[:8]} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
