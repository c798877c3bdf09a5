"""What the masters views share: who may do what, the officer's crumb, and a round by its id."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from zhangwan.accounts.roles import Role

from ..models import SelectionRound

OFFICER = (Role.MASTERS_OFFICER,)
READERS = (Role.MASTERS_OFFICER, Role.AUDITOR)
NOMINATORS = (Role.WORKER, Role.LIAISON, Role.MASTERS_OFFICER)


def manage_crumb():
    """The first crumb of the officer's pages."""
    return (_("Manage selection"), reverse("masters:round_list"))


def round_or_404(pk):
    return get_object_or_404(SelectionRound, pk=pk)
