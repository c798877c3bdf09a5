import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = "Load the demo data of every app (safe to run again: only what is missing is added)."

    def handle(self, *args, **options):
        started = time.monotonic()
        # Apps load in INSTALLED_APPS order, which follows their dependencies.
        for config in apps.get_app_configs():
            if not module_has_submodule(config.module, "demo"):
                continue
            self.stdout.write(f"{config.label}:")
            module = __import__(f"{config.name}.demo", fromlist=["load"])
            with transaction.atomic():
                module.load(self.stdout.write)
        # Fresh statistics, so the first pages are planned on the data just loaded (autovacuum may be
        # off, or not yet have come round).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
