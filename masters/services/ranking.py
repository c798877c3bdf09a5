"""Deciding who is eligible, ranking the reviewed, and the shortlist (statements in ``masters.rules``)."""

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from zhangwan.history import record_history, save_with_history
from zhangwan.jobs import step_pause

from .. import selectors
from ..models import Nomination, SelectionRound
from ..rules import ELIGIBILITY, RANKING
from . import lifecycle
from .lifecycle import MastersError

S = Nomination.Status


@transaction.atomic
def eligibility_run(*, round_id: int, user=None) -> dict:
    """Decide every submitted nomination of the round by the round's rules, in one statement; a rerun
    changes only what the data now decides differently. Returns counts by outcome."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_200_318, round_id])
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
        cursor.execute(RANKING.text, RANKING.params(round=round_.pk))
        changed = [row[0] for row in cursor.fetchall()]
    record_history(Nomination, changed, reason="nomination.ranked", user=user)
    return len(changed)


@transaction.atomic
def shortlist_make(*, round_: SelectionRound, user) -> int:
    """The top of the ranking within the quota, once every review is in."""
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.publicity_starts:
        raise MastersError(_("Publicity has started; the shortlist can no longer change."))
    pending = selectors.review_progress(round_)["pending"]
    if pending:
        raise MastersError(_("%(n)d reviews are not submitted yet.") % {"n": pending})
    ranking_compute(round_=round_, user=user)
    top = list(Nomination.objects.filter(round=round_, status__in=[S.UNDER_REVIEW, S.SHORTLISTED],
                                         rank__isnull=False).order_by("rank", "pk").values_list("pk", flat=True)
               [: round_.quota])
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
