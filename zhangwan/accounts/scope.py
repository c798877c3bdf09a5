"""Object scope: the one place that says which rows a user may see.

Views, form choices, exports and the admin all start from these querysets, so an object out of
scope is simply not found (404), whoever asks.
"""

from django.shortcuts import get_object_or_404

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


def own_worker_or_404(user):
    """The worker record linked to this login."""
    return get_object_or_404(Worker.objects.select_related("employer"), user=user)
