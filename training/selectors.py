"""Reads that are more than a filter: attendance rates, positions, plan against actual."""

from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhangwan.prepared import PreparedRows
from zhangwan.registry.models import Trade

from .models import (
    Attendance,
    ClassSession,
    Enrollment,
    NeedsSurvey,
    TrainingClass,
    TrainingPlan,
)


def _open_first():
    """The catalogue's order as SQL: Django resolves a Case of When(status=…) anew for every query (its Q is
    built into a WHERE each time), 9 % of the public catalogue's processor time in a gunicorn worker (issue 21)."""
    table = connection.ops.quote_name(TrainingClass._meta.db_table)
    return (RawSQL(f'CASE WHEN {table}."status" = %s THEN 0 ELSE 1 END', (TrainingClass.Status.OPEN,)),
            RawSQL(f'CASE WHEN {table}."status" = %s THEN {table}."starts_on" END', (TrainingClass.Status.OPEN,)))


def catalogue():
    """Classes open for registration first (soonest first), then the rest, newest first."""
    is_open, soonest = _open_first()
    return (TrainingClass.objects.public()
            .order_by(is_open.asc(), soonest.asc(), "-starts_on", "pk"))


def staff_classes():
    return TrainingClass.objects.select_related("course__trade", "provider").order_by("-starts_on", "pk")


def attendance_summary(enrollments) -> dict[int, dict]:
    """enrollment id → {'held': hours held since the seat was confirmed, 'attended': hours present or
    late in those sessions (never more than held), 'rate': percent (at most 100) or None}.
    Two queries whatever the number of enrollments."""
    enrollments = list(enrollments)
    now = timezone.now()
    sessions = (ClassSession.objects.filter(training_class__in={e.training_class_id for e in enrollments},
                                            starts_at__lte=now).values_list("training_class_id", "starts_at", "hours"))
    attended = dict(Attendance.objects.filter(enrollment__in=enrollments, status__in=Attendance.COUNTED,
                                              session__starts_at__lte=now)
                    .values("enrollment").annotate(hours=Sum("session__hours")).values_list("enrollment", "hours"))
    return _summary(enrollments, sessions, attended, now)


# A worker's sessions (of every class they were ever registered for) and the ones they attended, as
# (class or enrollment, start, hours): "my classes" reads them with prepared statements (zhangwan.prepared).
WORKER_SESSIONS = PreparedRows(lambda worker_id: ClassSession.objects.filter(
    training_class__in=Enrollment.objects.filter(worker=worker_id).values("training_class"))
    .order_by().values_list("training_class_id", "starts_at", "hours"), "worker_id")
WORKER_ATTENDED = PreparedRows(lambda worker_id: Attendance.objects.filter(
    enrollment__worker=worker_id, status__in=Attendance.COUNTED)
    .order_by().values_list("enrollment_id", "session__starts_at", "session__hours"), "worker_id")


def worker_attendance_summary(worker_id: int, enrollments) -> dict[int, dict]:
    """``attendance_summary`` of enrollments of this worker (some or all of theirs; another worker's would show
    nothing held), by two prepared statements."""
    now, attended = timezone.now(), {}
    for enrollment_id, starts_at, hours in WORKER_ATTENDED.rows(worker_id=worker_id):
        if starts_at <= now:
            attended[enrollment_id] = attended.get(enrollment_id, Decimal("0")) + hours
    return _summary(list(enrollments), WORKER_SESSIONS.rows(worker_id=worker_id), attended, now)


def _summary(enrollments, sessions, attended: dict, now) -> dict[int, dict]:
    """The summary of ``attendance_summary`` from (class, start, hours) of sessions (those not started by ``now``
    left out) and the counted hours of each enrollment."""
    held_sessions = {}
    for class_id, starts_at, hours in sessions:
        if starts_at <= now:
            held_sessions.setdefault(class_id, []).append((timezone.localdate(starts_at), hours))
    summary = {}
    for e in enrollments:
        since = timezone.localdate(e.confirmed_at) if e.confirmed_at else None
        held = sum((hours for day, hours in held_sessions.get(e.training_class_id, [])
                    if since is None or day >= since), Decimal("0"))
        hours = min(attended.get(e.pk, Decimal("0")), held)  # capped by what was held
        summary[e.pk] = {"held": held, "attended": hours,
                         "rate": round(hours * 100 / held) if held else None}
    return summary


def needs_by_trade(survey: NeedsSurvey):
    """Head count and responses per trade and level, most wanted first."""
    return (survey.responses.values("trade", "trade__code", "trade__name_zh", "trade__name_en", "level")
            .annotate(head_count=Sum("head_count"), responses=Count("id"))
            .order_by("-head_count", "trade__code"))


def needs_by_organization(survey: NeedsSurvey):
    """Head count, answers and trades per organization, most wanted first: an organization's own answers
    together with those of the workers it employs (a worker employed nowhere counts under no name).
    One query whatever the number of answers."""
    return (survey.responses.annotate(org=Coalesce("organization", "worker__employer"))
            .values("org")
            .annotate(name=Coalesce(F("organization__name"), F("worker__employer__name")), head_count=Sum("head_count"),
                      responses=Count("id"), trades=Count("trade", distinct=True),
                      workers=Count("worker", distinct=True))
            .order_by("-head_count", "name"))


def plan_against_actual(plan: TrainingPlan) -> list[dict]:
    """Per trade of the plan (and any trade trained without a plan line): targets and actuals."""
    classes = (TrainingClass.objects.in_year(plan.year).exclude(status=TrainingClass.Status.CANCELLED)
               .values("course__trade").annotate(n=Count("id")))
    trainees = (Enrollment.objects.filter(training_class__starts_on__year=plan.year)
                .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED])
                .values("training_class__course__trade").annotate(n=Count("worker", distinct=True)))
    actual_classes = {r["course__trade"]: r["n"] for r in classes}
    actual_trainees = {r["training_class__course__trade"]: r["n"] for r in trainees}
    lines = {line.trade_id: line for line in plan.lines.all()}
    trades = Trade.objects.filter(Q(pk__in=lines) | Q(pk__in=actual_classes)).order_by("code")
    return [{
        "trade": trade,
        "target_classes": lines[trade.pk].target_classes if trade.pk in lines else None,
        "target_trainees": lines[trade.pk].target_trainees if trade.pk in lines else None,
        "budget": lines[trade.pk].budget if trade.pk in lines else None,
        "classes": actual_classes.get(trade.pk, 0),
        "trainees": actual_trainees.get(trade.pk, 0),
    } for trade in trades]


def year_totals(year: int) -> dict:
    """The headline figures of a year's training."""
    trained = (Enrollment.objects.filter(training_class__starts_on__year=year)
               .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED]))
    classes = TrainingClass.objects.in_year(year).exclude(status=TrainingClass.Status.CANCELLED)
    return {
        "trainees": trained.values("worker").distinct().count(),
        "classes": classes.count(),
        "union_classes": classes.filter(union_class=True).count(),
    }
