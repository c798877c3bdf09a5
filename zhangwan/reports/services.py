"""Starting and making the annual report."""

import datetime
import logging
import os
import shutil
import subprocess
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhangwan.errors import ServiceError
from zhangwan.jobs import step_pause
from zhangwan.progress import progress_table
from zhangwan.transitions import Transitions

from . import document, workbook
from .models import AnnualReport

logger = logging.getLogger(__name__)

# The summary sheet, each detail sheet, then the written summary (and its PDF when a converter exists).
STEPS = len(workbook.SHEETS) + 2

REPORT_STATUS = Transitions(AnnualReport, progress_table(AnnualReport.Status))


class ReportError(ServiceError):
    """A rule said no; the message is for the user."""


# A report takes seconds; one still unfinished after this long was interrupted (its worker died and
# the task was not delivered again) and no longer blocks a new one for its year.
STALE_AFTER = datetime.timedelta(minutes=30)


def report_start(*, year: int, user, language: str) -> AnnualReport:
    """A new report for the year, queued after the commit; refused while one of that year is being made."""
    REPORT_STATUS.advance(AnnualReport.objects.filter(year=year, status__in=[AnnualReport.Status.QUEUED,
                                                                              AnnualReport.Status.RUNNING],
                                                      created_at__lt=timezone.now() - STALE_AFTER),
                          AnnualReport.Status.FAILED, error="interrupted", finished_at=timezone.now())
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(year=year, language=language, requested_by=user,
                                                 steps_total=STEPS)
    except IntegrityError:
        raise ReportError(_("A report for %(year)d is being made already; it will appear below when done.")
                          % {"year": year}) from None
    from .tasks import make_annual_report

    make_annual_report.delay_on_commit(report.pk)
    return report


def report_make(report_id: int) -> AnnualReport:
    """Write the report's workbook and its written summary (again, from the start, if a worker died midway),
    in the language of whoever asked; the summary's PDF too where the server has a converter."""
    report = AnnualReport.objects.select_related("requested_by").get(pk=report_id)
    if report.status == AnnualReport.Status.DONE:
        return report
    REPORT_STATUS.advance(AnnualReport.objects.filter(pk=report.pk), AnnualReport.Status.RUNNING, steps_done=0,
                          steps_total=STEPS, error="")

    def progress(done, total):
        AnnualReport.objects.filter(pk=report.pk).update(steps_done=done, steps_total=STEPS)
        step_pause("REPORT_STEP_PAUSE")

    folder = tempfile.mkdtemp()
    path, draft = os.path.join(folder, "report.xlsx"), os.path.join(folder, "summary.docx")
    made_by = report.requested_by
    try:
        with translation.override(report.language):
            rows = workbook.build(path, report.year, progress, made_by=made_by)
            document.build(draft, report.year, made_by=made_by)
            pdf = summary_pdf(folder, report.year, made_by)
        progress(STEPS, STEPS)
        name = f"annual-report-{report.year}-{report.pk}"
        made = [(report.file, path, ".xlsx"), (report.document, draft, ".docx")]
        for field, source, suffix in made + ([(report.summary_pdf, pdf, "-summary.pdf")] if pdf else []):
            with open(source, "rb") as stream:
                field.save(name + suffix, File(stream), save=False)
        REPORT_STATUS.advance(
            AnnualReport.objects.filter(pk=report.pk), AnnualReport.Status.DONE, file=report.file.name,
            document=report.document.name, summary_pdf=report.summary_pdf.name or "",
            size=os.path.getsize(path), rows=rows, finished_at=timezone.now(), steps_done=F("steps_total"))
    except Exception as error:
        REPORT_STATUS.advance(AnnualReport.objects.filter(pk=report.pk), AnnualReport.Status.FAILED,
                              error=str(error)[:2000], finished_at=timezone.now())
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report.refresh_from_db()
    return report


def pdf_converter() -> str | None:
    """The program that turns the summary into a PDF (LibreOffice), if the server has one."""
    name = settings.SUMMARY_PDF_CONVERTER
    return shutil.which(name) if name else None


def summary_pdf(folder: str, year: int, made_by) -> str | None:
    """The summary sheet alone as a PDF in folder, or None without a converter or when it fails: the PDF is
    a convenience, never a reason for the report to fail."""
    converter = pdf_converter()
    if converter is None:
        return None
    sheet = os.path.join(folder, "summary.xlsx")
    workbook.summary_only(sheet, year, made_by)
    try:
        subprocess.run([converter, "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/profile",
                        "--convert-to", "pdf", "--outdir", folder, sheet], check=True, capture_output=True,
                       timeout=settings.SUMMARY_PDF_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("the summary of %s could not be converted to PDF: %s", year, error)
        return None
    pdf = os.path.join(folder, "summary.pdf")
    return pdf if os.path.exists(pdf) else None


def report_delete(*, report: AnnualReport) -> None:
    """Delete a report a newer one of its year has replaced (or one that failed), with its files."""
    if not (report.is_failed or report.superseded_by()):
        raise ReportError(_("Only a report replaced by a newer one of its year, or one that failed, can be deleted."))
    report.delete_files()
    report.delete()
