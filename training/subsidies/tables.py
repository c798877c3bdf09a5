"""The subsidy lists' columns: each declaration drives the Excel export (and the page header where
the page shows the same columns), see zhangwan/columns.py."""

from django.utils.translation import gettext_lazy as _

from zhangwan.columns import PLAIN, Column, Table, local

from . import rules
from .models import Batch

BANK = "registry.view_bank_account"  # on money pages whole identity numbers are for finance (and the auditor)


def _person(path):
    def value(row):
        user = getattr(row, path)
        return str(user.full_name or user) if user else ""
    return value


POLICIES = Table(_("Policies"), "subsidy-policies-{today}.xlsx", [
    Column(_("Policy"), "name"),
    Column(_("Kind"), "get_kind_display"),
    Column(_("Valid from"), "valid_from"),
    Column(_("Valid to"), "valid_to"),
    Column(_("Budget"), "budget"),
    Column(_("Committed"), "committed"),
    Column(_("Paid"), "paid"),
    Column(_("Remaining"), "remaining"),
    Column(_("Awaiting review"), lambda p: p.totals["pending"]),
    Column(_("Claims"), lambda p: p.totals["claims"]),
])

RUNS = Table(_("Claim computations"), "claim-computations-{today}.xlsx", [
    Column(_("Computation"), "pk", number_format=PLAIN),
    Column(_("Period from"), "period_start"),
    Column(_("Period to"), "period_end"),
    Column(_("Claim date"), "claimed_on"),
    Column(_("Status"), "get_status_display"),
    Column(_("Claims created"), "claims_created"),
    Column(_("Started by"), _person("started_by")),
    Column(_("Created at"), local("created_at")),
    Column(_("Finished at"), local("finished_at")),
    Column(_("Error"), "error"),
])


def _paid_on(claim):
    return claim.batch.payment.paid_on if claim.batch and claim.batch.status == Batch.Status.PAID else None


CLAIMS = Table(_("Claims"), "subsidy-claims-{today}.xlsx", [
    Column(_("Claim"), "pk", number_format=PLAIN),
    Column(_("Worker"), "worker.name"),
    Column(_("Identity number"), "worker.id_number", masked=True, unmasked_by=BANK),
    Column(_("Employer"), lambda c: str(c.worker.employer or "")),
    Column(_("Policy"), "policy.name"),
    Column(_("Trade"), lambda c: str(c.trade or "")),
    Column(_("Level"), lambda c: c.get_level_display() if c.level is not None else ""),
    Column(_("Attended days"), "quantity"),
    Column(_("Amount"), "amount"),
    Column(_("Status"), "get_status_display"),
    Column(_("Claim date"), "claimed_on"),
    Column(_("Reasons"), lambda c: "；".join(rules.explain(c))),
    Column(_("Paid on"), _paid_on),
])


def _payment(attribute, default):
    return lambda b: getattr(b.payment, attribute) if hasattr(b, "payment") else default


BATCHES = Table(_("Disbursement batches"), "disbursement-batches-{today}.xlsx", [
    Column(_("Batch"), "number"),
    Column(_("Policy"), "policy.name"),
    Column(_("Only workers of"), lambda b: str(b.organization or "")),
    Column(_("Claims"), "claim_count"),
    Column(_("Total"), "total"),
    Column(_("Status"), "get_status_display"),
    Column(_("Made by"), _person("created_by")),
    Column(_("Created at"), local("created_at")),
    Column(_("Approved by"), _person("approved_by")),
    Column(_("Approved at"), local("approved_at")),
    Column(_("Paid on"), _payment("paid_on", None)),
    Column(_("Bank reference"), _payment("reference", "")),
    Column(_("Note"), "note"),
])


SHORTAGE = Table(_("Shortage list"), "shortage-list-{today}.xlsx", [
    Column(_("Occupation code"), "trade.code"),
    Column(_("Occupation"), lambda e: str(e.trade)),
    Column(_("Level"), "get_level_display"),
    Column(_("Valid from"), "valid_from"),
    Column(_("Valid to"), "valid_to"),
    Column(_("Source document"), "source"),
])


APPLICATIONS = Table(_("Applications"), "subsidy-applications-{today}.xlsx", [
    Column(_("Certificate number"), "certificate.number"),
    Column(_("Worker"), "worker.name"),
    Column(_("Identity number"), "worker.id_number", masked=True),
    Column(_("Trade"), lambda a: str(a.certificate.trade)),
    Column(_("Level"), lambda a: a.certificate.get_level_display()),
    Column(_("Issued on"), "certificate.issued_on"),
    Column(_("Applied on"), "applied_on"),
    Column(_("Made"), "get_channel_display"),
    Column(_("Applied by"), _person("applied_by")),
])


def _worker_channel(claim):
    return _("Account") if claim.worker.user_id else _("No account: text message")


BANK_WAITING = Table(_("Waiting for bank details"), "claims-waiting-for-bank-details-{today}.xlsx", [
    Column(_("Claim"), "pk"),
    Column(_("Worker"), "worker.name"),
    Column(_("Identity number"), "worker.id_number", masked=True, unmasked_by=BANK),
    Column(_("Mobile"), "worker.mobile", page=False),
    Column(_("Employer"), lambda c: str(c.worker.employer or "")),
    Column(_("Policy"), "policy.name"),
    Column(_("Amount"), "amount"),
    Column(_("Approved at"), local("reviewed_at")),
    Column(_("Reminded"), _worker_channel),
    Column(_("Last reminder"), "last_reminded"),
])
