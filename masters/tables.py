"""The masters lists' columns: each declaration drives the Excel export (zhangwan/columns.py)."""

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhangwan.columns import PLAIN, Column, Table

from . import rules


def _conflict_kind(row):
    return gettext_now("Same organization") if row["kind"] == "organization" else gettext_now("Declared")


ROUNDS = Table(_("Selection rounds"), "selection-rounds-{today}.xlsx", [
    Column(_("Round"), "name"),
    Column(_("Year"), "year", number_format=PLAIN),
    Column(_("Quota"), "quota"),
    Column(_("Nominations open"), "nominations_open"),
    Column(_("Nominations close"), "nominations_close"),
    Column(_("Review opens"), "review_opens"),
    Column(_("Review closes"), "review_closes"),
    Column(_("Publicity starts"), "publicity_starts"),
    Column(_("Publicity ends"), "publicity_ends"),
    Column(_("Nominations"), "n_nominations"),
    Column(_("Conferred"), "n_conferred"),
    Column(_("Conferred on"), "conferred_on"),
])

NOMINATIONS = Table(_("Nominations"), "nominations-{today}.xlsx", [
    Column(_("Round"), "round.year", number_format=PLAIN),
    Column(_("Nominee"), "nominee.name"),
    Column(_("Organization"), lambda n: str(n.organization or "")),
    Column(_("Trade"), lambda n: str(n.trade or "")),
    Column(_("Nominated"), "get_source_display"),
    Column(_("Status"), "get_status_display"),
    Column(_("Reasons"), lambda n: "；".join(rules.reasons_in_words(n.reasons))),
    Column(_("Final score"), "final_score"),
    Column(_("Rank"), "rank"),
])

RANKING = Table(_("Ranking"), "ranking-{year}.xlsx", [
    Column(_("Rank"), "rank"),
    Column(_("Nominee"), "nominee.name"),
    Column(_("Organization"), lambda n: str(n.nominee.employer or "")),
    Column(_("Trade"), lambda n: str(n.trade or "")),
    Column(_("Reviewers' mean"), "review_mean"),
    Column(_("Spread"), "review_spread"),
    Column(_("Competition score"), "competition_score"),
    Column(_("Final score"), "final_score"),
    Column(_("Reviewers disagree"), lambda n: gettext_now("yes") if n.discrepancy else ""),
    Column(_("Status"), "get_status_display"),
    Column(_("Shortlist change reason"), "shortlist_note"),
])

CONFLICTS = Table(_("Conflicts"), "conflicts-{year}.xlsx", [
    Column(_("Nominee"), "nomination.nominee.name"),
    Column(_("Organization"), lambda c: str(c["nomination"].organization or "")),
    Column(_("Reviewer"), lambda c: str(c["reviewer"])),
    Column(_("Conflict"), _conflict_kind),
    Column(_("Reason"), lambda c: c.get("reason", "")),
    Column(_("Dismissed"), lambda c: gettext_now("Yes") if c.get("waived") else ""),
])

GRANTS = Table(_("Incentive grants"), "incentive-grants.xlsx", [
    Column(pgettext_lazy("incentive", "Policy"), "policy.name"),
    Column(_("Master"), lambda g: g.master.worker.name if g.master else ""),
    Column(_("Organization"), lambda g: str(g.organization or "")),
    Column(_("Granted on"), "granted_on"),
    Column(_("Amount (yuan)"), "amount"),
    Column(_("Note"), "note"),
])

STUDIOS = Table(_("Studios"), "master-studios.xlsx", [
    Column(_("Studio"), "name"),
    Column(_("Master"), "master.worker.name"),
    Column(_("Trade"), lambda s: str(s.master.trade or "")),
    Column(_("Host organization"), lambda s: str(s.host or "")),
    Column(_("Funding (yuan)"), "funding"),
    Column(_("Established on"), "established_on"),
    Column(_("Training base record"), lambda s: str(s.training_base or "")),
])

TALK_MENU = Table(_("Talks"), "talk-menu.xlsx", [
    Column(_("Talk"), "title"),
    Column(_("Category"), "get_category_display"),
    Column(_("Speaker"), "speaker"),
    Column(_("Length (minutes)"), "minutes"),
    Column(pgettext_lazy("talk", "Summary"), "summary"),
])

TALK_ORDERS = Table(_("Talks"), "talks.xlsx", [
    Column(_("Talk"), "topic.title"),
    Column(_("Category"), "topic.get_category_display"),
    Column(_("Organization"), lambda o: str(o.organization or "")),
    Column(_("Preferred date"), "preferred_date"),
    Column(_("Expected audience"), "expected_audience"),
    Column(_("Status"), "get_status_display"),
    Column(_("Date"), "held_on"),
    Column(_("Speaker"), "speaker"),
    Column(pgettext_lazy("talk", "Venue"), "venue"),
    Column(pgettext_lazy("talk", "Attendance"), "attendance"),
])
