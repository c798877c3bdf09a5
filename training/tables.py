"""The training lists' columns: each declaration drives the page header and the Excel export
(zhangwan/columns.py)."""

from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhangwan.columns import PLAIN, Column, Table, local, yes_no
from zhangwan.registry.models import SkillLevel

ENROLLMENTS = Table(_("Enrollments"), "enrollments-{today}.xlsx", [
    Column(_("Worker"), "worker.name"),
    Column(_("Identity number"), "worker.id_number", masked=True, unmasked_by=None, page=False),
    Column(_("Class"), "training_class.title"),
    Column(_("Starts on"), "training_class.starts_on"),
    Column(_("Status"), "get_status_display"),
    Column(_("Registered at"), local("created_at"), page=False),
])

CLASSES = Table(_("Classes"), "classes-{today}.xlsx", [
    Column(_("Class"), "title"),
    Column(_("Trade"), "course.trade.name"),
    Column(_("Provider"), "provider.name"),
    Column(_("Starts on"), "starts_on"),
    Column(_("Ends on"), "ends_on"),
    Column(_("Capacity"), "capacity"),
    Column(_("Confirmed"), "confirmed_count"),
    Column(_("Status"), "get_status_display"),
    Column(_("Held by the union"), yes_no("union_class")),
])

WAITING_LIST = Table(_("Waiting list"), "", [
    Column(_("Position"), "position"),
    Column(_("Name"), "worker.name"),
    Column(_("Registered at"), local("created_at")),
])

SURVEYS = Table(_("Needs surveys"), "needs-and-plans-{today}.xlsx", [
    Column(_("Survey"), "title"),
    Column(_("Year"), "year", number_format=PLAIN),
    Column(pgettext_lazy("period", "Starts on"), "starts_on"),
    Column(pgettext_lazy("period", "Ends on"), "ends_on"),
    Column(_("Responses"), "responses_count"),
    Column(_("Head count"), lambda s: s.head_count or 0),
])

PLANS = Table(_("Training plans"), "", [
    Column(_("Plan"), "title"),
    Column(_("Year"), "year", number_format=PLAIN),
    Column(_("Trades"), "lines_count"),
    Column(_("Target classes"), lambda p: p.target_classes or 0),
    Column(_("Target trainees"), lambda p: p.target_trainees or 0),
    Column(_("Budget (yuan)"), "budget"),
])


def _trade_name(row):
    english = (translation.get_language() or "").startswith("en")
    return row["trade__name_en"] if english else row["trade__name_zh"]


NEEDS_BY_TRADE = Table(_("Needs by trade"), "needs-{pk}.xlsx", [
    Column(_("Trade code"), "trade__code"),
    Column(_("Trade"), _trade_name),
    Column(_("Level"), lambda r: str(SkillLevel(r["level"]).label) if r["level"] is not None else ""),
    Column(_("Head count"), "head_count"),
    Column(_("Responses"), "responses"),
])


def _organization_name(row):
    return row["name"] or gettext("Workers employed nowhere")


NEEDS_BY_ORGANIZATION = Table(_("Needs by organization"), "", [
    Column(_("Organization"), _organization_name),
    Column(_("Head count"), "head_count", css="text-end"),
    Column(_("Responses"), "responses", css="text-end"),
    Column(_("Trades"), "trades", css="text-end"),
    Column(_("Workers who answered"), "workers", css="text-end"),
])

PLAN_AGAINST_ACTUAL = Table(_("Plan against actual"), "plan-{year}.xlsx", [
    Column(_("Trade code"), "trade.code"),
    Column(_("Trade"), "trade.name"),
    Column(_("Target classes"), "target_classes"),
    Column(_("Actual classes"), "classes"),
    Column(_("Target trainees"), "target_trainees"),
    Column(_("Actual trainees"), "trainees"),
    Column(_("Budget (yuan)"), "budget"),
])
