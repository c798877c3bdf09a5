"""Account claim: a roster worker proves who they are and gets their own login.

1. identity number + name + mobile must match an unclaimed roster record;
2. a six-digit code goes by SMS to the mobile on file, and the worker types it (zhangwan/accounts/otp.py);
3. the worker chooses a username and password.

Failures (details that do not match, wrong codes) count per identity number and per client address
in zhangwan.ratelimit, so new sessions start nowhere new. The fifth failure within the hour against
one identity number locks it for an hour, right details or not, and tells the union's training
officers and the worker's organization's liaisons, once per lock.
"""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhangwan.errors import ServiceError
from zhangwan.ratelimit import Limit
from zhangwan.registry.models import Worker

from .models import ClaimLock, OneTimeCode, User
from .notifications import tell
from .otp import otp_send, otp_verify
from .roles import Role

CLAIM_FAILURES_PER_RECORD = Limit("claim-record", 5, timedelta(hours=1))
CLAIM_FAILURES_PER_ADDRESS = Limit("claim-address", 20, timedelta(hours=1))
CLAIM_LOCK_DURATION = timedelta(hours=1)
# Told when a record is locked: the union's officers who manage worker accounts (rosters, with the
# full identity number) and the liaisons of the worker's organization.
CLAIM_LOCK_TOLD = Role.TRAINING_OFFICER


class ClaimError(ServiceError):
    """The claim cannot go on; the message is for the user."""


ALREADY_CLAIMED = gettext_lazy("This record has already been claimed. Log in, or ask your liaison for help.")


def worker_find_claimable(*, id_number: str, name: str, mobile: str) -> Worker | None:
    return Worker.objects.filter(id_number=id_number, name=name.strip(), mobile=mobile, user__isnull=True).first()


def claim_refusal(*, id_number: str, address: str) -> str | None:
    """Why an attempt is refused before anything is looked at, or None."""
    if CLAIM_FAILURES_PER_ADDRESS.exceeded(address):
        return _("Too many failed attempts from your network. Try again in an hour, or ask your "
                 "organization's liaison for help.")
    if ClaimLock.objects.filter(id_number=id_number, locked_until__gt=timezone.now()).exists():
        return _("Claims for this identity number are locked for an hour after repeated failed attempts, and "
                 "the union has been told. Try again later, or ask your organization's liaison for help.")
    return None


def claim_identify(*, id_number: str, name: str, mobile: str, address: str) -> Worker:
    """Step 1: the unclaimed record these details match. Not atomic: a failure must stay counted."""
    refusal = claim_refusal(id_number=id_number, address=address)
    if refusal:
        raise ClaimError(refusal)
    worker = worker_find_claimable(id_number=id_number, name=name, mobile=mobile)
    if worker is None:
        claim_failure_record(id_number=id_number, address=address)
        raise ClaimError(_("No unclaimed record matches these details. Check them, or ask your "
                           "organization's liaison to add you to the roster."))
    return worker


def claim_code_send(*, worker: Worker, address: str) -> OneTimeCode:
    """Send the claim code to the mobile on file; raises ClaimError while refused, and otp_send's errors."""
    refusal = claim_refusal(id_number=worker.id_number, address=address)
    if refusal:
        raise ClaimError(refusal)
    return otp_send(mobile=worker.mobile, purpose=OneTimeCode.Purpose.CLAIM)


def claim_code_check(*, worker: Worker, code: str, address: str) -> None:
    """Step 2: raises ClaimError unless code is the live claim code of the worker's mobile."""
    refusal = claim_refusal(id_number=worker.id_number, address=address)
    if refusal:
        raise ClaimError(refusal)
    if not otp_verify(mobile=worker.mobile, purpose=OneTimeCode.Purpose.CLAIM, code=code):
        claim_failure_record(id_number=worker.id_number, address=address)
        raise ClaimError(_("The code is wrong or has expired. Check the latest text message, or ask for a "
                           "new code."))


def claim_failure_record(*, id_number: str, address: str) -> None:
    """One failed attempt against id_number from address; the fifth in the hour locks the record."""
    CLAIM_FAILURES_PER_ADDRESS.hit(address)
    CLAIM_FAILURES_PER_RECORD.hit(id_number)
    if CLAIM_FAILURES_PER_RECORD.exceeded(id_number):
        claim_lock(id_number=id_number)


def _lock_sql() -> str:
    meta, quote = ClaimLock._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    id_number, locked_at, locked_until = (quote(meta.get_field(name).column)
                                          for name in ("id_number", "locked_at", "locked_until"))
    # An active lock is left as it is (no row returned): only a new lock tells anyone.
    return (f"INSERT INTO {table} ({id_number}, {locked_at}, {locked_until}) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({id_number}) DO UPDATE SET {locked_at} = EXCLUDED.{locked_at}, "
            f"{locked_until} = EXCLUDED.{locked_until} WHERE {table}.{locked_until} <= EXCLUDED.{locked_at} "
            f"RETURNING 1")


@transaction.atomic
def claim_lock(*, id_number: str) -> bool:
    """Lock claims of id_number for an hour; True (and the union told) when it was not locked already."""
    now = timezone.now()
    until = now + CLAIM_LOCK_DURATION
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(), [id_number, now, until])
        newly_locked = cursor.fetchone() is not None
    CLAIM_FAILURES_PER_RECORD.clear(id_number)
    if newly_locked:
        for worker in Worker.objects.filter(id_number=id_number).select_related("employer"):
            _tell_of_lock(worker, until)
    return newly_locked


def _tell_of_lock(worker: Worker, until) -> None:
    told = User.objects.filter(is_active=True).filter(
        Q(groups__name=CLAIM_LOCK_TOLD) | Q(groups__name=Role.LIAISON, organization_id=worker.employer_id)
    ).distinct()
    tell(told, "claim.locked", name=worker.name, id_number=worker.masked_id_number,
         organization=str(worker.employer or "—"), until=timezone.localtime(until).strftime("%Y-%m-%d %H:%M"),
         url=reverse("registry:worker_detail", kwargs={"pk": worker.pk}))


@transaction.atomic
def worker_claim(*, worker_id: int, username: str, password: str) -> User:
    """Step 3: give a roster worker their own login. Twice at once: the second finds it claimed."""
    worker = Worker.objects.select_for_update().get(pk=worker_id)
    if worker.user_id is not None:
        raise ClaimError(ALREADY_CLAIMED)
    user = User(username=username, full_name=worker.name, organization=None)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=Role.WORKER))
    worker.user = user
    worker.save(update_fields=["user", "updated_at"])
    return user
