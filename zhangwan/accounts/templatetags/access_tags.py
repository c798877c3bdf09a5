"""`user|may_open:"app:url_name"`: whether the user's roles let them open a page, read from the
view's `role_required` (zhangwan/accounts/access.py), so a link is shown only where it leads."""

from django import template
from django.urls import resolve, reverse

from zhangwan.accounts.roles import has_role

register = template.Library()


@register.filter
def may_open(user, url_name):
    roles = getattr(resolve(reverse(url_name)).func, "required_roles", ())
    if not roles:
        return True
    return bool(user and user.is_authenticated and has_role(user, *roles))
