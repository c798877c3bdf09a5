"""Every write of the training dimension that does more than save one form.

Registration, cancellation, capacity changes and promotions take the class's row lock
(``SELECT … FOR UPDATE``) first, so however many requests arrive at once, seats are counted
one transaction at a time; the class's ``class_never_overbooked`` check constraint backs this
up in the database itself.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhangwan.accounts.notifications import tell_workers
from zhangwan.api import webhooks
from zhangwan.errors import ServiceError
from zhangwan.history import bulk_create_with_history, bulk_update_with_history, save_with_history
from zhangwan.prepared import Prepared, PreparedRows
from zhangwan.transitions import Transitions

from .models import Attendance, ClassSession, Enrollment, TrainingClass

Status = TrainingClass.Status
ACTIVE = (Enrollment.Status.CONFIRMED, Enrollment.Status.WAITLISTED)


class TrainingError(ServiceError):
    """A rule said no; the message is for the user."""


CLASS_STATUS = Transitions(TrainingClass, {
    Status.DRAFT: {Status.OPEN, Status.CANCELLED},
    Status.OPEN: {Status.CLOSED, Status.CANCELLED},
    Status.CLOSED: {Status.OPEN, Status.RUNNING, Status.CANCELLED},
    Status.RUNNING: {Status.FINISHED},
    Status.FINISHED: set(),
    Status.CANCELLED: set(),
}, error=TrainingError, message=gettext_lazy("A class that is “%(current)s” cannot become “%(target)s”."))
_E = Enrollment.Status
ENROLLMENT_STATUS = Transitions(Enrollment, {
    _E.CONFIRMED: {_E.CANCELLED, _E.COMPLETED, _E.FAILED, _E.NO_SHOW},
    _E.WAITLISTED: {_E.CONFIRMED, _E.CANCELLED},
    _E.CANCELLED: set(),
    _E.COMPLETED: set(),
    _E.FAILED: set(),
    _E.NO_SHOW: set(),
}, error=TrainingError)
# An attendance mark is corrected freely: any mark may become any other.
ATTENDANCE_STATUS = Transitions(Attendance, {mark: set(Attendance.Status) for mark in Attendance.Status},
                                error=TrainingError)


# The class locked for a change of its seats (every registration, cancellation and promotion takes it first),
# an enrollment locked with its worker and their account (who is told), and the first in a class's queue: the
# statements of every cancellation, prepared (zhangwan.prepared).
LOCKED_CLASS = Prepared(lambda pk: TrainingClass.objects.select_for_update().filter(pk=pk), "pk")
LOCKED_ENROLLMENT = Prepared(lambda pk: Enrollment.objects.select_for_update(of=("self",))
                             .select_related("worker__user").filter(pk=pk), "pk")


def _waiting(class_id):
    """The class's waiting list in queue order, each with their worker and account (who is told)."""
    return Enrollment.objects.filter(training_class=class_id).waiting().select_related("worker__user")


FIRST_WAITING = Prepared(lambda class_id: _waiting(class_id)[:1], "class_id")
# Every enrollment of a class as (worker, status, place in the queue), the cancelled ones too (their places are
# not given again): what a registration checks under the lock, in one read. It grows with the class's history
# (a row per registration ever made), a few hundred rows at most, where three statements each paid more.
ROLL = PreparedRows(lambda class_id: Enrollment.objects.filter(training_class=class_id).order_by()
                    .values_list("worker_id", "status", "queue_number"), "class_id")


def _locked(training_class: TrainingClass) -> TrainingClass:
    return LOCKED_CLASS.get(pk=training_class.pk)


def _locked_enrollment(enrollment: Enrollment, cls: TrainingClass) -> Enrollment:
    """The enrollment locked (after its class, ``cls``, which it is given), with its worker and their account."""
    locked = LOCKED_ENROLLMENT.get(pk=enrollment.pk)
    locked.training_class = cls
    return locked


def _tell(enrollments, key, params):
    """Tell the workers of these enrollments the notice `key` (zhangwan/accounts/notices.py); params is
    a function of the enrollment."""
    tell_workers(enrollments, key, params=params, url=reverse("training:my_classes"))


# Class status -------------------------------------------------------------------------------

def finishing_early_message(cls: TrainingClass) -> str:
    """Why finishing the class now needs a reason ("" once its last session has ended)."""
    last = cls.last_session_end()
    if last is None or last <= timezone.now():
        return ""
    return _("The last session ends at %(end)s. To finish the class before then, give the reason.") % {
        "end": timezone.localtime(last).strftime("%Y-%m-%d %H:%M")}


@transaction.atomic
def class_transition(*, training_class: TrainingClass, to: str, user, reason: str = "") -> TrainingClass:
    """Move the class to another status. Finishing it before its last session has ended needs a
    reason, which goes into its history."""
    cls = _locked(training_class)
    CLASS_STATUS.check(cls.status, to)
    if to == Status.OPEN and not cls.sessions.exists():
        raise TrainingError(_("Add the class's sessions before opening registration."))
    if to == Status.OPEN and (disagreement := cls.hours_disagreement()):
        raise TrainingError(disagreement)
    reason = reason.strip()
    if to == Status.FINISHED and (early := finishing_early_message(cls)):
        if not reason:
            raise TrainingError(early)
        CLASS_STATUS.move(cls, to, user=user, reason="class.finished_early", detail=reason)
    else:
        CLASS_STATUS.move(cls, to, user=user)
    affected = list(cls.enrollments.filter(status__in=ACTIVE).select_related("worker__user"))
    if to == Status.CANCELLED:
        _cancel_all(cls, affected, user)
    else:
        _tell(affected, "class.status", lambda e: {"title": cls.title, "status": Status(cls.status).label})
    if to == Status.FINISHED:
        from .tasks import complete_class

        complete_class.delay_on_commit(cls.pk, user.pk)
    return cls


def _cancel_all(cls, enrollments, user):
    now = timezone.now()
    for enrollment in enrollments:
        ENROLLMENT_STATUS.assign(enrollment, Enrollment.Status.CANCELLED)
        enrollment.cancelled_at = now
    bulk_update_with_history(enrollments, Enrollment, ["status", "cancelled_at"], user=user, reason="class.cancelled")
    TrainingClass.objects.filter(pk=cls.pk).update(confirmed_count=0)
    _tell(enrollments, "class.cancelled", lambda e: {"title": cls.title})
    _emit("enrollment.cancelled", enrollments)


# Registration -------------------------------------------------------------------------------

# The training officer registers people the registration window does not suit (walk-ins, trainees
# sent by the poverty-alleviation office): while the class has not ended, window or not.
STAFF_MAY_REGISTER = (Status.OPEN, Status.CLOSED, Status.RUNNING)


def _check_can_register(cls: TrainingClass, worker, now, *, by_staff: bool = False) -> None:
    if by_staff:
        if cls.status not in STAFF_MAY_REGISTER:
            raise TrainingError(_("Nobody can be registered for this class any more (it is “%(status)s”).")
                                % {"status": cls.get_status_display()})
    else:
        _check_window(cls, now)
    audience = cls.audience
    if audience == TrainingClass.Audience.TEAM_LEADERS and not worker.team_leader:
        raise TrainingError(_("%(name)s is not a team leader; this class is for team leaders.") % {"name": worker.name})
    if audience == TrainingClass.Audience.POVERTY and not worker.poverty_registered:
        raise TrainingError(_("This class is for registered poverty-alleviation labourers; %(name)s is not "
                              "registered as one.") % {"name": worker.name})
    if audience == TrainingClass.Audience.OWN_STAFF and worker.employer_id != cls.provider_id:
        raise TrainingError(_("This class is only for employees of %(provider)s.") % {"provider": cls.provider})


def _check_window(cls: TrainingClass, now) -> None:
    if cls.status != Status.OPEN:
        raise TrainingError(_("This class is not open for registration (it is “%(status)s”).")
                            % {"status": cls.get_status_display()})
    if now < cls.registration_opens:
        raise TrainingError(_("Registration opens on %(date)s.")
                            % {"date": timezone.localtime(cls.registration_opens).strftime("%Y-%m-%d %H:%M")})
    if now >= cls.registration_closes:
        raise TrainingError(_("Registration closed on %(date)s.")
                            % {"date": timezone.localtime(cls.registration_closes).strftime("%Y-%m-%d %H:%M")})


@dataclass
class Outcome:
    worker: object
    enrollment: Enrollment | None = None
    error: str = ""


@transaction.atomic
def enrollments_register(*, workers, training_class: TrainingClass, user, channel: str, late_reason: str = "",
                         tell: bool = True) -> list[Outcome]:
    """Register several workers at once: each gets a seat while there are seats, then a place on
    the waiting list. One lock, one bulk insert, one counter update. late_reason: why staff register
    someone after the class started (kept in the history)."""
    cls = _locked(training_class)
    now = timezone.now()
    roll, wanted = ROLL.rows(class_id=cls.pk), {worker.pk for worker in workers}
    already = {worker for worker, status, _queue in roll if status != Enrollment.Status.CANCELLED and worker in wanted}
    free = cls.capacity - cls.confirmed_count
    next_queue = max((queue for _worker, _status, queue in roll if queue is not None), default=0) + 1
    waiting = sum(status == Enrollment.Status.WAITLISTED for _worker, status, _queue in roll)  # already
    outcomes, new = [], []
    for worker in workers:
        try:
            _check_can_register(cls, worker, now, by_staff=channel == Enrollment.Channel.STAFF)
            if worker.pk in already:
                raise TrainingError(_("%(name)s is already registered for this class.") % {"name": worker.name})
        except TrainingError as error:
            outcomes.append(Outcome(worker, error=str(error)))
            continue
        already.add(worker.pk)
        enrollment = Enrollment(worker=worker, training_class=cls, channel=channel, registered_by=user, created_at=now)
        if free > 0:
            enrollment.status, enrollment.confirmed_at = Enrollment.Status.CONFIRMED, now
            free -= 1
        else:
            waiting += 1
            enrollment.status, enrollment.queue_number = Enrollment.Status.WAITLISTED, next_queue
            enrollment.position = waiting  # newcomers join at the end of the list
            next_queue += 1
        new.append(enrollment)
        outcomes.append(Outcome(worker, enrollment))
    if new:
        if late_reason:
            bulk_create_with_history(new, Enrollment, user=user, reason="enrollment.registered_late",
                                     detail=late_reason)
        else:
            bulk_create_with_history(new, Enrollment, user=user, reason="enrollment.registered", detail=channel)
        confirmed = sum(e.status == Enrollment.Status.CONFIRMED for e in new)
        TrainingClass.objects.filter(pk=cls.pk).update(confirmed_count=F("confirmed_count") + confirmed)
        cls.confirmed_count += confirmed
        if tell:
            _tell_registered(cls, new)
        _emit("enrollment.confirmed", [e for e in new if e.status == Enrollment.Status.CONFIRMED])
        _emit("enrollment.waitlisted", [e for e in new if e.status == Enrollment.Status.WAITLISTED])
    # The caller's copy was read before the lock: it shows the seats as they are now, not as they were.
    training_class.confirmed_count = cls.confirmed_count
    return outcomes


def enrollment_register(*, worker, training_class: TrainingClass, user, channel: str, late_reason: str = "",
                        tell: bool = True) -> Enrollment:
    outcome = enrollments_register(workers=[worker], training_class=training_class, user=user, channel=channel,
                                   late_reason=late_reason, tell=tell)[0]
    if outcome.error:
        raise TrainingError(outcome.error)
    return outcome.enrollment


def _started(cls: TrainingClass) -> bool:
    return cls.starts_on <= timezone.localdate()


def late_reason_message(cls: TrainingClass, worker) -> str:
    return _("“%(title)s” started on %(date)s: give the reason for putting %(name)s in it now.") % {
        "title": cls.title, "date": cls.starts_on, "name": worker.name}


def enrollment_register_by_staff(*, worker, training_class: TrainingClass, user, reason: str = "") -> Enrollment:
    """The training officer registers a worker (a walk-in, a trainee without employer or liaison):
    the same seats and waiting list as everyone, the registration window aside; after the class has
    started only with a reason, which goes into the history."""
    reason = (reason or "").strip()
    if _started(training_class) and not reason:
        raise TrainingError(late_reason_message(training_class, worker))
    return enrollment_register(worker=worker, training_class=training_class, user=user,
                               channel=Enrollment.Channel.STAFF,
                               late_reason=reason if _started(training_class) else "")


def move_targets(cls: TrainingClass):
    """Classes a worker of cls can be moved to."""
    return (TrainingClass.objects.filter(status__in=STAFF_MAY_REGISTER).exclude(pk=cls.pk)
            .order_by("starts_on", "pk"))


@transaction.atomic
def enrollment_move(*, enrollment: Enrollment, to_class: TrainingClass, user, reason: str = "") -> Enrollment:
    """Move a worker to another class: a seat there (or its waiting list) under its lock, then the old
    registration cancelled; before the old class starts its seat goes to the first person waiting.
    A reason is needed once either class has started. Returns the new enrollment."""
    reason = (reason or "").strip()
    if enrollment.training_class_id == to_class.pk:
        raise TrainingError(_("%(name)s is already in this class.") % {"name": enrollment.worker.name})
    # Both classes locked in id order: two opposite moves at once wait for each other, never deadlock.
    locked = {c.pk: c for c in TrainingClass.objects.select_for_update()
              .filter(pk__in=[enrollment.training_class_id, to_class.pk]).order_by("pk")}
    old, new = locked[enrollment.training_class_id], locked[to_class.pk]
    enrollment = _locked_enrollment(enrollment, old)
    worker = enrollment.worker
    if enrollment.status not in ACTIVE:
        raise TrainingError(_("This registration is already “%(status)s”.")
                            % {"status": enrollment.get_status_display()})
    if old.status in (Status.FINISHED, Status.CANCELLED):
        raise TrainingError(_("The class is over; its registrations can no longer change."))
    if not reason and (_started(old) or _started(new)):
        raise TrainingError(late_reason_message(new if _started(new) else old, worker))
    moved = enrollment_register(worker=worker, training_class=new, user=user, channel=Enrollment.Channel.STAFF,
                                late_reason=reason if _started(new) else "", tell=False)
    was_confirmed = enrollment.status == Enrollment.Status.CONFIRMED
    enrollment.cancelled_at = timezone.now()
    ENROLLMENT_STATUS.move(enrollment, Enrollment.Status.CANCELLED, user=user, reason="enrollment.moved",
                           detail=reason or new.title, update_fields=["cancelled_at"])
    _emit("enrollment.cancelled", [enrollment])
    if was_confirmed:
        TrainingClass.objects.filter(pk=old.pk).update(confirmed_count=F("confirmed_count") - 1)
        old.confirmed_count -= 1  # (locked)
        if not _started(old):
            _promote(old, user)
    _tell([moved], "enrollment.moved", lambda e: {"old": old.title, "title": new.title, "reason": reason or "—",
                                                  "status": Enrollment.Status(e.status).label})
    return moved


def _emit(event: str, enrollments) -> None:
    """The webhook event for each enrollment, to its worker's employer's subscriptions and the district's."""
    webhooks.emit_each(event, enrollments, lambda e: e.worker.employer_id)


def _tell_registered(cls, enrollments):
    confirmed = [e for e in enrollments if e.worker.user_id and e.status == Enrollment.Status.CONFIRMED]
    waiting = [e for e in enrollments if e.worker.user_id and e.status != Enrollment.Status.CONFIRMED]
    _tell(confirmed, "enrollment.registered", lambda e: {"title": cls.title, "date": cls.starts_on})
    _tell(waiting, "enrollment.waitlisted", lambda e: {"title": cls.title, "position": e.position})


def waiting_positions(cls: TrainingClass) -> dict[int, int]:
    """enrollment id → position on the class's waiting list (1, 2, 3 …)."""
    return dict(Enrollment.objects.filter(training_class=cls).with_position().values_list("pk", "position"))


# Cancellation, capacity and promotion -------------------------------------------------------

@transaction.atomic
def enrollment_cancel(*, enrollment: Enrollment, user) -> Enrollment:
    cls = _locked(enrollment.training_class)
    enrollment = _locked_enrollment(enrollment, cls)
    if enrollment.status not in ACTIVE:
        raise TrainingError(_("This registration is already “%(status)s”.")
                            % {"status": enrollment.get_status_display()})
    if cls.starts_on <= timezone.localdate():
        raise TrainingError(_("The class has started; ask the training officer to withdraw you."))
    was_confirmed = enrollment.status == Enrollment.Status.CONFIRMED
    enrollment.cancelled_at = timezone.now()
    ENROLLMENT_STATUS.move(enrollment, Enrollment.Status.CANCELLED, user=user, reason="enrollment.cancelled",
                           update_fields=["cancelled_at"])
    _emit("enrollment.cancelled", [enrollment])
    _tell([enrollment], "enrollment.cancelled" if was_confirmed else "enrollment.waitlist_left",
          lambda e: {"title": cls.title, "date": cls.starts_on, "by": user.get_full_name()})
    if was_confirmed:
        TrainingClass.objects.filter(pk=cls.pk).update(confirmed_count=F("confirmed_count") - 1)
        cls.confirmed_count -= 1  # (the class is locked: nobody else changed it)
        _promote(cls, user)
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, user, reason: str) -> Enrollment:
    """The training officer takes a worker out of a class that has started, for a reason that goes
    into the history and to the worker. The seat is not given to anyone waiting: the class is under way."""
    cls = _locked(enrollment.training_class)
    enrollment = _locked_enrollment(enrollment, cls)
    reason = reason.strip()
    if not reason:
        raise TrainingError(_("Give the reason for the withdrawal."))
    if enrollment.status not in ACTIVE:
        raise TrainingError(_("This registration is already “%(status)s”.")
                            % {"status": enrollment.get_status_display()})
    if cls.status in (Status.FINISHED, Status.CANCELLED):
        raise TrainingError(_("The class is over; its registrations can no longer change."))
    if cls.starts_on > timezone.localdate():
        raise TrainingError(_("The class has not started; cancel the registration instead."))
    was_confirmed = enrollment.status == Enrollment.Status.CONFIRMED
    enrollment.cancelled_at = timezone.now()
    ENROLLMENT_STATUS.move(enrollment, Enrollment.Status.CANCELLED, user=user, reason="enrollment.withdrawn",
                           detail=reason, update_fields=["cancelled_at"])
    _emit("enrollment.cancelled", [enrollment])
    if was_confirmed:
        TrainingClass.objects.filter(pk=cls.pk).update(confirmed_count=F("confirmed_count") - 1)
    _tell([enrollment], "enrollment.withdrawn", lambda e: {"title": cls.title, "reason": reason})
    return enrollment


@transaction.atomic
def class_set_capacity(*, training_class: TrainingClass, capacity: int, user) -> TrainingClass:
    cls = _locked(training_class)
    if capacity < cls.confirmed_count:
        raise TrainingError(_("%(count)d people are already confirmed; the capacity cannot go below that.")
                            % {"count": cls.confirmed_count})
    if cls.status in (Status.FINISHED, Status.CANCELLED):
        raise TrainingError(_("The class is over; its capacity no longer matters."))
    cls.capacity = capacity
    save_with_history(cls, user=user, reason="class.capacity", update_fields=["capacity"])
    _promote(cls, user)
    return cls


def _promote(cls: TrainingClass, user) -> list[Enrollment]:
    """Move the first waiting people into free seats, in queue order. Caller holds the lock."""
    free = cls.capacity - cls.confirmed_count
    if free <= 0 or cls.status not in (Status.OPEN, Status.CLOSED):
        return []
    # (a cancellation's one seat: the prepared statement)
    promoted = FIRST_WAITING.list(class_id=cls.pk) if free == 1 else list(_waiting(cls.pk)[:free])
    if not promoted:
        return []
    now = timezone.now()
    for enrollment in promoted:
        enrollment.training_class = cls
        ENROLLMENT_STATUS.assign(enrollment, Enrollment.Status.CONFIRMED)
        enrollment.confirmed_at = now
    bulk_update_with_history(promoted, Enrollment, ["status", "confirmed_at"], user=user, reason="enrollment.promoted")
    _emit("enrollment.promoted", promoted)
    TrainingClass.objects.filter(pk=cls.pk).update(confirmed_count=F("confirmed_count") + len(promoted))
    cls.confirmed_count += len(promoted)
    _tell(promoted, "enrollment.promoted", lambda e: {"title": cls.title, "date": cls.starts_on})
    return promoted


# Attendance and completion ------------------------------------------------------------------

def _check_session_enrollment(session: ClassSession, enrollment: Enrollment):
    if enrollment.training_class_id != session.training_class_id:
        raise TrainingError(_("%(name)s is not in the class of this session.") % {"name": enrollment.worker.name})
    if enrollment.status in (Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED):
        raise TrainingError(_("%(name)s has no seat in this class.") % {"name": enrollment.worker.name})


def not_started_message(session: ClassSession) -> str:
    return _("This session starts at %(start)s; attendance can be taken once it has started.") % {
        "start": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")}


def _check_session_started(session: ClassSession, now=None):
    if not session.has_started(now):
        raise TrainingError(not_started_message(session))


@transaction.atomic
def attendance_mark(*, session: ClassSession, enrollment: Enrollment, status: str, user, remark: str = ""):
    _check_session_enrollment(session, enrollment)
    _check_session_started(session)
    if status not in Attendance.Status.values:
        raise TrainingError(_("Unknown attendance mark."))
    attendance = Attendance.objects.select_for_update().filter(session=session, enrollment=enrollment).first()
    if attendance is None:
        attendance = Attendance(session=session, enrollment=enrollment)
    attendance.status, attendance.remark = status, remark
    attendance.marked_by, attendance.marked_at = user, timezone.now()
    save_with_history(attendance, user=user, reason="attendance.marked")
    return attendance


@transaction.atomic
def attendance_save_many(*, training_class: TrainingClass, marks: dict, exams: dict, user) -> int:
    """marks: (enrollment id, session id) → status; exams: enrollment id → bool. All or nothing:
    a mark for a session that has not started refuses the whole sheet."""
    now = timezone.now()
    sessions = {s.pk: s for s in training_class.sessions.filter(pk__in={pk for _e, pk in marks})}
    for session in sorted(sessions.values(), key=lambda s: s.starts_at):
        _check_session_started(session, now)
    existing = {(a.enrollment_id, a.session_id): a
                for a in Attendance.objects.filter(session__training_class=training_class).select_for_update()}
    new, changed = [], []
    for (enrollment_id, session_id), status in marks.items():
        attendance = existing.get((enrollment_id, session_id))
        if attendance is None:
            new.append(Attendance(enrollment_id=enrollment_id, session_id=session_id, status=status,
                                  marked_by=user, marked_at=now))
        elif attendance.status != status:
            ATTENDANCE_STATUS.assign(attendance, status)
            attendance.marked_by, attendance.marked_at = user, now
            changed.append(attendance)
    history = {"user": user, "reason": "attendance.imported"}
    bulk_create_with_history(new, Attendance, **history)
    bulk_update_with_history(changed, Attendance, ["status", "marked_by", "marked_at"], **history)
    enrollments = list(Enrollment.objects.filter(pk__in=exams))
    exam_changed = [e for e in enrollments if e.exam_passed != exams[e.pk]]
    for enrollment in exam_changed:
        enrollment.exam_passed = exams[enrollment.pk]
    bulk_update_with_history(exam_changed, Enrollment, ["exam_passed"], **history)
    return len(new) + len(changed) + len(exam_changed)


@transaction.atomic
def enrollment_set_exam(*, enrollment: Enrollment, passed: bool | None, user) -> Enrollment:
    if enrollment.status in (Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED):
        raise TrainingError(_("%(name)s has no seat in this class.") % {"name": enrollment.worker.name})
    enrollment.exam_passed = passed
    save_with_history(enrollment, user=user, reason="enrollment.exam", update_fields=["exam_passed"])
    return enrollment


@transaction.atomic
def exam_results_save(*, training_class: TrainingClass, results: dict, user) -> int:
    """results: enrollment id → True (passed) / False (not passed) / None (not yet). The whole class at
    once, all or nothing: a seat not in this class, or without a seat, refuses the lot. Returns how many changed."""
    if not training_class.has_exam:
        raise TrainingError(_("This class has no exam."))
    seats = {e.pk: e for e in Enrollment.objects.select_for_update().select_related("worker")
             .filter(training_class=training_class, pk__in=results)}
    for pk in results:
        seat = seats.get(pk)
        if seat is None or not seat.has_seat:
            raise TrainingError(_("The results name someone without a seat in this class; nothing was saved."))
    changed = [seats[pk] for pk, passed in results.items() if seats[pk].exam_passed != passed]
    for enrollment in changed:
        enrollment.exam_passed = results[enrollment.pk]
    bulk_update_with_history(changed, Enrollment, ["exam_passed"], user=user, reason="enrollment.exam")
    return len(changed)


def _required_hours(sessions, enrollment) -> Decimal:
    """Hours of the sessions held while the worker had a seat (sessions: those held)."""
    since = timezone.localdate(enrollment.confirmed_at) if enrollment.confirmed_at else None
    return sum((s.hours for s in sessions if since is None or timezone.localdate(s.starts_at) >= since),
               Decimal("0"))


@transaction.atomic
def class_complete(*, class_id: int, user=None) -> int:
    """Decide completed / failed / no-show for every confirmed enrollment of a finished class.

    Safe to run again: only enrollments still 'confirmed' are decided, so a rerun (or a worker
    killed half-way, whose transaction rolled back) ends with the same result as one clean run.
    user: who finished the class, for the history.
    """
    cls = TrainingClass.objects.select_for_update().get(pk=class_id)
    if cls.status != Status.FINISHED:
        return 0
    enrollments = list(cls.enrollments.confirmed().select_for_update(of=("self",)).select_related("worker__user"))
    # Only what was held counts: a class finished early (with its reason) is judged on the sessions
    # that had started, so the hours attended never exceed the hours required.
    sessions = list(cls.sessions.filter(starts_at__lte=timezone.now()))
    attended = dict(Attendance.objects.filter(session__in=sessions, status__in=Attendance.COUNTED)
                    .values("enrollment").annotate(hours=Sum("session__hours")).values_list("enrollment", "hours"))
    marked = set(Attendance.objects.filter(session__training_class=cls).values_list("enrollment", flat=True))
    for e in enrollments:
        e.required_hours = _required_hours(sessions, e)
        e.attended_hours = min(attended.get(e.pk, Decimal("0")), e.required_hours)
        enough = e.required_hours > 0 and e.attended_hours * 100 >= e.required_hours * cls.completion_percent
        if e.pk not in marked or (e.attended_hours == 0 and not enough):
            ENROLLMENT_STATUS.assign(e, Enrollment.Status.NO_SHOW)
        elif enough and (not cls.has_exam or e.exam_passed):
            ENROLLMENT_STATUS.assign(e, Enrollment.Status.COMPLETED)
        else:
            ENROLLMENT_STATUS.assign(e, Enrollment.Status.FAILED)
    bulk_update_with_history(enrollments, Enrollment, ["status", "attended_hours", "required_hours"],
                             user=user, reason="class.finished")
    _tell(enrollments, "enrollment.finished",
          lambda e: {"attended": e.attended_hours, "required": e.required_hours, "title": cls.title,
                     "status": Enrollment.Status(e.status).label})
    return len(enrollments)


# Attendance by the class's provider and by the workers themselves ------------------------------

@transaction.atomic
def attendance_all_present(*, session: ClassSession, user) -> int:
    """Everyone with a seat and no mark yet for this session is marked present (the teacher then marks
    the exceptions); marks already given are kept. Returns how many were marked."""
    _check_session_started(session)
    # The seats are locked first (a worker checking in locks theirs too), then those still unmarked read.
    seats = (Enrollment.objects.filter(training_class_id=session.training_class_id)
             .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED]))
    locked = list(seats.select_for_update().order_by("pk").values_list("pk", flat=True))
    seated = Enrollment.objects.filter(pk__in=locked).exclude(attendances__session=session)
    now = timezone.now()
    new = [Attendance(enrollment=enrollment, session=session, status=Attendance.Status.PRESENT, marked_by=user,
                      marked_at=now) for enrollment in seated]
    bulk_create_with_history(new, Attendance, user=user, reason="attendance.all_present")
    return len(new)


@transaction.atomic
def attendance_check_in(*, session: ClassSession, worker, user, now=None) -> Attendance:
    """The worker scanned the session's code: present, or late once LATE_AFTER has passed. Once only: a
    worker already marked for this session (by a scan or by the teacher) is refused and keeps the mark."""
    from .checkin import EARLY, LATE_AFTER

    now = now or timezone.now()
    if now < session.starts_at - EARLY:
        raise TrainingError(_("Check-in opens %(minutes)d minutes before the session starts.") % {
            "minutes": EARLY.total_seconds() // 60})
    if now > session.ends_at:
        raise TrainingError(_("This session has ended; ask the teacher to mark your attendance."))
    enrollment = (Enrollment.objects.select_for_update()
                  .filter(training_class_id=session.training_class_id, worker=worker)
                  .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED]).first())
    if enrollment is None:
        raise TrainingError(_("You have no seat in this class, so you cannot check in to it."))
    marked = Attendance.objects.filter(session=session, enrollment=enrollment).first()
    if marked is not None:
        raise TrainingError(_("You are already marked %(status)s for this session (%(time)s).") % {
            "status": marked.get_status_display(), "time": timezone.localtime(marked.marked_at).strftime("%H:%M")})
    late = now > session.starts_at + LATE_AFTER
    attendance = Attendance(session=session, enrollment=enrollment, marked_by=user, marked_at=now,
                            status=Attendance.Status.LATE if late else Attendance.Status.PRESENT)
    return save_with_history(attendance, user=user, reason="attendance.checked_in")
