"""Moving a worker between organizations: the employment history and the union's transfer requests."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.errors import ServiceError
from zhangwan.history import save_with_history
from zhangwan.transitions import Transitions

from .models import Employment, Organization, TransferRequest, Worker


class RegistryError(ServiceError):
    """A rule said no; the message is for the user."""


TRANSFER_STATUS = Transitions(TransferRequest, {
    TransferRequest.Status.PENDING: {TransferRequest.Status.APPROVED, TransferRequest.Status.REFUSED},
    TransferRequest.Status.APPROVED: set(),
    TransferRequest.Status.REFUSED: set(),
}, error=RegistryError)


@transaction.atomic
def worker_move(*, worker: Worker, organization: Organization, user, on: datetime.date | None = None) -> None:
    """End the worker's current employment and start one at organization; the worker's employer follows."""
    on = on or timezone.localdate()
    current = Employment.objects.select_for_update().filter(worker=worker, ended_on__isnull=True).first()
    if current is not None:
        current.ended_on = max(on, current.started_on)
        save_with_history(current, user=user, update_fields=["ended_on"])
    started = Employment(worker=worker, organization=organization, started_on=on)
    save_with_history(started, user=user)
    worker.employer = organization
    save_with_history(worker, user=user, update_fields=["employer", "updated_at"])


def transfer_requests_create(*, workers: list[Worker], organization: Organization, user) -> None:
    """Pending requests to move these workers to organization (one per worker, however often asked)."""
    pending = set(TransferRequest.objects.filter(worker__in=workers, to_organization=organization,
                                                 status=TransferRequest.Status.PENDING)
                  .values_list("worker_id", flat=True))
    for worker in workers:
        if worker.pk not in pending:
            made = TransferRequest(worker=worker, from_organization_id=worker.employer_id,
                                   to_organization=organization, requested_by=user)
            save_with_history(made, user=user)


@transaction.atomic
def transfer_decide(*, request: TransferRequest, user, approve: bool, reason: str = "") -> None:
    request = TransferRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != TransferRequest.Status.PENDING:  # its own words rather than "cannot become"
        raise RegistryError(_("This transfer request has already been decided."))
    if approve:
        worker_move(worker=request.worker, organization=request.to_organization, user=user)
    request.reason = reason or request.reason
    request.decided_by, request.decided_at = user, timezone.now()
    TRANSFER_STATUS.move(request, TransferRequest.Status.APPROVED if approve else TransferRequest.Status.REFUSED,
                         user=user, reason="", update_fields=["reason", "decided_by", "decided_at"])
