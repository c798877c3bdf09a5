"""Object scope: the one place that says which rows a user may see.

Views, form choices, exports and the admin all start from these querysets, so an object out of
scope is simply not found (404), whoever asks.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from zhangwan.prepared import Prepared
from zhangwan.registry.models import Organization, Worker

from .roles import Role, has_role, is_district_staff


def organizations_for(user):
    if is_district_staff(user):
        return Organization.objects.all()
    if has_role(user, Role.LIAISON) and user.organization_id:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


# Which workers a user may see: every one, an organization's (the key: its id), the user's own record (the
# key: the user's id), or none; and the worker's field each key is matched with.
ALL, EMPLOYER, OWN, NONE = "all", "employer", "own", "none"
KEY_FIELD = {EMPLOYER: "employer", OWN: "user"}


def worker_scope(user) -> tuple[str, int | None]:
    """(kind, key) of the workers this user may see: (ALL, None), (EMPLOYER, organization id), (OWN, user id)
    or (NONE, None)."""
    if is_district_staff(user):
        return ALL, None
    if has_role(user, Role.LIAISON) and user.organization_id:
        return EMPLOYER, user.organization_id
    if user.is_authenticated:
        return OWN, user.pk
    return NONE, None


def workers_for(user):
    kind, key = worker_scope(user)
    if kind == ALL:
        return Worker.objects.all()
    if kind == NONE:
        return Worker.objects.none()
    return Worker.objects.filter(**{KEY_FIELD[kind]: key})


class WorkerScoped:
    """``build(pk)`` (a queryset of one object with a worker, ``worker`` the path to it) as prepared statements
    (zhangwan.prepared), one for each kind of scope: the object if the user may see its worker, else 404."""

    def __init__(self, build, worker: str):
        self.statements = {ALL: Prepared(build, "pk")} | {
            kind: Prepared(lambda pk, key, field=field: build(pk).filter(**{f"{worker}__{field}": key}), "pk", "key")
            for kind, field in KEY_FIELD.items()}

    def get_or_404(self, user, pk, *, everyone: bool = False):
        """The object ``pk`` if ``user`` may see its worker (any worker's, with ``everyone``), else Http404."""
        kind, key = (ALL, None) if everyone else worker_scope(user)
        if kind == NONE:
            raise Http404
        if kind == ALL:
            return self.statements[ALL].get_or_404(pk=pk)
        return self.statements[kind].get_or_404(pk=pk, key=key)


def get_worker_or_404(user, **lookup):
    return get_object_or_404(workers_for(user), **lookup)


OWN_WORKER = Prepared(lambda user_id: Worker.objects.select_related("employer").filter(user=user_id), "user_id")


def own_worker_or_404(user):
    """The worker record linked to this login (its employer with it)."""
    if user.pk is None:
        raise Http404
    worker = OWN_WORKER.get_or_404(user_id=user.pk)
    worker.user = user  # their own account, already read: whatever tells the worker need not read it again
    return worker
