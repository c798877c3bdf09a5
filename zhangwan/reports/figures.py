"""The headline figures of a year, in the shape of the 2022 report, from the database: one
function per figure, each an aggregate query. The annual report and the dashboard both read them,
so they can never disagree. ``organization`` narrows every figure to one organization's workers
(the liaison's dashboard); the district-wide figures (bases, policies) then count what concerns it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from certification.models import Certificate
from competitions.models import Competition, Entry, InnovationProject, Result
from masters.models import IncentivePolicy, MasterTitle, TalkOrder
from training.models import Enrollment, TrainingBase, TrainingClass
from training.subsidies import selectors
from training.subsidies.models import Claim, Kind

LEVELS = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal
    money: bool = False


def _workers(queryset, path: str, organization):
    return queryset if organization is None else queryset.filter(**{f"{path}__employer": organization})


def trainees(year, organization=None) -> int:
    enrollments = (Enrollment.objects.filter(training_class__starts_on__year=year)
                   .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED]))
    return _workers(enrollments, "worker", organization).values("worker").distinct().count()


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


def subsidies_paid(year, organization=None) -> dict[str, Decimal]:
    """Paid by the year's policies, by kind, net of reversals of paid claims (subsidies.selectors)."""
    claims = _workers(Claim.objects.filter(policy__valid_from__year=year), "worker", organization)
    paid = {kind: figures["paid"] for kind, figures in selectors.money_by(claims, "policy__kind").items()}
    zero = Decimal("0.00")
    return {"skill": paid.get(Kind.SKILL, zero) + paid.get(Kind.TRAINING, zero), "living": paid.get(Kind.LIVING, zero)}


def competitions(year, organization=None) -> dict[str, int]:
    held = Competition.objects.filter(year=year, external=False)
    entries = Entry.objects.exclude(status=Entry.Status.WITHDRAWN)
    entries = entries if organization is None else entries.filter(organization=organization)
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


def masters(year, organization=None) -> dict[str, int]:
    titles = _workers(MasterTitle.objects.filter(year=year), "worker", organization)
    talks = TalkOrder.objects.filter(status=TalkOrder.Status.HELD, held_on__year=year)
    talks = talks if organization is None else talks.filter(organization=organization)
    held = talks.aggregate(n=Count("pk"), people=Sum("attendance"))
    return {"masters": titles.count(), "policies": IncentivePolicy.objects.filter(active=True).count(),
            "talks": held["n"], "attendees": held["people"] or 0}


def headline(year: int, organization=None) -> list[Figure]:
    """The report's figures, in its order."""
    money = subsidies_paid(year, organization)
    contests = competitions(year, organization)
    certificates = certificates_by_level(year, organization)
    honours = masters(year, organization)
    return [
        Figure("trainees", _("Trainees"), trainees(year, organization)),
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
          for level, n in certificates.items()],
        Figure("masters", _("Skills Masters conferred"), honours["masters"]),
        Figure("policies", _("Incentive policies in force"), honours["policies"]),
        Figure("talks", _("Outreach talks held"), honours["talks"]),
        Figure("attendees", _("Outreach talk attendees"), honours["attendees"]),
    ]


