import datetime
import itertools
from decimal import Decimal

from certification.models import Certificate
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.models import WorkerTrade
from zhangwan.registry.tests.factories import OrganizationFactory, WorkerFactory, trade

from ..models import Criterion, Nomination, Reviewer, SelectionRound

YEAR = 2022
NUMBERS = itertools.count(1)
# Inside the round's windows.
NOMINATING = datetime.date(YEAR, 4, 15)
REVIEWING = datetime.date(YEAR, 6, 10)


def selection_round(*, year=YEAR, quota=3, criteria=(("技能水平", 60, 100), ("贡献", 40, 50)), **fields):
    windows = {"nominations_open": datetime.date(year, 4, 1), "nominations_close": datetime.date(year, 5, 31),
               "review_opens": datetime.date(year, 6, 1), "review_closes": datetime.date(year, 6, 30)}
    created = SelectionRound.objects.create(name=f"{year}年张湾区技能大师评选", year=year, quota=quota,
                                            min_years_in_trade=8, **{**windows, **fields})
    Criterion.objects.bulk_create([Criterion(round=created, name=name, weight=Decimal(weight),
                                             max_score=Decimal(top), order=i)
                                   for i, (name, weight, top) in enumerate(criteria)])
    return created


def qualified_worker(*, employer=None, level=3, started_year=2005, **fields):
    """A worker who meets the default rules: a level-3 certificate, 17 years in welding, employed."""
    worker = WorkerFactory(employer=employer or OrganizationFactory(), **fields)
    WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=started_year)
    Certificate.objects.create(number=f"M{next(NUMBERS):08d}", holder=worker, trade=trade(), level=level,
                               issued_on=datetime.date(2018, 5, 1), source="imported")
    return worker


def nomination(round_, *, worker=None, status=Nomination.Status.SUBMITTED, created_by=None, **fields):
    worker = worker or qualified_worker()
    return Nomination.objects.create(
        round=round_, nominee=worker, trade=trade(), source=fields.pop("source", Nomination.Source.UNION),
        organization_id=worker.employer_id, statement="技术精湛", achievements="多项革新", status=status,
        created_by=created_by or UserFactory(role=Role.MASTERS_OFFICER), **fields)


def reviewer(*, organization=None, trades=(), **fields) -> Reviewer:
    user = UserFactory(role=Role.REVIEWER, organization=None)
    created = Reviewer.objects.create(user=user, organization=organization, **fields)
    created.trades.set(trades)
    return created


def pool(n=4, **fields):
    return [reviewer(**fields) for _ in range(n)]
