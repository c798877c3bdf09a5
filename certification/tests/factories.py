import datetime

from django.utils import timezone

from certification.models import Accreditation, AssessmentBody, AssessmentSession
from zhangwan.registry.tests.factories import OrganizationFactory, trade


def session(*, level=5, date=None, capacity=30, accredited=True, **fields) -> AssessmentSession:
    now = timezone.now()
    school = OrganizationFactory(name="十堰职业技术学院")
    body = AssessmentBody.objects.get_or_create(name="十堰职业技术学院职业技能等级认定中心",
                                                defaults={"organization": school})[0]
    if accredited:
        Accreditation.objects.get_or_create(body=body, trade=trade(), level=level)
    values = {"body": body, "trade": trade(), "level": level, "date": date or datetime.date(2026, 12, 20),
              "venue": "实训楼", "capacity": capacity, "applications_open": now - datetime.timedelta(days=1),
              "applications_close": now + datetime.timedelta(days=10), **fields}
    return AssessmentSession.objects.create(**values)


def hold(s: AssessmentSession, *, days_ago: int = 1) -> AssessmentSession:
    """Date a session's assessment in the past (applications closed two weeks before), as after the exam."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    close = timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=14), datetime.time(17)))
    AssessmentSession.objects.filter(pk=s.pk).update(date=day, applications_close=close,
                                                     applications_open=close - datetime.timedelta(days=30))
    s.refresh_from_db()
    return s
