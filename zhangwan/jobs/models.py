from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

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


class FileJob(ProgressStatus, models.Model):
    """A file written in the background for the user who asked (an export, the annual report): its language,
    status, progress, outcome and file. Each kind declares where its `file` is stored, what becomes of it
    when the user who asked is deleted (`requested_by`), how far it has got (`percent`, `progress_text`) and
    its pages (`get_absolute_url`, `download_url`); includes/job_progress.html shows any of them."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("computation", "Failed")

    kind = ""  # names the progress box and the download button in the page ("export-progress")

    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def more_downloads(self) -> list[tuple[str, str, str]]:
        """(id, label, url) of files beside the main one, offered with it once done."""
        return []


class ExportJob(FileJob):
    """A long list export written by a Celery job (see exports.py): the list's filter as the user
    set it, their progress, and the file, which only they can download."""

    kind = "export"

    export = models.CharField(_("export"), max_length=60)
    params = models.TextField(_("filter"), blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0, editable=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0, editable=False)
    filename = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    file = models.FileField(_("file"), upload_to="exports/%Y/", blank=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.CASCADE, related_name="+")

    class Meta(FileJob.Meta):
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["requested_by", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(rows_done__lte=F("rows_total")), name="exportjob_progress_in_range"),
        ]

    def __str__(self):
        return f"{self.export} #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:export_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    def progress_text(self) -> str:
        return gettext("%(done)s of %(total)s rows") % {"done": self.rows_done, "total": self.rows_total}

    def failure_text(self) -> str:
        return gettext("The export could not be made. Export the list again; if it fails again, tell the "
                       "administrator.")

    def outcome_text(self) -> str:
        return filesizeformat(self.size)

    def download_url(self) -> str:
        return reverse("jobs:export_download", args=[self.pk])
