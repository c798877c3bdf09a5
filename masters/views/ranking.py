"""Eligibility, the ranking and the shortlist of a round."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import has_role
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.forms import flash_errors

from .. import selectors, tables, tasks
from ..forms import ReasonForm, TieForm
from ..models import Nomination
from ..services import ranking as services
from .common import OFFICER, READERS, manage_crumb, round_or_404

S = Nomination.Status


@require_POST
@role_required(*OFFICER)
def round_eligibility(request, pk):
    round_ = round_or_404(pk)
    refusal = services.eligibility_refusal(round_)
    if refusal:
        messages.error(request, refusal)
    else:
        tasks.check_eligibility.delay_on_commit(round_.pk, request.user.pk)
        messages.success(request, _("The eligibility check is running; reload the page in a moment."))
    return redirect("masters:round_detail", pk=pk)


@require_POST
@role_required(*OFFICER)
def round_shortlist(request, pk):
    round_ = round_or_404(pk)
    with refusal_to(request):
        n = services.shortlist_make(round_=round_, user=request.user)
        messages.success(request, _("%(n)d nominations shortlisted.") % {"n": n})
        tie = selectors.quota_tie(round_)
        if tie:
            messages.warning(request, _("A tie at the quota line: %(names)s share rank %(rank)d for %(seats)d "
                                        "place(s); decide it on the ranking page.")
                             % {"names": tie.names(), "rank": tie.rank, "seats": tie.seats})
            return redirect("masters:round_ranking", pk=pk)
    return redirect("masters:round_detail", pk=pk)


@require_POST
@role_required(*OFFICER)
def tie_decide(request, pk):
    round_ = round_or_404(pk)
    form = TieForm(request.POST, tie=selectors.quota_tie(round_))
    if not form.is_valid():
        flash_errors(request, form)
    else:
        with refusal_to(request):
            services.tie_decide(round_=round_, user=request.user, **form.cleaned_data)
            messages.success(request, _("Tie decided; the reason is recorded."))
    return redirect("masters:round_ranking", pk=pk)


@role_required(*READERS)
def round_ranking(request, pk):
    round_ = round_or_404(pk)
    if request.method == "POST":
        if not has_role(request.user, *OFFICER):
            raise PermissionDenied  # the auditor reads the ranking and recomputes nothing
        services.ranking_compute(round_=round_, user=request.user)
        messages.success(request, _("Ranking recomputed."))
        return redirect("masters:round_ranking", pk=pk)
    nominations = selectors.ranking(round_)
    if wants_xlsx(request):
        return tables.RANKING.response(request, nominations, year=round_.year)
    tie = selectors.quota_tie(round_)
    return render(request, "masters/round_ranking.html", {
        "round": round_, "nominations": nominations, "can_edit": has_role(request.user, *OFFICER),
        "reason_form": ReasonForm(), "progress": selectors.review_progress(round_),
        "tie": tie, "tie_form": TieForm(tie=tie),
        "crumbs": [manage_crumb(), (round_.name, reverse("masters:round_detail", args=[pk])), (_("Ranking"), None)],
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
            services.shortlist_change(nomination=nomination, include=nomination.is_under_review,
                                      reason=form.cleaned_data["reason"], user=request.user)
            messages.success(request, _("Shortlist changed."))
    return redirect("masters:round_ranking", pk=nomination.round_id)
