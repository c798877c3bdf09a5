"""Time the roster import: 5,000 rows checked and inserted, then the same file again.

    .venv/bin/python bench/roster_import.py [ROWS]

Runs against the configured database inside a transaction that is rolled back at the end, so
it leaves nothing behind. Prints seconds for: reading and checking the workbook, the first
import (all new), and the second import of the same file (all unchanged).
"""

import datetime
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhangwan.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import translation  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from zhangwan.registry import roster  # noqa: E402
from zhangwan.registry.models import Organization  # noqa: E402
from zhangwan.registry.validators import credit_code_check_char, id_number_check_char  # noqa: E402


class Rollback(Exception):
    pass


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    translation.activate("zh-hans")
    sheet.append(roster.column_labels())
    for n in range(rows):
        born = datetime.date(1975, 1, 1) + datetime.timedelta(days=n % 10000)
        first17 = f"420381{born:%Y%m%d}{n // 10000 + 100:03d}"
        sheet.append([f"测试{n}", first17 + id_number_check_char(first17), f"166{n:08d}", "大专", "2016-01-01",
                      "否", "6-18-02-04", 2010, "2018-03-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes):
    return SimpleUploadedFile("bench.xlsx", data)


def main(rows: int):
    data = workbook(rows)
    print(f"workbook: {rows} rows, {len(data) / 1024:.0f} KiB")
    try:
        with transaction.atomic():
            code = "91420381BENCH0000"
            org = Organization.objects.create(name="基准测试单位", credit_code=code + credit_code_check_char(code),
                                              kind=Organization.Kind.ENTERPRISE)
            started = time.perf_counter()
            checked, errors = roster.read_roster(upload(data), max_bytes=roster.max_upload_bytes())
            print(f"read and check: {time.perf_counter() - started:.2f} s ({len(checked)} rows, {len(errors)} errors)")
            assert not errors, errors[:5]
            for label in ("first import", "same file again"):
                started = time.perf_counter()
                result = roster.import_roster(organization=org, upload=upload(data), user=None,
                                              max_bytes=roster.max_upload_bytes())
                print(f"{label}: {time.perf_counter() - started:.2f} s "
                      f"(created {result.created}, updated {result.updated}, unchanged {result.unchanged})")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
