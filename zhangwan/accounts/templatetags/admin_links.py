"""The way back from an app page to the record in the admin: ``{% admin_edit_link obj %}`` shows
"在管理后台编辑" to a user who may change the record there (the admin links forward with "在平台中查看",
zhangwan/admin_links.py)."""

from django import template
from django.contrib.auth import get_permission_codename
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_edit_link(context, obj):
    opts = obj._meta
    user = context["request"].user
    if not user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
        return ""
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a class="btn btn-outline-secondary btn-sm admin-edit-link" href="{}">'
                       '<i class="bi bi-pencil"></i> {}</a>', url, gettext("Edit in the admin"))
