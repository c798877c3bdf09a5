"""The talent profile: one worker's whole journey across the four dimensions on one printable page.

It lives with the reports because it reads every dimension, which the registry may not import
(DESIGN §9). Each section is one query with its joins (attendance two more), so the page costs the
same number of queries however long the history. Shown: classes not cancelled, certificates, entries
not withdrawn (own and as a team member), nominations that were submitted, titles and their
incentives, and subsidy claims granted (awaiting review or approved, reversals included).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from certification.models import Certificate
from competitions.models import Entry
from masters.models import IncentiveGrant, MasterTitle, Nomination
from training.models import Enrollment, Mentorship
from training.selectors import attendance_summary
from training.subsidies.models import Batch, Claim
from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import STAFF_ROLES, Role, has_role
from zhangwan.accounts.scope import own_worker_or_404, workers_for
from zhangwan.registry.models import FULL_ID_NUMBER

BANK = "registry.view_bank_account"


@dataclass
class Journey:
    enrollments: list
    attendance: dict
    mentorships: list
    certificates: list
    entries: list
    nominations: list
    titles: list
    grants: list
    claims: list

    @property
    def completed_classes(self):
        return sum(1 for e in self.enrollments if e.status == Enrollment.Status.COMPLETED)

    @property
    def valid_certificates(self):
        return [c for c in self.certificates if c.status == Certificate.Status.VALID]

    @property
    def highest_certificate(self):
        """The highest valid level (a smaller number is a higher level)."""
        return min(self.valid_certificates, key=lambda c: c.level, default=None)

    @property
    def awards(self):
        return [e for e in self.entries if e.shown_result and e.shown_result.tier]

    @property
    def received(self) -> Decimal:
        return sum((c.amount for c in self.claims if c.paid_on), Decimal("0.00"))


def journey(worker) -> Journey:
    enrollments = list(
        Enrollment.objects.filter(worker=worker).exclude(status=Enrollment.Status.CANCELLED)
        .select_related("training_class__course__trade", "training_class__provider")
        .order_by("-training_class__starts_on", "-pk"))
    mentorships = list(Mentorship.objects.filter(Q(mentor=worker) | Q(apprentice=worker))
                       .select_related("mentor", "apprentice", "trade").order_by("-started_on", "pk"))
    certificates = list(Certificate.objects.filter(holder=worker).select_related("trade", "body")
                        .order_by("-issued_on", "-number"))
    team = Entry.members.through.objects.filter(worker=worker).values("entry_id")
    entries = list(
        Entry.objects.filter(Q(worker=worker) | Q(pk__in=team)).exclude(status=Entry.Status.WITHDRAWN)
        .select_related("event__competition", "event__trade", "organization", "result")
        .order_by("-event__competition__starts_on", "-pk"))
    for entry in entries:
        result = getattr(entry, "result", None)
        # Marks of an unpublished district competition are not results yet.
        published = entry.event.competition.results_published or (result is not None and result.recorded)
        entry.shown_result = result if published else None
        entry.as_member = entry.worker_id != worker.pk
        if not entry.as_member:
            entry.worker = worker
    nominations = list(
        Nomination.objects.filter(nominee=worker).exclude(status__in=[Nomination.Status.DRAFT,
                                                                      Nomination.Status.WITHDRAWN])
        .select_related("round", "trade", "organization").order_by("-round__year", "-pk"))
    titles = list(MasterTitle.objects.filter(worker=worker).select_related("trade").order_by("-year", "number"))
    grants = list(IncentiveGrant.objects.filter(master__worker=worker).select_related("policy")
                  .order_by("-granted_on", "pk"))
    claims = list(
        Claim.objects.filter(worker=worker, status__in=[Claim.Status.PENDING, Claim.Status.APPROVED])
        .select_related("policy", "trade", "certificate", "enrollment__training_class", "batch__payment")
        .order_by("-claimed_on", "-pk"))
    for claim in claims:
        payment = getattr(claim.batch, "payment", None) if claim.batch_id else None
        claim.paid_on = payment.paid_on if payment and claim.batch.status == Batch.Status.PAID else None
    return Journey(enrollments=enrollments, attendance=attendance_summary(enrollments), mentorships=mentorships,
                   certificates=certificates, entries=entries, nominations=nominations, titles=titles,
                   grants=grants, claims=claims)


def _render(request, worker, crumbs):
    user = request.user
    return render(request, "reports/talent_profile.html", {
        "worker": worker, "journey": journey(worker),
        "id_number": worker.id_number_for(user),
        "whole_birth_date": user.has_perm(FULL_ID_NUMBER),
        "bank_account": worker.bank_account if user.has_perm(BANK) else worker.masked_bank_account,
        "trades": worker.trades.select_related("trade"),
        "employments": worker.employments.select_related("organization"),
        "crumbs": crumbs,
    })


@role_required(*STAFF_ROLES, Role.LIAISON, Role.WORKER)
def talent_profile(request, pk):
    """For staff, the worker's liaison, and the worker themself; anyone else's worker is not found."""
    worker = get_object_or_404(workers_for(request.user).select_related("employer"), pk=pk)
    if has_role(request.user, *STAFF_ROLES, Role.LIAISON):
        crumbs = [(_("Roster"), reverse("registry:roster")),
                  (worker.name, reverse("registry:worker_detail", args=[worker.pk])), (_("Talent profile"), None)]
    else:
        crumbs = [(_("My record"), reverse("accounts:profile")), (_("Talent profile"), None)]
    return _render(request, worker, crumbs)


@role_required(Role.WORKER)
def my_profile(request):
    worker = own_worker_or_404(request.user)
    return _render(request, worker, [(_("My record"), reverse("accounts:profile")), (_("Talent profile"), None)])
