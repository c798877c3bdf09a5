"""Bank details for workers who never log in, imported from Excel by their organization's liaison.

One row a worker: identity number, name (checked against the number), bank, account number. All or
nothing (zhangwan/excel_in.py): a row naming a worker outside the liaison's organization, a name that
does not match, or a malformed account refuses the whole file. Saved set-based with one history row
per changed worker (reason "worker.bank_details_imported"); workers with an account and finance (for
batches not yet paid) are told as when a worker changes their own details (services)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font

from zhangwan.excel_in import Column, RowError, cell_text, read_table
from zhangwan.history import bulk_update_with_history
from zhangwan.registry.forms import id_number_cell
from zhangwan.registry.models import Worker
from zhangwan.registry.validators import validate_bank_account

from .services import tell_bank_details_changed


def _account(value) -> str:
    if isinstance(value, (int, float)):
        raise ValidationError(_("Account numbers must be stored as text in Excel; as a number the last digits "
                                "are lost."))
    text = cell_text(value).replace(" ", "")
    validate_bank_account(text)
    return text


def _bank_name(value) -> str:
    text = cell_text(value)
    if not text:
        raise ValidationError(_("Give the bank."))
    if len(text) > 100:
        raise ValidationError(_("At most 100 characters."))
    return text


COLUMNS = [
    Column("id_number", gettext_noop("Identity number"), id_number_cell, required=True, unique=True),
    Column("name", gettext_noop("Name"), required=True),
    Column("bank_name", gettext_noop("Bank"), _bank_name, required=True),
    Column("bank_account", gettext_noop("Bank account number"), _account, required=True),
]
MAX_LISTED_ERRORS = 200
TEMPLATE_ROWS = 500


@dataclass
class ImportResult:
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def read_bank_details(upload, roster) -> tuple[list[dict], list[RowError]]:
    """roster: the workers this user may give details for (the liaison's organization's)."""
    table = read_table(upload, COLUMNS, max_bytes=settings.ROSTER_IMPORT_MAX_BYTES)
    known = {w.id_number: w for w in roster.filter(id_number__in={r["id_number"] for r in table.rows})
             .only("pk", "id_number", "name")}
    for row in table.rows:
        worker = known.get(row["id_number"])
        if worker is None:
            table.refuse(row["row"], "id_number", _("No worker of your organization has this identity number."))
        elif worker.name != row["name"].strip():
            table.refuse(row["row"], "name", _("This identity number belongs to %(name)s.") % {"name": worker.name})
        else:
            row["worker_id"] = worker.pk
    return table.result()


def import_bank_details(*, upload, roster, user) -> ImportResult:
    rows, errors = read_bank_details(upload, roster)
    if errors:
        return ImportResult(errors=errors)
    return save_bank_details(rows=rows, user=user)


@transaction.atomic
def save_bank_details(*, rows: list[dict], user) -> ImportResult:
    # The workers' rows are locked, as for one worker's change: a batch being made freezes the details
    # either before or after this import.
    workers = {w.pk: w for w in Worker.objects.select_related("user").select_for_update(of=("self",))
               .filter(pk__in=sorted(r["worker_id"] for r in rows)).order_by("pk")}
    now, changed = timezone.now(), []
    for row in rows:
        worker = workers[row["worker_id"]]
        if (worker.bank_name, worker.bank_account) != (row["bank_name"], row["bank_account"]):
            worker.bank_name, worker.bank_account, worker.updated_at = row["bank_name"], row["bank_account"], now
            changed.append(worker)
    bulk_update_with_history(changed, Worker, ["bank_name", "bank_account", "updated_at"], user=user,
                             reason="worker.bank_details_imported", batch_size=1000)
    tell_bank_details_changed(changed, by_worker=False)
    return ImportResult(changed=len(changed), unchanged=len(rows) - len(changed))


def template_bytes() -> bytes:
    """The empty template: headers in the user's language, the identity number and account columns
    formatted as text (as numbers Excel would keep only 15 digits)."""
    import io

    book = Workbook()
    sheet = book.active
    sheet.title = _("Bank details")
    sheet.append([column.title() for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (22, 12, 24, 26), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in range(2, TEMPLATE_ROWS + 2):
        for letter in ("A", "D"):
            sheet[f"{letter}{row}"].number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
