"""Password reset (docs/security.md, "Password reset").

Workers: identity number, then a six-digit code by SMS to the mobile on file (zhangwan/accounts/otp.py,
its limits: one code a minute, ten a day per number, five tries a code), then a new password. The
answer to an identity number is the same whether it has a login with a mobile or not, and nothing is
sent when it has none. Staff: Django's e-mailed link (urls.py). The superuser: the admin action "Send
a password reset" sends the link (e-mail on file) or the code (a worker's mobile); nothing is shown.

Each reset is written in the user's admin history (LogEntry, the user's "History" page); the new
password changes the session hash, so every other session of the user ends (Django's own check).
"""

import logging
from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils.translation import gettext_noop

from zhangwan.ratelimit import Limit
from zhangwan.registry.models import Worker
from zhangwan.sms import SmsError

from .models import OneTimeCode, User
from .otp import OtpError, otp_send, otp_verify

logger = logging.getLogger(__name__)

# Asking for a code: per client address, and per identity number (a number asked for again and
# again from many addresses still gets at most the OTP module's codes).
RESET_REQUESTS_PER_ADDRESS = Limit("reset-address", 10, timedelta(hours=1))
RESET_REQUESTS_PER_NUMBER = Limit("reset-number", 5, timedelta(hours=1))
# Wrong codes from one address, across identity numbers.
RESET_FAILURES_PER_ADDRESS = Limit("reset-failures", 20, timedelta(hours=1))
# How a reset was made, as the admin history shows it ("Changed …"), translated when shown.
HOW = {
    "sms": gettext_noop("password (reset with a code by SMS)"),
    "email": gettext_noop("password (reset by an e-mailed link)"),
    "sent_email": gettext_noop("password reset link e-mailed"),
    "sent_sms": gettext_noop("password reset code sent by SMS"),
}


def resettable_worker(id_number: str) -> Worker | None:
    """The worker with a login that may reset it by SMS: active login, a mobile on file."""
    return (Worker.objects.select_related("user")
            .filter(id_number=id_number.upper(), user__isnull=False, user__is_active=True)
            .exclude(mobile="").first())


def resettable_worker_by_pk(pk) -> Worker | None:
    return Worker.objects.select_related("user").filter(pk=pk or 0, user__is_active=True).exclude(mobile="").first()


def reset_code_send(*, worker: Worker | None) -> None:
    """Queue a reset code to the worker's mobile (nothing for None): the caller answers the same either
    way, in the same time, since the text message goes from a Celery worker after the commit."""
    from .tasks import send_password_reset_code

    if worker is not None:
        send_password_reset_code.delay_on_commit(worker.pk)


def reset_code_send_now(*, worker: Worker | None) -> None:
    """Send the reset code; refusals (too soon, ten today, the provider) are logged, never shown."""
    if worker is None:
        return
    try:
        otp_send(mobile=worker.mobile, purpose=OneTimeCode.Purpose.PASSWORD_RESET)
    except (OtpError, SmsError) as error:  # too soon, too many today, the provider refused
        logger.info("password reset code for worker %s not sent: %s", worker.pk, type(error).__name__)


def reset_code_check(*, worker: Worker | None, code: str, address: str) -> bool:
    """True when code is the worker's live reset code; a wrong code counts against the address."""
    if worker is not None and otp_verify(mobile=worker.mobile, purpose=OneTimeCode.Purpose.PASSWORD_RESET, code=code):
        return True
    RESET_FAILURES_PER_ADDRESS.hit(address)
    return False


def record_reset(user: User, *, by: User, how: str) -> None:
    """The reset (or the reset sent) in the user's admin history; `how` is a key of HOW."""
    LogEntry.objects.log_actions(user_id=by.pk, queryset=[user], action_flag=CHANGE,
                                 change_message=[{"changed": {"fields": [HOW[how]]}}], single_object=True)


@transaction.atomic
def password_reset_set(*, user: User, password: str, how: str) -> None:
    """Set the new password (the caller validated it) and write it in the user's history."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_reset(user, by=user, how=how)


def reset_send_by_admin(*, user: User, by: User, request) -> str | None:
    """The superuser's reset for one user: the e-mailed link, else a code to the worker's mobile.
    Returns "email", "sms" or None (no e-mail and no worker mobile on file)."""
    if user.email and user.is_active and user.has_usable_password():
        form = PasswordResetForm({"email": user.email})
        form.is_valid()
        form.save(request=request, use_https=request.is_secure(),
                  subject_template_name="accounts/staff_reset_subject.txt",
                  email_template_name="accounts/staff_reset_email.txt")
        how = "sent_email"
    else:
        worker = Worker.objects.filter(user=user).exclude(mobile="").first()
        if worker is None or not user.is_active:
            return None
        otp_send(mobile=worker.mobile, purpose=OneTimeCode.Purpose.PASSWORD_RESET)
        how = "sent_sms"
    record_reset(user, by=by, how=how)
    return how.removeprefix("sent_")

