from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from zhangwan.query import FIRST_YEAR, LAST_YEAR
from zhangwan.reports import workbook


class Command(BaseCommand):
    help = "Write the annual Excel report of a year to a file (what the report page makes, without the queue)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--language", default="zh-hans", help="zh-hans (default) or en")

    def handle(self, *args, year, output, language, **options):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(f"the year must be from {FIRST_YEAR} to {LAST_YEAR}")
        with translation.override(language):
            rows = workbook.build(output, year)
        self.stdout.write(f"{output}: the {year} report, {rows} detail rows")
