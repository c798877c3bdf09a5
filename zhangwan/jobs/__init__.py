"""What the long Celery jobs share."""

import time

from django.conf import settings


def step_pause(setting: str = "JOB_STEP_PAUSE") -> None:
    """Wait the seconds the setting names (0 in production) after a step of a long job: the fault
    tests kill a worker at this point, the report's browser test watches the progress bar move."""
    seconds = getattr(settings, setting)
    if seconds:
        time.sleep(seconds)


def acting_user(user_id: int | None):
    """The user who queued a job (by id: tasks take ids), for its history; None when nobody did."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None
