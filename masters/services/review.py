"""Getting nominations reviewed: conflicts, assigning reviewers (``masters.assignment`` plans),
the reviewer's scores, and a reviewer stepping back."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.accounts.notifications import tell_each
from zhangwan.history import (
    bulk_create_with_history,
    bulk_update_with_history,
    delete_with_history,
    save_with_history,
)
from zhangwan.prepared import Prepared

from .. import assignment as planner
from .. import selectors
from ..models import Assignment, Conflict, ConflictWaiver, Nomination, Reviewer, Score, SelectionRound
from . import lifecycle, ranking
from .lifecycle import ASSIGNMENT_STATUS, MastersError, local_today

S = Nomination.Status
CENTS = Decimal("0.01")


def _pool(round_):
    reviewers = Reviewer.objects.filter(active=True).prefetch_related("trades")
    return [planner.Expert(id=r.pk, organization=r.organization_id, trades=frozenset(t.pk for t in r.trades.all()),
                           max_load=r.max_load) for r in reviewers]


@transaction.atomic
def conflict_waive(*, nomination: Nomination, reviewer: Reviewer, reason: str, user) -> ConflictWaiver:
    if not reason.strip():
        raise MastersError(_("Say why this is not a conflict."))
    if nomination.organization_id != reviewer.organization_id:
        raise MastersError(_("There is no same-organization conflict to dismiss here."))
    waiver, _created = ConflictWaiver.objects.get_or_create(
        nomination=nomination, reviewer=reviewer, defaults={"reason": reason.strip()[:300], "waived_by": user})
    return waiver


def assign_refusal(round_: SelectionRound, today=None) -> str | None:
    """Why reviewers cannot be assigned now, or None: once nominations have closed, before publicity."""
    if local_today(today) <= round_.nominations_close:
        return _("Nominations are open until %(date)s: reviewers are assigned after they close.") % {
            "date": round_.nominations_close}
    if round_.publicity_starts:
        return _("Publicity has started; reviewers can no longer be assigned.")
    return None


@transaction.atomic
def reviewers_assign(*, round_: SelectionRound, user, today=None) -> dict:
    """Give every eligible or reviewed nomination the round's number of reviewers (keeping those it
    has); the eligible ones go under review. Safe to rerun; refused while nominations are open."""
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    refusal = assign_refusal(round_, today)
    if refusal:
        raise MastersError(refusal)
    nominations = list(Nomination.objects.filter(round=round_, status__in=[S.ELIGIBLE, S.UNDER_REVIEW])
                       .select_for_update())
    if not nominations:
        raise MastersError(_("No eligible nominations to assign; run the eligibility check first."))
    active = Assignment.objects.filter(nomination__round=round_).exclude(status=Assignment.Status.WITHDRAWN)
    existing = {}
    for nomination_id, reviewer_id in active.values_list("nomination_id", "reviewer_id"):
        existing.setdefault(nomination_id, set()).add(reviewer_id)
    nominees = [planner.Nominee(id=n.pk, organization=n.organization_id, trade=n.trade_id) for n in nominations]
    experts = _pool(round_)
    if len(experts) < round_.reviewers_per_nomination:
        raise MastersError(_("The pool has %(n)d active reviewers; the round needs %(k)d per nomination.")
                           % {"n": len(experts), "k": round_.reviewers_per_nomination})
    pairs, short = planner.plan(nominees, experts, per_nomination=round_.reviewers_per_nomination,
                                existing=existing, blocked=selectors.blocked_pairs(round_),
                                waived=selectors.waived_pairs(round_))
    bulk_create_with_history([Assignment(nomination_id=n, reviewer_id=r, assigned_by=user) for n, r in pairs],
                             Assignment, user=user, reason="assignment.assigned")
    lifecycle.nominations_transition(round_, frm=[S.ELIGIBLE], to=S.UNDER_REVIEW, user=user,
                                     reason="nomination.reviewers_assigned")
    _tell_reviewers(round_, {r for _n, r in pairs})
    return {"assigned": len(pairs), "short": short}


def _tell_reviewers(round_, reviewer_ids):
    reviewers = Reviewer.objects.filter(pk__in=reviewer_ids).select_related("user")
    tell_each((r.user, "review.assigned", {"round": round_, "date": round_.review_closes},
               reverse("masters:review_home")) for r in reviewers)


@transaction.atomic
def assignment_add(*, nomination: Nomination, reviewer: Reviewer, user) -> Assignment:
    """The officer's adjustment by hand; the same conflicts apply."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != S.UNDER_REVIEW:
        raise MastersError(_("Reviewers can be changed only while the nomination is under review."))
    expert = planner.Expert(id=reviewer.pk, organization=reviewer.organization_id)
    nominee = planner.Nominee(id=nomination.pk, organization=nomination.organization_id, trade=nomination.trade_id)
    round_ = nomination.round
    if not planner.allowed(nominee, expert, selectors.blocked_pairs(round_), selectors.waived_pairs(round_)):
        raise MastersError(_("%(reviewer)s has a conflict with this nomination.") % {"reviewer": reviewer})
    if Assignment.objects.filter(nomination=nomination, reviewer=reviewer).exists():
        raise MastersError(_("%(reviewer)s is already assigned to this nomination.") % {"reviewer": reviewer})
    assignment = Assignment(nomination=nomination, reviewer=reviewer, assigned_by=user)
    save_with_history(assignment, user=user)
    _tell_reviewers(round_, [reviewer.pk])
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, user) -> None:
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != Assignment.Status.ASSIGNED:
        raise MastersError(_("Only an assignment not yet submitted can be removed."))
    ASSIGNMENT_STATUS.move(assignment, Assignment.Status.WITHDRAWN, user=user, reason="assignment.removed")
    ranking.ranking_when_reviewed(nomination_id=assignment.nomination_id, user=user)


def _total(scores, criteria) -> Decimal:
    total = sum((scores[c.pk] / c.max_score * c.weight for c in criteria), Decimal(0))
    return total.quantize(CENTS, ROUND_HALF_UP)


def review_refusal(round_: SelectionRound, today=None) -> str | None:
    """Why scores cannot be saved now, or None: only inside the round's review window."""
    if round_.review_is_open(local_today(today)):
        return None
    return _("Review of %(round)s is open from %(start)s to %(end)s.") % {
        "round": round_, "start": round_.review_opens, "end": round_.review_closes}


# The reviewer's assignment locked, with its nomination and round: every save of a sheet (zhangwan.prepared).
LOCKED_SHEET = Prepared(lambda pk, user_id: selectors.reviewer_assignments(user_id).select_for_update(of=("self",))
                        .select_related("nomination__round").filter(pk=pk), "pk", "user_id")


@transaction.atomic
def review_save(*, assignment: Assignment, user, scores: dict, comments: dict, comment: str, submit: bool,
                today=None) -> Assignment:
    """Save a reviewer's scores (criterion id → Decimal or None); submitting locks them."""
    assignment = LOCKED_SHEET.get(pk=assignment.pk, user_id=user.pk)
    round_ = assignment.nomination.round
    if assignment.status == Assignment.Status.SUBMITTED:
        raise MastersError(_("You submitted this review; the scores are locked."))
    refusal = review_refusal(round_, today)
    if refusal:
        raise MastersError(refusal)
    criteria = selectors.CRITERIA.list(round_id=round_.pk)
    known = {c.pk: c for c in criteria}
    for criterion_id, value in scores.items():
        criterion = known.get(criterion_id)
        if criterion is None:
            raise MastersError(_("Unknown criterion."))
        if value is not None and not (0 <= value <= criterion.max_score):
            raise MastersError(_("%(criterion)s: a score between 0 and %(max)s.")
                               % {"criterion": criterion.name, "max": criterion.max_score})
    existing = {s.criterion_id: s for s in selectors.SCORES.list(assignment_id=assignment.pk)}
    merged = {c: s.value for c, s in existing.items()} | {c: v for c, v in scores.items() if v is not None}
    if submit and set(known) - set(merged):
        raise MastersError(_("Score every criterion before submitting."))
    new, changed = [], []
    for criterion_id, value in scores.items():
        text = comments.get(criterion_id, "")[:500]
        score = existing.get(criterion_id)
        if score is None:
            if value is not None:
                new.append(Score(assignment=assignment, criterion_id=criterion_id, value=value,
                                 max_score=known[criterion_id].max_score, comment=text))
        elif (value is not None and score.value != value) or score.comment != text:
            score.value = value if value is not None else score.value
            score.comment = text
            changed.append(score)
    history = {"user": user, "reason": "score.scored"}
    bulk_create_with_history(new, Score, **history)
    bulk_update_with_history(changed, Score, ["value", "comment"], **history)
    assignment.comment = comment.strip()
    if not submit:
        return save_with_history(assignment, user=user, reason="assignment.draft", update_fields=["comment"])
    assignment.submitted_at = timezone.now()
    assignment.total = _total(merged, criteria)
    ASSIGNMENT_STATUS.move(assignment, Assignment.Status.SUBMITTED, user=user, reason="assignment.submitted",
                           update_fields=["comment", "submitted_at", "total"])
    ranking.ranking_when_reviewed(nomination_id=assignment.nomination_id, user=user)
    return assignment


@transaction.atomic
def conflict_declare(*, assignment: Assignment, user, reason: str) -> Assignment | None:
    """The reviewer steps back: the conflict is recorded, the assignment withdrawn, and the
    nomination given another reviewer (returned, or None when the pool has nobody left)."""
    assignment = (selectors.reviewer_assignments(user).select_for_update(of=("self",))
                  .select_related("nomination__round", "reviewer").get(pk=assignment.pk))
    if not reason.strip():
        raise MastersError(_("Say what the conflict is."))
    if assignment.status == Assignment.Status.SUBMITTED:
        raise MastersError(_("You submitted this review; ask the officer to withdraw it."))
    nomination = assignment.nomination
    Conflict.objects.get_or_create(reviewer=assignment.reviewer, worker_id=nomination.nominee_id,
                                   defaults={"reason": reason.strip()[:300]})
    ASSIGNMENT_STATUS.move(assignment, Assignment.Status.WITHDRAWN, user=user, reason="review.conflict_declared")
    # The draft scores go; each deletion is in the history with who declared the conflict.
    for score in assignment.scores.all():
        delete_with_history(score, user=user, reason="review.conflict_declared")
    round_ = nomination.round
    active = Assignment.objects.filter(nomination__round=round_).exclude(status=Assignment.Status.WITHDRAWN)
    loads = dict(active.exclude(nomination=nomination).values("reviewer").annotate(n=Count("pk"))
                 .values_list("reviewer", "n"))
    existing = {nomination.pk: set(active.filter(nomination=nomination).values_list("reviewer_id", flat=True))}
    # The stand-in is chosen against the loads of the whole round, not of this nomination only.
    pairs, _short = planner.plan(
        [planner.Nominee(id=nomination.pk, organization=nomination.organization_id, trade=nomination.trade_id)],
        _pool(round_), per_nomination=round_.reviewers_per_nomination,
        existing=existing | _spread(loads), blocked=selectors.blocked_pairs(round_),
        waived=selectors.waived_pairs(round_))
    if not pairs:
        return None
    stand_in = Assignment(nomination=nomination, reviewer_id=pairs[0][1], assigned_by=None)
    save_with_history(stand_in, user=user, reason="assignment.reassigned")
    _tell_reviewers(round_, [stand_in.reviewer_id])
    return stand_in


def _spread(loads: dict) -> dict:
    """Reviewer loads as fake nominations (negative ids) so the planner counts them."""
    fake, i = {}, 0
    for reviewer, n in loads.items():
        for _k in range(n):
            i += 1
            fake[-i] = {reviewer}
    return fake
