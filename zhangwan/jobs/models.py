from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhangwan.progress import ProgressStatus


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


class ExportJob(ProgressStatus, models.Model):
    """A long list export written by a Celery job (see exports.py): the list's filter as the user
    set it, their progress, and the file, which only they can download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("computation", "Failed")

    export = models.CharField(_("export"), max_length=60)
    params = models.TextField(_("filter"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              editable=False)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0, editable=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0, editable=False)
    filename = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    file = models.FileField(_("file"), upload_to="exports/%Y/", blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(rows_done__lte=F("rows_total")), name="exportjob_progress_in_range"),
        ]

    def __str__(self):
        return f"{self.export} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
