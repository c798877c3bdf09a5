from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingJob(models.Model):
    """A job that could not be queued (the broker was unreachable when its transaction committed):
    kept here, and queued by ``send_pending_jobs`` once the broker answers again."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pending job")
        verbose_name_plural = _("pending jobs")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
