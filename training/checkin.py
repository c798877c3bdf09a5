"""Self check-in by QR code. The attendance sheet shows a code that changes every minute; a worker with
a seat scans it with their phone while logged in and is marked present (late after LATE_AFTER).

The code is a link to `training:check_in` carrying a signed, timestamped token of the session: it cannot
be forged (Django's signing with SECRET_KEY) and is refused MAX_AGE after it was shown, so a photo
of it sent to someone at home stops working within two minutes. One check-in per worker and session
(the attendance row is unique per enrollment and session)."""

import datetime

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from zhangwan.errors import ServiceError

SALT = "training.checkin"
MAX_AGE = 120  # seconds: a code scanned just before the page shows the next one still works
REFRESH_SECONDS = 60
# Workers may check in at the door from this long before the start, until the session ends.
EARLY = datetime.timedelta(minutes=30)
LATE_AFTER = datetime.timedelta(minutes=15)


def token_for(session) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"session": session.pk})


def session_id_of(token: str) -> int:
    """The session a token names; a ServiceError when it is forged, mangled or too old."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ServiceError(_("This check-in code has expired: scan the code on the screen now.")) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ServiceError(_("This is not a check-in code of this platform.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("session"), int):
        raise ServiceError(_("This is not a check-in code of this platform."))
    return data["session"]


def check_in_url(request, session) -> str:
    return request.build_absolute_uri(reverse("training:check_in", args=[token_for(session)]))
