from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import OFFICERS, ROSTER_ROLES, Role, has_role, user_roles

# (label, url name, icon, roles that see it — None for everyone). Later apps add theirs with
# register() from their AppConfig.ready().
NAVIGATION = [
    (_("Roster"), "registry:roster", "people", ROSTER_ROLES),
    (_("My record"), "accounts:profile", "person-badge", (Role.WORKER,)),
    (_("Accounts"), "accounts:manage", "person-gear",
     (Role.TRAINING_OFFICER, Role.COMPETITIONS_OFFICER, Role.MASTERS_OFFICER)),
]


def register(*items):
    NAVIGATION.extend(items)


def navigation(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    items = [
        {"label": label, "url": reverse(name), "icon": icon}
        for label, name, icon, roles in NAVIGATION
        if roles is None or (authenticated and has_role(user, *roles))
    ]
    # The item whose address is the longest start of this page's (/reports/dashboard/ is not /reports/).
    current = max((i["url"] for i in items if request.path.startswith(i["url"])), key=len, default=None)
    for item in items:
        item["active"] = item["url"] == current
    if not authenticated:
        return {"nav_items": items, "user_role_labels": []}
    labels = [Role(r).label for r in sorted(user_roles(user)) if r in Role.values]
    # The unread count is fetched by the page itself (htmx), so pages don't depend on it.
    return {"nav_items": items, "user_role_labels": labels, "show_admin_link": user.is_staff,
            # The API token pages (zhangwan/api/pages.py): a liaison's organization's, an officer's district's.
            "show_api_tokens": has_role(user, Role.LIAISON, *OFFICERS)}
