"""The token pages' lists (zhangwan/columns.py): the page header and the Excel export."""

from django.utils.translation import gettext_lazy as _

from zhangwan.columns import Column, Table, local

TOKENS = Table(_("API tokens"), "api-tokens-{today}.xlsx", [
    Column(_("Name"), "name"),
    Column(_("Key prefix"), "prefix"),
    Column(_("Scopes"), "scope_labels"),
    Column(_("Created by"), lambda t: str(t.created_by)),
    Column(_("Created at"), local("created_at")),
    Column(_("Expires at"), local("expires_at")),
    Column(_("Last used"), local("last_used_at")),
    Column(_("Revoked at"), local("revoked_at")),
])

CALLS = Table(_("API calls"), "api-calls-{today}.xlsx", [
    Column(_("When"), local("at")),
    Column(_("Method"), "method"),
    Column(_("Path"), "path"),
    Column(_("Answer"), "status"),
    Column(_("Address"), "ip"),
])

WEBHOOKS = Table(_("Webhooks"), "webhooks-{today}.xlsx", [
    Column(_("URL"), "url"),
    Column(_("Events"), "event_labels"),
    Column(_("Created by"), lambda s: str(s.created_by)),
    Column(_("Created at"), local("created_at")),
    Column(_("Active"), "active"),
])

DELIVERIES = Table(_("Deliveries"), "webhook-deliveries-{today}.xlsx", [
    Column(_("Created at"), local("created_at")),
    Column(_("Event"), lambda d: d.event.type),
    Column(_("Status"), "get_status_display"),
    Column(_("Attempts"), "attempts"),
    Column(_("Answer"), "status_code"),
    Column(_("Response time (ms)"), "response_ms"),
    Column(_("Answer excerpt"), "response_excerpt"),
])
