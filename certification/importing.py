"""Certificates issued elsewhere, and the scores of a session, from Excel (all or nothing, with row errors)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhangwan import excel_in
from zhangwan.excel_in import Column, RowError, choices_in_both_languages
from zhangwan.registry.forms import id_number_cell
from zhangwan.registry.models import SkillLevel, Trade, Worker

MAX_BYTES = 5 * 1024 * 1024
NUMBER_RE = re.compile(r"^[A-Z0-9-]{6,30}$")


def certificate_number(value) -> str:
    number = excel_in.cell_text(value).upper()
    if not NUMBER_RE.match(number):
        raise ValidationError(_("A certificate number is 6 to 30 letters, digits or dashes."))
    return number


def issue_date(value) -> datetime.date:
    try:
        issued = excel_in.date(required=True)(value)
    except ValidationError:
        issued = None
    if issued is None or issued > datetime.date.today():
        raise ValidationError(_("Give the issue date as a date, not in the future."))
    return issued


def certificate_columns() -> list[Column]:
    return [
        Column("number", gettext_noop("Certificate number"), certificate_number, required=True, unique=True),
        Column("id_number", gettext_noop("Identity number"), id_number_cell, required=True),
        Column("trade", gettext_noop("Trade code"), excel_in.choice(
            {t.code: t for t in Trade.objects.all()}, required=True, message=_("Unknown trade code.")), required=True),
        Column("level", gettext_noop("Level"), excel_in.choice(
            choices_in_both_languages(SkillLevel.choices), required=True,
            message=_("Unknown level; write 5, 4, 3, 2 or 1.")), required=True),
        Column("issued_on", gettext_noop("Issued on"), issue_date, required=True),
        Column("issuer", gettext_noop("Issued by"), lambda value: excel_in.cell_text(value)[:200]),
    ]


def read_certificates(upload) -> tuple[list[dict], list[RowError]]:
    table = excel_in.read_table(upload, certificate_columns(), max_bytes=MAX_BYTES, first_problem_only=True)
    workers = {w.id_number: w for w in Worker.objects.filter(id_number__in=[r["id_number"] for r in table.rows])}
    for row in table.rows:
        row["worker"] = workers.get(row["id_number"])
        if row["worker"] is None:
            table.refuse(row["row"], "id_number", _("No worker of the district has this number."))
    return table.result()


SCORABLE = ("admitted", "assessed", "passed", "failed")


def score_columns(*, session) -> list[Column]:
    applications = {a.worker.id_number: a for a in session.applications.filter(status__in=SCORABLE)
                    .select_related("worker", "certificate")}

    def applicant(value):
        application = applications.get(excel_in.cell_text(value).upper())
        if application is None:
            raise ValidationError(_("Not an admitted applicant of this session."))
        if hasattr(application, "certificate"):
            raise ValidationError(_("A certificate has been issued; scores are final."))
        return application

    score = excel_in.decimal(min_value=0, max_value=100, message=_("Scores are between 0 and 100."))
    return [
        Column("application", gettext_noop("Identity number"), applicant, required=True, unique=True),
        Column("theory", gettext_noop("Theory"), score),
        Column("practical", gettext_noop("Practical"), score),
        Column("review", gettext_noop("Review"), score),
    ]


def read_scores(upload, *, session) -> tuple[list[dict], list[RowError]]:
    """Rows of (application, theory, practical, review) for admitted applicants of this session."""
    return excel_in.read_table(upload, score_columns(session=session), max_bytes=MAX_BYTES).result()
