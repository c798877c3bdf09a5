"""The annual Excel report, streamed: openpyxl's write-only mode, rows read from the database in
chunks (``iterator``) and written as they come, so memory stays flat however large the year.

Sheet and column names are in the report's language; numbers are numbers, dates are dates, money
has two places; identity numbers are masked; every detail sheet has a frozen, filtered header.
Every sheet has the platform's title row and print settings (zhangwan/excel.py); the summary prints
on one page with its charts, the detail sheets are fitted to the width and run down as many pages
as they need (they are for reading and filtering on screen, not for paper).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.series import SeriesLabel

from certification.models import Certificate
from competitions.models import Competition, Entry, Tier
from masters.models import Nomination, TalkOrder, TalkTopic
from training.models import Enrollment, TrainingClass
from training.subsidies.models import Claim, Kind
from zhangwan.columns import PLAIN, Column, Table
from zhangwan.excel import HEADER_ROW, RATE, SheetWriter, title_text
from zhangwan.excel import MONEY as MONEY  # the report's money format, for its readers
from zhangwan.registry.models import SkillLevel

from . import figures

CHUNK = 2000


@dataclass
class Sheet:
    table: Table
    rows: Callable[[int], Iterable]  # the year's rows, named as the columns read them


def _label(choices, path: str, empty=None) -> Callable:
    """The choice's label in the report's language (the value itself when it is no longer a choice)."""
    labels = dict(choices)

    def value(row):
        code = getattr(row, path)
        return str(labels.get(code, code)) if code is not None else empty
    return value


def _hours(path: str) -> Callable:
    return lambda row: float(getattr(row, path)) if getattr(row, path) is not None else None


def _yes(path: str) -> Callable:
    return lambda row: _("yes") if getattr(row, path) else ""


def _or_empty(path: str) -> Callable:
    return lambda row: getattr(row, path) or ""


def _id_number(path: str) -> Column:
    return Column(_("Identity number"), path, width=22, masked=True, unmasked_by=None)


def _named(queryset, *fields):
    return queryset.values_list(*fields, named=True).iterator(CHUNK)


# Detail sheets ------------------------------------------------------------------------------

def class_rows(year):
    classes = (TrainingClass.objects.in_year(year).exclude(status=TrainingClass.Status.CANCELLED)
               .annotate(trainees=Count("enrollments", filter=~Q(enrollments__status__in=["cancelled",
                                                                                           "waitlisted"])),
                         completed=Count("enrollments", filter=Q(enrollments__status="completed")))
               .order_by("starts_on", "pk"))
    return _named(classes, "title", "course__trade__name_zh", "course__level", "provider__name", "starts_on",
                  "ends_on", "union_class", "trainees", "completed")


def enrollment_rows(year):
    enrollments = (Enrollment.objects.filter(training_class__starts_on__year=year)
                   .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED])
                   .order_by("training_class__starts_on", "pk"))
    return _named(enrollments, "worker__name", "worker__id_number", "worker__employer__name",
                  "training_class__title", "training_class__starts_on", "status", "attended_hours", "required_hours")


def subsidy_rows(year):
    claims = (Claim.objects.filter(policy__valid_from__year=year).exclude(status=Claim.Status.INELIGIBLE)
              .order_by("policy__kind", "claimed_on", "pk"))
    return _named(claims, "worker__name", "worker__id_number", "worker__employer__name", "policy__kind",
                  "policy__name", "amount", "status", "claimed_on", "batch_id", "batch__payment__paid_on",
                  "batch__payment__reference")


def competition_rows(year):
    entries = (Entry.objects.filter(event__competition__year=year).exclude(status=Entry.Status.WITHDRAWN)
               .order_by("event__competition__starts_on", "event__pk", "bib"))
    return _named(entries, "event__competition__name", "event__competition__level", "event__name", "bib",
                  "worker__name", "team_name", "organization__name", "result__final_score", "result__rank",
                  "result__tier")


def certificate_rows(year):
    certificates = (Certificate.objects.filter(issued_on__year=year, status=Certificate.Status.VALID)
                    .order_by("issued_on", "number"))
    return _named(certificates, "number", "holder__name", "holder__id_number", "trade__name_zh", "level",
                  "issued_on", "source")


def master_rows(year):
    nominations = (Nomination.objects.filter(round__year=year).exclude(status=Nomination.Status.DRAFT)
                   .order_by("rank", "pk"))
    return _named(nominations, "nominee__name", "nominee__id_number", "organization__name", "trade__name_zh",
                  "source", "status", "final_score", "rank", "master_title__number")


def outreach_rows(year):
    talks = (TalkOrder.objects.filter(Q(held_on__year=year) | Q(held_on__isnull=True, preferred_date__year=year))
             .order_by("held_on", "preferred_date", "pk"))
    return _named(talks, "topic__title", "topic__category", "organization__name", "status", "held_on", "speaker",
                  "venue", "attendance")


# Sheet names and columns, translated when the report is written (in its language).
CLASSES = Table(pgettext_lazy("annual report", "Classes"), "", [
    Column(gettext_lazy("Class"), "title", width=40),
    Column(gettext_lazy("Trade"), "course__trade__name_zh", width=18),
    Column(gettext_lazy("Level"), _label(SkillLevel.choices, "course__level", ""), width=16),
    Column(gettext_lazy("Provider"), "provider__name", width=30),
    Column(gettext_lazy("Starts"), "starts_on", width=12),
    Column(gettext_lazy("Ends"), "ends_on", width=12),
    Column(gettext_lazy("Union class"), _yes("union_class"), width=10),
    Column(gettext_lazy("Trainees"), "trainees", width=10),
    Column(gettext_lazy("Completed"), "completed", width=10),
])
ENROLLMENTS = Table(pgettext_lazy("annual report", "Enrollments"), "", [
    Column(gettext_lazy("Name"), "worker__name", width=12),
    _id_number("worker__id_number"),
    Column(gettext_lazy("Employer"), _or_empty("worker__employer__name"), width=30),
    Column(gettext_lazy("Class"), "training_class__title", width=40),
    Column(gettext_lazy("Starts"), "training_class__starts_on", width=12),
    Column(gettext_lazy("Status"), _label(Enrollment.Status.choices, "status"), width=12),
    Column(gettext_lazy("Hours attended"), _hours("attended_hours"), width=12),
    Column(gettext_lazy("Hours required"), _hours("required_hours"), width=12),
])
SUBSIDIES = Table(pgettext_lazy("annual report", "Subsidies"), "", [
    Column(gettext_lazy("Name"), "worker__name", width=12),
    _id_number("worker__id_number"),
    Column(gettext_lazy("Employer"), _or_empty("worker__employer__name"), width=30),
    Column(gettext_lazy("Kind"), _label(Kind.choices, "policy__kind"), width=16),
    Column(gettext_lazy("Policy"), "policy__name", width=30),
    Column(gettext_lazy("Amount (yuan)"), "amount", width=14),
    Column(gettext_lazy("Status"), _label(Claim.Status.choices, "status"), width=12),
    Column(gettext_lazy("Claim date"), "claimed_on", width=12),
    Column(gettext_lazy("Batch"), "batch_id", width=8, number_format=PLAIN),
    Column(gettext_lazy("Paid on"), "batch__payment__paid_on", width=12),
    Column(gettext_lazy("Payment reference"), _or_empty("batch__payment__reference"), width=20),
])
COMPETITIONS = Table(pgettext_lazy("annual report", "Competitions"), "", [
    Column(gettext_lazy("Competition"), "event__competition__name", width=36),
    Column(gettext_lazy("Level"), _label(Competition.Level.choices, "event__competition__level"), width=10),
    Column(gettext_lazy("Event"), "event__name", width=30),
    Column(gettext_lazy("Bib"), "bib", width=6, number_format=PLAIN),
    Column(gettext_lazy("Competitor"), lambda row: row.worker__name or row.team_name, width=14),
    Column(gettext_lazy("Organization"), _or_empty("organization__name"), width=30),
    Column(gettext_lazy("Final score"), "result__final_score", width=10),
    Column(gettext_lazy("Rank"), "result__rank", width=6),
    Column(gettext_lazy("Award"), _label(Tier.choices, "result__tier", ""), width=12),
])
CERTIFICATES = Table(pgettext_lazy("annual report", "Certificates"), "", [
    Column(gettext_lazy("Certificate number"), "number", width=18),
    Column(gettext_lazy("Name"), "holder__name", width=12),
    _id_number("holder__id_number"),
    Column(gettext_lazy("Trade"), "trade__name_zh", width=18),
    Column(gettext_lazy("Level"), _label(SkillLevel.choices, "level"), width=16),
    Column(gettext_lazy("Issued on"), "issued_on", width=12),
    Column(gettext_lazy("Source"), _label(Certificate.Source.choices, "source"), width=14),
])
MASTERS = Table(pgettext_lazy("annual report", "Skills Masters"), "", [
    Column(gettext_lazy("Nominee"), "nominee__name", width=12),
    _id_number("nominee__id_number"),
    Column(gettext_lazy("Organization"), _or_empty("organization__name"), width=30),
    Column(gettext_lazy("Trade"), "trade__name_zh", width=18),
    Column(gettext_lazy("Nominated"), _label(Nomination.Source.choices, "source"), width=14),
    Column(gettext_lazy("Status"), _label(Nomination.Status.choices, "status"), width=12),
    Column(gettext_lazy("Final score"), "final_score", width=10),
    Column(gettext_lazy("Rank"), "rank", width=6),
    Column(gettext_lazy("Title number"), _or_empty("master_title__number"), width=14),
])
OUTREACH = Table(pgettext_lazy("annual report", "Outreach"), "", [
    Column(gettext_lazy("Talk"), "topic__title", width=30),
    Column(gettext_lazy("Category"), _label(TalkTopic.Category.choices, "topic__category"), width=12),
    Column(gettext_lazy("Organization"), "organization__name", width=30),
    Column(gettext_lazy("Status"), _label(TalkOrder.Status.choices, "status"), width=10),
    Column(gettext_lazy("Date"), "held_on", width=12),
    Column(gettext_lazy("Speaker"), "speaker", width=16),
    Column(pgettext_lazy("talk", "Venue"), "venue", width=20),
    Column(pgettext_lazy("talk", "Attendance"), "attendance", width=10),
])

SHEETS = [
    Sheet(CLASSES, class_rows), Sheet(ENROLLMENTS, enrollment_rows), Sheet(SUBSIDIES, subsidy_rows),
    Sheet(COMPETITIONS, competition_rows), Sheet(CERTIFICATES, certificate_rows), Sheet(MASTERS, master_rows),
    Sheet(OUTREACH, outreach_rows),
]


# The summary --------------------------------------------------------------------------------

def write_summary(workbook, year: int, made_by=None, current=None, previous=None) -> int:
    """The headline figures beside last year's, with the change, and two native charts: the whole on one
    landscape page (the charts sit beside the table, inside the print area)."""
    headers = [pgettext("annual report", "Figure"), str(year), str(year - 1), pgettext("annual report", "Change"),
               pgettext("annual report", "Change (%)")]
    report = _("Annual report on skills talent")
    sheet = SheetWriter(workbook, pgettext("annual report", "Summary"), headers, [48, 16, 16, 16, 12],
                        heading=title_text(report, made_by=made_by, year=year), one_page=True)
    current = current or figures.headline(year)
    previous = previous or figures.headline(year - 1)
    for now, before in zip(current, previous, strict=True):
        change = now.value - before.value
        share = WriteOnlyCell(sheet.sheet, value=float(change / before.value) if before.value else None)
        share.number_format = RATE
        sheet.sheet.append([sheet.cell(str(now.label), 0), sheet.cell(now.value, 1), sheet.cell(before.value, 2),
                            sheet.cell(change, 3), share])
        sheet.rows += 1
    keys = [f.key for f in current]
    first = HEADER_ROW + 1  # the first figure's row
    _chart(sheet.sheet, _("Certificates by level"), keys.index("certificates_5") + first,
           keys.index("certificates_1") + first, "G2")
    _chart(sheet.sheet, _("Competitions: workers and winners"), keys.index("participants") + first,
           keys.index("winners") + first, "G19")
    sheet.finish()
    # The charts reach column P and row 35: the printed page holds them with the table.
    sheet.sheet.print_area = f"A1:P{max(HEADER_ROW + len(current), 35)}"
    return len(current)


def _chart(sheet, title, first_row, last_row, anchor):
    """Bars of this year beside last year for the summary rows first_row..last_row."""
    chart = BarChart()
    chart.title = title
    chart.height, chart.width = 7.5, 16
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=first_row, max_row=last_row))
    for series, column in zip(chart.series, ("B", "C"), strict=True):
        series.tx = SeriesLabel(strRef=StrRef(f"'{sheet.title}'!${column}${HEADER_ROW}"))
    chart.set_categories(Reference(sheet, min_col=1, min_row=first_row, max_row=last_row))
    sheet.add_chart(chart, anchor)


def summary_only(path, year: int, made_by=None) -> None:
    """The summary alone, as a workbook: what is printed (or converted to PDF) of the report."""
    workbook = Workbook(write_only=True)
    write_summary(workbook, year, made_by)
    workbook.save(path)


def build(path, year: int, progress=None, made_by=None) -> int:
    """Write the year's report to path; progress(done, total) after each sheet. Returns the detail rows."""
    workbook = Workbook(write_only=True)
    total, rows = len(SHEETS) + 1, 0
    write_summary(workbook, year, made_by)
    if progress:
        progress(1, total)
    report = _("Annual report on skills talent")
    for done, spec in enumerate(SHEETS, start=2):
        title, headers, values, widths, formats = spec.table.sheet(spec.rows(year))
        writer = SheetWriter(workbook, title, headers, widths, formats,
                             heading=title_text(f"{report} · {title}", made_by=made_by, year=year))
        for row in values:
            writer.append(row)
        writer.finish()
        rows += writer.rows - 1
        if progress:
            progress(done, total)
    workbook.save(path)
    return rows
