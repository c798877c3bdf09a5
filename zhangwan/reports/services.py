"""Starting and making the annual report."""

import datetime
import os
import tempfile

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhangwan.errors import ServiceError
from zhangwan.jobs import step_pause
from zhangwan.progress import progress_table
from zhangwan.transitions import Transitions

from . import workbook
from .models import AnnualReport

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
                                                 steps_total=len(workbook.SHEETS) + 1)
    except IntegrityError:
        raise ReportError(_("A report for %(year)d is being made already; it will appear below when done.")
                          % {"year": year}) from None
    from .tasks import make_annual_report

    make_annual_report.delay_on_commit(report.pk)
    return report


def report_make(report_id: int) -> AnnualReport:
    """Write the report's workbook (again, from the start, if a worker died midway)."""
    report = AnnualReport.objects.get(pk=report_id)
    if report.status == AnnualReport.Status.DONE:
        return report
    REPORT_STATUS.advance(AnnualReport.objects.filter(pk=report.pk), AnnualReport.Status.RUNNING, steps_done=0,
                          error="")

    def progress(done, total):
        AnnualReport.objects.filter(pk=report.pk).update(steps_done=done, steps_total=total)
        step_pause("REPORT_STEP_PAUSE")

    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        with translation.override(report.language):
            rows = workbook.build(path, report.year, progress)
        with open(path, "rb") as stream:
            report.file.save(f"annual-report-{report.year}-{report.pk}.xlsx", File(stream), save=False)
        REPORT_STATUS.advance(
            AnnualReport.objects.filter(pk=report.pk), AnnualReport.Status.DONE, file=report.file.name,
            size=os.path.getsize(path), rows=rows, finished_at=timezone.now(), steps_done=F("steps_total"))
    except Exception as error:
        REPORT_STATUS.advance(AnnualReport.objects.filter(pk=report.pk), AnnualReport.Status.FAILED,
                              error=str(error)[:2000], finished_at=timezone.now())
        raise
    finally:
        os.unlink(path)
    report.refresh_from_db()
    return report
