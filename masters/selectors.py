"""The reads of the masters dimension: who may see what, and the lists and figures the pages show.

Services change things (``masters/services/``); these only read, and return querysets where the
caller may still filter, order or lock."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from certification.models import Certificate
from zhangwan.accounts.roles import Role, has_role
from zhangwan.prepared import Prepared

from .models import (
    Assignment,
    Conflict,
    Criterion,
    IncentiveGrant,
    IncentivePolicy,
    MasterStudio,
    MasterTitle,
    Nomination,
    Objection,
    Reviewer,
    Score,
    SelectionRound,
    TalkOrder,
)
from .rules import ELIGIBILITY_PREVIEW

S = Nomination.Status


# Who may see what ---------------------------------------------------------------------------

def nominations_for(user):
    """Nominations this user may see: all for the masters officer and the auditor, their
    organization's for a liaison, their own for a worker. Others are simply not found."""
    nominations = Nomination.objects.select_related("round", "nominee", "trade", "organization")
    if has_role(user, Role.MASTERS_OFFICER, Role.AUDITOR):
        return nominations
    if has_role(user, Role.LIAISON) and user.organization_id:
        organization = user.organization_id
        return nominations.filter(Q(organization_id=organization) | Q(nominee__employer_id=organization))
    if has_role(user, Role.WORKER):
        return nominations.filter(Q(nominee__user=user) | Q(created_by=user))
    return nominations.none()


def reviewer_assignments(user):
    """What a reviewer may open: their own assignments that are not withdrawn."""
    return (Assignment.objects.filter(reviewer__user=user).exclude(status=Assignment.Status.WITHDRAWN)
            .filter(nomination__status__in=Nomination.REVIEWED))


# A round's criteria and an assignment's scores: read by the reviewer's sheet and again, under the
# assignment's lock, by saving it (zhangwan.prepared).
CRITERIA = Prepared(lambda round_id: Criterion.objects.filter(round=round_id), "round_id")
SCORES = Prepared(lambda assignment_id: Score.objects.filter(assignment=assignment_id), "assignment_id")


# Rounds and nominations ---------------------------------------------------------------------

def open_round(today):
    """The round taking nominations on that day, if any."""
    return SelectionRound.objects.filter(nominations_open__lte=today, nominations_close__gte=today).first()


def nominations_closed_note(today) -> str:
    """Why nobody can nominate today, with the dates: the next round's window, else when the last one closed."""
    upcoming = SelectionRound.objects.filter(nominations_open__gt=today).order_by("nominations_open").first()
    if upcoming is not None:
        return _("Nominations are closed now. %(round)s takes them from %(start)s to %(end)s.") % {
            "round": upcoming.name, "start": upcoming.nominations_open.isoformat(),
            "end": upcoming.nominations_close.isoformat()}
    last = SelectionRound.objects.filter(nominations_close__lt=today).order_by("-nominations_close").first()
    if last is not None:
        return _("Nominations are closed: %(round)s took them from %(start)s to %(end)s. "
                 "The next round has not been announced yet.") % {
            "round": last.name, "start": last.nominations_open.isoformat(), "end": last.nominations_close.isoformat()}
    return _("Nominations are closed: no selection round has been announced yet.")


def eligibility_preview(round_, worker_id: int, trade_id: int) -> list[str]:
    """The codes of the round's rules this worker fails in this trade as things stand today (no code:
    they look eligible), by the rules the eligibility check applies (rules.ELIGIBILITY_PREVIEW)."""
    with connection.cursor() as cursor:
        cursor.execute(ELIGIBILITY_PREVIEW.text,
                       ELIGIBILITY_PREVIEW.params(round=round_.pk, nominee=worker_id, trade=trade_id))
        row = cursor.fetchone()
    return list(row[0]) if row else []


def rounds_with_counts():
    return SelectionRound.objects.annotate(
        n_nominations=Count("nominations", filter=~Q(nominations__status__in=[S.DRAFT, S.WITHDRAWN])),
        n_conferred=Count("nominations", filter=Q(nominations__status=S.CONFERRED)))


def round_status_counts(round_) -> list[tuple]:
    """(status, how many of the round's nominations are in it), for every status."""
    counts = dict(round_.nominations.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return [(s, counts.get(s.value, 0)) for s in S]


def round_objections(round_):
    """Open objections first, newest first."""
    return (Objection.objects.filter(nomination__round=round_).select_related("nomination__nominee")
            .order_by("resolved_at", "-filed_at"))


def active_reviewers():
    return Reviewer.objects.filter(active=True).select_related("user")


# Conflicts and review -----------------------------------------------------------------------

def blocked_pairs(round_) -> set[tuple[int, int]]:
    """(nomination, reviewer) pairs that may never meet: declared conflicts with the nominee, and
    assignments already withdrawn for a conflict."""
    nominations = Nomination.objects.filter(round=round_)
    declared = Conflict.objects.filter(worker__nominations__round=round_).values_list(
        "worker__nominations__pk", "reviewer_id")
    withdrawn = Assignment.objects.filter(nomination__in=nominations, status=Assignment.Status.WITHDRAWN).values_list(
        "nomination_id", "reviewer_id")
    return set(declared) | set(withdrawn)


def waived_pairs(round_) -> set[tuple[int, int]]:
    """(nomination, reviewer) pairs whose same-organization conflict the officer dismissed."""
    return set(Nomination.objects.filter(round=round_, conflict_waivers__isnull=False).values_list(
        "pk", "conflict_waivers__reviewer_id"))


def conflicts_for(round_) -> list[dict]:
    """Every conflict known before assignment, automatic (same organization) and declared."""
    rows = []
    nominations = list(Nomination.objects.filter(round=round_, status__in=[S.ELIGIBLE, *Nomination.REVIEWED])
                       .select_related("nominee", "organization"))
    reviewers = list(Reviewer.objects.filter(active=True).select_related("user", "organization"))
    waived = waived_pairs(round_)
    declared = {(w, r): reason for w, r, reason in Conflict.objects.values_list("worker_id", "reviewer_id", "reason")}
    for nomination in nominations:
        for reviewer in reviewers:
            if nomination.organization_id and nomination.organization_id == reviewer.organization_id:
                rows.append({"nomination": nomination, "reviewer": reviewer, "kind": "organization",
                             "waived": (nomination.pk, reviewer.pk) in waived})
            reason = declared.get((nomination.nominee_id, reviewer.pk))
            if reason is not None:
                rows.append({"nomination": nomination, "reviewer": reviewer, "kind": "declared", "reason": reason})
    return rows


def review_progress(round_) -> dict:
    counts = dict(Assignment.objects.filter(nomination__round=round_).values("status").annotate(n=Count("pk"))
                  .values_list("status", "n"))
    done, todo = counts.get(Assignment.Status.SUBMITTED, 0), counts.get(Assignment.Status.ASSIGNED, 0)
    return {"submitted": done, "pending": todo, "total": done + todo,
            "percent": round(100 * done / (done + todo)) if done + todo else 0}


# Ranking, publicity, titles -----------------------------------------------------------------

def ranking(round_):
    """The round's ranked nominations, with how many reviews each has in."""
    return (round_.nominations.filter(status__in=[*Nomination.REVIEWED, S.REJECTED], final_score__isnull=False)
            .select_related("nominee__employer", "trade").annotate(
                reviews=Count("assignments", filter=Q(assignments__status="submitted")))
            .order_by("rank", "pk"))


@dataclass(frozen=True)
class QuotaTie:
    """Nominations sharing the rank at the quota line, more of them than places left."""

    rank: int
    seats: int
    tied: list
    decided: bool

    def names(self) -> str:
        return "、".join(n.nominee.name for n in self.tied)


def quota_line(ranked, quota):
    """The tie at the quota line of ranked nominations (ordered by rank), or None: when the last place
    and the next one share a rank, everyone at that rank is tied for the places left above it."""
    if len(ranked) <= quota or ranked[quota - 1].rank != ranked[quota].rank:
        return None
    line = ranked[quota - 1].rank
    tied = [n for n in ranked if n.rank == line]
    return line, quota - sum(1 for n in ranked if n.rank < line), tied


def ranked_for_shortlist(round_) -> list:
    return list(Nomination.objects.filter(round=round_, status__in=[S.UNDER_REVIEW, S.SHORTLISTED],
                                          rank__isnull=False).select_related("nominee").order_by("rank", "pk"))


def quota_tie(round_) -> QuotaTie | None:
    """The tie at the quota line before publicity, if any. Decided once the officer has put exactly the
    places' number of the tied on the shortlist, each with a reason (services.ranking.tie_decide)."""
    if round_.publicity_starts:
        return None
    line = quota_line(ranked_for_shortlist(round_), round_.quota)
    if line is None:
        return None
    rank, seats, tied = line
    chosen = [n for n in tied if n.is_shortlisted]
    return QuotaTie(rank=rank, seats=seats, tied=tied,
                    decided=len(chosen) == seats and all(n.shortlist_note for n in chosen))


def by_apprenticeship(nomination) -> bool:
    """Whether an eligible (or further) nomination met the level condition only through the level-5
    apprenticeship route (rules.ELIGIBILITY)."""
    round_ = nomination.round
    if not round_.apprenticeship_route or nomination.status not in (S.ELIGIBLE, *Nomination.REVIEWED):
        return False
    return not Certificate.objects.filter(holder_id=nomination.nominee_id, status=Certificate.Status.VALID,
                                          level__lte=round_.max_level,
                                          issued_on__lte=round_.nominations_close).exists()


def publicity_rounds(today) -> list[tuple]:
    """The last three rounds shown in publicity: (round, is it running, its nominations in publicity or conferred)."""
    rounds = SelectionRound.objects.filter(publicity_starts__isnull=False).order_by("-publicity_starts")[:3]
    return [(r, r.publicity_is_running(today), Nomination.objects.filter(round=r, status__in=[
        S.IN_PUBLICITY, S.CONFERRED]).select_related("nominee__employer", "trade").order_by("rank", "pk"))
        for r in rounds]


def honour_roll():
    return MasterTitle.objects.select_related("worker__employer", "trade").order_by("-year", "number")


def titles_per_year():
    return MasterTitle.objects.values("year").annotate(n=Count("pk")).order_by("-year")


# Incentives, studios, talks -----------------------------------------------------------------

def incentive_policies():
    """Each policy with its number of grants and their total amount."""
    return IncentivePolicy.objects.annotate(n=Count("grants"), total=Sum("grants__amount"))


def incentive_grants(year=None):
    grants = IncentiveGrant.objects.select_related("policy", "master__worker", "organization").order_by(
        "-granted_on", "pk")
    return grants.filter(granted_on__year=year) if year else grants


def studios():
    return MasterStudio.objects.select_related("master__worker", "master__trade", "host", "training_base")


def talk_orders():
    return TalkOrder.objects.select_related("topic", "organization").order_by("status", "-preferred_date", "pk")


def talk_totals():
    """Talks held and people reached, by year."""
    return (TalkOrder.objects.filter(status=TalkOrder.Status.HELD).values(year=F("held_on__year"))
            .annotate(talks=Count("pk"), attendees=Coalesce(Sum("attendance"), 0)).order_by("-year"))
