"""Staff applying for a list of certificates: the certificate numbers read from Excel."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certification.models import Certificate
from zhangwan import excel_in
from zhangwan.excel_in import Column, RowError

COLUMNS = [Column("number", gettext_noop("Certificate number"), excel_in.text(required=True, max_length=40),
                  required=True, unique=True)]


def read_numbers(upload) -> tuple[list[str], list[RowError]]:
    """The workbook's certificate numbers, or every problem (unknown numbers among them)."""
    table = excel_in.read_table(upload, COLUMNS, max_bytes=settings.ROSTER_IMPORT_MAX_BYTES)
    known = set(Certificate.objects.filter(number__in=[r["number"] for r in table.rows])
                .values_list("number", flat=True))
    for row in table.rows:
        if row["number"] not in known:
            table.refuse(row["row"], "number", _("No certificate has this number."))
    rows, errors = table.result()
    return [r["number"] for r in rows], errors
