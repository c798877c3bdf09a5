"""The annual Excel report: the report job beside raw openpyxl write-only writing the same cells, and
the memory the job adds to a real Celery worker, for a year of 10,000 and of 100,000 detail rows.

    .venv/bin/python bench/reports.py [--rows 100000] [--small 10000] [--repeat 3] [--keep-db]

Needs PostgreSQL and Redis (the servers in $DATABASE_URL and $REDIS_URL, as `make bench` sets them).
Creates its own database ``zhangwan_bench_reports_<pid>``, migrates it and drops it at the end (also
on failure or SIGTERM).

Seeds with bulk_create a year (YEAR) of SMALL detail rows, measures, then tops it up to ROWS and
measures again. The rows are spread like a real year: half enrollments (in classes of 50), a third
training-subsidy claims on them (approved, in paid batches), an eighth certificates, the rest
competition entries with results; every worker with a valid identity number (masked in the file).

At each size, REPEAT rounds of:

    job      zhangwan.reports.workbook.build(path, YEAR): the summary with last year's figures and
             its charts, and every detail sheet read from the database in chunks and streamed
    raw      openpyxl's write-only mode writing the very same cells (values, and the number formats
             of money and dates) that the job wrote, read back from its file once beforehand into
             memory, as fast as openpyxl goes (one formatted cell per column, refilled each row):
             the floor for writing this workbook

The two alternate which goes first.
Then the job through a real worker (``celery worker --pool=solo``, one process):
zhangwan.reports.tasks.make_annual_report, with the worker's resident memory when idle and at its
peak (VmRSS, VmHWM): the job adds peak − idle.

Targets: job ≤ 1.2 × raw (medians, at ROWS); the memory the job adds < 100 MB at ROWS and at most
1.3 × what it adds at SMALL. Exit status 1 if a target or a check failed.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

YEAR = 2024
RATIO_TARGET, MEMORY_TARGET_MB, GROWTH_TARGET = 1.2, 100, 1.3
BATCH = 5000


class Seeder:
    """Adds a year's detail rows in the proportions of a real year; call grow(n) to reach n rows."""

    def __init__(self):
        from competitions.models import Competition, Event
        from training.models import Course
        from training.subsidies.models import Kind, Policy, Rate
        from zhangwan.accounts.models import User
        from zhangwan.registry.models import Organization, Trade

        self.trades = list(Trade.objects.order_by("pk")[:9])
        Organization.objects.bulk_create([Organization(name=f"压测单位{i}", credit_code=f"91420303MA{i:07d}Y")
                                          for i in range(60)])
        self.organizations = list(Organization.objects.filter(name__startswith="压测单位"))
        self.courses = Course.objects.bulk_create([Course(title=f"{t.name_zh}培训", trade=t, level=4, hours=24)
                                                   for t in self.trades])
        self.finance = User.objects.create(username="bench-finance")
        self.approver = User.objects.create(username="bench-approver")
        self.policy = Policy.objects.create(kind=Kind.TRAINING, name="压测培训补贴",
                                            valid_from=datetime.date(YEAR, 1, 1),
                                            valid_to=datetime.date(YEAR, 12, 31), budget=Decimal("1e11"))
        self.rate = Rate.objects.create(policy=self.policy, amount=Decimal("500"))
        contest = Competition.objects.create(name=f"{YEAR}年压测竞赛", year=YEAR, level="district",
                                             starts_on=datetime.date(YEAR, 6, 1), ends_on=datetime.date(YEAR, 6, 2))
        self.events = Event.objects.bulk_create([Event(competition=contest, name=f"{t.name_zh}赛项", trade=t)
                                                 for t in self.trades])
        self.rows, self.serial = 0, 0

    def grow(self, target):
        from certification.models import Certificate
        from competitions.models import Entry, Result
        from training.models import Enrollment, TrainingClass
        from training.subsidies.models import Batch, Claim, Payment
        from zhangwan.registry.models import Worker

        todo = target - self.rows
        if todo <= 0:
            return
        n_enrollments, n_claims = todo // 2, todo // 3
        n_certificates = todo // 8
        n_entries = todo - n_enrollments - n_claims - n_certificates - n_enrollments // 50
        n_workers = n_enrollments
        first = self.serial
        workers = Worker.objects.bulk_create([
            Worker(name=f"职工{first + i}", id_number=number, birth_date=born, gender="M",
                   mobile=f"13{(first + i) % 10**9:09d}", employer=self.organizations[i % len(self.organizations)])
            for i, (born, number) in enumerate(harness.id_numbers(n_workers, first_birthday=datetime.date(
                1965, 1, 1) + datetime.timedelta(days=first)))], batch_size=BATCH)
        self.serial += n_workers
        start = datetime.datetime(YEAR, 1, 1, tzinfo=datetime.UTC)
        classes = TrainingClass.objects.bulk_create([
            TrainingClass(course=self.courses[i % 9], title=f"压测班{first + i}", provider=self.organizations[i % 60],
                          venue="实训楼", capacity=60, registration_opens=start,
                          registration_closes=start + datetime.timedelta(days=3),
                          starts_on=datetime.date(YEAR, 1 + i % 12, 5), ends_on=datetime.date(YEAR, 1 + i % 12, 9),
                          status="finished")
            for i in range(n_enrollments // 50)], batch_size=BATCH)
        enrollments = Enrollment.objects.bulk_create([
            Enrollment(worker=w, training_class=classes[i // 50], status="completed", channel="staff",
                       attended_hours=Decimal("24.0"), required_hours=Decimal("24.0"))
            for i, w in enumerate(workers[: len(classes) * 50])], batch_size=BATCH)
        batch = Batch.objects.create(policy=self.policy, status="paid", created_by=self.finance,
                                     approved_by=self.approver, claim_count=n_claims,
                                     total=Decimal(500) * n_claims)
        Payment.objects.create(batch=batch, paid_on=datetime.date(YEAR + 1, 1, 20), reference=f"BENCH{batch.pk}",
                               amount=batch.total, recorded_by=self.finance)
        Claim.objects.bulk_create([
            Claim(policy=self.policy, worker_id=e.worker_id, enrollment=e, trade=self.trades[0], level=4,
                  rate=self.rate, amount=Decimal("500.00"), status="approved", claimed_on=datetime.date(YEAR, 12, 31),
                  # A batched claim carries its payee, frozen when the batch was made.
                  batch=batch, payee_name="压测收款人", payee_bank_name="中国工商银行",
                  payee_bank_account="6217000000000000") for e in enrollments[:n_claims]], batch_size=BATCH)
        Certificate.objects.bulk_create([
            Certificate(number=f"B{YEAR}{first + i:09d}", holder=w, trade=self.trades[i % 9], level=5 - i % 3,
                        issued_on=datetime.date(YEAR, 1 + i % 12, 1 + i % 28), source="assessment")
            for i, w in enumerate(workers[:n_certificates])], batch_size=BATCH)
        entrants = workers[-n_entries:]
        entries = Entry.objects.bulk_create([
            Entry(event=self.events[i % 9], worker=w, organization_id=w.employer_id, bib=first + i + 1)
            for i, w in enumerate(entrants)], batch_size=BATCH)
        Result.objects.bulk_create([Result(entry=e, final_score=Decimal(60 + i % 40), rank=i + 1,
                                           tier="third" if i % 10 == 0 else "") for i, e in enumerate(entries)],
                                   batch_size=BATCH)
        self.rows += len(classes) + len(enrollments) + n_claims + n_certificates + len(entries)
        harness.vacuum("training_enrollment", "subsidies_claim", "certification_certificate", "competitions_entry")


def read_cells(path):
    """Every sheet's rows as the cells to write: (title, [[value or (value, number format)]])."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            rows.append([(c.value, c.number_format) if c.number_format != "General" else c.value for c in row])
        sheets.append((sheet.title, rows))
    return sheets


def write_raw(sheets, path):
    """The cells written with openpyxl alone, as fast as it goes: one formatted cell per column and
    format, filled again row after row (a write-only sheet writes each row as it is appended)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, rows in sheets:
        ws, formatted = book.create_sheet(title), {}
        for row in rows:
            cells = []
            for column, value in enumerate(row):
                if isinstance(value, tuple):
                    cell = formatted.get((column, value[1]))
                    if cell is None:
                        cell = formatted[column, value[1]] = WriteOnlyCell(ws)
                        cell.number_format = value[1]
                    cell.value = value[0]
                    cells.append(cell)
                else:
                    cells.append(value)
            ws.append(cells)
    book.save(path)


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def through_worker(db_name):
    from zhangwan.accounts.models import User
    from zhangwan.reports.models import AnnualReport
    from zhangwan.reports.tasks import make_annual_report

    with harness.Worker(db_name, "reports") as worker:
        time.sleep(1)
        _peak, idle = worker.memory()
        report = AnnualReport.objects.create(year=YEAR, language="zh-hans", steps_total=8,
                                             requested_by=User.objects.get(username="bench-finance"))
        started = time.perf_counter()
        make_annual_report.apply_async(args=[report.pk], queue=worker.queue)
        while AnnualReport.objects.filter(pk=report.pk, status__in=["queued", "running"]).exists():
            if not worker.alive():
                raise RuntimeError(f"the worker died:\n{worker.log_text()[-3000:]}")
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        peak, _current = worker.memory()
        report.refresh_from_db()
        if report.status != "done":
            raise RuntimeError(f"the report failed: {report.error}")
        return {"seconds": seconds, "idle": idle, "peak": peak, "added": peak - idle, "rows": report.rows}


def measure(size, repeat, failures):
    from zhangwan.reports import workbook

    job, raw = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(1, repeat + 1):
            path, copy = os.path.join(tmp, "job.xlsx"), os.path.join(tmp, "raw.xlsx")
            if n == 1:
                workbook.build(path, YEAR)
                cells = read_cells(path)
            # Alternately one first, then the other, so neither always runs on a warmer machine.
            if n % 2:
                t_job, rows = timed(workbook.build, path, YEAR)
                t_raw, _ = timed(write_raw, cells, copy)
            else:
                t_raw, _ = timed(write_raw, cells, copy)
                t_job, rows = timed(workbook.build, path, YEAR)
            job.append(t_job)
            raw.append(t_raw)
            harness.say(f"  {size:>7,} rows, run {n}: job {t_job:6.2f} s ({rows:,} detail rows), raw {t_raw:6.2f} s, "
                        f"ratio {t_job / t_raw:.2f}×")
            if rows < size * 0.97:
                failures.append(f"{size} rows asked, the report has {rows}")
    return statistics.median(job), statistics.median(raw)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database at the end")
    args = parser.parse_args()
    db_name = f"zhangwan_bench_reports_{os.getpid()}"
    harness.setup(db_name)
    failures, results = [], {}
    with harness.throwaway_database(db_name, keep=args.keep_db):
        when = harness.stamp()
        seeder = Seeder()
        for size in (args.small, args.rows):
            started = time.perf_counter()
            seeder.grow(size)
            harness.say(f"seeded {seeder.rows:,} detail rows in {time.perf_counter() - started:.1f} s")
            with harness.CpuMeter(db_name=db_name) as meter:
                job, raw = measure(size, args.repeat, failures)
            harness.say(f"  {meter.line()}")
            worker = through_worker(db_name)
            harness.say(f"  through a Celery worker: {worker['seconds']:.1f} s, idle {worker['idle'] / 1024:.0f} MB, "
                        f"peak {worker['peak'] / 1024:.0f} MB: the job adds {worker['added'] / 1024:.1f} MB")
            results[size] = {"job": job, "raw": raw, "meter": meter, **worker}
        big, small = results[args.rows], results[args.small]
        ratio = big["job"] / big["raw"]
        growth = big["added"] / max(small["added"], 1)
        verdict = harness.judge(failures, big["meter"], ratio <= RATIO_TARGET, "job / raw openpyxl",
                                f"the job takes {ratio:.2f}× raw openpyxl (target ≤ {RATIO_TARGET}×)")
        harness.say(f"\nat {args.rows:,} rows: job {big['job']:.2f} s, raw openpyxl {big['raw']:.2f} s: "
                    f"{ratio:.2f}× (target ≤ {RATIO_TARGET}×): {verdict}")
        harness.say(f"memory the job adds: {small['added'] / 1024:.1f} MB at {args.small:,} rows, "
                    f"{big['added'] / 1024:.1f} MB at {args.rows:,} rows: {growth:.2f}× "
                    f"(targets < {MEMORY_TARGET_MB} MB, ≤ {GROWTH_TARGET}×)")
        harness.say(when)
        if big["added"] / 1024 >= MEMORY_TARGET_MB:
            failures.append(f"the job adds {big['added'] / 1024:.0f} MB (target < {MEMORY_TARGET_MB} MB)")
        if growth > GROWTH_TARGET:
            failures.append(f"memory grows {growth:.2f}× from {args.small:,} to {args.rows:,} rows "
                            f"(target ≤ {GROWTH_TARGET}×)")
    sys.exit(harness.finish(failures))


if __name__ == "__main__":
    main()
