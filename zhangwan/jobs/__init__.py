"""What the long Celery jobs share."""

import time

from django.conf import settings


def step_pause() -> None:
    """Wait JOB_STEP_PAUSE seconds (0 in production): the fault tests kill a worker at this point."""
    if settings.JOB_STEP_PAUSE:
        time.sleep(settings.JOB_STEP_PAUSE)
