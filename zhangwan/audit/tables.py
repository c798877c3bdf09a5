"""The activity log's columns: the Excel export (zhangwan/columns.py) and the page's header."""

from django.utils.translation import gettext_lazy as _

from zhangwan.columns import Column, Table


def _when(entry):
    return entry.when.replace(tzinfo=None)


ACTIVITY = Table(_("Activity log"), "activity-log-{today}.xlsx", [
    Column(_("Time"), _when, width=18),
    Column(_("Done by"), "user_name", width=14),
    Column(_("Kind of record"), "model_name", width=14),
    Column(_("Changed record"), "record", width=30),
    Column(_("Operation"), "kind_name", width=8),
    Column(_("What changed"), "changes_text", width=50),
    Column(_("Reason"), "reason_text", width=30),
])
