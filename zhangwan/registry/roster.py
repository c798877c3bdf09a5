"""A liaison's roster in Excel: the template, the all-or-nothing import, the export.

The import checks every row first; if any is wrong nothing is written and the caller gets the
list of (row, column, problem). Rows are matched by identity number, so importing the same file
again changes nothing.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhangwan import excel_in
from zhangwan.excel import PLAIN, TEXT
from zhangwan.excel_in import Column, RowError, choices_in_both_languages
from zhangwan.history import bulk_create_with_history, bulk_update_with_history

from .forms import MobileField, id_number_cell
from .models import Employment, Organization, Trade, Worker, WorkerTrade
from .services import transfer_requests_create


def roster_columns(*, trades: dict[str, Trade]) -> list[Column]:
    """The roster workbook's columns, in the template's order; trades: code → trade."""
    return [
        Column("name", gettext_noop("Name"), excel_in.text(required=True, max_length=50), required=True),
        Column("id_number", gettext_noop("Identity number"), id_number_cell, required=True, unique=True),
        Column("mobile", gettext_noop("Mobile"), excel_in.form_field(MobileField()), required=True),
        Column("education", gettext_noop("Education"), excel_in.choice(
            choices_in_both_languages(Worker.Education.choices), empty=Worker.Education.SENIOR,
            message=_("Unknown education; use one of the values on the instructions sheet."))),
        Column("insured_since", gettext_noop("Unemployment insurance since"), excel_in.date()),
        Column("poverty_registered", gettext_noop("Poverty-alleviation labourer"), excel_in.yes_no(empty=False)),
        Column("trade_code", gettext_noop("Trade code"), excel_in.choice(
            trades, message=_("Unknown trade code; use one from the instructions sheet."))),
        Column("trade_since", gettext_noop("In the trade since (year)"),
               excel_in.integer(min_value=1950, max_value=2100)),
        Column("employed_since", gettext_noop("Employed since"), excel_in.date()),
        Column("team_leader", gettext_noop("Team leader"), excel_in.yes_no(empty=False)),
    ]


UPDATABLE_FIELDS = ["name", "mobile", "education", "insured_since", "poverty_registered", "team_leader"]
MAX_LISTED_ERRORS = 200


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
    return [column.title() for column in roster_columns(trades={})]


def _columns() -> list[Column]:
    return roster_columns(trades={t.code: t for t in Trade.objects.all()})


def _checked(table: excel_in.Table) -> tuple[list[dict], list[RowError]]:
    """The rules across a row's columns, then the rows only if every one is clean (all or nothing)."""
    for row in table.rows:
        if row["trade_code"] and not row["trade_since"]:
            table.refuse(row["row"], "trade_since", _("Give the year the worker started in this trade."))
    return table.result()


def read_roster(upload, *, max_bytes: int) -> tuple[list[dict], list[RowError]]:
    """Rows of the workbook as cleaned dicts (with their Excel row number), or every problem."""
    return _checked(excel_in.read_table(upload, _columns(), max_bytes=max_bytes, other_columns=False))


def read_records(records: list[dict]) -> tuple[list[dict], list[RowError]]:
    """The same rows sent as records ({column key: value}, numbered from 1, e.g. by the API), checked
    exactly as the workbook's cells are; keys that are no column are refused."""
    table = excel_in.Table(_columns())
    keys = {column.key for column in table.columns}
    for number, record in enumerate(records, start=1):
        for unknown in sorted(set(record) - keys):
            table.errors.append(RowError(number, unknown, _("Unknown column; use the headers of the template.")))
    return _checked(excel_in.parse_rows(table, enumerate(records, start=1)))


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


# The identity number's column Text-formatted in the template and the export; the trade's year as it is.
FORMATS = [None, TEXT, None, None, None, None, None, PLAIN]
WIDTHS = [14, 22, 14, 16, 16, 12, 14, 12, 14, 10]


def template_sheets(workers=None):
    """The template and an instructions sheet with the allowed values; with workers, the template
    filled in with them (a liaison's own export, which imports back unchanged)."""
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
    rows = template_rows(workers) if workers is not None else []
    return [
        (_("Roster"), column_labels(), rows, WIDTHS, FORMATS),
        (_("Instructions"), [_("Column"), _("What to write")], instructions, [24, 80]),
    ]


def template_rows(workers):
    """One row per worker in the template's columns, as read_roster reads them back: the whole identity
    number, the education's label, 是 / 否, the first trade (a worker of several trades keeps the others:
    an import only adds trades) and the current employment's start. One query, whatever the count: the
    trade and the employment come as subqueries of each row, and rows as tuples, not model instances
    (3,600 workers of a liaison's organization: issue 21)."""
    first_trade = WorkerTrade.objects.filter(worker=OuterRef("pk")).order_by("started_year", "pk")
    current = Employment.objects.filter(worker=OuterRef("pk"), ended_on__isnull=True).order_by("-started_on", "-pk")
    rows = (workers.order_by("name", "pk")
            .annotate(trade_code=Subquery(first_trade.values("trade__code")[:1]),
                      trade_since=Subquery(first_trade.values("started_year")[:1]),
                      employed_since=Subquery(current.values("started_on")[:1]))
            .values_list("name", "id_number", "mobile", "education", "insured_since", "poverty_registered",
                         "trade_code", "trade_since", "employed_since", "team_leader"))
    education = {value: str(label) for value, label in Worker.Education.choices}
    yes, no = _("Yes"), _("No")
    for (name, id_number, mobile, level, insured_since, poverty, code, since, employed, leader) in rows.iterator(
            chunk_size=2000):
        yield [name, id_number, mobile, education.get(level, level), insured_since, yes if poverty else no, code,
               since, employed, yes if leader else no]


def max_upload_bytes() -> int:
    return settings.ROSTER_IMPORT_MAX_BYTES
