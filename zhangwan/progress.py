"""A background job's status (queued → running → done | failed), shared by subsidy runs, exports and
annual reports: the questions templates ask (``ProgressStatus``) and its transition table."""


def progress_table(Status) -> dict:
    """A job runs again from the start when its worker died (running → running) or after it failed; a
    job marked failed as stale may still finish. Only a finished job never moves again."""
    return {
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.RUNNING, Status.DONE, Status.FAILED},
        Status.FAILED: {Status.RUNNING, Status.DONE, Status.FAILED},
        Status.DONE: set(),
    }


class ProgressStatus:
    @property
    def is_in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def finished(self) -> bool:
        return not self.is_in_progress

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED
