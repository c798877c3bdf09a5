"""The officer's selection rounds: the list and a round's page."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import has_role
from zhangwan.columns import wants_xlsx

from .. import selectors, tables
from ..forms import PublicityForm, ResolveForm
from ..services import publicity, ranking, review
from .common import OFFICER, READERS, manage_crumb, round_or_404


@role_required(*READERS)
def round_list(request):
    rounds = selectors.rounds_with_counts()
    if wants_xlsx(request):
        return tables.ROUNDS.response(request, rounds)
    return render(request, "masters/round_list.html", {
        "rounds": rounds, "can_edit": has_role(request.user, *OFFICER), "crumbs": [(_("Manage selection"), None)],
    })


@role_required(*READERS)
def round_detail(request, pk):
    round_ = round_or_404(pk)
    return render(request, "masters/round_detail.html", {
        "round": round_, "counts": selectors.round_status_counts(round_),
        "progress": selectors.review_progress(round_),
        "objections": selectors.round_objections(round_), "resolve_form": ResolveForm(),
        "can_edit": has_role(request.user, *OFFICER),
        "publicity_form": PublicityForm(initial={"starts": timezone.localdate()}),
        "criteria": round_.criteria.all(), "reviewers": selectors.active_reviewers().count(),
        "conflicts": len(selectors.conflicts_for(round_)) if round_.publicity_starts is None else None,
        "refusals": _refusals(round_) if has_role(request.user, *OFFICER) else {},
        "crumbs": [manage_crumb(), (round_.name, None)],
    })


def _refusals(round_) -> dict:
    """Each step's reason it cannot be taken now (None when it can), for the round page's buttons."""
    return {"eligibility": ranking.eligibility_refusal(round_), "assign": review.assign_refusal(round_),
            "shortlist": ranking.shortlist_refusal(round_), "publicity": publicity.publicity_refusal(round_),
            "confer": publicity.confer_refusal(round_)}
