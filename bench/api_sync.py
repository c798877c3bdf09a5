"""The API's roster sync beside the Excel import of the same rows, and the roster listed page by page
through the API (issue 22).

    .venv/bin/python bench/api_sync.py [--rows 10000] [--batch 500] [--list 30000] [--keep-db]

Creates its own database ``zhangwan_bench_api_<pid>``, migrates it and drops it at the end. Both writes
run in this process through the whole Django stack on equal terms (test client, every middleware, the
liaison's session or token): the Excel file of ROWS new workers uploaded to the roster import page, and
the same number of other new workers POSTed to /api/v1/workers/batch/ in batches of BATCH. Then the
organization's roster is filled up to LIST workers and read through /api/v1/workers/ with the cursor
(pages of 1,000) from the first page to the last.

Targets: the API sync takes at most 2× the Excel import; listing reads at least 2,000 rows/s. The
CPU meter (bench/harness.py) marks a run disturbed by other work on the machine; its figures count
for nothing then. Exit status 1 when a target is missed.
"""

import argparse
import datetime
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

DB_NAME = f"zhangwan_bench_api_{os.getpid()}"
SYNC_RATIO_TARGET = 2.0
LIST_RATE_TARGET = 2000
PAGE = 1000


def id_number(n: int) -> str:
    from zhangwan.registry.validators import id_number_check_char

    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 12000)
    first17 = f"420381{born:%Y%m%d}{n // 12000 + 100:03d}"
    return first17 + id_number_check_char(first17)


def workbook(numbers) -> bytes:
    from django.utils import translation
    from openpyxl import Workbook

    from zhangwan.registry import roster

    book = Workbook()
    sheet = book.active
    with translation.override("zh-hans"):
        sheet.append(roster.column_labels())
    for n in numbers:
        sheet.append([f"测试{n}", id_number(n), f"166{n:08d}", "大专", "2016-01-01", "否", "6-18-02-04", 2010,
                      "2018-03-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def api_rows(numbers):
    return [{"name": f"测试{n}", "id_number": id_number(n), "mobile": f"166{n:08d}", "trade_code": "6-18-02-04",
             "trade_since": 2010} for n in numbers]


def world():
    """The organization, its liaison logged in to a client, and a token of the liaison's."""
    from django.test import Client

    from zhangwan.accounts.roles import Role
    from zhangwan.accounts.tests.factories import UserFactory
    from zhangwan.api.models import Scope
    from zhangwan.api.tokens import token_create
    from zhangwan.registry.models import Organization, Trade
    from zhangwan.registry.validators import credit_code_check_char

    Trade.objects.get_or_create(code="6-18-02-04", defaults={"name": "焊工"})
    code = "91420381BENCH0000"
    organization = Organization.objects.create(name="基准测试单位", credit_code=code + credit_code_check_char(code),
                                               kind=Organization.Kind.ENTERPRISE)
    liaison = UserFactory(username="bench-liaison", role=Role.LIAISON, organization=organization)
    page = Client(HTTP_HOST=harness.HOST)
    page.force_login(liaison)
    _token, secret = token_create(user=liaison, name="HR", scopes=[Scope.READ_ROSTER, Scope.WRITE_ROSTER])
    return organization, page, Client(HTTP_HOST=harness.HOST, HTTP_AUTHORIZATION=f"Bearer {secret}")


def excel_import(page, numbers) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    data = workbook(numbers)
    started = time.perf_counter()
    response = page.post(reverse("registry:roster_import"), {"file": SimpleUploadedFile("roster.xlsx", data)})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    return elapsed


def api_sync(api, numbers, batch) -> float:
    started = time.perf_counter()
    for start in range(0, len(numbers), batch):
        response = api.post("/api/v1/workers/batch/", json.dumps({"workers": api_rows(numbers[start:start + batch])}),
                            content_type="application/json")
        assert response.status_code in (200, 201), (response.status_code, response.content[:300])
    return time.perf_counter() - started


def list_all(api) -> tuple[int, float]:
    started, rows, url, params = time.perf_counter(), 0, "/api/v1/workers/", {"page_size": PAGE}
    while url:
        body = api.get(url, params).json()
        rows += len(body["results"])
        url, params = body.get("next"), {}
    return rows, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--list", type=int, default=30_000)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    harness.setup(DB_NAME)
    harness.create_database(DB_NAME)
    try:
        harness.migrate(DB_NAME)
        from zhangwan.registry.models import Worker

        organization, page, api = world()
        with harness.CpuMeter(db_name=DB_NAME) as writes:
            excel = excel_import(page, range(args.rows))
            sync = api_sync(api, list(range(args.rows, 2 * args.rows)), args.batch)
        ratio = sync / excel
        assert Worker.objects.filter(employer=organization).count() == 2 * args.rows  # both wrote every row
        harness.say(f"Excel import of {args.rows} new workers (roster import page): {excel:.1f} s")
        harness.say(f"API sync of {args.rows} new workers in batches of {args.batch}: {sync:.1f} s "
                    f"= {ratio:.2f}× the import (target ≤ {SYNC_RATIO_TARGET}×) [{writes.line()}]")
        have = Worker.objects.filter(employer=organization).count()
        if have < args.list:
            excel_import(page, range(2 * args.rows, 2 * args.rows + args.list - have))
        with harness.CpuMeter(db_name=DB_NAME) as listing:
            rows, seconds = list_all(api)
        rate = rows / seconds
        harness.say(f"API listing of {rows} workers, pages of {PAGE}: {seconds:.1f} s = {rate:,.0f} rows/s "
                    f"(target ≥ {LIST_RATE_TARGET:,}) [{listing.line()}]")
        met = ratio <= SYNC_RATIO_TARGET and rate >= LIST_RATE_TARGET
        meter = listing if listing.disturbed or not writes.disturbed else writes
        harness.say(meter.verdict(met))
        return 0 if met or meter.disturbed else 1
    finally:
        if not args.keep_db:
            harness.drop_database(DB_NAME)


if __name__ == "__main__":
    sys.exit(main())
