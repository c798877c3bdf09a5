"""The certification lists' columns: each declaration drives the page header and the Excel export
(zhangwan/columns.py)."""

from django.utils.translation import gettext_lazy as _

from zhangwan.columns import Column, Table

SESSIONS = Table(_("Assessment sessions"), "assessment-sessions-{today}.xlsx", [
    Column(_("Trade"), "trade.name"),
    Column(_("Level"), "get_level_display"),
    Column(_("Assessment date"), "date"),
    Column(_("Assessment body"), "body.name"),
    Column(_("Assessment venue"), "venue"),
    Column(_("Status"), "get_status_display"),
    Column(_("Applications"), "n_total"),
    Column(_("Pending"), "n_pending"),
    Column(_("Eligible"), "n_eligible"),
    Column(_("Admitted"), "admitted_count"),
    Column(_("Capacity"), "capacity"),
])

APPLICATIONS = Table(_("Applications"), "session-{pk}.xlsx", [
    Column(_("Name"), "worker.name"),
    Column(_("Identity number"), "worker.id_number", masked=True),
    Column(_("Status"), "get_status_display"),
    Column(_("Theory"), "theory_score"),
    Column(_("Practical"), "practical_score"),
    Column(_("Review"), "review_score"),
    Column(_("Certificate number"), lambda a: a.certificate.number if hasattr(a, "certificate") else ""),
])

CERTIFICATES = Table(_("Certificates"), "certificates-{today}.xlsx", [
    Column(_("Certificate number"), "number"),
    Column(_("Holder"), "holder.name"),
    Column(_("Trade"), "trade.name"),
    Column(_("Level"), "get_level_display"),
    Column(_("Issued on"), "issued_on"),
    Column(_("Source"), "get_source_display", page=False),
    Column(_("Status"), "get_status_display"),
])
