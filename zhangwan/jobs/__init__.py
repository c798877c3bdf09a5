"""What the long Celery jobs share."""

import time

from django.conf import settings


def step_pause() -> None:
    """Wait JOB_STEP_PAUSE seconds (0 in production): the fault tests kill a worker at this point."""
    if settings.JOB_STEP_PAUSE:
        time.sleep(settings.JOB_STEP_PAUSE)


def acting_user(user_id: int | None):
    """The user who queued a job (by id: tasks take ids), for its history; None when nobody did."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None
