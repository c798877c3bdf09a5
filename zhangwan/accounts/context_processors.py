from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import ROSTER_ROLES, Role, has_role, user_roles

# (label, url name, icon, roles that see it). Later apps add their entries here.
NAVIGATION = [
    (_("Roster"), "registry:roster", "people", ROSTER_ROLES),
    (_("My record"), "accounts:profile", "person-badge", (Role.WORKER,)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role_labels": []}
    items = [
        {"label": label, "url": reverse(name), "icon": icon, "active": request.path.startswith(reverse(name))}
        for label, name, icon, roles in NAVIGATION
        if has_role(user, *roles)
    ]
    labels = [Role(r).label for r in sorted(user_roles(user)) if r in Role.values]
    return {"nav_items": items, "user_role_labels": labels, "show_admin_link": user.is_staff}
