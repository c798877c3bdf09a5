"""The one error a service raises when a rule says no.

Each app names its own subclass (``TrainingError``, ``MastersError``, …) so its tests can expect it;
views never catch them by name but through ``zhangwan.actions.refusal_to``.
"""

from django.contrib.messages import constants


class ServiceError(Exception):
    """A rule said no. The one argument is the message for the user, in their language."""

    # How the refusal is flashed: most are errors; a few only tell the user something (a code already sent).
    level = constants.ERROR

    @property
    def message(self) -> str:
        return str(self)
