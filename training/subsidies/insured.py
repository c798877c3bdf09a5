"""The social-insurance office's list of unemployment-insurance periods, imported from Excel.

One row a period: identity number, insured from, insured to (empty while the worker still pays).
All or nothing (zhangwan/excel_in.py); the workers the file lists get exactly the file's periods
(their earlier ones are replaced, with history), so importing the same file again changes nothing
but the history."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhangwan import excel_in
from zhangwan.excel_in import Column, RowError
from zhangwan.history import bulk_create_with_history, delete_many_with_history
from zhangwan.registry.forms import id_number_cell
from zhangwan.registry.models import Worker

from .models import InsuredPeriod

COLUMNS = [
    Column("id_number", gettext_noop("Identity number"), id_number_cell, required=True),
    Column("start", gettext_noop("Insured from"), excel_in.date(required=True), required=True),
    Column("end", gettext_noop("Insured to"), excel_in.date(), required=True),
]
MAX_LISTED_ERRORS = 200


@dataclass
class ImportResult:
    workers: int = 0
    periods: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def read_periods(upload) -> tuple[list[dict], list[RowError]]:
    table = excel_in.read_table(upload, COLUMNS, max_bytes=settings.ROSTER_IMPORT_MAX_BYTES)
    workers = dict(Worker.objects.filter(id_number__in={r["id_number"] for r in table.rows})
                   .values_list("id_number", "pk"))
    by_worker: dict[str, list[dict]] = {}
    for row in table.rows:
        if row["id_number"] not in workers:
            table.refuse(row["row"], "id_number", _("No worker with this identity number is registered."))
            continue
        if row["end"] and row["end"] < row["start"]:
            table.refuse(row["row"], "end", _("The period ends before it starts."))
            continue
        row["worker_id"] = workers[row["id_number"]]
        by_worker.setdefault(row["id_number"], []).append(row)
    for rows in by_worker.values():
        rows.sort(key=lambda r: r["start"])
        for before, after in zip(rows, rows[1:], strict=False):
            if before["end"] is None or before["end"] >= after["start"]:
                table.refuse(after["row"], "start", _("This period overlaps row %(row)d of the same worker.")
                             % {"row": before["row"]})
    return table.result()


def import_periods(*, upload, user) -> ImportResult:
    rows, errors = read_periods(upload)
    if errors:
        return ImportResult(errors=errors)
    return save_periods(rows=rows, user=user)


@transaction.atomic
def save_periods(*, rows: list[dict], user) -> ImportResult:
    worker_ids = sorted({r["worker_id"] for r in rows})
    # The workers' rows are locked so two imports of one list cannot interleave.
    list(Worker.objects.select_for_update().filter(pk__in=worker_ids).values_list("pk", flat=True))
    delete_many_with_history(InsuredPeriod.objects.filter(worker_id__in=worker_ids), user=user,
                             reason="insured.imported")
    periods = [InsuredPeriod(worker_id=r["worker_id"], start=r["start"], end=r["end"]) for r in rows]
    bulk_create_with_history(periods, InsuredPeriod, user=user, reason="insured.imported", batch_size=2000)
    return ImportResult(workers=len(worker_ids), periods=len(periods))
