"""Results of competitions held elsewhere, typed in or imported from Excel (all or nothing)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhangwan import excel_in
from zhangwan.excel_in import Column, RowError, choices_in_both_languages
from zhangwan.registry.forms import id_number_cell
from zhangwan.registry.models import Worker

from .models import Tier

MAX_BYTES = 5 * 1024 * 1024
MAX_RANK = 100_000


def result_columns() -> list[Column]:
    return [
        Column("id_number", gettext_noop("Identity number"), id_number_cell, required=True),
        Column("rank", gettext_noop("Rank"), excel_in.integer(min_value=1, max_value=MAX_RANK, message=_(
            "A rank is a whole number from 1 to %(max)d.") % {"max": MAX_RANK})),
        Column("tier", gettext_noop("Award"), excel_in.choice(
            choices_in_both_languages(Tier.choices), empty="", message=_("Unknown award; write one of: %(values)s.")
            % {"values": " / ".join(str(label) for _v, label in Tier.choices)})),
        Column("title", gettext_noop("Title"), lambda value: excel_in.cell_text(value)[:100]),
    ]


def read_results(upload) -> tuple[list[dict], list[RowError]]:
    return check_workers(excel_in.read_table(upload, result_columns(), max_bytes=MAX_BYTES,
                                              first_problem_only=True))


def check_rows(raw: list[dict]) -> tuple[list[dict], list[RowError]]:
    """Rows typed into the page's form, each with its "row" number, checked as the workbook's are."""
    table = excel_in.Table(result_columns())
    excel_in.parse_rows(table, ((row["row"], row) for row in raw), first_problem_only=True)
    return check_workers(table)


def check_workers(table: excel_in.Table) -> tuple[list[dict], list[RowError]]:
    workers = {w.id_number: w for w in Worker.objects.filter(id_number__in=[r["id_number"] for r in table.rows])
               .select_related("employer")}
    for row in table.rows:
        row["worker"] = workers.get(row["id_number"])
        if row["worker"] is None or row["worker"].employer is None:
            table.refuse(row["row"], "id_number", _("No worker of the district has this number."))
    return table.result()
