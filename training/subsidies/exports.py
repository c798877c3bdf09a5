"""The claims list's Excel export, registered with the shared export jobs (zhangwan/jobs/exports.py):
the same scope and filter as the page, applied again in the worker for the user who asked."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.accounts.roles import Role, has_role, is_district_staff
from zhangwan.accounts.scope import workers_for
from zhangwan.jobs.exports import ExportSheet, register

from . import rules
from .filters import ClaimFilter
from .models import Batch, Claim

BANK = "registry.view_bank_account"
CLAIM_LIST = ("policy", "worker__employer", "trade", "rate", "certificate", "enrollment__training_class",
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


def claims_sheet(claims, user, filename=None) -> ExportSheet:
    headers = [_("Claim"), _("Worker"), _("Identity number"), _("Employer"), _("Policy"), _("Trade"), _("Level"),
               _("Attended days"), _("Amount"), _("Status"), _("Claim date"), _("Reasons"), _("Paid on")]
    rows = ([c.pk, c.worker.name, id_number_for(c.worker, user), str(c.worker.employer or ""), c.policy.name,
             str(c.trade or ""), c.get_level_display() if c.level is not None else "", c.quantity, c.amount,
             c.get_status_display(), c.claimed_on, "；".join(rules.explain(c)),
             c.batch.payment.paid_on if c.batch and c.batch.status == Batch.Status.PAID else None]
            for c in claims.iterator(chunk_size=2000))
    return ExportSheet(filename=filename or f"subsidy-claims-{timezone.localdate():%Y%m%d}.xlsx",
                       title=_("Claims"), headers=headers, rows=rows, count=claims.order_by().count())


def claims_export(user, params) -> ExportSheet:
    """The claims list as the user filtered it: staff's list or a liaison's organization's."""
    if not has_role(user, Role.TRAINING_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.LIAISON):
        raise PermissionDenied
    filterset = ClaimFilter(params, queryset=claims_for(user), user=user,
                            organization_choices=is_district_staff(user))
    return claims_sheet(filterset.qs, user)


register(CLAIMS, claims_export)
