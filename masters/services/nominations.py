"""Making a nomination: the draft, its attachments, submitting and withdrawing it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhangwan.history import save_with_history
from zhangwan.uploads import check_attachment

from ..models import Assignment, Attachment, Nomination, SelectionRound
from . import lifecycle
from .lifecycle import MastersError, local_today

S = Nomination.Status
MAX_ATTACHMENTS = 10


@transaction.atomic
def nomination_create(*, round_: SelectionRound, nominee, trade, source: str, statement: str, achievements: str,
                      user, today=None) -> Nomination:
    round_ = SelectionRound.objects.select_for_update().get(pk=round_.pk)
    if not round_.nominations_are_open(local_today(today)):
        raise MastersError(_("Nominations for %(round)s are open from %(start)s to %(end)s.")
                           % {"round": round_, "start": round_.nominations_open, "end": round_.nominations_close})
    if Nomination.objects.filter(round=round_, nominee=nominee).exclude(status=S.WITHDRAWN).exists():
        raise MastersError(_("%(name)s is already nominated in this round.") % {"name": nominee.name})
    nomination = Nomination(round=round_, nominee=nominee, trade=trade, source=source,
                            organization_id=nominee.employer_id, statement=statement.strip(),
                            achievements=achievements.strip(), created_by=user)
    try:
        with transaction.atomic():
            save_with_history(nomination, user=user)
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
    save_with_history(nomination, user=user, reason="nomination.edited", update_fields=list(fields))
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
    if not round_.nominations_are_open(local_today(today)):
        raise MastersError(_("Nominations for %(round)s closed on %(end)s.")
                           % {"round": round_, "end": round_.nominations_close})
    if not nomination.statement.strip() or not nomination.achievements.strip():
        raise MastersError(_("Write the statement and the achievements before submitting."))
    return lifecycle.nomination_transition(nomination=nomination, to=S.SUBMITTED, user=user,
                                           reason="nomination.submitted")


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, user) -> Nomination:
    nomination = lifecycle.nomination_transition(nomination=nomination, to=S.WITHDRAWN, user=user,
                                                 reason="nomination.withdrawn")
    lifecycle.ASSIGNMENT_STATUS.update(Assignment.objects.filter(nomination=nomination), Assignment.Status.WITHDRAWN,
                                       user=user, reason="assignment.nomination_withdrawn")
    return nomination
