import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from training.models import ClassSession, Course, Enrollment, TrainingClass
from zhangwan.registry.tests.factories import OrganizationFactory, trade


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"焊工（中级）技能提升培训{n}")
    trade = factory.LazyFunction(trade)
    level = 4
    hours = Decimal("24")


def open_class(*, capacity=30, sessions=3, days_ahead=10, **fields) -> TrainingClass:
    """An open class whose registration window is now and whose sessions lie ahead."""
    now = timezone.now()
    start = timezone.localdate() + datetime.timedelta(days=days_ahead)
    values = {
        "course": fields.pop("course", None) or CourseFactory(),
        "title": "2026年焊工（中级）培训班",
        "provider": fields.pop("provider", None) or OrganizationFactory(name="十堰市张湾区总工会"),
        "venue": "张湾区职工服务中心",
        "capacity": capacity,
        "registration_opens": now - datetime.timedelta(days=1),
        "registration_closes": now + datetime.timedelta(days=5),
        "starts_on": start,
        "ends_on": start + datetime.timedelta(days=max(sessions - 1, 0)),
        **fields,
    }
    cls = TrainingClass.objects.create(**values)
    add_sessions(cls, sessions, start)
    TrainingClass.objects.filter(pk=cls.pk).update(status=fields.get("status", TrainingClass.Status.OPEN))
    cls.refresh_from_db()
    return cls


def add_sessions(cls, count, start, hours=Decimal("8")):
    tz = timezone.get_current_timezone()
    for day in range(count):
        begins = datetime.datetime.combine(start + datetime.timedelta(days=day), datetime.time(8, 30), tzinfo=tz)
        ClassSession.objects.create(training_class=cls, starts_at=begins, ends_at=begins + datetime.timedelta(hours=9),
                                    hours=hours, topic=f"第{day + 1}课")


def hold(cls, *, days_ago=30) -> TrainingClass:
    """Date the class (and its seats) in the past: it started days_ago days ago, its sessions one a
    day from then, and everyone registered before it started. Attendance can then be taken."""
    first = timezone.localdate(cls.sessions.order_by("starts_at").first().starts_at)
    shift = datetime.timedelta(days=(first - timezone.localdate()).days + days_ago)
    for session in cls.sessions.all():
        ClassSession.objects.filter(pk=session.pk).update(starts_at=session.starts_at - shift,
                                                          ends_at=session.ends_at - shift)
    TrainingClass.objects.filter(pk=cls.pk).update(
        starts_on=cls.starts_on - shift, ends_on=cls.ends_on - shift,
        registration_opens=cls.registration_opens - shift, registration_closes=cls.registration_closes - shift)
    for enrollment in Enrollment.objects.filter(training_class=cls):
        Enrollment.objects.filter(pk=enrollment.pk).update(
            created_at=enrollment.created_at - shift,
            confirmed_at=enrollment.confirmed_at and enrollment.confirmed_at - shift)
    cls.refresh_from_db()
    return cls
