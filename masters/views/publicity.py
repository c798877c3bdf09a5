"""The public pages (honour roll, publicity, objections) and the officer's publicity and conferral."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.actions import refusal_to
from zhangwan.forms import flash_errors
from zhangwan.net import client_ip
from zhangwan.pagination import paginate
from zhangwan.ratelimit import Limit

from .. import selectors
from ..filters import TitleFilter
from ..forms import ObjectionForm, PublicityForm, ResolveForm
from ..models import Nomination, Objection
from ..services import publicity as services
from .common import OFFICER, round_or_404

S = Nomination.Status


def honour_roll(request):
    filterset = TitleFilter(request.GET or None, queryset=selectors.honour_roll())
    page, query = paginate(request, filterset.qs, size=30)
    years = selectors.titles_per_year()
    return render(request, "masters/honour_roll.html", {
        "page": page, "query": query, "filter": filterset, "years": years,
        "crumbs": [(_("Skills Masters"), None)],
    })


def publicity(request):
    shown = selectors.publicity_rounds(timezone.localdate())
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


@require_POST
@role_required(*OFFICER)
def round_publicity(request, pk):
    form = PublicityForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("masters:round_detail", pk=pk)
    round_ = round_or_404(pk)
    with refusal_to(request):
        round_ = services.publicity_open(round_=round_, user=request.user, starts=form.cleaned_data["starts"])
        messages.success(request, _("Publicity runs from %(start)s to %(end)s.")
                         % {"start": round_.publicity_starts, "end": round_.publicity_ends})
    return redirect("masters:round_detail", pk=pk)


@require_POST
@role_required(*OFFICER)
def round_confer(request, pk):
    round_ = round_or_404(pk)
    with refusal_to(request):
        n = services.round_confer(round_=round_, user=request.user)
        messages.success(request, _("%(n)d titles conferred.") % {"n": n})
    return redirect("masters:round_detail", pk=pk)


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
