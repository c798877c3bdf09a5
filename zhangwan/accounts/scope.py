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


def workers_for(user):
    if is_district_staff(user):
        return Worker.objects.all()
    if has_role(user, Role.LIAISON) and user.organization_id:
        return Worker.objects.filter(employer_id=user.organization_id)
    if user.is_authenticated:
        return Worker.objects.filter(user=user)
    return Worker.objects.none()


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
