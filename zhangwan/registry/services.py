"""Moving a worker between organizations: the employment history and the union's transfer requests."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.errors import ServiceError
from zhangwan.history import save_with_history
from zhangwan.transitions import Transitions

from .models import Employment, Organization, TransferRequest, Worker
from .validators import check_id_number, check_mobile


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


def worker_find_or_create(*, id_number: str, name: str, mobile: str, user,
                          poverty_registered: bool = False) -> tuple[Worker, bool]:
    """The worker with this identity number, or a new one without employer or account (a walk-in,
    a poverty-alleviation trainee) created by staff on the spot. The number is checked as everywhere
    (check digit, region, birth date); a known number under another name is refused rather than
    guessed at. Returns (worker, created)."""
    try:
        id_number = check_id_number((id_number or "").strip())
    except ValidationError as error:
        raise RegistryError(" ".join(error.messages)) from error
    name = (name or "").strip()
    if not name:
        raise RegistryError(_("Give the worker's full name."))
    known = Worker.objects.filter(id_number=id_number).first()
    if known is None:
        try:
            check_mobile((mobile or "").strip())
        except ValidationError as error:
            raise RegistryError(" ".join(error.messages)) from error
        worker = Worker(id_number=id_number, name=name[:50], mobile=mobile.strip(), employer=None,
                        poverty_registered=poverty_registered)
        try:
            with transaction.atomic():
                save_with_history(worker, user=user, reason="worker.created_by_staff")
            return worker, True
        except IntegrityError:  # created by someone else a moment ago: it is that worker
            known = Worker.objects.get(id_number=id_number)
    if known.name != name:
        raise RegistryError(_("This identity number belongs to %(name)s. Check the number and the name.")
                            % {"name": known.name})
    return known, False
