"""Deciding who is eligible, ranking the reviewed, and the shortlist (statements in ``masters.rules``)."""

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from zhangwan.history import record_history, save_with_history, update_with_history
from zhangwan.jobs import step_pause

from .. import selectors
from ..models import Assignment, Nomination, SelectionRound
from ..rules import ELIGIBILITY, RANKING
from . import lifecycle
from .lifecycle import MastersError, local_today

S = Nomination.Status


def eligibility_refusal(round_: SelectionRound, today=None) -> str | None:
    """Why the eligibility check cannot run now, or None: it runs once nominations have closed, and
    no longer once publicity has started."""
    if local_today(today) <= round_.nominations_close:
        return _("Nominations are open until %(date)s: the eligibility check runs after they close.") % {
            "date": round_.nominations_close}
    if round_.publicity_starts:
        return _("Publicity has started; eligibility can no longer change.")
    return None


@transaction.atomic
def eligibility_run(*, round_id: int, user=None, today=None) -> dict:
    """Decide every submitted nomination of the round by the round's rules, in one statement; a rerun
    changes only what the data now decides differently. Returns counts by outcome."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_200_318, round_id])
        refusal = eligibility_refusal(SelectionRound.objects.get(pk=round_id), today)
        if refusal:
            raise MastersError(refusal)
        step_pause()
        cursor.execute(ELIGIBILITY.text, ELIGIBILITY.params(round=round_id))
        changed = [row[0] for row in cursor.fetchall()]
    record_history(Nomination, changed, reason="nomination.eligibility", user=user)
    decided = Nomination.objects.filter(pk__in=changed).select_related("round", "nominee__user", "created_by")
    lifecycle.nominations_notify(decided)
    counts = dict(Nomination.objects.filter(round_id=round_id, status__in=[S.ELIGIBLE, S.INELIGIBLE])
                  .values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"changed": len(changed), "eligible": counts.get(S.ELIGIBLE, 0), "ineligible": counts.get(S.INELIGIBLE, 0)}


@transaction.atomic
def ranking_compute(*, round_: SelectionRound, user=None) -> int:
    """Rank the round's reviewed nominations; only those whose figures change are written, each
    with its history (user: who asked). Returns how many changed."""
    with connection.cursor() as cursor:
        # One ranking of a round at a time: the last two reviews of two nominations may come in at once.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_200_319, round_.pk])
        cursor.execute(RANKING.text, RANKING.params(round=round_.pk))
        changed = [row[0] for row in cursor.fetchall()]
    record_history(Nomination, changed, reason="nomination.ranked", user=user)
    return len(changed)


def ranking_when_reviewed(*, nomination_id: int, user=None) -> None:
    """Once no review of the nomination is outstanding, rank its round again after this transaction
    commits (so the ranking reads every committed review, whoever submitted last)."""
    if Assignment.objects.filter(nomination_id=nomination_id, status=Assignment.Status.ASSIGNED).exists():
        return
    if not Assignment.objects.filter(nomination_id=nomination_id, status=Assignment.Status.SUBMITTED).exists():
        return
    round_ = SelectionRound.objects.get(nominations__pk=nomination_id)
    # robust: the review is committed whatever happens; a failed ranking is logged and the officer's
    # Recompute (or the next nomination's last review) catches up.
    transaction.on_commit(lambda: ranking_compute(round_=round_, user=user), robust=True)


def shortlist_refusal(round_: SelectionRound) -> str | None:
    """Why the shortlist cannot be made now, or None: after review, before publicity."""
    if round_.publicity_starts:
        return _("Publicity has started; the shortlist can no longer change.")
    pending = selectors.review_progress(round_)["pending"]
    if pending:
        return _("%(n)d reviews are not submitted yet.") % {"n": pending}
    if not Nomination.objects.filter(round=round_, status__in=[S.UNDER_REVIEW, S.SHORTLISTED]).exists():
        return _("No nomination is under review yet.")
    return None


@transaction.atomic
def shortlist_make(*, round_: SelectionRound, user) -> int:
    """The top of the ranking within the quota, once every review is in. A tie at the quota line is
    not cut: the tied stay under review for the officer to decide (tie_decide)."""
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    refusal = shortlist_refusal(round_)
    if refusal:
        raise MastersError(refusal)
    ranking_compute(round_=round_, user=user)
    ranked = selectors.ranked_for_shortlist(round_)
    line = selectors.quota_line(ranked, round_.quota)
    top = [n.pk for n in ranked if n.rank < line[0]] if line else [n.pk for n in ranked[: round_.quota]]
    lifecycle.nominations_transition(round_, frm=[S.SHORTLISTED], to=S.UNDER_REVIEW, user=user,
                                     reason="nomination.shortlist_redone",
                                     only=Nomination.objects.filter(round=round_).exclude(pk__in=top).values("pk"))
    Nomination.objects.filter(round=round_).update(shortlist_note="")
    return len(lifecycle.nominations_transition(round_, frm=[S.UNDER_REVIEW], to=S.SHORTLISTED, user=user,
                                                reason="nomination.shortlisted", only=top))


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
    history = {"user": user, "reason": "nomination.shortlist_changed", "detail": reason.strip()}
    nomination = lifecycle.nomination_transition(nomination=nomination, to=S.SHORTLISTED if include else S.UNDER_REVIEW,
                                                 **history)
    nomination.shortlist_note = reason.strip()[:300]
    save_with_history(nomination, update_fields=["shortlist_note"], **history)
    return nomination


@transaction.atomic
def tie_decide(*, round_: SelectionRound, chosen, reason: str, user) -> list[int]:
    """The officer's decision on a tie at the quota line: which of the tied take the places left, with
    the reason, kept on each tied nomination and in its history. Returns the chosen ids."""
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.publicity_starts:
        raise MastersError(_("Publicity has started; the shortlist can no longer change."))
    if not reason.strip():
        raise MastersError(_("Give the reason for deciding the tie."))
    tie = selectors.quota_tie(round_)
    if tie is None:
        raise MastersError(_("There is no tie at the quota line."))
    tied = {n.pk for n in tie.tied}
    chosen = {int(pk) for pk in chosen}
    if len(chosen) != tie.seats or not chosen <= tied:
        raise MastersError(_("Choose %(seats)d of the tied nominations: %(names)s.")
                           % {"seats": tie.seats, "names": tie.names()})
    history = {"user": user, "reason": "nomination.tie_decided", "detail": reason.strip()}
    for frm, to, only in [(S.SHORTLISTED, S.UNDER_REVIEW, tied - chosen), (S.UNDER_REVIEW, S.SHORTLISTED, chosen)]:
        nominations = Nomination.objects.filter(round=round_, status=frm, pk__in=only)
        pks = lifecycle.NOMINATION_STATUS.update(nominations, to, shortlist_note=reason.strip()[:300], **history)
        lifecycle.nominations_notify(Nomination.objects.filter(pk__in=pks)
                                     .select_related("round", "nominee__user", "created_by"))
    update_with_history(Nomination.objects.filter(pk__in=tied).exclude(shortlist_note=reason.strip()[:300]),
                        shortlist_note=reason.strip()[:300], **history)
    if Nomination.objects.filter(round=round_, status=S.SHORTLISTED).count() > round_.quota:
        raise MastersError(_("The shortlist is full (quota %(quota)d); take someone off first.")
                           % {"quota": round_.quota})
    return sorted(chosen)
