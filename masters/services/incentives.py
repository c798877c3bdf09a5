"""Incentive grants and the talks ordered from the menu."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from zhangwan.accounts.notifications import tell
from zhangwan.history import save_with_history

from ..models import IncentiveGrant, TalkOrder
from .lifecycle import TALK_STATUS, MastersError


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
    save_with_history(grant, user=user)
    return grant


@transaction.atomic
def talk_schedule(*, order: TalkOrder, held_on: datetime.date, speaker: str, venue: str, user) -> TalkOrder:
    order = TalkOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (TalkOrder.Status.REQUESTED, TalkOrder.Status.SCHEDULED):
        raise MastersError(_("This talk is already %(status)s.") % {"status": order.get_status_display()})
    if not speaker.strip():
        raise MastersError(_("Name the speaker."))
    order.held_on, order.speaker, order.venue = held_on, speaker.strip(), venue.strip()
    TALK_STATUS.move(order, TalkOrder.Status.SCHEDULED, user=user, reason="talk.scheduled",
                     update_fields=["held_on", "speaker", "venue"])
    tell([order.ordered_by], "talk.scheduled", talk=order.topic, date=held_on, venue=order.venue or "—",
         speaker=order.speaker, url=reverse("masters:talk_menu"))
    return order


@transaction.atomic
def talk_record(*, order: TalkOrder, attendance: int, user) -> TalkOrder:
    order = TalkOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (TalkOrder.Status.SCHEDULED, TalkOrder.Status.HELD):
        raise MastersError(_("Schedule the talk before recording its attendance."))
    if not 0 <= attendance <= 100_000:
        raise MastersError(_("Attendance between 0 and 100,000."))
    order.attendance = attendance
    TALK_STATUS.move(order, TalkOrder.Status.HELD, user=user, reason="talk.held", update_fields=["attendance"])
    return order


@transaction.atomic
def talk_cancel(*, order: TalkOrder, user) -> TalkOrder:
    order = TalkOrder.objects.select_for_update().get(pk=order.pk)
    if order.status == TalkOrder.Status.HELD:
        raise MastersError(_("A talk that was held cannot be cancelled."))
    TALK_STATUS.move(order, TalkOrder.Status.CANCELLED, user=user, reason="talk.cancelled")
    return order
