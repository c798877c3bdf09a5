"""The competition lists' columns: each declaration drives the page header and the Excel export
(zhangwan/columns.py)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhangwan.columns import PLAIN, Column, Table, local, yes_no
from zhangwan.registry.models import Worker

COMPETITIONS = Table(_("Competitions"), "competitions-{today}.xlsx", [
    Column(_("Competition"), "name"),
    Column(_("Year"), "year", number_format=PLAIN),
    Column(_("Level"), "get_level_display"),
    Column(pgettext_lazy("competition", "Kind"), "get_kind_display"),
    Column(_("Leading competition"), yes_no("leading")),
    Column(_("Held outside the district"), yes_no("external")),
    Column(pgettext_lazy("period", "Starts on"), "starts_on"),
    Column(pgettext_lazy("period", "Ends on"), "ends_on"),
    Column(_("Events"), "n_events"),
    Column(_("Entries"), "n_entries"),
    Column(_("Results published"), yes_no("results_published")),
])


def _result(attribute, default=None):
    return lambda entry: getattr(entry.result, attribute) if hasattr(entry, "result") else default


def _part_score(part):
    key = str(part.pk)

    def value(entry):
        scores = entry.result.part_scores if hasattr(entry, "result") else {}
        return float(scores[key]) if key in scores else None
    return value


def _sheets(entry):
    """“3/5”: the submitted sheets a computed result counted, of those the entry's judges owe."""
    result = entry.result if hasattr(entry, "result") else None
    return "" if result is None or result.recorded else f"{result.sheets_counted}/{result.sheets_expected}"


def results(parts) -> Table:
    """An event's results: one column per scored part between the entrant and the final score."""
    return Table(_("Results"), "event-{pk}-results.xlsx", [
        Column(_("Rank"), _result("rank")),
        Column(_("Bib"), "bib", number_format=PLAIN),
        Column(_("Name"), "display_name"),
        Column(_("Organization"), "organization.name"),
        *[Column(part.name, _part_score(part)) for part in parts],
        Column(_("Final score"), _result("final_score")),
        Column(_("Sheets counted"), _sheets),
        Column(_("Award"), lambda e: e.result.get_tier_display() if hasattr(e, "result") else ""),
        Column(_("Title"), _result("title", "")),
    ])


PROJECTS = Table(_("Innovation projects"), "innovation-projects-{today}.xlsx", [
    Column(_("Project"), "title"),
    Column(_("Organization"), "organization.name"),
    Column(_("Competition"), "competition.name"),
    Column(_("Team"), lambda p: "、".join(w.name for w in p.team.all())),
    Column(_("Status"), "get_status_display"),
    Column(_("Award"), "award"),
    Column(_("Submitted at"), local("created_at")),
])
PROJECT_TEAMS = Prefetch("team", Worker.objects.order_by("name", "pk"))
