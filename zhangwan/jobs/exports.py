"""Long list exports as jobs, for any list: the list registers a builder under a name; a small
export is answered in the request, a large one is written by a Celery job with visible progress.

A builder takes the user and the list's filter (a QueryDict) and returns an ``ExportSheet``. It is
called again in the worker with the user who asked, so the worker applies that user's scope and
filter as the page did; the file is theirs alone (views.py answers 404 to anyone else).
"""

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import QueryDict
from django.shortcuts import redirect
from django.utils import timezone, translation
from openpyxl import Workbook

from zhangwan.excel import SheetWriter, title_text, xlsx_response
from zhangwan.progress import progress_table
from zhangwan.transitions import Transitions

from . import step_pause
from .models import ExportJob

EXPORT_STATUS = Transitions(ExportJob, progress_table(ExportJob.Status))

PROGRESS_EVERY = 1000  # rows between two progress updates
# Filter parameters that are not the list's filter.
NOT_FILTER = ("format", "page")


@dataclass
class ExportSheet:
    filename: str
    title: str
    headers: list[str]
    rows: Iterable[tuple]
    count: int
    widths: list[int] | None = None
    formats: list[str | None] | None = None


EXPORTS: dict[str, Callable[..., ExportSheet]] = {}


def register(name: str, build: Callable[..., ExportSheet]) -> None:
    """build(user, params: QueryDict) -> ExportSheet; called from an app's ready()."""
    EXPORTS[name] = build


def filter_params(query: QueryDict) -> str:
    params = query.copy()
    for name in NOT_FILTER:
        params.pop(name, None)
    return params.urlencode()


def export_response(request, name: str):
    """The list's export: the file itself when it is small, else a job started and its page."""
    sheet = EXPORTS[name](request.user, request.GET)
    if sheet.count <= settings.EXPORT_DIRECT_ROWS:
        return xlsx_response(sheet.filename, [(sheet.title, sheet.headers, sheet.rows, sheet.widths, sheet.formats)],
                             made_by=request.user)
    job = export_start(name=name, user=request.user, params=filter_params(request.GET),
                       language=translation.get_language())
    return redirect("jobs:export_detail", pk=job.pk)


def export_start(*, name: str, user, params: str, language: str) -> ExportJob:
    from .tasks import make_export

    if name not in EXPORTS:
        raise KeyError(name)
    job = ExportJob.objects.create(export=name, params=params, language=language, requested_by=user)
    make_export.delay_on_commit(job.pk)
    return job


def export_make(job_id: int) -> ExportJob:
    """Write the job's workbook (again, from the start, if a worker died midway)."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    EXPORT_STATUS.advance(ExportJob.objects.filter(pk=job.pk), ExportJob.Status.RUNNING, rows_done=0, error="")
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        with translation.override(job.language):
            sheet = EXPORTS[job.export](job.requested_by, QueryDict(job.params))
            ExportJob.objects.filter(pk=job.pk).update(rows_total=sheet.count, filename=sheet.filename[:200])
            rows = _write(path, sheet, job)
        with open(path, "rb") as stream:
            job.file.save(f"{job.export}-{job.pk}.xlsx", File(stream), save=False)
        EXPORT_STATUS.advance(
            ExportJob.objects.filter(pk=job.pk), ExportJob.Status.DONE, file=job.file.name, size=os.path.getsize(path),
            rows_total=rows, rows_done=rows, finished_at=timezone.now())
    except Exception as error:
        EXPORT_STATUS.advance(ExportJob.objects.filter(pk=job.pk), ExportJob.Status.FAILED, error=str(error)[:2000],
                              finished_at=timezone.now())
        raise
    finally:
        os.unlink(path)
    job.refresh_from_db()
    return job


def _write(path: str, sheet: ExportSheet, job: ExportJob) -> int:
    """Stream the rows into a write-only workbook at path; the number of rows written."""
    workbook = Workbook(write_only=True)
    writer = SheetWriter(workbook, sheet.title, sheet.headers, sheet.widths, sheet.formats,
                         heading=title_text(sheet.title, made_by=job.requested_by))
    written = 0
    for written, row in enumerate(sheet.rows, start=1):
        writer.append(row)
        if written % PROGRESS_EVERY == 0:
            # Rows added since the count was taken must not break the progress's range.
            ExportJob.objects.filter(pk=job.pk).update(rows_done=written,
                                                       rows_total=Greatest(F("rows_total"), written))
            step_pause()
    writer.finish()
    workbook.save(path)
    return written

