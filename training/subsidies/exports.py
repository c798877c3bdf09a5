"""The claims list's Excel export, registered with the shared export jobs (zhangwan/jobs/exports.py):
the same scope and filter as the page, applied again in the worker for the user who asked."""

from django.core.exceptions import PermissionDenied

from zhangwan.accounts.roles import Role, has_role, is_district_staff
from zhangwan.accounts.scope import workers_for
from zhangwan.jobs.exports import ExportSheet, register

from . import tables
from .filters import ClaimFilter
from .models import Claim
from .tables import BANK

CLAIM_LIST = ("policy", "worker__employer", "trade", "rate__trade", "certificate__trade", "enrollment__training_class",
              "batch__payment")
CLAIMS = "subsidy-claims"


def claims_for(user):
    """Claims this user may see: all for union staff, their organization's for a liaison, their own
    for a worker. Another's claim is then simply not found."""
    claims = Claim.objects.select_related(*CLAIM_LIST)
    return claims if is_district_staff(user) else claims.filter(worker__in=workers_for(user))


def id_number_for(worker, user):
    """On money pages whole identity numbers are for finance (and the auditor) only."""
    return worker.id_number if user.has_perm(BANK) else worker.masked_id_number


def claims_export(user, params) -> ExportSheet:
    """The claims list as the user filtered it: staff's list or a liaison's organization's."""
    if not has_role(user, Role.TRAINING_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.LIAISON):
        raise PermissionDenied
    filterset = ClaimFilter(params, queryset=claims_for(user), user=user,
                            organization_choices=is_district_staff(user))
    return tables.CLAIMS.export_sheet(filterset.qs, user)


register(CLAIMS, claims_export)
