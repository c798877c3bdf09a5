"""The account officers' lists: the page's header and the Excel export (zhangwan/columns.py)."""

from django.utils.translation import gettext_lazy as _

from zhangwan.columns import Column, Table, local, yes_no

ACCOUNTS = Table(_("Accounts"), "accounts-{today}.xlsx", [
    Column(_("Full name"), "full_name", width=14),
    Column(_("Username"), "username", width=16),
    Column(_("Role"), "role_labels", width=14),
    Column(_("Organization"), "organization.name", width=24, css="d-none d-md-table-cell"),
    Column(_("E-mail address"), "email", width=24, css="d-none d-lg-table-cell"),
    Column(_("Active"), yes_no("is_active"), width=8),
    Column(_("Last login"), local("last_login"), width=18, css="d-none d-md-table-cell"),
])
