"""The masters statuses: the transition tables (nominations, review assignments, talk orders), the
one error a masters rule raises, and who is told when a nomination's status changes.

Every status change of a nomination goes through ``nomination_transition`` (one) or
``nominations_transition`` (one UPDATE for many): the transition is checked, the history
written, the people told."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from zhangwan.accounts.notifications import tell_each
from zhangwan.api import webhooks
from zhangwan.errors import ServiceError
from zhangwan.transitions import Transitions

from ..models import Assignment, Nomination, TalkOrder

S = Nomination.Status


class MastersError(ServiceError):
    """A rule said no; the message is for the user."""


NOMINATION_STATUS = Transitions(Nomination, {
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
}, error=MastersError, message=gettext_lazy("A nomination that is “%(current)s” cannot become “%(target)s”."))
_A = Assignment.Status
# A reviewer's task is submitted once, or withdrawn (a conflict, the officer, the nomination withdrawn).
ASSIGNMENT_STATUS = Transitions(Assignment, {
    _A.ASSIGNED: {_A.SUBMITTED, _A.WITHDRAWN},
    _A.SUBMITTED: set(),
    _A.WITHDRAWN: set(),
}, error=MastersError)
_T = TalkOrder.Status
# A scheduled talk may be rescheduled, and a held one's attendance corrected.
TALK_STATUS = Transitions(TalkOrder, {
    _T.REQUESTED: {_T.SCHEDULED, _T.CANCELLED},
    _T.SCHEDULED: {_T.SCHEDULED, _T.HELD, _T.CANCELLED},
    _T.HELD: {_T.HELD},
    _T.CANCELLED: {_T.CANCELLED},  # cancelling twice is no error
}, error=MastersError)


def local_today(today=None) -> datetime.date:
    """The day a service acts on: the one given (the demo and tests pass theirs), else today here."""
    return today or timezone.localdate()


def _people(nomination):
    """Who hears about a nomination: the nominee (if they have a login) and whoever made it."""
    users = {nomination.created_by}
    if nomination.nominee.user_id:
        users.add(nomination.nominee.user)
    return users


def nominations_notify(nominations) -> None:
    """Tell the people of each nomination, and the webhooks of its organization and the district, its new
    status. Every status change of a nomination ends here."""
    nominations = list(nominations)
    webhooks.emit_each("nomination.status", nominations, lambda n: n.organization_id)
    tell_each((user, "nomination.status", {"name": n.nominee.name, "round": n.round,
                                           "status": Nomination.Status(n.status).label},
               reverse("masters:nomination_detail", args=[n.pk]))
              for n in nominations for user in _people(n))


def nomination_transition(*, nomination: Nomination, to: str, user, reason: str, detail: str = "",
                          reasons=None) -> Nomination:
    nomination = (Nomination.objects.select_for_update(of=("self",))
                  .select_related("round", "nominee__user", "created_by").get(pk=nomination.pk))
    fields = []
    if reasons is not None:
        nomination.reasons = list(reasons)
        fields.append("reasons")
    if to == S.SUBMITTED:
        nomination.submitted_at = timezone.now()
        fields.append("submitted_at")
    NOMINATION_STATUS.move(nomination, to, user=user, reason=reason, detail=detail, update_fields=fields)
    nominations_notify([nomination])
    return nomination


def nominations_transition(round_, *, frm, to, user, reason: str, reasons=None, only=None) -> list[int]:
    """One UPDATE for every nomination of the round in one of the statuses frm (or the ids only)."""
    assert all(to in NOMINATION_STATUS.allowed(f) for f in frm)
    nominations = Nomination.objects.filter(round=round_, status__in=frm)
    if only is not None:
        nominations = nominations.filter(pk__in=only)
    changes = {} if reasons is None else {"reasons": list(reasons)}
    pks = NOMINATION_STATUS.update(nominations, to, user=user, reason=reason, **changes)
    changed = Nomination.objects.filter(pk__in=pks).select_related("round", "nominee__user", "created_by")
    nominations_notify(changed)
    return pks
