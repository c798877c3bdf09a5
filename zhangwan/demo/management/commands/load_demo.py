import importlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from zhangwan.demo import DIMENSIONS


class Command(BaseCommand):
    help = "Load the demo data of every dimension (safe to run again: only what is missing is added)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="load even under production settings (DEBUG off): creates `admin` and a "
                                 "login per role with the published demo password")

    def handle(self, *args, force=False, **options):
        # The demo logins' password is in the README: on a real database they are open doors.
        production = not settings.DEBUG or settings.SETTINGS_MODULE == "zhangwan.settings_production"
        if production and not force:
            raise CommandError(
                "These are production settings (DEBUG is off): load_demo would create `admin` and a login "
                "per role with the published demo password. Nothing was loaded. Use --force only on a "
                "database that is not in service (a demonstration or benchmark copy).")
        started = time.monotonic()
        for name in DIMENSIONS:
            self.stdout.write(f"{name}:")
            module = importlib.import_module(f"zhangwan.demo.{name}")
            with transaction.atomic():
                module.load(self.stdout.write)
        # Fresh statistics, so the first pages are planned on the data just loaded (autovacuum may be
        # off, or not yet have come round).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
