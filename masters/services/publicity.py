"""Publicity of the shortlist, objections to it, and conferring the titles."""

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.history import bulk_create_with_history, save_with_history

from .. import selectors
from ..models import Holiday, MasterTitle, Nomination, Objection, SelectionRound, working_days_after
from . import lifecycle
from .lifecycle import MastersError, local_today

S = Nomination.Status
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]|javascript:", re.IGNORECASE)


def publicity_end(start: datetime.date, days: int) -> datetime.date:
    calendar = dict(Holiday.objects.filter(date__gte=start, date__lte=start + datetime.timedelta(days=days * 3 + 60))
                    .values_list("date", "working_day"))
    return working_days_after(start, days, calendar)


def publicity_refusal(round_: SelectionRound) -> str | None:
    """Why publicity cannot open now, or None: only once the shortlist is made from a final ranking
    (every review in) and any tie at the quota line is decided."""
    if round_.publicity_starts:
        return _("Publicity of this round already started on %(date)s.") % {"date": round_.publicity_starts}
    if not Nomination.objects.filter(round=round_, status=S.SHORTLISTED).exists():
        return _("Make the shortlist first.")
    pending = selectors.review_progress(round_)["pending"]
    if pending:
        return _("%(n)d reviews are not submitted yet.") % {"n": pending}
    tie = selectors.quota_tie(round_)
    if tie and not tie.decided:
        return _("A tie at the quota line is not decided: %(names)s share rank %(rank)d for %(seats)d place(s); "
                 "decide it on the ranking page.") % {"names": tie.names(), "rank": tie.rank, "seats": tie.seats}
    return None


def confer_refusal(round_: SelectionRound, today=None) -> str | None:
    """Why titles cannot be conferred now, or None: after publicity, every objection answered."""
    if not round_.publicity_ends:
        return _("Publicity has not started yet.")
    if local_today(today) <= round_.publicity_ends:
        return _("Publicity runs until %(date)s; titles can be conferred after it ends.") % {
            "date": round_.publicity_ends}
    open_objections = Objection.objects.filter(nomination__round=round_, resolved_at__isnull=True).count()
    if open_objections:
        return _("%(n)d objections are still open; answer them first.") % {"n": open_objections}
    return None


@transaction.atomic
def publicity_open(*, round_: SelectionRound, user, starts: datetime.date | None = None) -> SelectionRound:
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    refusal = publicity_refusal(round_)
    if refusal:
        raise MastersError(refusal)
    starts = starts or timezone.localdate()
    round_.publicity_starts, round_.publicity_ends = starts, publicity_end(starts, round_.publicity_days)
    save_with_history(round_, user=user, reason="round.publicity_opened",
                      update_fields=["publicity_starts", "publicity_ends"])
    lifecycle.nominations_transition(round_, frm=[S.SHORTLISTED], to=S.IN_PUBLICITY, user=user,
                                     reason="nomination.publicity")
    lifecycle.nominations_transition(round_, frm=[S.UNDER_REVIEW], to=S.REJECTED, user=user,
                                     reason="nomination.not_shortlisted", reasons=["not_shortlisted"])
    return round_


@transaction.atomic
def objection_file(*, nomination: Nomination, name: str, contact: str, text: str, today=None) -> Objection:
    nomination = Nomination.objects.select_for_update().select_related("round").get(pk=nomination.pk)
    round_ = nomination.round
    if nomination.status != S.IN_PUBLICITY or not round_.publicity_is_running(local_today(today)):
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
    save_with_history(objection, user=user, reason="objection.resolved",
                      update_fields=["answer", "upheld", "resolved_by", "resolved_at"])
    if upheld:
        lifecycle.nomination_transition(nomination=objection.nomination, to=S.REJECTED, user=user,
                                        reason="nomination.objection_upheld", reasons=["objection_upheld"])
    return objection


@transaction.atomic
def round_confer(*, round_: SelectionRound, user, today=None) -> int:
    """Titles for every nomination still in publicity, once publicity is over and every objection answered."""
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    today = local_today(today)
    refusal = confer_refusal(round_, today)
    if refusal:
        raise MastersError(refusal)
    nominations = list(Nomination.objects.filter(round=round_, status=S.IN_PUBLICITY).order_by("rank", "pk"))
    if not nominations:
        raise MastersError(_("No nomination is in publicity."))
    titles = [MasterTitle(nomination=n, worker_id=n.nominee_id, trade_id=n.trade_id, year=round_.year,
                          title=round_.title, number=f"ZWJN{round_.year}{i:03d}", conferred_on=today)
              for i, n in enumerate(nominations, 1 + MasterTitle.objects.filter(year=round_.year).count())]
    bulk_create_with_history(titles, MasterTitle, user=user, reason="title.conferred")
    round_.conferred_on = today
    save_with_history(round_, user=user, reason="round.conferred", update_fields=["conferred_on"])
    return len(lifecycle.nominations_transition(round_, frm=[S.IN_PUBLICITY], to=S.CONFERRED, user=user,
                                                reason="nomination.conferred"))
