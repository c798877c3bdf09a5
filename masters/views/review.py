"""Expert review: the reviewer's sheets and the officer's assignment of reviewers and their conflicts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import Role, has_role
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.forms import flash_errors
from zhangwan.prepared import Prepared
from zhangwan.uploads import embedding

from .. import selectors, tables
from ..forms import AssignForm, ReasonForm, ReviewForm, WaiverForm
from ..models import Assignment, Attachment, Nomination
from ..review_rows import assignment_rows
from ..services import review as services
from .common import OFFICER, READERS, manage_crumb, round_or_404

# A reviewer's list; a sheet: the assignment with its nomination, round, nominee, employer and trade, the
# round's criteria, the scores given so far and the nomination's attachments.
MY_ASSIGNMENTS = Prepared(lambda user_id: selectors.reviewer_assignments(user_id).select_related(
    "nomination__round", "nomination__nominee", "nomination__trade").order_by("status", "nomination__round__year",
                                                                              "pk"), "user_id")
SHEET = Prepared(lambda pk, user_id: selectors.reviewer_assignments(user_id).select_related(
    "nomination__round", "nomination__nominee__employer", "nomination__trade").filter(pk=pk), "pk", "user_id")
ATTACHMENTS = Prepared(lambda nomination_id: Attachment.objects.filter(nomination=nomination_id), "nomination_id")


@role_required(Role.REVIEWER)
def review_home(request):
    assignments = MY_ASSIGNMENTS.list(user_id=request.user.pk)
    done = sum(1 for a in assignments if a.is_submitted)
    return render(request, "masters/review_home.html", {
        "assignments": assignments, "rows": assignment_rows(assignments), "done": done,
        "crumbs": [(_("Expert review"), None)],
    })


@role_required(Role.REVIEWER)
def review_sheet(request, pk):
    assignment = SHEET.get_or_404(pk=pk, user_id=request.user.pk)
    nomination = assignment.nomination
    criteria = selectors.CRITERIA.list(round_id=nomination.round_id)
    scores = {s.criterion_id: s for s in selectors.SCORES.list(assignment_id=assignment.pk)}
    locked = assignment.is_submitted
    form = ReviewForm(request.POST or None, criteria=criteria, scores=scores, initial={"comment": assignment.comment})
    if request.method == "POST" and not locked and form.is_valid():
        submit = "submit" in request.POST
        with refusal_to(form):
            services.review_save(assignment=assignment, user=request.user, scores=form.scores(),
                                 comments=form.comments(), comment=form.cleaned_data["comment"], submit=submit)
            messages.success(request, _("Review submitted; the scores are locked.") if submit else _("Draft saved."))
            return redirect("masters:review_home") if submit else redirect("masters:review_sheet", pk=pk)
    attachments = ATTACHMENTS.list(nomination_id=nomination.pk)
    response = render(request, "masters/review_sheet.html", {
        "a": assignment, "n": nomination, "form": form, "locked": locked, "scores": scores,
        "attachments": attachments, "conflict_form": ReasonForm(),
        "closed": services.review_refusal(nomination.round),
        "crumbs": [(_("Expert review"), reverse("masters:review_home")), (nomination.nominee.name, None)],
    })
    # The page shows its PDFs inline (<object>): its CSP lets exactly their addresses in, nothing else
    # (the files themselves are served with a sandbox CSP, zhangwan/uploads.py).
    pdfs = [request.build_absolute_uri(reverse("masters:attachment_file", args=[att.pk]))
            for att in attachments if not att.is_image]
    return embedding(response, pdfs)


@require_POST
@role_required(Role.REVIEWER)
def review_conflict(request, pk):
    assignment = get_object_or_404(selectors.reviewer_assignments(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the conflict is."))
        return redirect("masters:review_sheet", pk=pk)
    with refusal_to(request):
        services.conflict_declare(assignment=assignment, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Conflict recorded; the nomination goes to another reviewer."))
        return redirect("masters:review_home")
    return redirect("masters:review_sheet", pk=pk)


@require_POST
@role_required(*OFFICER)
def round_assign(request, pk):
    round_ = round_or_404(pk)
    with refusal_to(request):
        result = services.reviewers_assign(round_=round_, user=request.user)
        text = _("%(n)d assignments made.") % {"n": result["assigned"]}
        if result["short"]:
            text += " " + _("%(n)d nominations could not get enough reviewers; widen the pool.") % {
                "n": len(result["short"])}
        messages.success(request, text)
    return redirect("masters:round_detail", pk=pk)


@role_required(*READERS)
def round_conflicts(request, pk):
    round_ = round_or_404(pk)
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
    conflicts = selectors.conflicts_for(round_)
    if wants_xlsx(request):
        return tables.CONFLICTS.response(request, conflicts, year=round_.year)
    return render(request, "masters/round_conflicts.html", {
        "round": round_, "conflicts": conflicts, "can_edit": has_role(request.user, *OFFICER),
        "crumbs": [manage_crumb(), (round_.name, reverse("masters:round_detail", args=[pk])), (_("Conflicts"), None)],
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
