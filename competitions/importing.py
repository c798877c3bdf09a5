"""Results of competitions held elsewhere, typed in or imported from Excel (all or nothing)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhangwan.excel import cell_text, choices_in_both_languages, in_both_languages, open_upload
from zhangwan.registry.models import Worker
from zhangwan.registry.roster import RowError
from zhangwan.registry.validators import check_id_number

from .models import Tier

MAX_BYTES = 5 * 1024 * 1024
MAX_RANK = 100_000
COLUMNS = {"id_number": "Identity number", "rank": "Rank", "tier": "Award", "title": "Title"}




def read_results(upload) -> tuple[list[dict], list[RowError]]:
    try:
        sheet = open_upload(upload, max_bytes=MAX_BYTES)
    except ValidationError as error:
        return [], [RowError(0, "", error.messages[0])]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(c).lower() for c in (next(rows, None) or [])]
    positions = {}
    for key, label in COLUMNS.items():
        names = in_both_languages(label)
        index = next((i for i, h in enumerate(header) if h in names), None)
        if index is not None:
            positions[key] = index
    if "id_number" not in positions:
        return [], [RowError(1, _("Identity number"), _("Required column is missing."))]
    raw = []
    for number, values in enumerate(rows, start=2):
        data = {k: cell_text(values[i]) if i < len(values) else "" for k, i in positions.items()}
        if any(data.values()):
            raw.append({**data, "row": number})
    if not raw:
        return [], [RowError(2, "", _("The workbook has headers but no rows."))]
    return check_rows(raw)


def check_rows(raw: list[dict]) -> tuple[list[dict], list[RowError]]:
    tiers = choices_in_both_languages(Tier.choices)
    errors, cleaned, numbers = [], [], {}
    for row in raw:
        n = row["row"]
        try:
            id_number = check_id_number(str(row.get("id_number", "")).strip())
        except ValidationError as error:
            errors.append(RowError(n, _("Identity number"), error.messages[0]))
            continue
        rank = row.get("rank")
        if rank in ("", None):
            rank = None
        else:
            try:
                rank = int(rank)
                if not 1 <= rank <= MAX_RANK:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(RowError(n, _("Rank"), _("A rank is a whole number from 1 to %(max)d.")
                                       % {"max": MAX_RANK}))
                continue
        tier_text = str(row.get("tier") or "").strip().lower()
        if tier_text and tier_text not in tiers:
            errors.append(RowError(n, _("Award"), _("Unknown award; write one of: %(values)s.")
                                   % {"values": " / ".join(str(label) for _v, label in Tier.choices)}))
            continue
        numbers[id_number] = n
        cleaned.append({"id_number": id_number, "rank": rank, "tier": tiers.get(tier_text, ""),
                        "title": str(row.get("title") or "")[:100], "row": n})
    workers = {w.id_number: w for w in Worker.objects.filter(id_number__in=numbers).select_related("employer")}
    for row in cleaned:
        worker = workers.get(row["id_number"])
        if worker is None or worker.employer is None:
            errors.append(RowError(row["row"], _("Identity number"), _("No worker of the district has this number.")))
        row["worker"] = worker
    return cleaned, sorted(errors, key=lambda e: e.row)
