"""The headline figures of a year, in the shape of the 2022 report, from the database: one
function per figure, each an aggregate query. The annual report and the dashboard both read them,
so they can never disagree. ``organization`` narrows every figure to one organization's workers
(the liaison's dashboard); the district-wide figures (bases, policies) then count what concerns it."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Cast, ExtractMonth
from django.utils.translation import gettext_lazy as _

from certification.models import Certificate
from competitions.models import Competition, Entry, InnovationProject, Result
from masters.models import IncentiveGrant, IncentivePolicy, MasterTitle, TalkOrder, TalkTopic
from training.models import Enrollment, TrainingBase, TrainingClass
from training.subsidies import selectors
from training.subsidies.models import Claim, Kind
from zhangwan.registry.models import Trade

LEVELS = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal
    money: bool = False


def _workers(queryset, path: str, organization):
    return queryset if organization is None else queryset.filter(**{f"{path}__employer": organization})


def _enrollments(year, organization=None):
    """The year's seats taken (not cancelled, not waiting): who was trained."""
    enrollments = (Enrollment.objects.filter(training_class__starts_on__year=year)
                   .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED]))
    return _workers(enrollments, "worker", organization)


def trainee_counts(year, organization=None) -> dict:
    """Distinct trainees per (trade, month), per trade, per month and in all: one query with GROUPING
    SETS, so the totals count a worker once however many classes they took. The month is an integer
    (PostgreSQL's EXTRACT gives a numeric, slower to sort and compare: 32 -> 27 ms over the 2022 demo's
    48,000 enrollments)."""
    rows = (_enrollments(year, organization).order_by()
            .annotate(person=F("worker_id"), trade_pk=F("training_class__course__trade_id"),
                      month=Cast(ExtractMonth("training_class__starts_on"), IntegerField()))
            .values_list("person", "trade_pk", "month"))
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT trade_pk, month, COUNT(DISTINCT person) FROM ({sql}) AS enrolled "  # noqa: S608
                       "GROUP BY GROUPING SETS ((trade_pk, month), (trade_pk), (month), ())", params)
        counts = {(trade, month): n for trade, month, n in cursor.fetchall()}
    return {"cells": {k: n for k, n in counts.items() if None not in k},
            "by_trade": {t: n for (t, m), n in counts.items() if t is not None and m is None},
            "by_month": {m: n for (t, m), n in counts.items() if t is None and m is not None},
            "total": counts.get((None, None), 0)}


def trades_taught(year, limit: int = 8) -> list[str]:
    """The trades of the year's training, the most trained first (names in the current language)."""
    rows = (_enrollments(year).values("training_class__course__trade").annotate(n=Count("worker", distinct=True))
            .order_by("-n", "training_class__course__trade")[:limit])
    ids = [row["training_class__course__trade"] for row in rows]
    trades = Trade.objects.in_bulk(ids)
    return [trades[pk].name for pk in ids]


def training_bases(year, organization=None) -> int:
    """Bases of the kind the report names (industrial-worker training bases), not studios or schools."""
    bases = TrainingBase.objects.filter(designated_on__year=year, kind=TrainingBase.Kind.WORKER_BASE)
    return (bases if organization is None else bases.filter(host=organization)).count()


def union_classes(year, organization=None) -> int:
    classes = TrainingClass.objects.in_year(year).exclude(status=TrainingClass.Status.CANCELLED)
    classes = classes.filter(union_class=True)
    if organization is not None:
        classes = classes.filter(enrollments__worker__employer=organization).distinct()
    return classes.count()


def claims(year, organization=None):
    """The claims under the year's policies."""
    return _workers(Claim.objects.filter(policy__valid_from__year=year), "worker", organization)


def money_by_kind(year, organization=None) -> dict:
    """The money figures of the year's claims per kind of policy (subsidies.selectors)."""
    return selectors.money_by(claims(year, organization), "policy__kind")


def subsidies_paid(year, organization=None, *, money=None) -> dict[str, Decimal]:
    """Paid by the year's policies, by kind, net of reversals of paid claims. money: money_by_kind's answer
    when the caller has it already."""
    money = money_by_kind(year, organization) if money is None else money
    paid = {kind: figures["paid"] for kind, figures in money.items()}
    zero = Decimal("0.00")
    return {"skill": paid.get(Kind.SKILL, zero) + paid.get(Kind.TRAINING, zero), "living": paid.get(Kind.LIVING, zero)}


def _held(year):
    """The competitions the district held in the year (not the outside ones its workers went to)."""
    return Competition.objects.filter(year=year, external=False)


def _entries(organization=None):
    entries = Entry.objects.exclude(status=Entry.Status.WITHDRAWN)
    return entries if organization is None else entries.filter(organization=organization)


def leading_competitions(year) -> list[dict]:
    """The year's leading competitions, each with its trades and the workers in it (counted as the headline's
    participants are), the largest first."""
    leading = _held(year).filter(leading=True).prefetch_related("events__trade").order_by("starts_on", "name")
    rows = []
    for competition in leading:
        trades = sorted({(event.trade.code, event.trade.name) for event in competition.events.all()})
        rows.append({"name": competition.name, "trades": [name for _code, name in trades],
                     "participants": _entries().filter(event__competition=competition).people().count()})
    return sorted(rows, key=lambda row: -row["participants"])


def competitions(year, organization=None) -> dict[str, int]:
    held = _held(year)
    entries = _entries(organization)
    results = Result.objects.filter(entry__event__competition__year=year).exclude(tier="")
    results = results if organization is None else results.filter(entry__organization=organization)
    projects = InnovationProject.objects.filter(competition__year=year, status__in=[
        InnovationProject.Status.SHORTLISTED, InnovationProject.Status.AWARDED])
    return {
        "competitions": held.count(),
        "leading": held.filter(leading=True).count(),
        "participants": entries.filter(event__competition__in=held.filter(leading=True)).people().count(),
        "external": entries.filter(event__competition__year=year, event__competition__external=True,
                                   event__competition__level__in=[Competition.Level.CITY,
                                                                  Competition.Level.PROVINCIAL]).people().count(),
        "winners": Entry.objects.filter(pk__in=results.filter(entry__event__competition__level__in=[
            Competition.Level.DISTRICT, Competition.Level.CITY, Competition.Level.PROVINCIAL]).values("entry"))
        .people().count(),
        "projects": (projects if organization is None else projects.filter(organization=organization)).count(),
    }


def certificates_by_level(year, organization=None) -> dict[int, int]:
    issued = Certificate.objects.filter(issued_on__year=year, status=Certificate.Status.VALID).exclude(
        source=Certificate.Source.IMPORTED)
    issued = _workers(issued, "holder", organization)
    counts = dict(issued.values("level").annotate(n=Count("pk")).values_list("level", "n"))
    return {level: counts.get(level, 0) for level in LEVELS}


def _talks(year, organization=None):
    talks = TalkOrder.objects.filter(status=TalkOrder.Status.HELD, held_on__year=year)
    return talks if organization is None else talks.filter(organization=organization)


def talk_categories(year) -> list[str]:
    """The kinds of the year's talks (their labels), the most held first."""
    labels = dict(TalkTopic.Category.choices)
    rows = _talks(year).values("topic__category").annotate(n=Count("pk")).order_by("-n", "topic__category")
    return [str(labels.get(row["topic__category"], row["topic__category"])) for row in rows]


def grants(year) -> dict:
    """What the incentive policies brought in the year: grants to masters and their employers, and their money."""
    given = IncentiveGrant.objects.filter(granted_on__year=year).aggregate(
        n=Count("pk"), money=Sum("amount"), masters=Count("master", distinct=True,
                                                           filter=Q(master__isnull=False)))
    return {"grants": given["n"], "amount": given["money"] or Decimal("0.00"), "masters": given["masters"]}


def masters(year, organization=None) -> dict[str, int]:
    titles = _workers(MasterTitle.objects.filter(year=year), "worker", organization)
    talks = _talks(year, organization)
    held = talks.aggregate(n=Count("pk"), people=Sum("attendance"))
    return {"masters": titles.count(), "policies": IncentivePolicy.objects.filter(active=True).count(),
            "talks": held["n"], "attendees": held["people"] or 0}


class Year:
    """One year's figures, for one organization or the whole district, each aggregate queried once however
    many parts of a page show it: the dashboard's cards and its charts share the trainee counts, the money
    and the certificates."""

    def __init__(self, year: int, organization=None):
        self.year, self.organization = year, organization

    @cached_property
    def trainee_counts(self) -> dict:
        return trainee_counts(self.year, self.organization)

    @cached_property
    def money_by_kind(self) -> dict:
        return money_by_kind(self.year, self.organization)

    @cached_property
    def certificates(self) -> dict[int, int]:
        return certificates_by_level(self.year, self.organization)

    def headline(self) -> list[Figure]:
        """The report's figures, in its order."""
        year, organization = self.year, self.organization
        money = subsidies_paid(year, organization, money=self.money_by_kind)
        contests = competitions(year, organization)
        honours = masters(year, organization)
        return [
            Figure("trainees", _("Trainees"), self.trainee_counts["total"]),
            Figure("bases", _("Industrial-worker training bases established"), training_bases(year, organization)),
            Figure("classes", _("Union classes for industrial workers and team leaders"),
                   union_classes(year, organization)),
            Figure("skill_subsidies", _("Skill-improvement and training subsidies paid (yuan)"), money["skill"],
                   money=True),
            Figure("living_subsidies", _("Living-expense subsidies paid (yuan)"), money["living"], money=True),
            Figure("competitions", _("Competitions held"), contests["competitions"]),
            Figure("leading", _("Leading skills competitions"), contests["leading"]),
            Figure("participants", _("Workers in the leading competitions"), contests["participants"]),
            Figure("external", _("Workers at provincial and city competitions"), contests["external"]),
            Figure("winners", _("Award winners (provincial, city, district)"), contests["winners"]),
            Figure("projects", _("Innovation projects shortlisted"), contests["projects"]),
            *[Figure(f"certificates_{level}", _("Certificates, level %(level)d") % {"level": level}, n)
              for level, n in self.certificates.items()],
            Figure("masters", _("Skills Masters conferred"), honours["masters"]),
            Figure("policies", _("Incentive policies in force"), honours["policies"]),
            Figure("talks", _("Outreach talks held"), honours["talks"]),
            Figure("attendees", _("Outreach talk attendees"), honours["attendees"]),
        ]


def headline(year: int, organization=None) -> list[Figure]:
    """The report's figures of a year, in its order."""
    return Year(year, organization).headline()
