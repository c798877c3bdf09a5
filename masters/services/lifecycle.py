"""A nomination's statuses: the transition table, the one error a masters rule raises, and
who is told when a status changes.

Every status change of a nomination goes through ``nomination_transition`` (one) or
``nominations_transition`` (one UPDATE for many): the transition is checked, the history
written, the people told."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhangwan.accounts.notifications import notify_each
from zhangwan.errors import ServiceError
from zhangwan.history import update_with_history

from ..models import Nomination

S = Nomination.Status

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

def local_today(today=None) -> datetime.date:
    """The day a service acts on: the one given (the demo and tests pass theirs), else today here."""
    return today or timezone.localdate()


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


def nominations_notify(nominations) -> None:
    """Tell the people of each nomination its new status."""
    _tell(nominations, lambda n: _("Nomination: %(status)s") % {"status": n.get_status_display()}, _status_words)


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
    nominations_notify([nomination])
    return nomination


def nominations_transition(round_, *, frm, to, user, reason: str, reasons=None, only=None) -> list[int]:
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
    nominations_notify(changed)
    return pks
