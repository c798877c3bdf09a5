from functools import partial

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhangwan.links import fast_reverse

from .roles import OFFICERS, ROSTER_ROLES, Role, has_role, user_roles

# (label, url name, icon, roles that see it — None for everyone). Later apps add theirs with
# register() from their AppConfig.ready().
NAVIGATION = [
    (_("Roster"), "registry:roster", "people", ROSTER_ROLES),
    (_("My record"), "accounts:profile", "person-badge", (Role.WORKER,)),
    (_("Accounts"), "accounts:manage", "person-gear",
     (Role.TRAINING_OFFICER, Role.COMPETITIONS_OFFICER, Role.MASTERS_OFFICER)),
]


# On a wide screen the items of a dimension share one menu, named here by their URL namespace, so an
# officer's dozen items fit on one row in English too (issue 20); a phone's menu stays a flat list.
GROUPS = {
    "training": (pgettext_lazy("navigation group", "Training"), "mortarboard"),
    "subsidies": (pgettext_lazy("navigation group", "Training"), "mortarboard"),
    "certification": (pgettext_lazy("navigation group", "Certification"), "patch-check"),
    "competitions": (pgettext_lazy("navigation group", "Competitions"), "trophy"),
    "masters": (pgettext_lazy("navigation group", "Skills Masters"), "stars"),
    "reports": (pgettext_lazy("navigation group", "Reports"), "bar-chart-line"),
    "audit": (pgettext_lazy("navigation group", "Reports"), "bar-chart-line"),
}


def register(*items):
    NAVIGATION.extend(items)
    _shown.clear()


# The items each kind of user is shown, by their roles, the superuser flag, the language and the address
# prefix and URL configuration: worked out once per process, not on every page (issue 21).
_shown: dict[tuple, list] = {}


def _items_shown(user, authenticated: bool) -> list[tuple]:
    """(label, address, icon, url name) of each item the user may see, as has_role decides."""
    roles = frozenset(user_roles(user)) if authenticated else frozenset()
    superuser = authenticated and user.is_superuser
    key = (roles, superuser, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    shown = _shown.get(key)
    if shown is None:
        shown = _shown[key] = [
            (label, fast_reverse(name), icon, name) for label, name, icon, wanted in NAVIGATION
            if wanted is None or (authenticated and (superuser or bool(roles & set(wanted))))]
    return shown


@receiver(setting_changed)
def _forget_shown(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _shown.clear()


def grouped(items):
    """The items as the wide bar shows them: a group's items in one menu where there are two or more,
    in the order the group first appears; an item of no group, or alone in its group, on its own."""
    groups = {}
    for item in items:
        label, icon = GROUPS.get(item["name"].split(":")[0], (None, None))
        key = str(label) if label else item["name"]
        groups.setdefault(key, {"label": label, "icon": icon, "members": []})["members"].append(item)
    return [{**g, "active": any(i["active"] for i in g["members"])} if len(g["members"]) > 1 else g["members"][0]
            for g in groups.values()]


def navigation(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    shown = _items_shown(user, authenticated)
    # The item whose address is the longest start of this page's (/reports/dashboard/ is not /reports/).
    current = max((url for _label, url, _icon, _name in shown if request.path.startswith(url)), key=len, default=None)
    items = [{"label": label, "url": url, "icon": icon, "name": name, "active": url == current}
             for label, url, icon, name in shown]
    # Everything the bar's cached part (base.html, {% cache %} in the "fragments" cache) is drawn from; its
    # groups are worked out (the template calls them) only when that part is drawn.
    staff = authenticated and user.is_staff
    key = "|".join([get_language(), get_script_prefix(), str(authenticated), str(staff), current or "",
                    *(i["name"] for i in items)])
    if not authenticated:
        return {"nav_items": items, "nav_groups": partial(grouped, items), "user_role_labels": [], "nav_key": key}
    known = set(Role.values)  # (Role.values builds its list on every call)
    labels = [Role(r).label for r in sorted(user_roles(user)) if r in known]
    # The unread count is fetched by the page itself (htmx), so pages don't depend on it.
    return {"nav_items": items, "nav_groups": partial(grouped, items), "user_role_labels": labels, "nav_key": key,
            "show_admin_link": staff,
            # The API token pages (zhangwan/api/pages.py): a liaison's organization's, an officer's district's.
            "show_api_tokens": has_role(user, Role.LIAISON, *OFFICERS)}
