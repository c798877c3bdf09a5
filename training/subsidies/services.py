"""Every write on claims, batches and payments. Status changes happen here only, each with its
history (who, when, before, after); the engine (engine.py) makes the claims."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Certificate
from zhangwan.accounts.models import User
from zhangwan.accounts.notifications import tell, tell_each, tell_workers
from zhangwan.accounts.roles import Role
from zhangwan.api import webhooks
from zhangwan.errors import ServiceError
from zhangwan.history import (
    HISTORY_FIELDS,
    bulk_create_with_history,
    delete_with_history,
    reason_key,
    record_history,
    save_with_history,
    update_with_history,
)
from zhangwan.registry.models import Worker
from zhangwan.sql import statement
from zhangwan.transitions import Transitions

from .models import ZERO, Application, BankReminder, Batch, Claim, Payment, Policy, Run, budget_below_committed


class SubsidyError(ServiceError):
    """A refusal the user can act on; the message is for them."""


# The engine creates a claim pending or ineligible; an officer decides a pending one.
CLAIM_STATUS = Transitions(Claim, {
    Claim.Status.PENDING: {Claim.Status.APPROVED, Claim.Status.REJECTED},
    Claim.Status.INELIGIBLE: set(),
    # Reopened for review with a reason (claim_reopen), while no batch holds it.
    Claim.Status.APPROVED: {Claim.Status.PENDING},
    Claim.Status.REJECTED: {Claim.Status.PENDING},
}, error=SubsidyError)
BATCH_STATUS = Transitions(Batch, {
    Batch.Status.DRAFT: {Batch.Status.APPROVED},
    Batch.Status.APPROVED: {Batch.Status.PAID, Batch.Status.DRAFT},  # paid, or sent back
    Batch.Status.PAID: set(),
}, error=SubsidyError)


def _creation_statement():
    """History rows for claims the engine made: each as it is now, dated when it was made, by whoever
    started its run."""
    history = Claim.history.model._meta
    columns = [f.column for f in history.concrete_fields if f.name not in HISTORY_FIELDS]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    selected = ", ".join(f"c.{connection.ops.quote_name(c)}" for c in columns)
    return statement("subsidies.claim_creation", (
        "INSERT INTO {h:table} (" + names + ", {h.history_date:name}, {h.history_change_reason:name}, "
        "{h.history_type:name}, {h.history_user:name}) "
        "SELECT " + selected + ", {c.created_at}, %(reason)s, %(created)s, coalesce({r.started_by}, {c.created_by}) "
        "FROM {c} LEFT JOIN {r} ON {r.id} = {c.run} "
        "WHERE {c.id} = ANY(%(pks)s) AND NOT EXISTS (SELECT 1 FROM {h} WHERE {h.id} = {c.id})"),
        c=Claim, r=Run, h=Claim.history.model, constants={"reason": reason_key("claim.computed"), "created": "+"})


CREATION = _creation_statement()


def record_creation(pks) -> None:
    """The engine writes claims without history rows (a million rows would cost as much again), so
    before a claim's first change its history gets its creation: by whom the run was started, when."""
    pks = list(pks)
    if not pks:
        return
    with connection.cursor() as cursor:
        cursor.execute(CREATION.text, CREATION.params(pks=pks))


def _changed(pks, reason, user):
    record_history(Claim, pks, reason=reason, user=user)


# Runs ----------------------------------------------------------------------------------------

def run_start(*, period_start: datetime.date, period_end: datetime.date, claimed_on: datetime.date, user) -> Run:
    from .tasks import compute_claims

    if period_end < period_start:
        raise SubsidyError(_("The period ends before it starts."))
    if not Policy.objects.filter(valid_from__lte=period_end, valid_to__gte=period_start).exists():
        raise SubsidyError(_("No subsidy policy is valid in this period."))
    with transaction.atomic():
        run = Run.objects.create(period_start=period_start, period_end=period_end, claimed_on=claimed_on,
                                 started_by=user)
        compute_claims.delay_on_commit(run.pk)
    return run


# Review --------------------------------------------------------------------------------------

def _lock_pending(claims) -> list[int]:
    """Lock the claims awaiting review among these (whatever joins the filter made)."""
    return list(Claim.objects.filter(pk__in=claims.order_by().values("pk"), status=Claim.Status.PENDING)
                .select_for_update().values_list("pk", flat=True))


@transaction.atomic
def claims_approve(*, claims, user) -> int:
    """Approve the claims awaiting review among these; the others are left as they are."""
    pks = _lock_pending(claims)
    record_creation(pks)
    approved = len(CLAIM_STATUS.update(Claim.objects.filter(pk__in=pks), Claim.Status.APPROVED, user=user,
                                       reason="claim.approved", reviewed_by=user, reviewed_at=timezone.now()))
    if pks:
        _emit("claim.approved", Claim.objects.filter(pk__in=pks))
    return approved


def _emit(event: str, claims) -> None:
    """The webhook event for each claim, to its worker's employer's subscriptions and the district's."""
    webhooks.emit_each(event, claims.select_related("worker", "policy").order_by("pk"), lambda c: c.worker.employer_id)


@transaction.atomic
def claims_refuse(*, claims, user, reason: str) -> int:
    reason = (reason or "").strip()
    if not reason:
        raise SubsidyError(_("Give the reason for refusing; the worker will read it."))
    pks = _lock_pending(claims)
    record_creation(pks)
    return len(CLAIM_STATUS.update(Claim.objects.filter(pk__in=pks), Claim.Status.REJECTED, user=user,
                                   reason="claim.refused", reviewed_by=user, reviewed_at=timezone.now(),
                                   review_note=reason[:300]))


def reopen_refusal(claim: Claim) -> str:
    """Why this claim cannot be reopened now ("" when it can): the reason the page shows beside the
    disabled button, and the service's refusal."""
    if claim.reverses_id:
        return _("A reversal cannot be reopened.")
    if claim.status not in (Claim.Status.APPROVED, Claim.Status.REJECTED):
        return _("Only an approved or refused claim can be reopened.")
    if claim.batch_id:
        return _("The claim is in disbursement batch %(batch)s: it cannot be reopened. Before the batch is paid "
                 "finance can take it out (send the batch back or delete it); once paid, correct it with a "
                 "reversal.") % {"batch": claim.batch.number}
    if Claim.objects.filter(reverses=claim).exists():
        return _("This claim has been reversed; the reversal is the record now.")
    return ""


@transaction.atomic
def claim_reopen(*, claim: Claim, user, reason: str) -> Claim:
    """Take back an approval or a refusal: the claim awaits review again. Only while no batch holds it
    (a batched claim's money is committed; finance takes it out first). The reason goes into the
    history; the worker is told."""
    reason = (reason or "").strip()
    if not reason:
        raise SubsidyError(_("Give the reason for reopening the claim."))
    claim = (Claim.objects.select_for_update(of=("self",)).select_related("batch", "worker__user", "policy")
             .get(pk=claim.pk))
    if refusal := reopen_refusal(claim):
        raise SubsidyError(refusal)
    claim.reviewed_by, claim.reviewed_at, claim.review_note = None, None, ""
    CLAIM_STATUS.move(claim, Claim.Status.PENDING, user=user, reason="claim.reopened", detail=reason,
                      update_fields=["reviewed_by", "reviewed_at", "review_note"])
    tell_workers([claim], "claim.reopened", params=lambda c: {"number": c.pk, "policy": c.policy.name,
                                                              "reason": reason},
                 url=reverse("subsidies:claim_detail", args=[claim.pk]))
    return claim


@transaction.atomic
def claim_reverse(*, claim: Claim, user, reason: str) -> Claim:
    """Correct an approved claim: a new claim with the opposite amount pointing to it. Money
    already paid stays paid; the reversal is the record to recover it."""
    reason = (reason or "").strip()
    if not reason:
        raise SubsidyError(_("Give the reason for the reversal."))
    claim = Claim.objects.select_for_update(of=("self",)).select_related("batch").get(pk=claim.pk)
    if claim.reverses_id:
        raise SubsidyError(_("A reversal cannot itself be reversed."))
    if claim.status != Claim.Status.APPROVED:
        raise SubsidyError(_("Only an approved claim is corrected by a reversal; this one can still be reviewed."))
    if Claim.objects.filter(reverses=claim).exists():
        raise SubsidyError(_("This claim has already been reversed."))
    if claim.batch and claim.batch.status != Batch.Status.PAID:
        raise SubsidyError(_("The claim is in disbursement batch %(batch)s, which is not paid yet: finance must "
                             "take it out first.") % {"batch": claim.batch.number})
    reversal = Claim(
        policy_id=claim.policy_id, worker_id=claim.worker_id, certificate_id=claim.certificate_id,
        enrollment_id=claim.enrollment_id, trade_id=claim.trade_id, level=claim.level, rate_id=claim.rate_id,
        quantity=claim.quantity, amount=-claim.amount, status=Claim.Status.APPROVED, claimed_on=timezone.localdate(),
        created_by=user, reviewed_by=user, reviewed_at=timezone.now(), review_note=reason[:300], reverses=claim)
    save_with_history(reversal, user=user, reason="claim.reversal")
    record_creation([claim.pk])
    if claim.batch_id:  # paid (checked above): the money was not due, it is to be recovered
        # Netted at once in the policy's committed and paid money (selectors.py counts it the same way).
        Policy.objects.filter(pk=claim.policy_id).update(committed=F("committed") + reversal.amount,
                                                         paid=F("paid") + reversal.amount)
        record_history(Policy, [claim.policy_id], reason="policy.reversal", detail=f"#{reversal.pk}", user=user)
    return reversal


def revocation_effect(certificate) -> dict:
    """What revoking the certificate does to its subsidy claims, for the revocation page: the paid
    money to recover, and the unpaid batch that stops it (None when nothing does)."""
    claims = Claim.objects.filter(certificate=certificate, reverses__isnull=True, reversal__isnull=True,
                                  status=Claim.Status.APPROVED)
    blocking = claims.filter(batch__status__in=[Batch.Status.DRAFT, Batch.Status.APPROVED]).select_related("batch")
    return {"to_recover": claims.filter(batch__status=Batch.Status.PAID).aggregate(total=Sum("amount"))["total"],
            "blocking_batch": next((c.batch for c in blocking[:1]), None)}


def claims_reverse_for_certificate(*, certificate, user, reason: str) -> list[Claim]:
    """The certificate was revoked: every approved claim that stands on it is reversed (a paid one
    is then to be recovered). Claims awaiting review are refused with the same reason. A claim in a
    batch not yet paid stops the revocation: finance must take it out of the batch first. Called
    inside the revocation's transaction, so both happen or neither."""
    claims = Claim.objects.filter(certificate=certificate, reverses__isnull=True, reversal__isnull=True)
    in_open_batch = claims.filter(status=Claim.Status.APPROVED, batch__status__in=[Batch.Status.DRAFT,
                                                                                  Batch.Status.APPROVED])
    batch = in_open_batch.select_related("batch").first()
    if batch is not None:
        raise SubsidyError(_("A subsidy claim for this certificate is in disbursement batch %(batch)s, which is not "
                             "paid yet: finance must send the batch back or delete it first.")
                           % {"batch": batch.batch.number})
    claims_refuse(claims=claims.filter(status=Claim.Status.PENDING), user=user, reason=reason)
    return [claim_reverse(claim=claim, user=user, reason=reason)
            for claim in claims.filter(status=Claim.Status.APPROVED).order_by("pk")]


def reversals_undo_for_certificate(*, certificate, user, reason: str) -> int:
    """The certificate's revocation was taken back: the reversals it made are deleted (with history)
    where nothing was recovered yet, so the claims stand again; a paid claim's reversal is added back
    to its policy's money. A reversal recovered (marked, or in a paid recovery batch) stays: the money
    came back. One in a recovery batch not yet paid stops the reinstatement: finance takes it out first."""
    reversals = list(Claim.objects.select_for_update(of=("self",)).filter(reverses__certificate=certificate)
                     .select_related("batch", "reverses__batch").order_by("pk"))
    for reversal in reversals:
        if reversal.batch_id and reversal.batch.status != Batch.Status.PAID:
            raise SubsidyError(_("Reversal #%(number)d is in recovery batch %(batch)s, which is not paid yet: finance "
                                 "must take it out first.") % {"number": reversal.pk, "batch": reversal.batch.number})
    undone = [r for r in reversals if r.batch_id is None and r.recovered_on is None]
    for reversal in undone:
        original = reversal.reverses
        if original.batch_id and original.batch.status == Batch.Status.PAID:  # claim_reverse netted it
            Policy.objects.filter(pk=reversal.policy_id).update(committed=F("committed") - reversal.amount,
                                                                paid=F("paid") - reversal.amount)
            record_history(Policy, [reversal.policy_id], reason="policy.reversal_undone", detail=f"#{reversal.pk}",
                           user=user)
        delete_with_history(reversal, user=user, reason="claim.reversal_undone", detail=reason)
    return len(undone)


# Batches -------------------------------------------------------------------------------------

def payable_claims(policy: Policy, organization=None):
    claims = Claim.objects.payable().filter(policy=policy).exclude(worker__bank_account="")
    return claims.filter(worker__employer=organization) if organization else claims


@transaction.atomic(savepoint=False)
def batch_add_claims(*, batch: Batch, pks: list[int]) -> int:
    """Put these approved claims not yet in a batch into the batch, copying each worker's name, bank
    and account onto the claim: one UPDATE … FROM. The workers' rows are share-locked first, so a change
    of bank details (``bank_details_change`` locks the row) either waits for this batch's commit, and then
    sees it open, or was committed before and is frozen here: the UPDATE, a statement later, reads what
    was committed before it began. The rows are locked in the order of their ids, as a bank import locks
    them (bank.py), so the two never wait on each other. A worker without an account is left out.

    The UPDATE joins the workers' table by its key. It used to join the locked rows as a CTE, which has
    no index: on statistics that say hardly any claim is outside a batch (taken before a quarter's claims,
    which stay below autovacuum's tenth of the table, or before claims approved and batched in the
    transaction that made them), PostgreSQL planned that join as a nested loop over every pair of claim
    and payee (1,200 claims: 1.4 million rows read and thrown away; 20 s for the demo's largest batch;
    test_batch_plan.py)."""
    claim, worker = Claim._meta, Worker._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {worker.db_table} "
            f"WHERE id IN (SELECT worker_id FROM {claim.db_table} WHERE id = ANY(%s)) ORDER BY id FOR SHARE) locked",
            [pks])
        cursor.execute(
            f"UPDATE {claim.db_table} c SET batch_id = %s, payee_name = w.name, payee_bank_name = w.bank_name, "
            f"payee_bank_account = w.bank_account FROM {worker.db_table} w "
            f"WHERE w.id = c.worker_id AND c.id = ANY(%s) AND c.batch_id IS NULL AND c.status = %s "
            f"AND w.bank_account <> ''",
            [batch.pk, pks, Claim.Status.APPROVED])
        return cursor.rowcount


def recoverable_reversals(policy: Policy, organization=None):
    claims = Claim.objects.recoverable().filter(policy=policy)
    return claims.filter(worker__employer=organization) if organization else claims


def batch_add_reversals(*, batch: Batch, pks: list[int]) -> int:
    """Put these outstanding reversals into a recovery batch, each with the payee of the claim it
    reverses (the account the money went to): one UPDATE … FROM."""
    claim = Claim._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {claim.db_table} c SET batch_id = %s, payee_name = o.payee_name, "
            f"payee_bank_name = o.payee_bank_name, payee_bank_account = o.payee_bank_account "
            f"FROM {claim.db_table} o WHERE o.id = c.reverses_id AND c.id = ANY(%s) AND c.batch_id IS NULL "
            f"AND c.recovered_on IS NULL AND o.payee_bank_account <> ''",
            [batch.pk, pks])
        return cursor.rowcount


@transaction.atomic
def batch_create(*, policy: Policy, user, organization=None, note: str = "",
                 kind: str = Batch.Kind.PAYMENT) -> Batch:
    """Gather the policy's approved, unpaid claims (of workers with a bank account) into a draft
    batch, each with its payee frozen: one UPDATE; claims another batch took at the same moment are
    simply not in this one. A recovery batch gathers instead the reversals of paid claims whose money
    is still to come back."""
    batch = Batch(policy=policy, organization=organization, created_by=user, note=note, kind=kind)
    save_with_history(batch, user=user)
    if kind == Batch.Kind.RECOVERY:
        pks = list(recoverable_reversals(policy, organization).values_list("pk", flat=True))
        if not batch_add_reversals(batch=batch, pks=pks):
            raise SubsidyError(_("No reversal of this policy is waiting to be recovered."))
    else:
        pks = list(payable_claims(policy, organization).values_list("pk", flat=True))
        record_creation(pks)
        if not batch_add_claims(batch=batch, pks=pks):
            raise SubsidyError(_("No approved claim of this policy is waiting for payment."))
    totals = batch.claims.aggregate(total=Sum("amount"), count=Count("pk"))
    batch.total, batch.claim_count = totals["total"], totals["count"]
    batch.save(update_fields=["total", "claim_count"])
    _changed(batch.claims.values_list("pk", flat=True), "claim.batched", user)
    return batch


def _locked_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().select_related("policy").get(pk=batch.pk)


@transaction.atomic
def batch_delete(*, batch: Batch, user) -> None:
    batch = _locked_batch(batch)
    if batch.status != Batch.Status.DRAFT:
        raise SubsidyError(_("Only a draft batch can be deleted."))
    pks = list(batch.claims.values_list("pk", flat=True))
    batch.claims.update(batch=None, payee_name="", payee_bank_name="", payee_bank_account="")
    _changed(pks, "claim.unbatched", user)
    delete_with_history(batch, user=user)


@transaction.atomic
def batch_approve(*, batch: Batch, user) -> Batch:
    """Commit the batch's money against the policy budget. The policy row is locked, so two
    approvals at once are decided one after the other against the same remaining budget."""
    policy = Policy.objects.select_for_update().get(pk=batch.policy_id)
    batch = _locked_batch(batch)
    if batch.created_by_id == user.pk:
        raise SubsidyError(_("You made this batch, so someone else in finance must approve it."))
    if batch.status != Batch.Status.DRAFT:  # its own words: a second click on "approve"
        raise SubsidyError(_("This batch is already %(status)s.") % {"status": batch.get_status_display()})
    batch.approved_by, batch.approved_at, batch.sent_back_reason = user, timezone.now(), ""
    if batch.is_recovery:  # its reversals were netted when they were made: no budget moves
        BATCH_STATUS.move(batch, Batch.Status.APPROVED, user=user, reason="batch.approved",
                          update_fields=["approved_by", "approved_at", "sent_back_reason"])
        return batch
    if batch.total > policy.budget - policy.committed:
        raise SubsidyError(_("Approving ¥%(total)s would exceed the budget of “%(policy)s”: only ¥%(left)s remains.")
                           % {"total": f"{batch.total:,.2f}", "policy": policy.name,
                              "left": f"{policy.budget - policy.committed:,.2f}"})
    Policy.objects.filter(pk=policy.pk).update(committed=F("committed") + batch.total)
    BATCH_STATUS.move(batch, Batch.Status.APPROVED, user=user, reason="batch.approved",
                      update_fields=["approved_by", "approved_at", "sent_back_reason"])
    record_history(Policy, [policy.pk], reason="policy.batch_approved", detail=batch.number, user=user)
    return batch


@transaction.atomic
def batch_send_back(*, batch: Batch, user, reason: str) -> Batch:
    """Someone other than its maker sends a draft or approved (unpaid) batch back to its maker with a
    reason: it is a draft again, and an approved batch's money is no longer committed. The maker
    reads the reason on the batch; the history keeps it."""
    reason = (reason or "").strip()
    if not reason:
        raise SubsidyError(_("Give the reason for sending the batch back; its maker will read it."))
    policy = Policy.objects.select_for_update().get(pk=batch.policy_id)
    batch = _locked_batch(batch)
    if batch.created_by_id == user.pk:
        raise SubsidyError(_("You made this batch: delete it instead of sending it back to yourself."))
    if batch.status == Batch.Status.PAID:
        raise SubsidyError(_("This batch is paid: a paid claim is corrected by a reversal."))
    was_approved = batch.status == Batch.Status.APPROVED
    batch.sent_back_reason, batch.approved_by, batch.approved_at = reason[:300], None, None
    if was_approved:
        BATCH_STATUS.move(batch, Batch.Status.DRAFT, user=user, reason="batch.sent_back", detail=reason[:200],
                          update_fields=["sent_back_reason", "approved_by", "approved_at"])
        if not batch.is_recovery:
            Policy.objects.filter(pk=policy.pk).update(committed=F("committed") - batch.total)
            record_history(Policy, [policy.pk], reason="policy.batch_sent_back", detail=batch.number, user=user)
    else:
        save_with_history(batch, user=user, reason="batch.sent_back", detail=reason[:200],
                          update_fields=["sent_back_reason"])
    tell([batch.created_by], "batch.sent_back", name=user.get_full_name() or user.username, batch=batch.number,
         reason=reason, url=reverse("subsidies:batch_detail", args=[batch.pk]))
    return batch


@transaction.atomic
def payment_record(*, batch: Batch, user, paid_on: datetime.date, reference: str) -> Payment:
    batch = _locked_batch(batch)
    if batch.status == Batch.Status.PAID:
        raise SubsidyError(_("The payment of this batch is already recorded."))
    if batch.status != Batch.Status.APPROVED:
        raise SubsidyError(_("A batch is paid only after it is approved."))
    if paid_on > timezone.localdate():
        raise SubsidyError(_("The payment date cannot be in the future."))
    try:
        with transaction.atomic():
            payment = Payment(batch=batch, paid_on=paid_on, reference=reference.strip(), amount=batch.amount,
                              recorded_by=user)
            save_with_history(payment, user=user)
    except IntegrityError:
        raise SubsidyError(_("The bank reference %(reference)s is already recorded for another batch.")
                           % {"reference": reference}) from None
    BATCH_STATUS.move(batch, Batch.Status.PAID, user=user, reason="batch.paid", detail=payment.reference)
    if batch.is_recovery:  # the money came back; the policy's figures netted it at the reversal
        _changed(batch.claims.values_list("pk", flat=True), "claim.recovered_by_batch", user)
        return payment
    Policy.objects.filter(pk=batch.policy_id).update(paid=F("paid") + batch.total)
    _emit("claim.paid", batch.claims.all())
    tell_workers(
        batch.claims.filter(worker__user__isnull=False).select_related("worker__user"), "subsidy.paid",
        params=lambda c: {"policy": batch.policy.name, "amount": f"{c.amount:,.2f}", "date": paid_on.isoformat(),
                          "reference": payment.reference},
        url=reverse("subsidies:mine"))
    record_history(Policy, [batch.policy_id], reason="policy.batch_paid", detail=batch.number, user=user)
    return payment


# Recoveries ----------------------------------------------------------------------------------

@transaction.atomic
def recovery_mark(*, claim: Claim, user, recovered_on: datetime.date, reference: str, reason: str) -> Claim:
    """Finance records that a reversal's money came back outside a recovery batch (paid in at the
    counter, set off against another payment…): when, the reference, how."""
    reference, reason = (reference or "").strip(), (reason or "").strip()
    if not reference or not reason:
        raise SubsidyError(_("Give the reference and how the money was recovered."))
    if recovered_on > timezone.localdate():
        raise SubsidyError(_("The date of the recovery cannot be in the future."))
    claim = Claim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
    if not Claim.objects.recoverable().filter(pk=claim.pk).exists():
        if claim.batch_id:
            raise SubsidyError(_("This reversal is in recovery batch %(batch)s: it is recovered with the batch.")
                               % {"batch": claim.batch.number})
        raise SubsidyError(_("Only the reversal of a paid claim, not yet recovered, can be marked as recovered."))
    claim.recovered_on, claim.recovery_reference, claim.recovery_note = recovered_on, reference[:60], reason[:300]
    claim.recovered_by = user
    save_with_history(claim, user=user, reason="claim.recovered", detail=reference[:60],
                      update_fields=["recovered_on", "recovery_reference", "recovery_note", "recovered_by"])
    return claim


# Policies --------------------------------------------------------------------------------------

@transaction.atomic
def policy_budget_change(*, policy: Policy, budget: Decimal, user) -> Policy:
    """A new budget, never below what approved batches committed (net of reversals): the policy
    row is locked, so an approval at the same moment is counted first or waits."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if budget < 0:
        raise SubsidyError(_("The budget cannot be negative."))
    if budget < policy.committed:
        raise SubsidyError(budget_below_committed(policy))
    policy.budget = budget
    save_with_history(policy, user=user, reason="policy.budget", detail=f"{budget:,.2f}", update_fields=["budget"])
    return policy


# Bank details ---------------------------------------------------------------------------------

@transaction.atomic
def bank_details_change(*, worker: Worker, user, bank_name: str, bank_account: str,
                        reason: str = "worker.bank_details") -> bool:
    """The worker's new bank details, kept in the history with who changed them (the worker, or an
    officer for a worker who never logs in: reason "worker.bank_details_by_staff"). The worker is told;
    so is finance while a batch holding one of the worker's claims is not paid yet (that batch pays
    the account frozen in it, which may no longer be the worker's). False when nothing changed.
    The worker's row is locked: a batch being made at the same moment freezes the details either
    before or after this change, and in the second case this change sees the batch open."""
    worker = Worker.objects.select_related("user").select_for_update(of=("self",)).get(pk=worker.pk)
    if (worker.bank_name, worker.bank_account) == (bank_name, bank_account):
        return False
    update_with_history(Worker.objects.filter(pk=worker.pk), reason=reason, user=user,
                        bank_name=bank_name, bank_account=bank_account, updated_at=timezone.now())
    worker.bank_name, worker.bank_account = bank_name, bank_account
    tell_bank_details_changed([worker], by_worker=reason == "worker.bank_details")
    return True


def tell_bank_details_changed(workers: list[Worker], *, by_worker: bool) -> None:
    """Each worker with an account is told their new (masked) account; finance is told of every
    batch not yet paid that holds a claim of theirs, with the names."""
    names: dict[int, list[str]] = {}
    for batch_pk, name in (Claim.objects.filter(worker__in=workers, batch__status__in=[
            Batch.Status.DRAFT, Batch.Status.APPROVED]).order_by("batch", "worker__name")
            .values_list("batch", "worker__name").distinct()):
        names.setdefault(batch_pk, []).append(name)
    by_batch = {(b.pk, b.number): names[b.pk] for b in Batch.objects.filter(pk__in=names).order_by("pk")}
    tell_each((w.user, "bank.changed" if by_worker else "bank.recorded",
               {"bank": w.bank_name, "account": w.masked_bank_account}, reverse("subsidies:mine"))
              for w in workers if w.user_id)
    finance = list(User.objects.filter(groups__name=Role.FINANCE_OFFICER, is_active=True)) if by_batch else []
    tell_each((officer, "bank.changed_in_batch", {"name": "、".join(names), "batch": number},
               reverse("subsidies:batch_detail", args=[pk]))
              for (pk, number), names in by_batch.items() for officer in finance)


@transaction.atomic
def bank_reminders_send(*, claims, user) -> int:
    """Remind the workers of these claims still waiting for bank details: in-app to a worker with an
    account, by text message to one without; their organizations' liaisons get the names. At most once
    a claim a day: the claims are locked, today's reminders looked up, and the database's unique
    (claim, day) refuses a second anyway. Returns how many claims were reminded of."""
    today = timezone.localdate()
    pks = list(claims.waiting_for_bank_details().order_by("pk").values_list("pk", flat=True))
    locked = list(Claim.objects.filter(pk__in=pks).order_by("pk").select_for_update().values_list("pk", flat=True))
    done = set(BankReminder.objects.filter(claim__in=locked, sent_on=today).values_list("claim", flat=True))
    fresh = list(Claim.objects.filter(pk__in=[pk for pk in locked if pk not in done])
                 .select_related("worker__user", "policy").order_by("worker__name", "pk"))
    if not fresh:
        return 0
    BankReminder.objects.bulk_create([BankReminder(claim=c, sent_on=today, sent_by=user, by_sms=not c.worker.user_id)
                                      for c in fresh])
    by_worker: dict[int, list[Claim]] = {}
    for c in fresh:
        by_worker.setdefault(c.worker_id, []).append(c)
    _remind(by_worker)
    return len(fresh)


def _remind(by_worker: dict[int, list[Claim]]) -> None:
    from .tasks import send_bank_reminder_sms

    tell_each((c[0].worker.user, "bank.reminder", {"count": len(c), "amount": f"{sum(x.amount for x in c):.2f}"},
               reverse("subsidies:bank_details")) for c in by_worker.values() if c[0].worker.user_id)
    for c in by_worker.values():
        if not c[0].worker.user_id:
            send_bank_reminder_sms.delay_on_commit(c[0].worker.mobile, len(c), f"{sum(x.amount for x in c):.2f}")
    names: dict[int, list[str]] = {}
    for c in by_worker.values():
        if c[0].worker.employer_id:
            names.setdefault(c[0].worker.employer_id, []).append(c[0].worker.name)
    liaisons = User.objects.filter(groups__name=Role.LIAISON, is_active=True, organization__in=names)
    tell_each((liaison, "bank.reminder_liaison", {"names": "、".join(names[liaison.organization_id])},
               reverse("subsidies:bank_import")) for liaison in liaisons)


def policy_totals(policies) -> dict[int, dict]:
    """Per policy: the money claimed (awaiting review, approved) besides the budget counters."""
    rows = (Claim.objects.filter(policy__in=policies).values("policy")
            .annotate(pending=Sum("amount", filter=Q(status=Claim.Status.PENDING), default=ZERO),
                      approved=Sum("amount", filter=Q(status=Claim.Status.APPROVED), default=ZERO),
                      claims=Count("pk", filter=Q(reverses__isnull=True))))
    return {r["policy"]: r for r in rows}


def as_money(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


def shortage_save(entry, *, user):
    """Add or change an entry of the shortage list, with its history."""
    if entry.valid_to < entry.valid_from:
        raise SubsidyError(_("The period ends before it starts."))
    try:
        with transaction.atomic():
            return save_with_history(entry, user=user, reason="shortage.saved")
    except IntegrityError as error:
        raise SubsidyError(_("This occupation and level is already on the list from that day.")) from error


def applications_create(*, certificates, user, channel: str, applied_on: datetime.date | None = None) -> list:
    """Apply for the skill-improvement subsidy on these certificates (a queryset), dated today: the
    claim window is measured to this date. Only valid certificates issued on or before the date; one
    application a certificate (those already applied for are left as they are). Set-based: one
    INSERT with its history rows. Returns the new applications."""
    applied_on = applied_on or timezone.localdate()
    try:
        return _applications_insert(certificates, user=user, channel=channel, applied_on=applied_on)
    except IntegrityError as error:  # the same certificate applied for at the same moment
        raise SubsidyError(_("Someone applied for the same certificate just now; look again.")) from error


@transaction.atomic
def _applications_insert(certificates, *, user, channel, applied_on):
    wanted = list(certificates.select_for_update(of=("self",))
                  .filter(status=Certificate.Status.VALID, issued_on__lte=applied_on, subsidy_application__isnull=True)
                  .values_list("pk", "holder_id"))
    if not wanted:
        raise SubsidyError(_("No certificate to apply for: each is already applied for, revoked or not yet "
                             "issued."))
    made = [Application(certificate_id=pk, worker_id=holder, applied_on=applied_on, channel=channel,
                        applied_by=user) for pk, holder in wanted]
    bulk_create_with_history(made, Application, user=user, reason="application.subsidy")
    return made
