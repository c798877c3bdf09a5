"""A liaison's roster in Excel: the template, the all-or-nothing import, the export.

The import checks every row first; if any is wrong nothing is written and the caller gets the
list of (row, column, problem). Rows are matched by identity number, so importing the same file
again changes nothing.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhangwan.excel import cell_text, choices_in_both_languages, open_upload
from zhangwan.history import bulk_create_with_history, bulk_update_with_history

from .forms import RosterRowForm
from .models import Employment, Organization, Trade, Worker, WorkerTrade
from .services import transfer_requests_create

COLUMNS = [
    ("name", gettext_lazy("Name"), True),
    ("id_number", gettext_lazy("Identity number"), True),
    ("mobile", gettext_lazy("Mobile"), True),
    ("education", gettext_lazy("Education"), False),
    ("insured_since", gettext_lazy("Unemployment insurance since"), False),
    ("poverty_registered", gettext_lazy("Poverty-alleviation labourer"), False),
    ("trade_code", gettext_lazy("Trade code"), False),
    ("trade_since", gettext_lazy("In the trade since (year)"), False),
    ("employed_since", gettext_lazy("Employed since"), False),
    ("team_leader", gettext_lazy("Team leader"), False),
]
UPDATABLE_FIELDS = ["name", "mobile", "education", "insured_since", "poverty_registered", "team_leader"]
MAX_LISTED_ERRORS = 200


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # rows sent to the union as transfer requests

    @property
    def ok(self):
        return not self.errors


def column_labels() -> list[str]:
    return [str(label) for _key, label, _required in COLUMNS]


def _header_lookup() -> dict[str, str]:
    """Header text in either language → column key."""
    lookup = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for key, label, _required in COLUMNS:
                lookup[str(label).strip().lower()] = key
    return lookup



def read_roster(upload, *, max_bytes: int) -> tuple[list[dict], list[RowError]]:
    """Rows of the workbook as cleaned dicts (with their Excel row number), and every problem."""
    try:
        sheet = open_upload(upload, max_bytes=max_bytes)
    except ValidationError as error:
        return [], [RowError(0, "", error.messages[0])]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header or not any(cell_text(c) for c in header):
        return [], [RowError(1, "", _("The workbook is empty: the first row must hold the column headers."))]
    lookup = _header_lookup()
    labels = {key: str(label) for key, label, _r in COLUMNS}
    positions, errors = {}, []
    for index, cell in enumerate(header):
        text = cell_text(cell)
        if not text:
            continue
        key = lookup.get(text.lower())
        if key is None:
            errors.append(RowError(1, text, _("Unknown column; use the headers of the template.")))
        elif key in positions:
            errors.append(RowError(1, text, _("This column appears twice.")))
        else:
            positions[key] = index
    for key, label, required in COLUMNS:
        if required and key not in positions:
            errors.append(RowError(1, str(label), _("Required column is missing.")))
    if errors:
        return [], errors

    trades = {t.code: t for t in Trade.objects.all()}
    education = choices_in_both_languages(Worker.Education.choices)
    cleaned, seen = [], {}
    for number, values in enumerate(rows, start=2):
        data = {key: cell_text(values[i]) if i < len(values) else "" for key, i in positions.items()}
        if not any(data.values()):
            continue
        raw_id = values[positions["id_number"]] if positions["id_number"] < len(values) else None
        if isinstance(raw_id, (int, float)):
            errors.append(RowError(number, labels["id_number"], _(
                "Identity numbers must be stored as text in Excel; as a number the last digits are lost.")))
            continue
        form = RosterRowForm(data, trades=trades, education_lookup=education)
        if not form.is_valid():
            for key, messages in form.errors.items():
                column = labels.get(key, "")
                errors.extend(RowError(number, column, message) for message in messages)
            continue
        row = form.cleaned_data
        first = seen.setdefault(row["id_number"], number)
        if first != number:
            errors.append(RowError(number, labels["id_number"],
                                   _("The same identity number is already on row %(row)d.") % {"row": first}))
            continue
        row["row"] = number
        cleaned.append(row)
    if not cleaned and not errors:
        errors.append(RowError(2, "", _("The workbook has headers but no rows of workers.")))
    return cleaned, errors


def import_roster(*, organization: Organization, upload, user, max_bytes: int) -> ImportResult:
    rows, errors = read_roster(upload, max_bytes=max_bytes)
    if errors:
        return ImportResult(errors=errors)
    return save_roster(organization=organization, rows=rows, user=user)


@transaction.atomic
def save_roster(*, organization: Organization, rows: list[dict], user) -> ImportResult:
    # One import per organization at a time, so two uploads of one file cannot both insert.
    Organization.objects.select_for_update().get(pk=organization.pk)
    existing = {w.id_number: w for w in Worker.objects.filter(id_number__in=[r["id_number"] for r in rows])}
    # A person the organization may not add itself (on another roster, or on none) is not imported and not
    # refused: the union gets a transfer request, and the liaison learns nothing about where the person is.
    held = [r for r in rows if r["id_number"] in existing and existing[r["id_number"]].employer_id != organization.pk]
    transfer_requests_create(workers=[existing[r["id_number"]] for r in held], organization=organization, user=user)
    rows = [r for r in rows if r not in held]

    today = timezone.localdate()
    result = ImportResult(held=[r["row"] for r in held])
    new_workers, changed = [], []
    for r in rows:
        worker = existing.get(r["id_number"])
        if worker is None:
            worker = Worker(id_number=r["id_number"], employer=organization,
                            **{f: r[f] for f in UPDATABLE_FIELDS})
            worker.fill_derived_fields()
            new_workers.append(worker)
            continue
        if any(getattr(worker, f) != r[f] for f in UPDATABLE_FIELDS):
            for f in UPDATABLE_FIELDS:
                setattr(worker, f, r[f])
            worker.updated_at = timezone.now()  # bulk_update skips auto_now
            changed.append(worker)
        else:
            result.unchanged += 1

    history = {"batch_size": 2000, "user": user, "reason": "roster.import"}
    if new_workers:
        # PostgreSQL returns the new primary keys, so the employments can point at them at once.
        bulk_create_with_history(new_workers, Worker, **history)
        started = {r["id_number"]: r["employed_since"] or today for r in rows}
        employments = [Employment(worker_id=w.pk, organization=organization, started_on=started[w.id_number])
                       for w in new_workers]
        bulk_create_with_history(employments, Employment, **history)
        existing.update({w.id_number: w for w in new_workers})
    if changed:
        bulk_update_with_history(changed, Worker, [*UPDATABLE_FIELDS, "updated_at"], **history)
    result.created, result.updated = len(new_workers), len(changed)
    _add_trades(rows, existing, user)
    return result


def _add_trades(rows, workers_by_id_number, user):
    wanted = {
        (workers_by_id_number[r["id_number"]].pk, r["trade_code"].pk): r["trade_since"]
        for r in rows if r["trade_code"]
    }
    if not wanted:
        return
    have = set(WorkerTrade.objects.filter(worker_id__in={w for w, _t in wanted}).values_list("worker_id", "trade_id"))
    missing = [WorkerTrade(worker_id=w, trade_id=t, started_year=year)
               for (w, t), year in wanted.items() if (w, t) not in have]
    bulk_create_with_history(missing, WorkerTrade, batch_size=2000, user=user, reason="roster.import")


def template_sheets():
    """The empty template and an instructions sheet with the allowed values."""
    education = [str(label) for _v, label in Worker.Education.choices]
    trades = [(t.code, t.name) for t in Trade.objects.all()]
    instructions = [
        [_("Identity numbers"), _("18 characters, stored as text (format the column as Text).")],
        [_("Mobile"), _("11 digits starting with 13 to 19.")],
        [_("Dates"), _("An Excel date or text such as 2022-03-01.")],
        [_("Poverty-alleviation labourer"), _("是 (yes) or 否 (no); empty means no.")],
        [_("Team leader"), _("是 (yes) or 否 (no); empty means no.")],
        [_("Education"), " / ".join(education)],
    ] + [[_("Trade code"), f"{code} {name}"] for code, name in trades]
    return [
        (_("Roster"), column_labels(), [], [14, 22, 14, 16, 16, 12, 14, 12, 14, 10]),
        (_("Instructions"), [_("Column"), _("What to write")], instructions, [24, 80]),
    ]


def max_upload_bytes() -> int:
    return settings.ROSTER_IMPORT_MAX_BYTES
