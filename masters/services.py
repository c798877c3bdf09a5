"""Every write of the masters dimension that does more than save one form.

Each status change of a nomination goes through ``nomination_transition`` (or, for many at once,
``_transition_many``): the transition is checked, the history written, the people told."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from zhangwan.accounts.notifications import notify_each
from zhangwan.errors import ServiceError
from zhangwan.history import record_history, update_with_history
from zhangwan.jobs import step_pause
from zhangwan.uploads import check_attachment

from . import assignment as planner
from .models import (
    Assignment,
    Attachment,
    Conflict,
    ConflictWaiver,
    Holiday,
    IncentiveGrant,
    MasterTitle,
    Nomination,
    Objection,
    Reviewer,
    Score,
    SelectionRound,
    TalkOrder,
    working_days_after,
)
from .rules import ELIGIBILITY, RANKING

S = Nomination.Status
CENTS = Decimal("0.01")
MAX_ATTACHMENTS = 10
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]|javascript:", re.IGNORECASE)

TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN},
    S.ELIGIBLE: {S.UNDER_REVIEW, S.INELIGIBLE, S.WITHDRAWN},
    S.INELIGIBLE: {S.ELIGIBLE},
    S.UNDER_REVIEW: {S.SHORTLISTED, S.REJECTED, S.WITHDRAWN},
    S.SHORTLISTED: {S.UNDER_REVIEW, S.IN_PUBLICITY, S.WITHDRAWN},
    S.IN_PUBLICITY: {S.CONFERRED, S.REJECTED, S.WITHDRAWN},
    S.CONFERRED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}


class MastersError(ServiceError):
    """A rule said no; the message is for the user."""


def _today(today=None) -> datetime.date:
    return today or timezone.localdate()


# Notifications ------------------------------------------------------------------------------

def _people(nomination):
    """Who hears about a nomination: the nominee (if they have a login) and whoever made it."""
    users = {nomination.created_by}
    if nomination.nominee.user_id:
        users.add(nomination.nominee.user)
    return users


def _tell(nominations, title, body):
    with translation.override(settings.LANGUAGE_CODE):
        notify_each((user, title(n), body(n), reverse("masters:nomination_detail", args=[n.pk]))
                    for n in nominations for user in _people(n))


def _status_words(nomination):
    return _("The nomination of %(name)s (%(round)s) is now: %(status)s.") % {
        "name": nomination.nominee.name, "round": nomination.round, "status": nomination.get_status_display()}


# Nominations --------------------------------------------------------------------------------

def nomination_transition(*, nomination: Nomination, to: str, user, reasons=None, note: str = "") -> Nomination:
    nomination = (Nomination.objects.select_for_update(of=("self",))
                  .select_related("round", "nominee__user", "created_by").get(pk=nomination.pk))
    if to not in TRANSITIONS[nomination.status]:
        raise MastersError(_("A nomination that is “%(from)s” cannot become “%(to)s”.")
                           % {"from": nomination.get_status_display(), "to": S(to).label})
    nomination.status = to
    fields = ["status"]
    if reasons is not None:
        nomination.reasons = list(reasons)
        fields.append("reasons")
    if to == S.SUBMITTED:
        nomination.submitted_at = timezone.now()
        fields.append("submitted_at")
    nomination._history_user, nomination._change_reason = user, (note or to)[:100]
    nomination.save(update_fields=fields)
    _tell([nomination], lambda n: _("Nomination: %(status)s") % {"status": n.get_status_display()}, _status_words)
    return nomination


def _transition_many(round_, *, frm, to, user, reason: str, reasons=None, only=None) -> list[int]:
    """One UPDATE for every nomination of the round in one of the statuses frm (or the ids only)."""
    assert all(to in TRANSITIONS[f] for f in frm)
    nominations = Nomination.objects.filter(round=round_, status__in=frm)
    if only is not None:
        nominations = nominations.filter(pk__in=only)
    changes = {"status": to}
    if reasons is not None:
        changes["reasons"] = list(reasons)
    pks = update_with_history(nominations, reason=reason, user=user, **changes)
    changed = Nomination.objects.filter(pk__in=pks).select_related("round", "nominee__user", "created_by")
    _tell(changed, lambda n: _("Nomination: %(status)s") % {"status": n.get_status_display()}, _status_words)
    return pks


@transaction.atomic
def nomination_create(*, round_: SelectionRound, nominee, trade, source: str, statement: str, achievements: str,
                      user, today=None) -> Nomination:
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    if not round_.nominations_are_open(_today(today)):
        raise MastersError(_("Nominations for %(round)s are open from %(start)s to %(end)s.")
                           % {"round": round_, "start": round_.nominations_open, "end": round_.nominations_close})
    if Nomination.objects.filter(round=round_, nominee=nominee).exclude(status=S.WITHDRAWN).exists():
        raise MastersError(_("%(name)s is already nominated in this round.") % {"name": nominee.name})
    nomination = Nomination(round=round_, nominee=nominee, trade=trade, source=source,
                            organization_id=nominee.employer_id, statement=statement.strip(),
                            achievements=achievements.strip(), created_by=user)
    nomination._history_user = user
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:  # someone else nominated the same person a moment ago
        raise MastersError(_("%(name)s is already nominated in this round.") % {"name": nominee.name}) from None
    return nomination


@transaction.atomic
def nomination_update(*, nomination: Nomination, user, **fields) -> Nomination:
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not nomination.editable:
        raise MastersError(_("Only a draft can be changed; this nomination is “%(status)s”.")
                           % {"status": nomination.get_status_display()})
    for name, value in fields.items():
        setattr(nomination, name, value.strip() if isinstance(value, str) else value)
    nomination._history_user, nomination._change_reason = user, "edited"
    nomination.save(update_fields=list(fields))
    return nomination


@transaction.atomic
def attachment_add(*, nomination: Nomination, upload, user) -> Attachment:
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not nomination.editable:
        raise MastersError(_("Attachments can be added only while the nomination is a draft."))
    if nomination.attachments.count() >= MAX_ATTACHMENTS:
        raise MastersError(_("A nomination has at most %(n)d attachments.") % {"n": MAX_ATTACHMENTS})
    try:
        content_type = check_attachment(upload)
    except ValidationError as error:
        raise MastersError(" ".join(error.messages)) from None
    return Attachment.objects.create(nomination=nomination, file=upload, name=upload.name[-200:],
                                     content_type=content_type, size=upload.size)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user) -> None:
    nomination = Nomination.objects.select_for_update().get(pk=attachment.nomination_id)
    if not nomination.editable:
        raise MastersError(_("Attachments can be removed only while the nomination is a draft."))
    attachment.file.delete(save=False)
    attachment.delete()


@transaction.atomic
def nomination_submit(*, nomination: Nomination, user, today=None) -> Nomination:
    round_ = nomination.round
    if not round_.nominations_are_open(_today(today)):
        raise MastersError(_("Nominations for %(round)s closed on %(end)s.")
                           % {"round": round_, "end": round_.nominations_close})
    if not nomination.statement.strip() or not nomination.achievements.strip():
        raise MastersError(_("Write the statement and the achievements before submitting."))
    return nomination_transition(nomination=nomination, to=S.SUBMITTED, user=user)


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, user) -> Nomination:
    nomination = nomination_transition(nomination=nomination, to=S.WITHDRAWN, user=user)
    update_with_history(Assignment.objects.filter(nomination=nomination, status=Assignment.Status.ASSIGNED),
                        reason="nomination withdrawn", user=user, status=Assignment.Status.WITHDRAWN)
    return nomination


# Eligibility --------------------------------------------------------------------------------

@transaction.atomic
def eligibility_run(*, round_id: int, user=None) -> dict:
    """Decide every submitted nomination of the round by the round's rules, in one statement; a rerun
    changes only what the data now decides differently. Returns counts by outcome."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_200_318, round_id])
        step_pause()
        cursor.execute(ELIGIBILITY.text, ELIGIBILITY.params(round=round_id))
        changed = [row[0] for row in cursor.fetchall()]
    record_history(Nomination, changed, reason="eligibility", user=user)
    decided = Nomination.objects.filter(pk__in=changed).select_related("round", "nominee__user", "created_by")
    _tell(decided, lambda n: _("Nomination: %(status)s") % {"status": n.get_status_display()}, _status_words)
    counts = dict(Nomination.objects.filter(round_id=round_id, status__in=[S.ELIGIBLE, S.INELIGIBLE])
                  .values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"changed": len(changed), "eligible": counts.get(S.ELIGIBLE, 0), "ineligible": counts.get(S.INELIGIBLE, 0)}


# Reviewers ----------------------------------------------------------------------------------

def _pool(round_):
    reviewers = Reviewer.objects.filter(active=True).prefetch_related("trades")
    return [planner.Expert(id=r.pk, organization=r.organization_id, trades=frozenset(t.pk for t in r.trades.all()),
                           max_load=r.max_load) for r in reviewers]


def _blocked(round_):
    """(nomination, reviewer) pairs that may never meet: declared conflicts with the nominee, and
    assignments already withdrawn for a conflict."""
    nominations = Nomination.objects.filter(round=round_)
    declared = Conflict.objects.filter(worker__nominations__round=round_).values_list(
        "worker__nominations__pk", "reviewer_id")
    withdrawn = Assignment.objects.filter(nomination__in=nominations, status=Assignment.Status.WITHDRAWN).values_list(
        "nomination_id", "reviewer_id")
    return set(declared) | set(withdrawn)


def _waived(round_):
    return set(Nomination.objects.filter(round=round_, conflict_waivers__isnull=False).values_list(
        "pk", "conflict_waivers__reviewer_id"))


def conflicts_for(round_) -> list[dict]:
    """Every conflict known before assignment, automatic (same organization) and declared."""
    rows = []
    nominations = list(Nomination.objects.filter(round=round_, status__in=[S.ELIGIBLE, *Nomination.REVIEWED])
                       .select_related("nominee", "organization"))
    reviewers = list(Reviewer.objects.filter(active=True).select_related("user", "organization"))
    waived = _waived(round_)
    declared = {(w, r): reason for w, r, reason in Conflict.objects.values_list("worker_id", "reviewer_id", "reason")}
    for nomination in nominations:
        for reviewer in reviewers:
            if nomination.organization_id and nomination.organization_id == reviewer.organization_id:
                rows.append({"nomination": nomination, "reviewer": reviewer, "kind": "organization",
                             "waived": (nomination.pk, reviewer.pk) in waived})
            reason = declared.get((nomination.nominee_id, reviewer.pk))
            if reason is not None:
                rows.append({"nomination": nomination, "reviewer": reviewer, "kind": "declared", "reason": reason})
    return rows


@transaction.atomic
def conflict_waive(*, nomination: Nomination, reviewer: Reviewer, reason: str, user) -> ConflictWaiver:
    if not reason.strip():
        raise MastersError(_("Say why this is not a conflict."))
    if nomination.organization_id != reviewer.organization_id:
        raise MastersError(_("There is no same-organization conflict to dismiss here."))
    waiver, _created = ConflictWaiver.objects.get_or_create(
        nomination=nomination, reviewer=reviewer, defaults={"reason": reason.strip()[:300], "waived_by": user})
    return waiver


@transaction.atomic
def reviewers_assign(*, round_: SelectionRound, user, today=None) -> dict:
    """Give every eligible or reviewed nomination the round's number of reviewers (keeping those it
    has); the eligible ones go under review. Safe to rerun."""
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
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
                                existing=existing, blocked=_blocked(round_), waived=_waived(round_))
    bulk_create_with_history([Assignment(nomination_id=n, reviewer_id=r, assigned_by=user) for n, r in pairs],
                             Assignment, default_user=user, default_change_reason="reviewers assigned")
    _transition_many(round_, frm=[S.ELIGIBLE], to=S.UNDER_REVIEW, user=user, reason="reviewers assigned")
    _tell_reviewers(round_, {r for _n, r in pairs})
    return {"assigned": len(pairs), "short": short}


def _tell_reviewers(round_, reviewer_ids):
    reviewers = Reviewer.objects.filter(pk__in=reviewer_ids).select_related("user")
    with translation.override(settings.LANGUAGE_CODE):
        notify_each((r.user, _("Nominations to review: %(round)s") % {"round": round_},
                     _("Please score the nominations assigned to you by %(date)s.") % {"date": round_.review_closes},
                     reverse("masters:review_home")) for r in reviewers)


@transaction.atomic
def assignment_add(*, nomination: Nomination, reviewer: Reviewer, user) -> Assignment:
    """The officer's adjustment by hand; the same conflicts apply."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != S.UNDER_REVIEW:
        raise MastersError(_("Reviewers can be changed only while the nomination is under review."))
    expert = planner.Expert(id=reviewer.pk, organization=reviewer.organization_id)
    nominee = planner.Nominee(id=nomination.pk, organization=nomination.organization_id, trade=nomination.trade_id)
    if not planner.allowed(nominee, expert, _blocked(nomination.round), _waived(nomination.round)):
        raise MastersError(_("%(reviewer)s has a conflict with this nomination.") % {"reviewer": reviewer})
    if Assignment.objects.filter(nomination=nomination, reviewer=reviewer).exists():
        raise MastersError(_("%(reviewer)s is already assigned to this nomination.") % {"reviewer": reviewer})
    assignment = Assignment(nomination=nomination, reviewer=reviewer, assigned_by=user)
    assignment._history_user = user
    assignment.save()
    _tell_reviewers(nomination.round, [reviewer.pk])
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, user) -> None:
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != Assignment.Status.ASSIGNED:
        raise MastersError(_("Only an assignment not yet submitted can be removed."))
    assignment._history_user, assignment._change_reason = user, "removed by the officer"
    assignment.status = Assignment.Status.WITHDRAWN
    assignment.save(update_fields=["status"])


# Review -------------------------------------------------------------------------------------

def reviewer_assignments(user):
    """What a reviewer may open: their own assignments that are not withdrawn."""
    return (Assignment.objects.filter(reviewer__user=user).exclude(status=Assignment.Status.WITHDRAWN)
            .filter(nomination__status__in=Nomination.REVIEWED))


def _total(scores, criteria) -> Decimal:
    total = sum((scores[c.pk] / c.max_score * c.weight for c in criteria), Decimal(0))
    return total.quantize(CENTS, ROUND_HALF_UP)


@transaction.atomic
def review_save(*, assignment: Assignment, user, scores: dict, comments: dict, comment: str, submit: bool,
                today=None) -> Assignment:
    """Save a reviewer's scores (criterion id → Decimal or None); submitting locks them."""
    assignment = (reviewer_assignments(user).select_for_update(of=("self",)).select_related("nomination__round")
                  .get(pk=assignment.pk))
    round_ = assignment.nomination.round
    if assignment.status == Assignment.Status.SUBMITTED:
        raise MastersError(_("You submitted this review; the scores are locked."))
    if not round_.review_is_open(_today(today)):
        raise MastersError(_("Review of %(round)s is open from %(start)s to %(end)s.")
                           % {"round": round_, "start": round_.review_opens, "end": round_.review_closes})
    criteria = list(round_.criteria.all())
    known = {c.pk: c for c in criteria}
    for criterion_id, value in scores.items():
        criterion = known.get(criterion_id)
        if criterion is None:
            raise MastersError(_("Unknown criterion."))
        if value is not None and not (0 <= value <= criterion.max_score):
            raise MastersError(_("%(criterion)s: a score between 0 and %(max)s.")
                               % {"criterion": criterion.name, "max": criterion.max_score})
    existing = {s.criterion_id: s for s in assignment.scores.all()}
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
    history = {"default_user": user, "default_change_reason": "scored"}
    bulk_create_with_history(new, Score, **history)
    bulk_update_with_history(changed, Score, ["value", "comment"], **history)
    assignment.comment = comment.strip()
    fields = ["comment"]
    if submit:
        assignment.status = Assignment.Status.SUBMITTED
        assignment.submitted_at = timezone.now()
        assignment.total = _total(merged, criteria)
        fields += ["status", "submitted_at", "total"]
    assignment._history_user, assignment._change_reason = user, "submitted" if submit else "draft"
    assignment.save(update_fields=fields)
    return assignment


@transaction.atomic
def conflict_declare(*, assignment: Assignment, user, reason: str) -> Assignment | None:
    """The reviewer steps back: the conflict is recorded, the assignment withdrawn, and the
    nomination given another reviewer (returned, or None when the pool has nobody left)."""
    assignment = (reviewer_assignments(user).select_for_update(of=("self",))
                  .select_related("nomination__round", "reviewer").get(pk=assignment.pk))
    if not reason.strip():
        raise MastersError(_("Say what the conflict is."))
    if assignment.status == Assignment.Status.SUBMITTED:
        raise MastersError(_("You submitted this review; ask the officer to withdraw it."))
    nomination = assignment.nomination
    Conflict.objects.get_or_create(reviewer=assignment.reviewer, worker_id=nomination.nominee_id,
                                   defaults={"reason": reason.strip()[:300]})
    assignment.status = Assignment.Status.WITHDRAWN
    assignment._history_user, assignment._change_reason = user, "conflict declared"
    assignment.save(update_fields=["status"])
    # The draft scores go; each deletion is in the history with who declared the conflict.
    for score in assignment.scores.all():
        score._history_user, score._change_reason = user, "conflict declared"
        score.delete()
    round_ = nomination.round
    active = Assignment.objects.filter(nomination__round=round_).exclude(status=Assignment.Status.WITHDRAWN)
    loads = dict(active.exclude(nomination=nomination).values("reviewer").annotate(n=Count("pk"))
                 .values_list("reviewer", "n"))
    existing = {nomination.pk: set(active.filter(nomination=nomination).values_list("reviewer_id", flat=True))}
    # The stand-in is chosen against the loads of the whole round, not of this nomination only.
    pairs, _short = planner.plan(
        [planner.Nominee(id=nomination.pk, organization=nomination.organization_id, trade=nomination.trade_id)],
        _pool(round_), per_nomination=round_.reviewers_per_nomination,
        existing=existing | _spread(loads), blocked=_blocked(round_), waived=_waived(round_))
    if not pairs:
        return None
    stand_in = Assignment(nomination=nomination, reviewer_id=pairs[0][1], assigned_by=None)
    stand_in._history_user, stand_in._change_reason = user, "reassigned after a conflict"
    stand_in.save()
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


# Ranking, shortlist, publicity, conferral ---------------------------------------------------

@transaction.atomic
def ranking_compute(*, round_: SelectionRound, user=None) -> int:
    """Rank the round's reviewed nominations; only those whose figures change are written, each
    with its history (user: who asked). Returns how many changed."""
    with connection.cursor() as cursor:
        cursor.execute(RANKING.text, RANKING.params(round=round_.pk))
        changed = [row[0] for row in cursor.fetchall()]
    record_history(Nomination, changed, reason="ranking computed", user=user)
    return len(changed)


def review_progress(round_) -> dict:
    counts = dict(Assignment.objects.filter(nomination__round=round_).values("status").annotate(n=Count("pk"))
                  .values_list("status", "n"))
    done, todo = counts.get(Assignment.Status.SUBMITTED, 0), counts.get(Assignment.Status.ASSIGNED, 0)
    return {"submitted": done, "pending": todo, "total": done + todo,
            "percent": round(100 * done / (done + todo)) if done + todo else 0}


@transaction.atomic
def shortlist_make(*, round_: SelectionRound, user) -> int:
    """The top of the ranking within the quota, once every review is in."""
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.publicity_starts:
        raise MastersError(_("Publicity has started; the shortlist can no longer change."))
    pending = review_progress(round_)["pending"]
    if pending:
        raise MastersError(_("%(n)d reviews are not submitted yet.") % {"n": pending})
    ranking_compute(round_=round_, user=user)
    top = list(Nomination.objects.filter(round=round_, status__in=[S.UNDER_REVIEW, S.SHORTLISTED],
                                         rank__isnull=False).order_by("rank", "pk").values_list("pk", flat=True)
               [: round_.quota])
    _transition_many(round_, frm=[S.SHORTLISTED], to=S.UNDER_REVIEW, user=user, reason="shortlist redone",
                     only=Nomination.objects.filter(round=round_).exclude(pk__in=top).values("pk"))
    Nomination.objects.filter(round=round_).update(shortlist_note="")
    return len(_transition_many(round_, frm=[S.UNDER_REVIEW], to=S.SHORTLISTED, user=user, reason="shortlisted",
                                only=top))


@transaction.atomic
def shortlist_change(*, nomination: Nomination, include: bool, reason: str, user) -> Nomination:
    """The officer's change to the shortlist, with the reason recorded."""
    round_ = SelectionRound.objects.select_for_update().get(pk=nomination.round_id)
    if round_.publicity_starts:
        raise MastersError(_("Publicity has started; the shortlist can no longer change."))
    if not reason.strip():
        raise MastersError(_("Give the reason for changing the shortlist."))
    if include and Nomination.objects.filter(round=round_, status=S.SHORTLISTED).count() >= round_.quota:
        raise MastersError(_("The shortlist is full (quota %(quota)d); take someone off first.")
                           % {"quota": round_.quota})
    nomination = nomination_transition(nomination=nomination, to=S.SHORTLISTED if include else S.UNDER_REVIEW,
                                       user=user, note=f"shortlist: {reason.strip()}")
    nomination.shortlist_note = reason.strip()[:300]
    nomination.save(update_fields=["shortlist_note"])
    return nomination


def publicity_end(start: datetime.date, days: int) -> datetime.date:
    calendar = dict(Holiday.objects.filter(date__gte=start, date__lte=start + datetime.timedelta(days=days * 3 + 60))
                    .values_list("date", "working_day"))
    return working_days_after(start, days, calendar)


@transaction.atomic
def publicity_open(*, round_: SelectionRound, user, starts: datetime.date | None = None) -> SelectionRound:
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.publicity_starts:
        raise MastersError(_("Publicity of this round already started on %(date)s.")
                           % {"date": round_.publicity_starts})
    if not Nomination.objects.filter(round=round_, status=S.SHORTLISTED).exists():
        raise MastersError(_("Make the shortlist first."))
    starts = starts or timezone.localdate()
    round_.publicity_starts, round_.publicity_ends = starts, publicity_end(starts, round_.publicity_days)
    round_._history_user, round_._change_reason = user, "publicity opened"
    round_.save(update_fields=["publicity_starts", "publicity_ends"])
    _transition_many(round_, frm=[S.SHORTLISTED], to=S.IN_PUBLICITY, user=user, reason="publicity")
    _transition_many(round_, frm=[S.UNDER_REVIEW], to=S.REJECTED, user=user, reason="not shortlisted",
                     reasons=["not_shortlisted"])
    return round_


@transaction.atomic
def objection_file(*, nomination: Nomination, name: str, contact: str, text: str, today=None) -> Objection:
    nomination = Nomination.objects.select_for_update().select_related("round").get(pk=nomination.pk)
    round_ = nomination.round
    if nomination.status != S.IN_PUBLICITY or not round_.publicity_is_running(_today(today)):
        raise MastersError(_("Objections can be filed only while the nomination is in publicity."))
    if any(TAG.search(value) for value in (name, contact, text)):
        raise MastersError(_("Please write plain text: HTML and scripts are not accepted."))
    if not (name.strip() and contact.strip() and text.strip()):
        raise MastersError(_("Give your name, a way to contact you and the objection."))
    objection = Objection(nomination=nomination, name=name.strip()[:50], contact=contact.strip()[:100],
                          text=text.strip()[:3000])
    objection.save()
    return objection


@transaction.atomic
def objection_resolve(*, objection: Objection, answer: str, upheld: bool, user) -> Objection:
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_open:
        raise MastersError(_("This objection is already resolved."))
    if not answer.strip():
        raise MastersError(_("Write the answer to the objection."))
    objection.answer, objection.upheld = answer.strip(), upheld
    objection.resolved_by, objection.resolved_at = user, timezone.now()
    objection._history_user, objection._change_reason = user, "resolved"
    objection.save(update_fields=["answer", "upheld", "resolved_by", "resolved_at"])
    if upheld:
        nomination_transition(nomination=objection.nomination, to=S.REJECTED, user=user,
                              reasons=["objection_upheld"], note="objection upheld")
    return objection


@transaction.atomic
def round_confer(*, round_: SelectionRound, user, today=None) -> int:
    """Titles for every nomination still in publicity, once publicity is over and every objection answered."""
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    today = _today(today)
    if not round_.publicity_ends:
        raise MastersError(_("Publicity has not started yet."))
    if today <= round_.publicity_ends:
        raise MastersError(_("Publicity runs until %(date)s; titles can be conferred after it ends.")
                           % {"date": round_.publicity_ends})
    open_objections = Objection.objects.filter(nomination__round=round_, resolved_at__isnull=True).count()
    if open_objections:
        raise MastersError(_("%(n)d objections are still open; answer them first.") % {"n": open_objections})
    nominations = list(Nomination.objects.filter(round=round_, status=S.IN_PUBLICITY).order_by("rank", "pk"))
    if not nominations:
        raise MastersError(_("No nomination is in publicity."))
    titles = [MasterTitle(nomination=n, worker_id=n.nominee_id, trade_id=n.trade_id, year=round_.year,
                          title=round_.title, number=f"ZWJN{round_.year}{i:03d}", conferred_on=today)
              for i, n in enumerate(nominations, 1 + MasterTitle.objects.filter(year=round_.year).count())]
    bulk_create_with_history(titles, MasterTitle, default_user=user, default_change_reason="conferred")
    round_.conferred_on = today
    round_._history_user, round_._change_reason = user, "conferred"
    round_.save(update_fields=["conferred_on"])
    return len(_transition_many(round_, frm=[S.IN_PUBLICITY], to=S.CONFERRED, user=user, reason="conferred"))


# Incentives and outreach --------------------------------------------------------------------

def grant_check(grant: IncentiveGrant) -> None:
    policy = grant.policy
    if policy.involves_money and not grant.amount:
        raise MastersError(_("“%(policy)s” involves money: give the amount.") % {"policy": policy.name})
    if not policy.involves_money and grant.amount:
        raise MastersError(_("“%(policy)s” involves no money; leave the amount empty.") % {"policy": policy.name})
    if policy.beneficiary == policy.Beneficiary.MASTER and grant.master_id is None:
        raise MastersError(_("Choose the master this grant is for."))
    if policy.beneficiary == policy.Beneficiary.ORGANIZATION and grant.organization_id is None:
        raise MastersError(_("Choose the organization this grant is for."))


@transaction.atomic
def grant_record(*, grant: IncentiveGrant, user) -> IncentiveGrant:
    grant_check(grant)
    grant.created_by = grant.created_by or user
    grant._history_user = user
    grant.save()
    return grant


@transaction.atomic
def talk_schedule(*, order: TalkOrder, held_on: datetime.date, speaker: str, venue: str, user) -> TalkOrder:
    order = TalkOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (TalkOrder.Status.REQUESTED, TalkOrder.Status.SCHEDULED):
        raise MastersError(_("This talk is already %(status)s.") % {"status": order.get_status_display()})
    if not speaker.strip():
        raise MastersError(_("Name the speaker."))
    order.status, order.held_on, order.speaker, order.venue = TalkOrder.Status.SCHEDULED, held_on, speaker.strip(), \
        venue.strip()
    order._history_user, order._change_reason = user, "scheduled"
    order.save(update_fields=["status", "held_on", "speaker", "venue"])
    with translation.override(settings.LANGUAGE_CODE):
        notify_each([(order.ordered_by, _("Talk scheduled: %(talk)s") % {"talk": order.topic},
                      _("%(date)s, %(venue)s, by %(speaker)s.") % {"date": held_on, "venue": order.venue or "—",
                                                                  "speaker": order.speaker},
                      reverse("masters:talk_menu"))])
    return order


@transaction.atomic
def talk_record(*, order: TalkOrder, attendance: int, user) -> TalkOrder:
    order = TalkOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (TalkOrder.Status.SCHEDULED, TalkOrder.Status.HELD):
        raise MastersError(_("Schedule the talk before recording its attendance."))
    if not 0 <= attendance <= 100_000:
        raise MastersError(_("Attendance between 0 and 100,000."))
    order.status, order.attendance = TalkOrder.Status.HELD, attendance
    order._history_user, order._change_reason = user, "held"
    order.save(update_fields=["status", "attendance"])
    return order


@transaction.atomic
def talk_cancel(*, order: TalkOrder, user) -> TalkOrder:
    order = TalkOrder.objects.select_for_update().get(pk=order.pk)
    if order.status == TalkOrder.Status.HELD:
        raise MastersError(_("A talk that was held cannot be cancelled."))
    order.status = TalkOrder.Status.CANCELLED
    order._history_user, order._change_reason = user, "cancelled"
    order.save(update_fields=["status"])
    return order


def talk_totals():
    """Talks held and people reached, by year."""
    return (TalkOrder.objects.filter(status=TalkOrder.Status.HELD).values(year=F("held_on__year"))
            .annotate(talks=Count("pk"), attendees=Coalesce(Sum("attendance"), 0)).order_by("-year"))

