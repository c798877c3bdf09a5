import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import Role, has_role
from zhangwan.accounts.scope import workers_for
from zhangwan.actions import refusal_to
from zhangwan.excel import xlsx_response
from zhangwan.forms import flash_errors
from zhangwan.history import history_with_changes
from zhangwan.net import client_ip
from zhangwan.pagination import paginate
from zhangwan.query import year_param
from zhangwan.ratelimit import Limit
from zhangwan.uploads import serve_stored_file

from . import rules, services, tasks
from .filters import NominationFilter, TalkOrderFilter, TitleFilter
from .forms import (
    AssignForm,
    AttachmentForm,
    AttendanceForm,
    EditNominationForm,
    NominationForm,
    ObjectionForm,
    PublicityForm,
    ReasonForm,
    ResolveForm,
    ReviewForm,
    TalkOrderForm,
    TalkScheduleForm,
    WaiverForm,
)
from .models import (
    Assignment,
    Attachment,
    IncentiveGrant,
    IncentivePolicy,
    MasterStudio,
    MasterTitle,
    Nomination,
    Objection,
    Reviewer,
    SelectionRound,
    TalkOrder,
    TalkTopic,
)

OFFICER = (Role.MASTERS_OFFICER,)
READERS = (Role.MASTERS_OFFICER, Role.AUDITOR)
NOMINATORS = (Role.WORKER, Role.LIAISON, Role.MASTERS_OFFICER)
S = Nomination.Status


def _home():
    return (_("Manage selection"), reverse("masters:round_list"))


def _nominations_for(user):
    """Nominations this user may see: all for the masters officer and the auditor, their
    organization's for a liaison, their own for a worker. Others are simply not found."""
    nominations = Nomination.objects.select_related("round", "nominee", "trade", "organization")
    if has_role(user, *READERS):
        return nominations
    if has_role(user, Role.LIAISON) and user.organization_id:
        organization = user.organization_id
        return nominations.filter(Q(organization_id=organization) | Q(nominee__employer_id=organization))
    if has_role(user, Role.WORKER):
        return nominations.filter(Q(nominee__user=user) | Q(created_by=user))
    return nominations.none()


def _may_edit(user, nomination) -> bool:
    return nomination.editable and _may_withdraw(user, nomination)


def _may_withdraw(user, nomination) -> bool:
    """Whoever made the nomination may withdraw it until review starts."""
    if nomination.status not in (S.DRAFT, S.SUBMITTED, S.ELIGIBLE):
        return False
    if nomination.source == Nomination.Source.UNION:
        return has_role(user, Role.MASTERS_OFFICER)
    if nomination.source == Nomination.Source.ORGANIZATION:
        return has_role(user, Role.LIAISON) and nomination.organization_id == user.organization_id
    return nomination.nominee.user_id == user.pk


# Public -------------------------------------------------------------------------------------

def honour_roll(request):
    titles = MasterTitle.objects.select_related("worker__employer", "trade").order_by("-year", "number")
    filterset = TitleFilter(request.GET or None, queryset=titles)
    page, query = paginate(request, filterset.qs, size=30)
    years = MasterTitle.objects.values("year").annotate(n=Count("pk")).order_by("-year")
    return render(request, "masters/honour_roll.html", {
        "page": page, "query": query, "filter": filterset, "years": years,
        "crumbs": [(_("Skills Masters"), None)],
    })


def publicity(request):
    today = timezone.localdate()
    rounds = SelectionRound.objects.filter(publicity_starts__isnull=False).order_by("-publicity_starts")[:3]
    shown = [(r, r.publicity_is_running(today), Nomination.objects.filter(round=r, status__in=[
        S.IN_PUBLICITY, S.CONFERRED]).select_related("nominee__employer", "trade").order_by("rank", "pk"))
        for r in rounds]
    return render(request, "masters/publicity.html", {
        "rounds": shown, "crumbs": [(_("Skills Masters"), reverse("masters:honour_roll")), (_("Publicity"), None)],
    })


# Objections are anonymous and public: a few an hour from one client address.
OBJECTIONS = Limit("masters-objection", 3, datetime.timedelta(hours=1))


def objection_new(request, pk):
    nomination = get_object_or_404(Nomination.objects.select_related("round", "nominee", "trade"),
                                   pk=pk, status=S.IN_PUBLICITY)
    form = ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not OBJECTIONS.hit(client_ip(request)):
            form.add_error(None, _("Too many objections from this address; please try again in an hour."))
            status = 429
        else:
            with refusal_to(form):
                services.objection_file(nomination=nomination, **form.cleaned_data)
                messages.success(request, _("Your objection was received; the union will answer it before any "
                                            "title is conferred."))
                return redirect("masters:publicity")
    return render(request, "masters/objection_form.html", {
        "nomination": nomination, "form": form,
        "crumbs": [(_("Skills Masters"), reverse("masters:honour_roll")),
                   (_("Publicity"), reverse("masters:publicity")), (_("Objection"), None)],
    }, status=status)


# Nominations --------------------------------------------------------------------------------

@role_required(*NOMINATORS, Role.AUDITOR)
def nomination_list(request):
    nominations = _nominations_for(request.user).order_by("-round__year", "rank", "-created_at", "pk")
    filterset = NominationFilter(request.GET or None, queryset=nominations)
    if request.GET.get("format") == "xlsx":
        headers = [_("Round"), _("Nominee"), _("Organization"), _("Trade"), _("Nominated"), _("Status"),
                   _("Reasons"), _("Final score"), _("Rank")]
        rows = ([n.round.year, n.nominee.name, str(n.organization or ""), str(n.trade), n.get_source_display(),
                 n.get_status_display(), "；".join(rules.reasons_in_words(n.reasons)), n.final_score, n.rank]
                for n in filterset.qs.iterator(chunk_size=500))
        return xlsx_response(f"nominations-{timezone.localdate():%Y%m%d}.xlsx", [(_("Nominations"), headers, rows)])
    page, query = paginate(request, filterset.qs)
    open_round = SelectionRound.objects.filter(nominations_open__lte=timezone.localdate(),
                                               nominations_close__gte=timezone.localdate()).first()
    return render(request, "masters/nomination_list.html", {
        "page": page, "query": query, "filter": filterset, "open_round": open_round,
        "can_nominate": has_role(request.user, *NOMINATORS),
        "crumbs": [(_("Nominations"), None)],
    })


def _nominable(user):
    if has_role(user, Role.MASTERS_OFFICER):
        return workers_for(user), Nomination.Source.UNION
    if has_role(user, Role.LIAISON):
        return workers_for(user), Nomination.Source.ORGANIZATION
    return None, Nomination.Source.SELF


@role_required(*NOMINATORS)
def nomination_new(request):
    today = timezone.localdate()
    round_ = SelectionRound.objects.filter(nominations_open__lte=today, nominations_close__gte=today).first()
    if round_ is None:
        messages.error(request, _("No selection round takes nominations now."))
        return redirect("masters:nomination_list")
    workers, source = _nominable(request.user)
    if workers is None:
        own = workers_for(request.user).first()
        if own is None:
            raise Http404
    form = NominationForm(request.POST or None, workers=workers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(form):
            nomination = services.nomination_create(
                round_=round_, nominee=data.get("nominee") or own, trade=data["trade"], source=source,
                statement=data["statement"], achievements=data["achievements"], user=request.user)
            messages.success(request, _("Draft saved. Add attachments, then submit it."))
            return redirect("masters:nomination_detail", pk=nomination.pk)
    return render(request, "masters/nomination_form.html", {
        "form": form, "round": round_,
        "crumbs": [(_("Nominations"), reverse("masters:nomination_list")), (_("New nomination"), None)],
    })


@role_required(*NOMINATORS, Role.AUDITOR)
def nomination_detail(request, pk):
    nomination = get_object_or_404(_nominations_for(request.user).select_related("created_by"), pk=pk)
    officer = has_role(request.user, *READERS)
    assignments = (nomination.assignments.select_related("reviewer__user").order_by("pk") if officer else [])
    return render(request, "masters/nomination_detail.html", {
        "n": nomination, "reasons": rules.reasons_in_words(nomination.reasons),
        "attachments": nomination.attachments.all(), "can_edit": _may_edit(request.user, nomination),
        "can_withdraw": _may_withdraw(request.user, nomination),
        "officer": officer, "assignments": assignments, "upload": AttachmentForm(),
        "reviewers": Reviewer.objects.filter(active=True).select_related("user") if officer else [],
        "objections": nomination.objections.all() if officer else [],
        "history": history_with_changes(nomination.history.select_related("history_user")) if officer else [],
        "crumbs": [(_("Nominations"), reverse("masters:nomination_list")), (nomination.nominee.name, None)],
    })


def _editable_or_404(request, pk):
    nomination = get_object_or_404(_nominations_for(request.user), pk=pk)
    if not _may_edit(request.user, nomination):
        raise Http404
    return nomination


@role_required(*NOMINATORS)
def nomination_edit(request, pk):
    nomination = _editable_or_404(request, pk)
    form = EditNominationForm(request.POST or None, instance=nomination)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.nomination_update(nomination=nomination, user=request.user, **form.cleaned_data)
            messages.success(request, _("Nomination saved."))
            return redirect("masters:nomination_detail", pk=pk)
    return render(request, "masters/nomination_form.html", {
        "form": form, "round": nomination.round, "nomination": nomination,
        "crumbs": [(_("Nominations"), reverse("masters:nomination_list")),
                   (nomination.nominee.name, reverse("masters:nomination_detail", args=[pk])), (_("Edit"), None)],
    })


@require_POST
@role_required(*NOMINATORS)
def attachment_upload(request, pk):
    nomination = _editable_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
    else:
        with refusal_to(request):
            services.attachment_add(nomination=nomination, upload=form.cleaned_data["file"], user=request.user)
            messages.success(request, _("Attachment added."))
    return redirect("masters:nomination_detail", pk=pk)


@require_POST
@role_required(*NOMINATORS)
def attachment_delete(request, pk):
    attachment = get_object_or_404(Attachment.objects.filter(nomination__in=_nominations_for(request.user)), pk=pk)
    _editable_or_404(request, attachment.nomination_id)
    with refusal_to(request):
        services.attachment_delete(attachment=attachment, user=request.user)
        messages.success(request, _("Attachment removed."))
    return redirect("masters:nomination_detail", pk=attachment.nomination_id)


@role_required(*NOMINATORS, Role.AUDITOR, Role.REVIEWER)
def attachment_file(request, pk):
    """Shown inline to whoever may see the nomination, and to its reviewers."""
    visible = Q(nomination__in=_nominations_for(request.user)) | Q(
        nomination__in=services.reviewer_assignments(request.user).values("nomination"))
    attachment = get_object_or_404(Attachment.objects.filter(visible), pk=pk)
    return serve_stored_file(attachment.file, filename=attachment.name, content_type=attachment.content_type,
                             inline=True)


@require_POST
@role_required(*NOMINATORS)
def nomination_submit(request, pk):
    nomination = _editable_or_404(request, pk)
    with refusal_to(request):
        services.nomination_submit(nomination=nomination, user=request.user)
        messages.success(request, _("Nomination submitted. The union checks its eligibility next."))
    return redirect("masters:nomination_detail", pk=pk)


@require_POST
@role_required(*NOMINATORS)
def nomination_withdraw(request, pk):
    nomination = get_object_or_404(_nominations_for(request.user), pk=pk)
    if not _may_withdraw(request.user, nomination):
        raise Http404
    with refusal_to(request):
        services.nomination_withdraw(nomination=nomination, user=request.user)
        messages.success(request, _("Nomination withdrawn."))
    return redirect("masters:nomination_detail", pk=pk)


# Expert review ------------------------------------------------------------------------------

@role_required(Role.REVIEWER)
def review_home(request):
    assignments = (services.reviewer_assignments(request.user)
                   .select_related("nomination__round", "nomination__nominee", "nomination__trade")
                   .order_by("status", "nomination__round__year", "pk"))
    done = sum(1 for a in assignments if a.status == Assignment.Status.SUBMITTED)
    return render(request, "masters/review_home.html", {
        "assignments": assignments, "done": done, "crumbs": [(_("Expert review"), None)],
    })


@role_required(Role.REVIEWER)
def review_sheet(request, pk):
    assignment = get_object_or_404(services.reviewer_assignments(request.user).select_related(
        "nomination__round", "nomination__nominee__employer", "nomination__trade"), pk=pk)
    nomination = assignment.nomination
    criteria = list(nomination.round.criteria.all())
    scores = {s.criterion_id: s for s in assignment.scores.all()}
    locked = assignment.status == Assignment.Status.SUBMITTED
    form = ReviewForm(request.POST or None, criteria=criteria, scores=scores, initial={"comment": assignment.comment})
    if request.method == "POST" and not locked and form.is_valid():
        submit = "submit" in request.POST
        with refusal_to(form):
            services.review_save(assignment=assignment, user=request.user, scores=form.scores(),
                                 comments=form.comments(), comment=form.cleaned_data["comment"], submit=submit)
            messages.success(request, _("Review submitted; the scores are locked.") if submit else _("Draft saved."))
            return redirect("masters:review_home") if submit else redirect("masters:review_sheet", pk=pk)
    return render(request, "masters/review_sheet.html", {
        "a": assignment, "n": nomination, "form": form, "locked": locked, "scores": scores,
        "attachments": nomination.attachments.all(), "conflict_form": ReasonForm(),
        "crumbs": [(_("Expert review"), reverse("masters:review_home")), (nomination.nominee.name, None)],
    })


@require_POST
@role_required(Role.REVIEWER)
def review_conflict(request, pk):
    assignment = get_object_or_404(services.reviewer_assignments(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the conflict is."))
        return redirect("masters:review_sheet", pk=pk)
    with refusal_to(request):
        services.conflict_declare(assignment=assignment, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Conflict recorded; the nomination goes to another reviewer."))
        return redirect("masters:review_home")
    return redirect("masters:review_sheet", pk=pk)


# Officer ------------------------------------------------------------------------------------

@role_required(*READERS)
def round_list(request):
    rounds = SelectionRound.objects.annotate(
        n_nominations=Count("nominations", filter=~Q(nominations__status__in=[S.DRAFT, S.WITHDRAWN])),
        n_conferred=Count("nominations", filter=Q(nominations__status=S.CONFERRED)))
    if request.GET.get("format") == "xlsx":
        headers = [_("Round"), _("Year"), _("Quota"), _("Nominations open"), _("Nominations close"),
                   _("Review opens"), _("Review closes"), _("Publicity starts"), _("Publicity ends"),
                   _("Nominations"), _("Conferred"), _("Conferred on")]
        rows = ([r.name, r.year, r.quota, r.nominations_open, r.nominations_close, r.review_opens, r.review_closes,
                 r.publicity_starts, r.publicity_ends, r.n_nominations, r.n_conferred, r.conferred_on]
                for r in rounds)
        return xlsx_response(f"selection-rounds-{timezone.localdate():%Y%m%d}.xlsx",
                             [(_("Selection rounds"), headers, rows)])
    return render(request, "masters/round_list.html", {
        "rounds": rounds, "can_edit": has_role(request.user, *OFFICER), "crumbs": [(_("Manage selection"), None)],
    })


def _round_or_404(pk):
    return get_object_or_404(SelectionRound, pk=pk)


@role_required(*READERS)
def round_detail(request, pk):
    round_ = _round_or_404(pk)
    counts = dict(round_.nominations.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    objections = (Objection.objects.filter(nomination__round=round_).select_related("nomination__nominee")
                  .order_by("resolved_at", "-filed_at"))
    return render(request, "masters/round_detail.html", {
        "round": round_, "counts": [(s, counts.get(s.value, 0)) for s in S],
        "progress": services.review_progress(round_),
        "objections": objections, "resolve_form": ResolveForm(), "can_edit": has_role(request.user, *OFFICER),
        "publicity_form": PublicityForm(initial={"starts": timezone.localdate()}),
        "criteria": round_.criteria.all(), "reviewers": Reviewer.objects.filter(active=True).count(),
        "conflicts": len(services.conflicts_for(round_)) if round_.publicity_starts is None else None,
        "crumbs": [_home(), (round_.name, None)],
    })


@require_POST
@role_required(*OFFICER)
def round_eligibility(request, pk):
    round_ = _round_or_404(pk)
    tasks.check_eligibility.delay_on_commit(round_.pk, request.user.pk)
    messages.success(request, _("The eligibility check is running; reload the page in a moment."))
    return redirect("masters:round_detail", pk=pk)


@require_POST
@role_required(*OFFICER)
def round_assign(request, pk):
    round_ = _round_or_404(pk)
    with refusal_to(request):
        result = services.reviewers_assign(round_=round_, user=request.user)
        text = _("%(n)d assignments made.") % {"n": result["assigned"]}
        if result["short"]:
            text += " " + _("%(n)d nominations could not get enough reviewers; widen the pool.") % {
                "n": len(result["short"])}
        messages.success(request, text)
    return redirect("masters:round_detail", pk=pk)


@require_POST
@role_required(*OFFICER)
def round_shortlist(request, pk):
    round_ = _round_or_404(pk)
    with refusal_to(request):
        n = services.shortlist_make(round_=round_, user=request.user)
        messages.success(request, _("%(n)d nominations shortlisted.") % {"n": n})
    return redirect("masters:round_detail", pk=pk)


@require_POST
@role_required(*OFFICER)
def round_publicity(request, pk):
    form = PublicityForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("masters:round_detail", pk=pk)
    round_ = _round_or_404(pk)
    with refusal_to(request):
        round_ = services.publicity_open(round_=round_, user=request.user, starts=form.cleaned_data["starts"])
        messages.success(request, _("Publicity runs from %(start)s to %(end)s.")
                         % {"start": round_.publicity_starts, "end": round_.publicity_ends})
    return redirect("masters:round_detail", pk=pk)


@require_POST
@role_required(*OFFICER)
def round_confer(request, pk):
    round_ = _round_or_404(pk)
    with refusal_to(request):
        n = services.round_confer(round_=round_, user=request.user)
        messages.success(request, _("%(n)d titles conferred.") % {"n": n})
    return redirect("masters:round_detail", pk=pk)


@role_required(*READERS)
def round_ranking(request, pk):
    round_ = _round_or_404(pk)
    if request.method == "POST":
        if not has_role(request.user, *OFFICER):
            raise PermissionDenied  # the auditor reads the ranking and recomputes nothing
        services.ranking_compute(round_=round_, user=request.user)
        messages.success(request, _("Ranking recomputed."))
        return redirect("masters:round_ranking", pk=pk)
    nominations = (round_.nominations.filter(status__in=[*Nomination.REVIEWED, S.REJECTED], final_score__isnull=False)
                   .select_related("nominee__employer", "trade").annotate(
                       reviews=Count("assignments", filter=Q(assignments__status="submitted")))
                   .order_by("rank", "pk"))
    if request.GET.get("format") == "xlsx":
        headers = [_("Rank"), _("Nominee"), _("Organization"), _("Trade"), _("Reviewers' mean"), _("Spread"),
                   _("Competition score"), _("Final score"), _("Reviewers disagree"), _("Status"),
                   _("Shortlist change reason")]
        rows = ([n.rank, n.nominee.name, str(n.nominee.employer or ""), str(n.trade), n.review_mean, n.review_spread,
                 n.competition_score, n.final_score, _("yes") if n.discrepancy else "", n.get_status_display(),
                 n.shortlist_note] for n in nominations)
        return xlsx_response(f"ranking-{round_.year}.xlsx", [(_("Ranking"), headers, rows)])
    return render(request, "masters/round_ranking.html", {
        "round": round_, "nominations": nominations, "can_edit": has_role(request.user, *OFFICER),
        "reason_form": ReasonForm(), "progress": services.review_progress(round_),
        "crumbs": [_home(), (round_.name, reverse("masters:round_detail", args=[pk])), (_("Ranking"), None)],
    })


@require_POST
@role_required(*OFFICER)
def shortlist_change(request, pk):
    nomination = get_object_or_404(Nomination, pk=pk, status__in=[S.UNDER_REVIEW, S.SHORTLISTED])
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for changing the shortlist."))
    else:
        with refusal_to(request):
            services.shortlist_change(nomination=nomination, include=nomination.status == S.UNDER_REVIEW,
                                      reason=form.cleaned_data["reason"], user=request.user)
            messages.success(request, _("Shortlist changed."))
    return redirect("masters:round_ranking", pk=nomination.round_id)


@role_required(*READERS)
def round_conflicts(request, pk):
    round_ = _round_or_404(pk)
    if request.method == "POST":
        if not has_role(request.user, *OFFICER):
            raise PermissionDenied  # the auditor reads the conflicts and dismisses none
        form = WaiverForm(request.POST, round_=round_)
        if not form.is_valid():
            flash_errors(request, form)
            return redirect("masters:round_conflicts", pk=pk)
        with refusal_to(request):
            services.conflict_waive(user=request.user, **form.cleaned_data)
            messages.success(request, _("Conflict dismissed; the reason is recorded."))
        return redirect("masters:round_conflicts", pk=pk)
    conflicts = services.conflicts_for(round_)
    if request.GET.get("format") == "xlsx":
        headers = [_("Nominee"), _("Organization"), _("Reviewer"), _("Conflict"), _("Reason"), _("Dismissed")]
        rows = ([c["nomination"].nominee.name, str(c["nomination"].organization or ""), str(c["reviewer"]),
                 _("Same organization") if c["kind"] == "organization" else _("Declared"), c.get("reason", ""),
                 _("Yes") if c.get("waived") else ""] for c in conflicts)
        return xlsx_response(f"conflicts-{round_.year}.xlsx", [(_("Conflicts"), headers, rows)])
    return render(request, "masters/round_conflicts.html", {
        "round": round_, "conflicts": conflicts, "can_edit": has_role(request.user, *OFFICER),
        "crumbs": [_home(), (round_.name, reverse("masters:round_detail", args=[pk])), (_("Conflicts"), None)],
    })


@require_POST
@role_required(*OFFICER)
def assignment_add(request, pk):
    nomination = get_object_or_404(Nomination, pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer."))
    else:
        with refusal_to(request):
            services.assignment_add(nomination=nomination, reviewer=form.cleaned_data["reviewer"], user=request.user)
            messages.success(request, _("Reviewer added."))
    return redirect("masters:nomination_detail", pk=pk)


@require_POST
@role_required(*OFFICER)
def assignment_remove(request, pk):
    assignment = get_object_or_404(Assignment, pk=pk)
    with refusal_to(request):
        services.assignment_remove(assignment=assignment, user=request.user)
        messages.success(request, _("Reviewer removed."))
    return redirect("masters:nomination_detail", pk=assignment.nomination_id)


@require_POST
@role_required(*OFFICER)
def objection_resolve(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("nomination"), pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer to the objection."))
    else:
        with refusal_to(request):
            services.objection_resolve(objection=objection, user=request.user, **form.cleaned_data)
            messages.success(request, _("Objection answered."))
    return redirect("masters:round_detail", pk=objection.nomination.round_id)


# Incentives, studios, talks -----------------------------------------------------------------

STAFF_READERS = (Role.MASTERS_OFFICER, Role.AUDITOR, Role.FINANCE_OFFICER)


@role_required(*STAFF_READERS)
def incentives(request):
    policies = IncentivePolicy.objects.annotate(n=Count("grants"), total=Sum("grants__amount"))
    grants = IncentiveGrant.objects.select_related("policy", "master__worker", "organization").order_by(
        "-granted_on", "pk")
    if year := year_param(request):
        grants = grants.filter(granted_on__year=year)
    if request.GET.get("format") == "xlsx":
        headers = [pgettext("incentive", "Policy"), _("Master"), _("Organization"), _("Granted on"),
                   _("Amount (yuan)"), _("Note")]
        rows = ([g.policy.name, g.master.worker.name if g.master else "", str(g.organization or ""), g.granted_on,
                 g.amount, g.note] for g in grants)
        return xlsx_response("incentive-grants.xlsx", [(_("Incentive grants"), headers, rows)])
    page, query = paginate(request, grants)
    return render(request, "masters/incentives.html", {
        "policies": policies, "page": page, "query": query, "year": year,
        "can_edit": has_role(request.user, *OFFICER),
        "crumbs": [_home(), (_("Incentives"), None)],
    })


@role_required(*STAFF_READERS)
def studios(request):
    rows = MasterStudio.objects.select_related("master__worker", "master__trade", "host", "training_base")
    if request.GET.get("format") == "xlsx":
        headers = [_("Studio"), _("Master"), _("Trade"), _("Host organization"), _("Funding (yuan)"),
                   _("Established on"), _("Training base record")]
        data = ([s.name, s.master.worker.name, str(s.master.trade), str(s.host), s.funding, s.established_on,
                 str(s.training_base or "")] for s in rows)
        return xlsx_response("master-studios.xlsx", [(_("Studios"), headers, data)])
    return render(request, "masters/studios.html", {
        "studios": rows, "can_edit": has_role(request.user, *OFFICER),
        "crumbs": [_home(), (_("Studios"), None)],
    })


TALK_ROLES = (Role.LIAISON, Role.MASTERS_OFFICER, Role.AUDITOR)


@role_required(*TALK_ROLES)
def talk_menu(request):
    topics = TalkTopic.objects.filter(active=True)
    if request.GET.get("format") == "xlsx":
        headers = [_("Talk"), _("Category"), _("Speaker"), _("Length (minutes)"), pgettext("talk", "Summary")]
        rows = ([t.title, t.get_category_display(), t.speaker, t.minutes, t.summary] for t in topics)
        return xlsx_response("talk-menu.xlsx", [(_("Talks"), headers, rows)])
    mine = []
    if has_role(request.user, Role.LIAISON) and request.user.organization_id:
        mine = TalkOrder.objects.filter(organization_id=request.user.organization_id).select_related("topic")
    return render(request, "masters/talk_menu.html", {
        "topics": topics, "mine": mine, "form": TalkOrderForm(), "can_order": has_role(request.user, Role.LIAISON),
        "crumbs": [(_("Talks"), None)],
    })


@role_required(Role.LIAISON)
def talk_order(request, pk):
    topic = get_object_or_404(TalkTopic, pk=pk, active=True)
    if not request.user.organization_id:
        raise Http404
    form = TalkOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        order = form.save(commit=False)
        order.topic, order.organization_id, order.ordered_by = topic, request.user.organization_id, request.user
        order._history_user = request.user
        order.save()
        messages.success(request, _("Talk ordered; the union will schedule it with you."))
        return redirect("masters:talk_menu")
    return render(request, "masters/talk_order.html", {
        "topic": topic, "form": form, "crumbs": [(_("Talks"), reverse("masters:talk_menu")), (topic.title, None)],
    })


@role_required(*READERS)
def talk_orders(request):
    orders = TalkOrder.objects.select_related("topic", "organization").order_by("status", "-preferred_date", "pk")
    filterset = TalkOrderFilter(request.GET or None, queryset=orders)
    if request.GET.get("format") == "xlsx":
        headers = [_("Talk"), _("Category"), _("Organization"), _("Preferred date"), _("Expected audience"),
                   _("Status"), _("Date"), _("Speaker"), pgettext("talk", "Venue"), pgettext("talk", "Attendance")]
        rows = ([o.topic.title, o.topic.get_category_display(), str(o.organization), o.preferred_date,
                 o.expected_audience, o.get_status_display(), o.held_on, o.speaker, o.venue, o.attendance]
                for o in filterset.qs)
        return xlsx_response("talks.xlsx", [(_("Talks"), headers, rows)])
    page, query = paginate(request, filterset.qs)
    return render(request, "masters/talk_orders.html", {
        "page": page, "query": query, "filter": filterset, "totals": services.talk_totals(),
        "crumbs": [(_("Talks"), reverse("masters:talk_menu")), (_("Orders and events"), None)],
    })


@role_required(*READERS)
def talk_manage(request, pk):
    order = get_object_or_404(TalkOrder.objects.select_related("topic", "organization", "ordered_by"), pk=pk)
    schedule = TalkScheduleForm(initial={"held_on": order.held_on or order.preferred_date,
                                         "speaker": order.speaker or order.topic.speaker, "venue": order.venue})
    attendance = AttendanceForm(initial={"attendance": order.attendance})
    if request.method == "POST":
        if not has_role(request.user, *OFFICER):
            raise Http404
        action = request.POST.get("action")
        with refusal_to(request):
            if action == "schedule":
                schedule = TalkScheduleForm(request.POST)
                if schedule.is_valid():
                    services.talk_schedule(order=order, user=request.user, **schedule.cleaned_data)
                    messages.success(request, _("Talk scheduled."))
                    return redirect("masters:talk_manage", pk=pk)
            elif action == "held":
                attendance = AttendanceForm(request.POST)
                if attendance.is_valid():
                    services.talk_record(order=order, user=request.user, **attendance.cleaned_data)
                    messages.success(request, _("Attendance recorded."))
                    return redirect("masters:talk_manage", pk=pk)
            elif action == "cancel":
                services.talk_cancel(order=order, user=request.user)
                messages.success(request, _("Talk cancelled."))
                return redirect("masters:talk_manage", pk=pk)
            else:
                messages.error(request, _("Unknown action."))
    return render(request, "masters/talk_manage.html", {
        "order": order, "schedule": schedule, "attendance": attendance, "can_edit": has_role(request.user, *OFFICER),
        "history": history_with_changes(order.history.select_related("history_user")),
        "crumbs": [(_("Talks"), reverse("masters:talk_menu")), (_("Orders and events"), reverse("masters:talk_orders")),
                   (order.topic.title, None)],
    })

