"""Certificates issued elsewhere, from Excel (all or nothing, with row errors)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhangwan.excel import cell_text, choices_in_both_languages, in_both_languages, open_upload
from zhangwan.registry.models import SkillLevel, Trade, Worker
from zhangwan.registry.roster import RowError
from zhangwan.registry.validators import check_id_number

MAX_BYTES = 5 * 1024 * 1024
COLUMNS = {"number": "Certificate number", "id_number": "Identity number", "trade": "Trade code",
           "level": "Level", "issued_on": "Issued on", "issuer": "Issued by"}
NUMBER_RE = re.compile(r"^[A-Z0-9-]{6,30}$")




def read_certificates(upload) -> tuple[list[dict], list[RowError]]:
    try:
        sheet = open_upload(upload, max_bytes=MAX_BYTES)
    except ValidationError as error:
        return [], [RowError(0, "", error.messages[0])]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(c).lower() for c in (next(rows, None) or [])]
    positions, errors = {}, []
    for key, label in COLUMNS.items():
        index = next((i for i, h in enumerate(header) if h in in_both_languages(label)), None)
        if index is None and key != "issuer":
            errors.append(RowError(1, _(label), _("Required column is missing.")))
        elif index is not None:
            positions[key] = (index, _(label))
    if errors:
        return [], errors
    trades = {t.code: t for t in Trade.objects.all()}
    levels = choices_in_both_languages(SkillLevel.choices)
    raw = []
    for number, values in enumerate(rows, start=2):
        cells = {k: (values[i] if i < len(values) else None) for k, (i, _label) in positions.items()}
        if any(cell_text(v) for v in cells.values()):
            raw.append((number, cells))
    seen, cleaned = {}, []
    for n, cells in raw:
        row, problem = {"row": n}, None
        text = cell_text(cells["number"]).upper()
        if not NUMBER_RE.match(text):
            problem = ("number", _("A certificate number is 6 to 30 letters, digits or dashes."))
        elif text in seen:
            problem = ("number", _("The same number is already on row %(row)d.") % {"row": seen[text]})
        row["number"] = text
        seen.setdefault(text, n)
        if problem is None:
            try:
                row["id_number"] = check_id_number(cell_text(cells["id_number"]))
            except ValidationError as error:
                problem = ("id_number", error.messages[0])
        if problem is None:
            row["trade"] = trades.get(cell_text(cells["trade"]))
            if row["trade"] is None:
                problem = ("trade", _("Unknown trade code."))
        if problem is None:
            row["level"] = levels.get(cell_text(cells["level"]).lower())
            if row["level"] is None:
                problem = ("level", _("Unknown level; write 5, 4, 3, 2 or 1."))
        if problem is None:
            issued = cells["issued_on"]
            if isinstance(issued, datetime.datetime):
                issued = issued.date()
            if not isinstance(issued, datetime.date):
                try:
                    issued = datetime.date.fromisoformat(cell_text(issued))
                except ValueError:
                    issued = None
            if issued is None or issued > datetime.date.today():
                problem = ("issued_on", _("Give the issue date as a date, not in the future."))
            row["issued_on"] = issued
        if problem:
            errors.append(RowError(n, positions[problem[0]][1], problem[1]))
            continue
        row["issuer"] = cell_text(cells.get("issuer"))[:200]
        cleaned.append(row)
    workers = {w.id_number: w for w in Worker.objects.filter(id_number__in=[r["id_number"] for r in cleaned])}
    for row in cleaned:
        row["worker"] = workers.get(row["id_number"])
        if row["worker"] is None:
            errors.append(RowError(row["row"], positions["id_number"][1],
                                   _("No worker of the district has this number.")))
    if not raw:
        errors.append(RowError(2, "", _("The workbook has headers but no rows.")))
    return cleaned, sorted(errors, key=lambda e: e.row)


SCORE_COLUMNS = {"id_number": "Identity number", "theory": "Theory", "practical": "Practical", "review": "Review"}
SCORABLE = ("admitted", "assessed", "passed", "failed")


def read_scores(upload, *, session) -> tuple[list[dict], list[RowError]]:
    """Rows of (application, theory, practical, review) for admitted applicants of this session."""
    from decimal import Decimal, InvalidOperation

    try:
        sheet = open_upload(upload, max_bytes=MAX_BYTES)
    except ValidationError as error:
        return [], [RowError(0, "", error.messages[0])]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(c).lower() for c in (next(rows, None) or [])]
    positions = {key: next((i for i, h in enumerate(header) if h in in_both_languages(label)), None)
                 for key, label in SCORE_COLUMNS.items()}
    if positions["id_number"] is None:
        return [], [RowError(1, _("Identity number"), _("Required column is missing."))]
    applications = {a.worker.id_number: a for a in session.applications.filter(status__in=SCORABLE)
                    .select_related("worker", "certificate")}
    cleaned, errors, seen = [], [], set()
    for n, values in enumerate(rows, start=2):
        cell = {k: (cell_text(values[i]) if i is not None and i < len(values) else "") for k, i in positions.items()}
        if not any(cell.values()):
            continue
        application = applications.get(cell["id_number"].upper())
        if application is None:
            errors.append(RowError(n, _("Identity number"), _("Not an admitted applicant of this session.")))
            continue
        if cell["id_number"].upper() in seen:
            errors.append(RowError(n, _("Identity number"), _("This applicant is already on an earlier row.")))
            continue
        if hasattr(application, "certificate"):
            errors.append(RowError(n, _("Identity number"), _("A certificate has been issued; scores are final.")))
            continue
        seen.add(cell["id_number"].upper())
        row = {"application": application, "row": n}
        for key in ("theory", "practical", "review"):
            text = cell[key]
            try:
                value = Decimal(text) if text else None
            except InvalidOperation:
                value = Decimal(-1)
            if value is not None and (not value.is_finite() or not 0 <= value <= 100):
                errors.append(RowError(n, _(SCORE_COLUMNS[key]), _("Scores are between 0 and 100.")))
            row[key] = value
        cleaned.append(row)
    if not cleaned and not errors:
        errors.append(RowError(2, "", _("The workbook has headers but no rows.")))
    return cleaned, errors
