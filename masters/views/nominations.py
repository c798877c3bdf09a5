"""Nominations: the list, a nomination's page, drafting, attachments, submitting, withdrawing."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import Role, has_role
from zhangwan.accounts.scope import workers_for
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.history import history_with_changes
from zhangwan.pagination import paginate
from zhangwan.picker import Picker
from zhangwan.uploads import serve_stored_file

from .. import rules, selectors, tables
from ..filters import NominationFilter
from ..forms import AttachmentForm, EditNominationForm, NominationForm
from ..models import Attachment, Nomination
from ..services import nominations as services
from .common import NOMINATORS, READERS

S = Nomination.Status


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


@role_required(*NOMINATORS, Role.AUDITOR)
def nomination_list(request):
    nominations = selectors.nominations_for(request.user).order_by("-round__year", "rank", "-created_at", "pk")
    filterset = NominationFilter(request.GET or None, queryset=nominations)
    if wants_xlsx(request):
        return tables.NOMINATIONS.response(request, filterset.qs)
    page, query = paginate(request, filterset.qs)
    today = timezone.localdate()
    open_round = selectors.open_round(today)
    return render(request, "masters/nomination_list.html", {
        "page": page, "query": query, "filter": filterset, "open_round": open_round,
        "closed_note": "" if open_round else selectors.nominations_closed_note(today),
        "can_nominate": has_role(request.user, *NOMINATORS),
        "crumbs": [(_("Nominations"), None)],
    })


def _nominable(user):
    if has_role(user, Role.MASTERS_OFFICER):
        return workers_for(user), Nomination.Source.UNION
    if has_role(user, Role.LIAISON):
        return workers_for(user), Nomination.Source.ORGANIZATION
    return None, Nomination.Source.SELF


def _own_preview(request, round_, worker):
    """The eligibility preview a worker sees before nominating themself: in the trade of theirs named
    by ?trade=, else their longest-held one; None when they have no trade on record."""
    trades = [held.trade for held in worker.trades.select_related("trade").order_by("started_year", "pk")]
    if not trades:
        return None
    chosen = next((t for t in trades if str(t.pk) == request.GET.get("trade")), trades[0])
    reasons = selectors.eligibility_preview(round_, worker.pk, chosen.pk)
    return {"trade": chosen, "others": [t for t in trades if t != chosen], "reasons": rules.reasons_in_words(reasons),
            "conditions": rules.conditions_in_words(round_)}


@role_required(*NOMINATORS)
def nomination_new(request):
    round_ = selectors.open_round(timezone.localdate())
    if round_ is None:
        messages.error(request, selectors.nominations_closed_note(timezone.localdate()))
        return redirect("masters:nomination_list")
    workers, source = _nominable(request.user)
    if workers is None:
        own = workers_for(request.user).first()
        if own is None:
            raise Http404
    picker = None
    if workers is not None:
        nominated = round_.nominations.exclude(status=S.WITHDRAWN).values("nominee")
        picker = Picker(workers, url=request.path, taken=workers.filter(pk__in=nominated),
                        taken_label=_("Already nominated"), show_employer=source == Nomination.Source.UNION,
                        multiple=False)
        if (answer := picker.answer(request)) is not None:
            return answer
    # A worker nominating themself starts from their own trade (the longest-held one, or the one of
    # theirs they chose to check), with a preview of whether they look eligible in it.
    preview = None if workers is not None else _own_preview(request, round_, own)
    form = NominationForm(request.POST or None, picker=picker,
                          initial={"trade": preview["trade"].pk if preview else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(form):
            nomination = services.nomination_create(
                round_=round_, nominee=data.get("nominee") or own, trade=data["trade"], source=source,
                statement=data["statement"], achievements=data["achievements"], user=request.user)
            messages.success(request, _("Draft saved. Add attachments, then submit it."))
            return redirect("masters:nomination_detail", pk=nomination.pk)
    return render(request, "masters/nomination_form.html", {
        "form": form, "round": round_, "preview": preview,
        "crumbs": [(_("Nominations"), reverse("masters:nomination_list")), (_("New nomination"), None)],
    })


@role_required(*NOMINATORS, Role.AUDITOR)
def nomination_detail(request, pk):
    nomination = get_object_or_404(selectors.nominations_for(request.user).select_related("created_by"), pk=pk)
    officer = has_role(request.user, *READERS)
    assignments = (nomination.assignments.select_related("reviewer__user").order_by("pk") if officer else [])
    return render(request, "masters/nomination_detail.html", {
        "n": nomination, "reasons": rules.reasons_in_words(nomination.reasons),
        "conditions": rules.conditions_in_words(nomination.round),
        "by_apprenticeship": selectors.by_apprenticeship(nomination),
        "attachments": nomination.attachments.all(), "can_edit": _may_edit(request.user, nomination),
        "can_withdraw": _may_withdraw(request.user, nomination),
        "officer": officer, "assignments": assignments, "upload": AttachmentForm(),
        "reviewers": selectors.active_reviewers() if officer else [],
        "objections": nomination.objections.all() if officer else [],
        "history": history_with_changes(nomination.history.select_related("history_user")) if officer else [],
        "crumbs": [(_("Nominations"), reverse("masters:nomination_list")), (nomination.nominee.name, None)],
    })


def _editable_or_404(request, pk):
    nomination = get_object_or_404(selectors.nominations_for(request.user), pk=pk)
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
    visible = Attachment.objects.filter(nomination__in=selectors.nominations_for(request.user))
    attachment = get_object_or_404(visible, pk=pk)
    _editable_or_404(request, attachment.nomination_id)
    with refusal_to(request):
        services.attachment_delete(attachment=attachment, user=request.user)
        messages.success(request, _("Attachment removed."))
    return redirect("masters:nomination_detail", pk=attachment.nomination_id)


@xframe_options_sameorigin  # the review sheet shows a PDF inline (<object>)
@role_required(*NOMINATORS, Role.AUDITOR, Role.REVIEWER)
def attachment_file(request, pk):
    """Shown inline to whoever may see the nomination, and to its reviewers."""
    visible = Q(nomination__in=selectors.nominations_for(request.user)) | Q(
        nomination__in=selectors.reviewer_assignments(request.user).values("nomination"))
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
    nomination = get_object_or_404(selectors.nominations_for(request.user), pk=pk)
    if not _may_withdraw(request.user, nomination):
        raise Http404
    with refusal_to(request):
        services.nomination_withdraw(nomination=nomination, user=request.user)
        messages.success(request, _("Nomination withdrawn."))
    return redirect("masters:nomination_detail", pk=pk)
