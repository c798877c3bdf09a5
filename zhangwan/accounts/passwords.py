"""Password rules whose messages the project translates itself, and the limit on guessing the current one."""

from datetime import timedelta

from django.contrib.auth import password_validation
from django.utils.translation import ngettext

from zhangwan.ratelimit import Limit, by_user, rate_limited


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's own: its 5.2 message for a short password has no Simplified Chinese translation."""

    def get_error_message(self):
        return ngettext("This password is too short: use at least %(min_length)d character.",
                        "This password is too short: use at least %(min_length)d characters.",
                        self.min_length) % {"min_length": self.min_length}


# Guessing the current password from a signed-in session (an unattended or stolen one): every
# attempt counts, per account and per client address, whether the password was right or not.
GUESSES_PER_ACCOUNT = Limit("password-account", 5, timedelta(minutes=15))
GUESSES_PER_ADDRESS = Limit("password-address", 30, timedelta(minutes=15))


def guessing_limited(view):
    """For a view that asks for the current password: over either limit its POST is refused (429)."""
    return rate_limited(GUESSES_PER_ACCOUNT, key=by_user)(rate_limited(GUESSES_PER_ADDRESS)(view))
