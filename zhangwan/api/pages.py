"""The liaison's and the union officers' pages for API tokens: list, create (the secret shown once), the
token's calls and history, revoke."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import OFFICERS, Role
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.history import history_with_changes
from zhangwan.pagination import paginate

from . import tables, tokens
from .forms import TokenForm

KEEPERS = (Role.LIAISON, *sorted(OFFICERS))


def _crumbs(*more):
    return [(_("API tokens"), reverse("api:tokens") if more else None), *more]


@role_required(*KEEPERS)
def token_list(request):
    rows = tokens.tokens_for(request.user).select_related("created_by")
    if wants_xlsx(request):
        return tables.TOKENS.response(request, rows)
    page, query = paginate(request, rows)
    return render(request, "api/token_list.html", {
        "page": page, "query": query, "table": tables.TOKENS, "crumbs": _crumbs(),
    })


@role_required(*KEEPERS)
def token_new(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            token, secret = tokens.token_create(
                user=request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                networks=form.cleaned_data["networks"], expires_at=form.expires_at())
            # The secret is on this answer only: never stored, never redirected with, never cached.
            response = render(request, "api/token_created.html", {
                "token": token, "secret": secret, "crumbs": _crumbs((token.name, None)),
            })
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/token_new.html", {"form": form, "crumbs": _crumbs((_("New token"), None))})


CALLS_PAGE = 50


@role_required(*KEEPERS)
def token_detail(request, pk):
    token = get_object_or_404(tokens.tokens_for(request.user).select_related("created_by", "revoked_by"), pk=pk)
    calls = token.calls.all()
    if wants_xlsx(request):
        return tables.CALLS.response(request, calls)
    page, query = paginate(request, calls, CALLS_PAGE)
    return render(request, "api/token_detail.html", {
        "token": token, "page": page, "query": query, "table": tables.CALLS,
        "history": history_with_changes(token.history.select_related("history_user")),
        "crumbs": _crumbs((token.name, None)),
    })


@require_POST
@role_required(*KEEPERS)
def token_revoke(request, pk):
    token = get_object_or_404(tokens.tokens_for(request.user), pk=pk)
    with refusal_to(request):
        tokens.token_revoke(token=token, user=request.user)
        messages.success(request, _("The token is revoked; calls with it are refused from now on."))
    return redirect("api:token_detail", pk=token.pk)
