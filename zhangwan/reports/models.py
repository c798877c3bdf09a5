from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhangwan.progress import ProgressStatus
from zhangwan.query import FIRST_YEAR, LAST_YEAR


class AnnualReport(ProgressStatus, models.Model):
    """One run of the annual Excel report for a year, with its progress and, once done, its file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("computation", "Failed")

    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              editable=False)
    steps_done = models.PositiveSmallIntegerField(_("steps done"), default=0, editable=False)
    steps_total = models.PositiveSmallIntegerField(_("steps"), default=0, editable=False)
    rows = models.PositiveIntegerField(_("detail rows"), default=0, editable=False)
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                                   name="annualreport_year_range"),
            # Two reports of one year at once would do the same work twice: one at a time.
            models.UniqueConstraint(fields=["year"], condition=Q(status__in=["queued", "running"]),
                                    name="annualreport_one_running_per_year"),
            models.CheckConstraint(condition=Q(steps_done__lte=models.F("steps_total")) | Q(steps_total=0),
                                   name="annualreport_progress_in_range"),
        ]

    def __str__(self):
        return f"{self.year} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
