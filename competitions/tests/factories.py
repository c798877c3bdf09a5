import contextlib
import datetime
from decimal import Decimal

from django.utils import timezone

from competitions.models import AwardRule, Competition, Event, JudgeAssignment, ScoringPart
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.models import WorkerTrade
from zhangwan.registry.tests.factories import WorkerFactory, trade


def competition(**fields) -> Competition:
    now = timezone.now()
    values = {"name": "2026年张湾区焊工职业技能竞赛", "year": 2026, "level": Competition.Level.DISTRICT,
              "starts_on": timezone.localdate() + datetime.timedelta(days=30),
              "ends_on": timezone.localdate() + datetime.timedelta(days=31),
              "registration_opens": now - datetime.timedelta(days=1),
              "registration_closes": now + datetime.timedelta(days=10), **fields}
    return Competition.objects.create(**values)


def event(*, parts=(("theory", 30, 100), ("practical", 70, 100)), rules=None, judges=0, comp=None,
          **fields) -> Event:
    values = {"name": "焊工（个人赛）", "trade": trade(), "tie_breaks": ["practical", "time"], **fields}
    ev = Event.objects.create(competition=comp or competition(), **values)
    for order, (code, weight, max_mark) in enumerate(parts):
        ScoringPart.objects.create(event=ev, code=code, name=code, weight=Decimal(weight),
                                   max_mark=Decimal(max_mark), order=order)
    for tier, quota in (rules or {}).items():
        AwardRule.objects.create(event=ev, tier=tier, quota=Decimal(quota))
    for _ in range(judges):
        JudgeAssignment.objects.create(event=ev, judge=UserFactory(role=Role.JUDGE))
    return ev


def welder(organization, **fields):
    worker = WorkerFactory(employer=organization, **fields)
    WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2015)
    return worker


def close_entries(comp: Competition) -> Competition:
    """Entries closed a minute ago and the competition under way today, so judges may mark."""
    now, today = timezone.now(), timezone.localdate()
    Competition.objects.filter(pk=comp.pk).update(
        registration_opens=now - datetime.timedelta(days=2), registration_closes=now - datetime.timedelta(minutes=1),
        starts_on=today, ends_on=max(comp.ends_on, today))
    comp.refresh_from_db()
    return comp


@contextlib.contextmanager
def marking(comp: Competition):
    """Judges may mark inside the block; the competition's dates and entry window come back after."""
    saved = Competition.objects.filter(pk=comp.pk).values(
        "registration_opens", "registration_closes", "starts_on", "ends_on").get()
    close_entries(comp)
    try:
        yield comp
    finally:
        Competition.objects.filter(pk=comp.pk).update(**saved)
        comp.refresh_from_db()
