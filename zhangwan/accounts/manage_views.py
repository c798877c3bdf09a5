"""The officers' account pages: their accounts, invitations, and the invitee's page that accepts one
(zhangwan/accounts/managing.py says who may manage whom)."""

from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.pagination import paginate

from . import managing
from .access import role_required
from .filters import AccountFilter
from .forms import InviteForm, SetAccountForm
from .models import Invitation
from .tables import ACCOUNTS

MANAGERS = managing.MANAGERS


def _accounts(request):
    roles = managing.managed_roles(request.user)
    accounts = (managing.managed_accounts(request.user).select_related("organization")
                .prefetch_related("groups").order_by("full_name", "username"))
    return AccountFilter(request.GET or None, queryset=accounts, roles=roles)


@role_required(*MANAGERS)
def account_list(request):
    filterset = _accounts(request)
    if wants_xlsx(request):
        return ACCOUNTS.response(request, filterset.qs)
    page, query = paginate(request, filterset.qs)
    return render(request, "accounts/manage/account_list.html", {
        "filter": filterset, "page": page, "query": query, "table": ACCOUNTS,
        "pending": managing.invitations_for(request.user).pending().count(),
        "crumbs": [(_("Account management"), None)],
    })


@role_required(*MANAGERS)
def account_detail(request, pk):
    account = get_object_or_404(managing.managed_accounts(request.user).select_related("organization"), pk=pk)
    return render(request, "accounts/manage/account_detail.html", {
        "account": account, "history": managing.account_history(account)[:50],
        "invitations": account.invitations.select_related("created_by"),
        "crumbs": [(_("Account management"), reverse("accounts:manage")), (str(account), None)],
    })


def _act(request, pk, action):
    account = get_object_or_404(managing.managed_accounts(request.user), pk=pk)
    with refusal_to(request):
        action(account)
    return redirect("accounts:manage_account", pk=account.pk)


@require_POST
@role_required(*MANAGERS)
def account_set_active(request, pk, active: bool):
    """Deactivate (active=False) or reactivate the account."""
    def change(account):
        managing.account_set_active(account=account, active=active, by=request.user)
        done = _("%(name)s can log in again.") if active else _("%(name)s can no longer log in.")
        messages.success(request, done % {"name": account})
    return _act(request, pk, change)


@require_POST
@role_required(*MANAGERS)
def account_reset(request, pk):
    def reset(account):
        managing.account_reset(account=account, by=request.user, request=request)
        messages.success(request, _("A password reset link was e-mailed to %(name)s.") % {"name": account})
    return _act(request, pk, reset)


@role_required(*MANAGERS)
def invite(request):
    form = InviteForm(request.POST or None, roles=managing.managed_roles(request.user))
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            invitation = managing.invitation_create(by=request.user, request=request, **form.cleaned_data)
            messages.success(request, _("The invitation was sent to %(address)s.") % {"address": invitation.address})
            return redirect("accounts:invitations")
    return render(request, "accounts/manage/invite.html", {
        "form": form, "days": managing.INVITATION_DAYS,
        "crumbs": [(_("Account management"), reverse("accounts:manage")), (_("Invite"), None)],
    })


@role_required(*MANAGERS)
def invitation_list(request):
    invitations = (managing.invitations_for(request.user).pending()
                   .select_related("organization", "created_by").order_by("-sent_at"))
    page, query = paginate(request, invitations)
    return render(request, "accounts/manage/invitation_list.html", {
        "page": page, "query": query,
        "crumbs": [(_("Account management"), reverse("accounts:manage")), (_("Pending invitations"), None)],
    })


def _invitation(request, pk) -> Invitation:
    return get_object_or_404(managing.invitations_for(request.user), pk=pk)


@require_POST
@role_required(*MANAGERS)
def invitation_resend(request, pk):
    invitation = _invitation(request, pk)
    with refusal_to(request):
        managing.invitation_resend(invitation=invitation, by=request.user, request=request)
        messages.success(request, _("A new link was sent to %(address)s; the earlier one no longer works.")
                         % {"address": invitation.address})
    return redirect("accounts:invitations")


@require_POST
@role_required(*MANAGERS)
def invitation_cancel(request, pk):
    invitation = _invitation(request, pk)
    with refusal_to(request):
        managing.invitation_cancel(invitation=invitation, by=request.user)
        messages.success(request, _("The invitation of %(name)s was cancelled.") % {"name": invitation.full_name})
    return redirect("accounts:invitations")


def invitation_accept(request, token):
    """The invitee's page: choose a username and password; the account is then opened and logged in."""
    invitation = managing.invitation_by_token(token)
    if invitation is None:
        return render(request, "accounts/manage/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        messages.info(request, _("Log out first to accept an invitation for someone else."))
        return redirect("home")
    form = SetAccountForm(request.POST or None, initial={"username": invitation.mobile or invitation.email})
    if request.method == "POST" and form.is_valid():
        with refusal_to(request) as refusal:
            try:
                user = managing.invitation_accept(token=token, username=form.cleaned_data["username"],
                                                  password=form.cleaned_data["password1"])
            except IntegrityError:
                form.add_error("username", _("This username is taken; choose another."))
            else:
                login(request, user, backend="zhangwan.accounts.backends.CachedModelBackend")
                messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.full_name})
                return redirect("home")
        if refusal:
            return redirect("accounts:login")
    return render(request, "accounts/manage/invitation_accept.html", {"form": form, "invitation": invitation})

