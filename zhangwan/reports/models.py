from django.conf import settings
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhangwan.jobs.models import FileJob
from zhangwan.query import FIRST_YEAR, LAST_YEAR


class AnnualReport(FileJob):
    """One run of the annual Excel report for a year, with its progress and, once done, its file."""

    kind = "report"

    year = models.PositiveSmallIntegerField(_("year"))
    steps_done = models.PositiveSmallIntegerField(_("steps done"), default=0, editable=False)
    steps_total = models.PositiveSmallIntegerField(_("steps"), default=0, editable=False)
    rows = models.PositiveIntegerField(_("detail rows"), default=0, editable=False)
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True, editable=False)
    # The written summary (.docx) made by the same job, and the summary sheet as a PDF where the server
    # has a converter (settings.SUMMARY_PDF_CONVERTER; never required).
    document = models.FileField(_("written summary"), upload_to="reports/%Y/", blank=True, editable=False)
    summary_pdf = models.FileField(_("summary (PDF)"), upload_to="reports/%Y/", blank=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")

    class Meta(FileJob.Meta):
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
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

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    def progress_text(self) -> str:
        return gettext("%(done)s of %(total)s steps") % {"done": self.steps_done, "total": self.steps_total}

    def failure_text(self) -> str:
        return gettext("The report could not be made. Start it again; if it fails again, tell the administrator.")

    def outcome_text(self) -> str:
        return gettext("%(rows)s detail rows, %(size)s.") % {"rows": self.rows, "size": filesizeformat(self.size)}

    def download_url(self) -> str:
        return reverse("reports:report_download", args=[self.pk])

    def superseded_by(self):
        """The newer finished report of the same year, if there is one."""
        return (AnnualReport.objects.filter(year=self.year, status=self.Status.DONE, created_at__gt=self.created_at)
                .order_by("-created_at", "-pk").first())

    def more_downloads(self) -> list[tuple[str, str, str]]:
        """(id, label, url) of the job's other files: the written summary, the summary's PDF."""
        files = []
        if self.document:
            files.append(("report-document", gettext("Download the written summary (Word)"),
                          reverse("reports:report_document", args=[self.pk])))
        if self.summary_pdf:
            files.append(("report-pdf", gettext("Download the summary to print (PDF)"),
                          reverse("reports:report_pdf", args=[self.pk])))
        return files

    def delete_files(self) -> None:
        for stored in (self.file, self.document, self.summary_pdf):
            if stored:
                stored.delete(save=False)


class FigureChange(models.Model):
    """A transaction that wrote what the dashboard's figures read, and the year whose figures it may change
    (0: any year). Written by triggers only (reports/kept.py); pruned hourly."""

    pk = models.CompositePrimaryKey("xid", "year")
    xid = models.BigIntegerField(_("transaction"))
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("figure change")
        verbose_name_plural = _("figure changes")

    def __str__(self):
        return f"{self.xid}:{self.year}"


class FigureHorizon(models.Model):
    """A moment marked by the hourly prune (reports/kept.py): every transaction below ``oldest_xid`` had ended
    by it."""

    marked_at = models.DateTimeField(pgettext_lazy("prune mark", "marked at"))
    oldest_xid = models.BigIntegerField(_("oldest running transaction"))

    class Meta:
        verbose_name = _("figure horizon")
        verbose_name_plural = _("figure horizons")

    def __str__(self):
        return f"{self.marked_at:%Y-%m-%d %H:%M}: {self.oldest_xid}"
