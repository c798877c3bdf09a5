"""A worker's own e-mail address and mobile number, each changed only with a one-time code sent to the
new address (zhangwan/accounts/otp.py), so nobody can point an account at an address they do not hold.

Asking for codes is limited per account (CODES_PER_ACCOUNT) besides the OTP module's own limits per
address; wrong codes per account (FAILURES_PER_ACCOUNT) too. Each change is written in the account's
admin history (e-mail) or the worker's history (mobile, django-simple-history).
"""

from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhangwan.errors import ServiceError
from zhangwan.history import save_with_history
from zhangwan.ratelimit import Limit
from zhangwan.registry.models import Worker

from .models import OneTimeCode, User
from .otp import otp_send, otp_send_email, otp_verify

CODES_PER_ACCOUNT = Limit("contact-codes", 5, timedelta(hours=1))
FAILURES_PER_ACCOUNT = Limit("contact-failures", 10, timedelta(hours=1))
EMAIL_SET = gettext_noop("e-mail address (confirmed with a code)")


class ContactError(ServiceError):
    """The change cannot go on; the message is for the user."""


def _key(user: User) -> str:
    return str(user.pk)


def _count_request(user: User) -> None:
    if not CODES_PER_ACCOUNT.hit(_key(user)):
        raise ContactError(_("Too many codes were asked for this account. Try again in an hour."))


def _check(user: User, *, address: str, purpose: str, code: str) -> None:
    if FAILURES_PER_ACCOUNT.exceeded(_key(user)):
        raise ContactError(_("Too many wrong codes. Try again in an hour."))
    if not otp_verify(mobile=address, purpose=purpose, code=code):
        FAILURES_PER_ACCOUNT.hit(_key(user))
        raise ContactError(_("The code is wrong or has expired. Check the latest message, or ask for a new code."))


def email_code_send(*, user: User, email: str) -> str:
    """Send a code to the new address; returns the address as the code was sent to it."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ContactError(_("This e-mail address belongs to another account."))
    _count_request(user)
    otp_send_email(email=email, purpose=OneTimeCode.Purpose.EMAIL_ADD)
    return email


@transaction.atomic
def email_confirm(*, user: User, email: str, code: str) -> User:
    _check(user, address=email, purpose=OneTimeCode.Purpose.EMAIL_ADD, code=code)
    user.email = email
    user.save(update_fields=["email"])
    LogEntry.objects.log_actions(user_id=user.pk, queryset=[user], action_flag=CHANGE,
                                 change_message=[{"changed": {"fields": [EMAIL_SET]}}], single_object=True)
    return user


def mobile_code_send(*, worker: Worker, mobile: str) -> None:
    if mobile == worker.mobile:
        raise ContactError(_("This is already your mobile number."))
    _count_request(worker.user)
    otp_send(mobile=mobile, purpose=OneTimeCode.Purpose.MOBILE_CHANGE)


@transaction.atomic
def mobile_confirm(*, worker: Worker, mobile: str, code: str) -> Worker:
    _check(worker.user, address=mobile, purpose=OneTimeCode.Purpose.MOBILE_CHANGE, code=code)
    worker.mobile = mobile
    save_with_history(worker, user=worker.user, reason="worker.mobile_changed", update_fields=["mobile", "updated_at"])
    return worker
