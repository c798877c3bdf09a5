"""One-time codes by SMS: proof that the person at the keyboard holds a mobile number (or, by e-mail for
``Purpose.EMAIL_ADD``, an e-mail address: ``otp_send_email``, same limits, the address in ``mobile``).

Used by the account claim, and meant for password reset and changes of mobile number or bank account.
A number gets at most one code a minute and ten a day, whatever the purpose: the codes of one number
are counted under a transaction-level advisory lock on that number, so two requests at once cannot
both send. A new code withdraws the number's earlier open code for the same purpose, so only one code
at a time can be guessed at, five tries at most.
"""

import secrets
import zlib
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from zhangwan.errors import ServiceError
from zhangwan.sms import send_sms

from .models import OneTimeCode

Purpose = OneTimeCode.Purpose
CODE_LIFETIME = timedelta(minutes=5)
RESEND_AFTER = timedelta(minutes=1)
CODES_PER_DAY = 10
KEPT_FOR = timedelta(days=1)
# The first key of pg_advisory_xact_lock(int, int): this module's own space of locks.
LOCK_SPACE = zlib.crc32(b"zhangwan.accounts.otp") & 0x7FFFFFFF


class OtpError(ServiceError):
    """No code was sent; the message says why, in the user's language."""


class OtpTooSoon(OtpError):
    level = messages.INFO  # the code sent a minute ago still works


def _hash(*, mobile: str, purpose: str, code: str) -> str:
    return salted_hmac("zhangwan.accounts.otp", f"{mobile}:{purpose}:{code}", algorithm="sha256").hexdigest()


def _lock_number(mobile: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, zlib.crc32(mobile.encode()) & 0x7FFFFFFF])


def otp_send(*, mobile: str, purpose: str) -> OneTimeCode:
    """Send a fresh six-digit code to mobile. Raises OtpTooSoon within a minute of the number's last
    code, OtpError after ten codes in a day, zhangwan.sms.SmsError when the provider refuses (then
    nothing is recorded)."""
    return _issue(mobile, Purpose(purpose), _by_sms)


def otp_send_email(*, email: str, purpose: str) -> OneTimeCode:
    """The same for an e-mail address (its limits counted under the address)."""
    return _issue(email.strip().lower(), Purpose(purpose), _by_email)


def _by_sms(address: str, purpose: str, code: str) -> None:
    send_sms(mobile=address, template=purpose,
             params={"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)})


def _by_email(address: str, purpose: str, code: str) -> None:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    send_mail(_("Your code: %(code)s") % {"code": code},
              _("Your code to confirm this e-mail address on the Zhangwan skills platform is %(code)s. It is valid "
                "for %(minutes)s minutes. If you did not ask for it, ignore this message.")
              % {"code": code, "minutes": minutes}, settings.DEFAULT_FROM_EMAIL, [address])


@transaction.atomic
def _issue(mobile: str, purpose, deliver) -> OneTimeCode:
    _lock_number(mobile)
    now = timezone.now()
    sent = OneTimeCode.objects.filter(mobile=mobile, created_at__gt=now - KEPT_FOR)
    if sent.filter(created_at__gt=now - RESEND_AFTER).exists():
        raise OtpTooSoon(_("A code was sent to this number less than a minute ago. Use it, or ask for a new "
                           "one after a minute."))
    if sent.count() >= CODES_PER_DAY:
        raise OtpError(_("This number has received %(count)s codes today, the most allowed. Try again "
                         "tomorrow.") % {"count": CODES_PER_DAY})
    OneTimeCode.objects.filter(mobile=mobile, purpose=purpose, used_at__isnull=True,
                               expires_at__gt=now).update(expires_at=F("created_at") + timedelta(microseconds=1))
    code = f"{secrets.randbelow(10**6):06d}"
    otp = OneTimeCode.objects.create(mobile=mobile, purpose=purpose, code_hash=_hash(mobile=mobile, purpose=purpose,
                                                                                     code=code),
                                     created_at=now, expires_at=now + CODE_LIFETIME)
    deliver(mobile, purpose.value, code)
    return otp


@transaction.atomic
def otp_verify(*, mobile: str, purpose: str, code: str) -> bool:
    """True once for the right code of the number's open code for purpose; a wrong code uses up one of
    its five tries. An expired, used or exhausted code never matches."""
    now = timezone.now()
    otp = (OneTimeCode.objects.select_for_update()
           .filter(mobile=mobile, purpose=Purpose(purpose), used_at__isnull=True, expires_at__gt=now,
                   tries__lt=OneTimeCode.MAX_TRIES)
           .order_by("-created_at").first())
    if otp is None:
        return False
    if constant_time_compare(otp.code_hash, _hash(mobile=mobile, purpose=otp.purpose, code=code.strip())):
        otp.used_at = now
        otp.save(update_fields=["used_at"])
        return True
    OneTimeCode.objects.filter(pk=otp.pk).update(tries=F("tries") + 1)
    return False


def otp_delete_old() -> int:
    """Codes older than a day no longer count towards anything."""
    deleted, _by_model = OneTimeCode.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted
