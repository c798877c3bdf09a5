"""The liaison's and the union officers' pages for API tokens (list, create with the secret shown once, the
token's calls and history, revoke) and for webhooks (the same, with the delivery log, a test event,
enabling again and deleting)."""

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

from . import tables, tokens, webhooks
from .forms import TokenForm, WebhookForm

KEEPERS = (Role.LIAISON, *sorted(OFFICERS))


def _crumbs(*more):
    return [(_("API tokens"), reverse("api:tokens") if more else None), *more]


def _secret_page(request, template, context):
    """The page that shows a token's or a webhook's secret: on this answer only, never stored, never
    redirected with, never cached."""
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


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
            return _secret_page(request, "api/token_created.html", {
                "token": token, "secret": secret, "crumbs": _crumbs((token.name, None)),
            })
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


# Webhooks ------------------------------------------------------------------------------------------

def _hook_crumbs(*more):
    return [(_("Webhooks"), reverse("api:webhooks") if more else None), *more]


@role_required(*KEEPERS)
def webhook_list(request):
    rows = webhooks.subscriptions_for(request.user).select_related("created_by")
    if wants_xlsx(request):
        return tables.WEBHOOKS.response(request, rows)
    page, query = paginate(request, rows)
    return render(request, "api/webhook_list.html", {
        "page": page, "query": query, "table": tables.WEBHOOKS, "crumbs": _hook_crumbs(),
    })


@role_required(*KEEPERS)
def webhook_new(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            subscription, secret = webhooks.subscription_create(
                user=request.user, url=form.cleaned_data["url"], events=form.cleaned_data["events"])
            return _secret_page(request, "api/webhook_created.html", {
                "subscription": subscription, "secret": secret, "crumbs": _hook_crumbs((subscription.url, None)),
            })
    return render(request, "api/webhook_new.html", {"form": form, "crumbs": _hook_crumbs((_("New webhook"), None))})


DELIVERIES_PAGE = 50


@role_required(*KEEPERS)
def webhook_detail(request, pk):
    subscription = get_object_or_404(webhooks.subscriptions_for(request.user).select_related("created_by"), pk=pk)
    deliveries = subscription.deliveries.select_related("event").defer("event__payload")
    if wants_xlsx(request):
        return tables.DELIVERIES.response(request, deliveries)
    page, query = paginate(request, deliveries, DELIVERIES_PAGE)
    return render(request, "api/webhook_detail.html", {
        "subscription": subscription, "page": page, "query": query, "table": tables.DELIVERIES,
        "history": history_with_changes(subscription.history.select_related("history_user")),
        "crumbs": _hook_crumbs((subscription.url, None)),
    })


@require_POST
@role_required(*KEEPERS)
def webhook_test(request, pk):
    subscription = get_object_or_404(webhooks.subscriptions_for(request.user), pk=pk)
    with refusal_to(request):
        webhooks.send_test(subscription=subscription, user=request.user)
        messages.success(request, _("A test event is on its way; its delivery shows below."))
    return redirect("api:webhook_detail", pk=subscription.pk)


@require_POST
@role_required(*KEEPERS)
def webhook_enable(request, pk):
    subscription = get_object_or_404(webhooks.subscriptions_for(request.user), pk=pk)
    with refusal_to(request):
        webhooks.subscription_enable(subscription=subscription, user=request.user)
        messages.success(request, _("The webhook is enabled; the events that waited are sent now."))
    return redirect("api:webhook_detail", pk=subscription.pk)


@require_POST
@role_required(*KEEPERS)
def webhook_delete(request, pk):
    subscription = get_object_or_404(webhooks.subscriptions_for(request.user), pk=pk)
    with refusal_to(request):
        webhooks.subscription_delete(subscription=subscription, user=request.user)
        messages.success(request, _("The webhook is deleted; no more events are sent to it."))
        return redirect("api:webhooks")
    return redirect("api:webhook_detail", pk=subscription.pk)
