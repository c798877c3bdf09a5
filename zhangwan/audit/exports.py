"""The activity log's Excel export, registered with the shared export jobs (zhangwan/jobs/exports.py):
the same filter as the page; a long log is written by a job, a page of the UNION at a time."""

from django.core.exceptions import PermissionDenied

from zhangwan.accounts.roles import Role, has_role
from zhangwan.jobs.exports import ExportSheet, register

from . import log, tables
from .forms import ActivityFilterForm

ACTIVITY = "activity-log"
CHUNK = 1000
READERS = (Role.AUDITOR,)


def _rows(union, count, user):
    for start in range(0, count, CHUNK):
        yield from tables.ACTIVITY.rows(log.decorate(union[start:start + CHUNK], user), user)


def activity_export(user, params) -> ExportSheet:
    if not has_role(user, *READERS):
        raise PermissionDenied
    union = log.entries(ActivityFilterForm(params).filters())
    count = union.count() if union is not None else 0
    table = tables.ACTIVITY
    return ExportSheet(filename=table.name(), title=str(table.title), headers=table.headers(),
                       rows=_rows(union, count, user) if count else iter(()), count=count, widths=table.widths())


register(ACTIVITY, activity_export)
