"""The annual Excel report, streamed: openpyxl's write-only mode, rows read from the database in
chunks (``iterator``) and written as they come, so memory stays flat however large the year.

Sheet and column names are in the report's language; numbers are numbers, dates are dates, money
has two places; identity numbers are masked; every detail sheet has a frozen, filtered header.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
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
from zhangwan.excel import MONEY as MONEY  # the report's money format, for its readers
from zhangwan.excel import SheetWriter
from zhangwan.registry.models import SkillLevel
from zhangwan.registry.validators import mask_id_number

from . import figures

CHUNK = 2000
PERCENT = "0.0%"


@dataclass
class Sheet:
    title: Callable[[], str]
    headers: Callable[[], list[str]]
    widths: list[int]
    rows: Callable[[int], Iterable[tuple]]


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def _hours(value):
    return float(value) if value is not None else None


def _yes(flag) -> str:
    return _("yes") if flag else ""


# Detail sheets ------------------------------------------------------------------------------

def class_rows(year):
    classes = (TrainingClass.objects.in_year(year).exclude(status=TrainingClass.Status.CANCELLED)
               .annotate(trainees=Count("enrollments", filter=~Q(enrollments__status__in=["cancelled",
                                                                                           "waitlisted"])),
                         completed=Count("enrollments", filter=Q(enrollments__status="completed")))
               .order_by("starts_on", "pk")
               .values_list("title", "course__trade__name_zh", "course__level", "provider__name", "starts_on",
                            "ends_on", "union_class", "trainees", "completed"))
    levels = _labels(SkillLevel.choices)
    for title, trade, level, provider, starts, ends, union, trainees, completed in classes.iterator(CHUNK):
        yield title, trade, levels.get(level, ""), provider, starts, ends, _yes(union), trainees, completed


def enrollment_rows(year):
    statuses = _labels(Enrollment.Status.choices)
    enrollments = (Enrollment.objects.filter(training_class__starts_on__year=year)
                   .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED])
                   .order_by("training_class__starts_on", "pk")
                   .values_list("worker__name", "worker__id_number", "worker__employer__name",
                                "training_class__title", "training_class__starts_on", "status",
                                "attended_hours", "required_hours"))
    for name, id_number, employer, title, starts, status, attended, required in enrollments.iterator(CHUNK):
        yield (name, mask_id_number(id_number), employer or "", title, starts, statuses.get(status, status),
               _hours(attended), _hours(required))


def subsidy_rows(year):
    kinds, statuses = _labels(Kind.choices), _labels(Claim.Status.choices)
    claims = (Claim.objects.filter(policy__valid_from__year=year).exclude(status=Claim.Status.INELIGIBLE)
              .order_by("policy__kind", "claimed_on", "pk")
              .values_list("worker__name", "worker__id_number", "worker__employer__name", "policy__kind",
                           "policy__name", "amount", "status", "claimed_on", "batch_id", "batch__payment__paid_on",
                           "batch__payment__reference"))
    for name, id_number, employer, kind, policy, amount, status, claimed, batch, paid_on, reference in \
            claims.iterator(CHUNK):
        yield (name, mask_id_number(id_number), employer or "", kinds.get(kind, kind), policy, amount,
               statuses.get(status, status), claimed, batch, paid_on, reference or "")


def competition_rows(year):
    levels, tiers = _labels(Competition.Level.choices), _labels(Tier.choices)
    entries = (Entry.objects.filter(event__competition__year=year).exclude(status=Entry.Status.WITHDRAWN)
               .order_by("event__competition__starts_on", "event__pk", "bib")
               .values_list("event__competition__name", "event__competition__level", "event__name", "bib",
                            "worker__name", "team_name", "organization__name", "result__final_score",
                            "result__rank", "result__tier"))
    for competition, level, event, bib, worker, team, organization, score, rank, tier in entries.iterator(CHUNK):
        yield (competition, levels.get(level, level), event, bib, worker or team, organization or "",
               score, rank, tiers.get(tier, "") if tier else "")


def certificate_rows(year):
    levels, sources = _labels(SkillLevel.choices), _labels(Certificate.Source.choices)
    certificates = (Certificate.objects.filter(issued_on__year=year, status=Certificate.Status.VALID)
                    .order_by("issued_on", "number")
                    .values_list("number", "holder__name", "holder__id_number", "trade__name_zh", "level",
                                 "issued_on", "source"))
    for number, name, id_number, trade, level, issued, source in certificates.iterator(CHUNK):
        yield number, name, mask_id_number(id_number), trade, levels.get(level, level), issued, sources.get(source)


def master_rows(year):
    statuses, sources = _labels(Nomination.Status.choices), _labels(Nomination.Source.choices)
    nominations = (Nomination.objects.filter(round__year=year).exclude(status=Nomination.Status.DRAFT)
                   .order_by("rank", "pk")
                   .values_list("nominee__name", "nominee__id_number", "organization__name", "trade__name_zh",
                                "source", "status", "final_score", "rank", "master_title__number"))
    for name, id_number, organization, trade, source, status, score, rank, title in nominations.iterator(CHUNK):
        yield (name, mask_id_number(id_number), organization or "", trade, sources.get(source),
               statuses.get(status), score, rank, title or "")


def outreach_rows(year):
    categories, statuses = _labels(TalkTopic.Category.choices), _labels(TalkOrder.Status.choices)
    talks = (TalkOrder.objects.filter(Q(held_on__year=year) | Q(held_on__isnull=True, preferred_date__year=year))
             .order_by("held_on", "preferred_date", "pk")
             .values_list("topic__title", "topic__category", "organization__name", "status", "held_on", "speaker",
                          "venue", "attendance"))
    for title, category, organization, status, held, speaker, venue, attendance in talks.iterator(CHUNK):
        yield title, categories.get(category), organization, statuses.get(status), held, speaker, venue, attendance


# Sheet names, translated when the report is written (in its language).
CLASSES = pgettext_lazy("annual report", "Classes")
ENROLLMENTS = pgettext_lazy("annual report", "Enrollments")
SUBSIDIES = pgettext_lazy("annual report", "Subsidies")
COMPETITIONS = pgettext_lazy("annual report", "Competitions")
CERTIFICATES = pgettext_lazy("annual report", "Certificates")
MASTERS = pgettext_lazy("annual report", "Skills Masters")
OUTREACH = pgettext_lazy("annual report", "Outreach")


def _sheet(title):
    """The sheet's name in the language of the report being written."""
    return lambda: str(title)


SHEETS = [
    Sheet(_sheet(CLASSES), lambda: [_("Class"), _("Trade"), _("Level"), _("Provider"), _("Starts"), _("Ends"),
                                      _("Union class"), _("Trainees"), _("Completed")],
          [40, 18, 16, 30, 12, 12, 10, 10, 10], class_rows),
    Sheet(_sheet(ENROLLMENTS), lambda: [_("Name"), _("Identity number"), _("Employer"), _("Class"), _("Starts"),
                                          _("Status"), _("Hours attended"), _("Hours required")],
          [12, 22, 30, 40, 12, 12, 12, 12], enrollment_rows),
    Sheet(_sheet(SUBSIDIES), lambda: [_("Name"), _("Identity number"), _("Employer"), _("Kind"), _("Policy"),
                                        _("Amount (yuan)"), _("Status"), _("Claim date"), _("Batch"), _("Paid on"),
                                        _("Payment reference")],
          [12, 22, 30, 16, 30, 14, 12, 12, 8, 12, 20], subsidy_rows),
    Sheet(_sheet(COMPETITIONS), lambda: [_("Competition"), _("Level"), _("Event"), _("Bib"), _("Competitor"),
                                           _("Organization"), _("Final score"), _("Rank"), _("Award")],
          [36, 10, 30, 6, 14, 30, 10, 6, 12], competition_rows),
    Sheet(_sheet(CERTIFICATES), lambda: [_("Certificate number"), _("Name"), _("Identity number"), _("Trade"),
                                           _("Level"), _("Issued on"), _("Source")],
          [18, 12, 22, 18, 16, 12, 14], certificate_rows),
    Sheet(_sheet(MASTERS), lambda: [_("Nominee"), _("Identity number"), _("Organization"), _("Trade"),
                                             _("Nominated"), _("Status"), _("Final score"), _("Rank"),
                                             _("Title number")],
          [12, 22, 30, 18, 14, 12, 10, 6, 14], master_rows),
    Sheet(_sheet(OUTREACH), lambda: [_("Talk"), _("Category"), _("Organization"), _("Status"), _("Date"),
                                       _("Speaker"), pgettext("talk", "Venue"), pgettext("talk", "Attendance")],
          [30, 12, 30, 10, 12, 16, 20, 10], outreach_rows),
]


# The summary --------------------------------------------------------------------------------

def write_summary(workbook, year: int) -> int:
    """The headline figures beside last year's, with the change, and two native charts."""
    headers = [pgettext("annual report", "Figure"), str(year), str(year - 1), pgettext("annual report", "Change"),
               pgettext("annual report", "Change (%)")]
    sheet = SheetWriter(workbook, pgettext("annual report", "Summary"), headers, [48, 16, 16, 16, 12])
    current, previous = figures.headline(year), figures.headline(year - 1)
    for now, before in zip(current, previous, strict=True):
        change = now.value - before.value
        share = WriteOnlyCell(sheet.sheet, value=float(change / before.value) if before.value else None)
        share.number_format = PERCENT
        sheet.sheet.append([sheet.cell(str(now.label), 0), sheet.cell(now.value, 1), sheet.cell(before.value, 2),
                            sheet.cell(change, 3), share])
        sheet.rows += 1
    keys = [f.key for f in current]
    _chart(sheet.sheet, _("Certificates by level"), keys.index("certificates_5") + 2,
           keys.index("certificates_1") + 2, "G2")
    _chart(sheet.sheet, _("Competitions: workers and winners"), keys.index("participants") + 2,
           keys.index("winners") + 2, "G20")
    sheet.finish()
    return len(current)


def _chart(sheet, title, first_row, last_row, anchor):
    """Bars of this year beside last year for the summary rows first_row..last_row."""
    chart = BarChart()
    chart.title = title
    chart.height, chart.width = 7.5, 16
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=first_row, max_row=last_row))
    for series, column in zip(chart.series, ("B", "C"), strict=True):
        series.tx = SeriesLabel(strRef=StrRef(f"'{sheet.title}'!${column}$1"))
    chart.set_categories(Reference(sheet, min_col=1, min_row=first_row, max_row=last_row))
    sheet.add_chart(chart, anchor)


def build(path, year: int, progress=None) -> int:
    """Write the year's report to path; progress(done, total) after each sheet. Returns the detail rows."""
    workbook = Workbook(write_only=True)
    total, rows = len(SHEETS) + 1, 0
    write_summary(workbook, year)
    if progress:
        progress(1, total)
    for done, spec in enumerate(SHEETS, start=2):
        writer = SheetWriter(workbook, spec.title(), spec.headers(), spec.widths)
        for row in spec.rows(year):
            writer.append(row)
        writer.finish()
        rows += writer.rows - 1
        if progress:
            progress(done, total)
    workbook.save(path)
    return rows
