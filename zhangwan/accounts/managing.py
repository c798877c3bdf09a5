"""Officers manage the accounts of their own dimension (docs/roles.md, "Who manages which accounts").

The training officer manages the liaisons of organizations, the competitions officer judges, the
masters officer expert reviewers. An officer invites (a link by e-mail or SMS, valid for
INVITATION_DAYS, used once, stored only as a hash), deactivates, reactivates and sends a password
reset, and only to accounts whose every role is one they manage: an account that also holds any
other role (another officer, a worker) is out of their reach (404). The invitation fixes the role
and the organization; the invitee only chooses a username and password, so no one can raise a role
through it.

History: invitations keep their own (django-simple-history, so they show in the auditor's activity
log); deactivation, reactivation and resets are written in the account's admin history (LogEntry),
as the password reset does (zhangwan/accounts/reset.py).
"""

import hashlib
import secrets
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhangwan.errors import ServiceError
from zhangwan.history import save_with_history
from zhangwan.sms import SmsError, send_sms

from .models import Invitation, User
from .notifications import tell
from .roles import Role, has_role, user_roles

INVITATION_DAYS = 7
# Which roles each officer's accounts hold.
MANAGES = {
    Role.TRAINING_OFFICER: (Role.LIAISON,),
    Role.COMPETITIONS_OFFICER: (Role.JUDGE,),
    Role.MASTERS_OFFICER: (Role.REVIEWER,),
}
MANAGERS = tuple(MANAGES)
# What the account's admin history says, translated when shown ("Changed …").
CHANGES = {
    "deactivated": gettext_noop("account deactivated"),
    "reactivated": gettext_noop("account reactivated"),
    "invited": gettext_noop("account opened by invitation"),
}
# Set up what a role needs besides the group, by later apps (masters puts a reviewer in the pool):
# role → [function(user, invitation)], and role → [function(user, active)].
ON_ACCEPT: dict[str, list] = defaultdict(list)
ON_ACTIVE: dict[str, list] = defaultdict(list)


class AccountError(ServiceError):
    """The account action cannot go on; the message is for the user."""


def managed_roles(user) -> tuple[str, ...]:
    """The roles whose accounts this user manages (none for everyone but the three officers)."""
    if user.is_superuser:
        return tuple(role for roles in MANAGES.values() for role in roles)
    mine = user_roles(user)
    return tuple(role for officer, roles in MANAGES.items() if officer in mine for role in roles)


def may_manage(user) -> bool:
    return bool(managed_roles(user))


def managed_accounts(user):
    """The accounts this user may manage: holding one of their roles and no other, never staff."""
    roles = managed_roles(user)
    if not roles:
        return User.objects.none()
    others = [r for r in Role.values if r not in roles]
    return (User.objects.filter(pk__in=User.objects.filter(groups__name__in=roles).values("pk"),
                                is_superuser=False, is_staff=False)
            .exclude(pk__in=User.objects.filter(groups__name__in=others).values("pk"))
            .exclude(pk=user.pk))


def invitations_for(user):
    roles = managed_roles(user)
    return Invitation.objects.filter(role__in=roles) if roles else Invitation.objects.none()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def invitation_link(request, token: str) -> str:
    return request.build_absolute_uri(reverse("accounts:invitation_accept", args=[token]))


def _send(invitation: Invitation, *, link: str, by: User) -> None:
    """The link by e-mail (address given) or SMS; a provider's refusal undoes the invitation."""
    with translation.override(settings.LANGUAGE_CODE):
        params = {"name": invitation.full_name, "officer": by.get_full_name(), "role": str(invitation.role_label),
                  "days": INVITATION_DAYS, "link": link}
        if invitation.email:
            send_mail(_("Your account on the Zhangwan skills platform"),
                      _("Hello %(name)s,\n\n%(officer)s invites you to open an account (%(role)s) on the Zhangwan "
                        "skills talent platform. Open this link within %(days)s days to choose your username and "
                        "password; it works once:\n\n%(link)s\n\nIf you did not expect this, ignore this message.")
                      % params, settings.DEFAULT_FROM_EMAIL, [invitation.email])
        else:
            try:
                send_sms(mobile=invitation.mobile, template="invitation",
                         params={"role": params["role"], "days": INVITATION_DAYS, "link": link})
            except SmsError as error:
                raise AccountError(_("The text message could not be sent. Try again in a few minutes.")) from error


def _check_role(by: User, role: str, organization) -> None:
    if role not in managed_roles(by):
        raise AccountError(_("You cannot invite accounts of this role."))
    if role == Role.LIAISON and organization is None:
        raise AccountError(_("A liaison acts for an organization: choose it."))


@transaction.atomic
def invitation_create(*, by: User, role: str, full_name: str, email: str = "", mobile: str = "",
                      organization=None, request) -> Invitation:
    """Invite someone to open an account of `role` (one the officer manages), and send the link."""
    _check_role(by, role, organization)
    if not (email or mobile):
        raise AccountError(_("Give an e-mail address or a mobile number to send the invitation to."))
    if Invitation.objects.pending().filter(Q(email=email, email__gt="") | Q(mobile=mobile, mobile__gt="")).exists():
        raise AccountError(_("An invitation to this address is still open: resend or cancel it."))
    token, hashed = _new_token()
    now = timezone.now()
    invitation = Invitation(role=role, organization=organization,
                            full_name=full_name.strip(), email=email, mobile=mobile, token_hash=hashed,
                            created_by=by, created_at=now, sent_at=now,
                            expires_at=now + timedelta(days=INVITATION_DAYS))
    save_with_history(invitation, user=by, reason="invitation.sent")
    _send(invitation, link=invitation_link(request, token), by=by)
    return invitation


def _locked_pending(invitation: Invitation, by: User) -> Invitation:
    invitation = invitations_for(by).select_for_update().get(pk=invitation.pk)
    if invitation.is_accepted or invitation.is_cancelled:
        raise AccountError(_("This invitation was already accepted or cancelled."))
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User, request) -> Invitation:
    """A new link (the old one stops working), valid INVITATION_DAYS from now."""
    invitation = _locked_pending(invitation, by)
    token, invitation.token_hash = _new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=INVITATION_DAYS)
    save_with_history(invitation, user=by, reason="invitation.resent",
                      update_fields=["token_hash", "sent_at", "expires_at"])
    _send(invitation, link=invitation_link(request, token), by=by)
    return invitation


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, by: User) -> Invitation:
    invitation = _locked_pending(invitation, by)
    invitation.cancelled_at = timezone.now()
    save_with_history(invitation, user=by, reason="invitation.cancelled", update_fields=["cancelled_at"])
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The open invitation this link names, or None (unknown, used, cancelled or expired)."""
    return (Invitation.objects.pending().select_related("organization", "created_by")
            .filter(token_hash=token_hash(token)).first())


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> User:
    """Open the account: the invitation's role and organization, the invitee's username and password.
    Twice at once: the second finds the invitation used."""
    invitation = Invitation.objects.pending().select_for_update().filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise AccountError(_("This invitation link has expired, was already used or was cancelled. Ask the "
                             "officer who invited you for a new one."))
    user = User(username=username, full_name=invitation.full_name, email=invitation.email,
                organization=invitation.organization if invitation.role == Role.LIAISON else None)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=invitation.role))
    invitation.accepted_at, invitation.user = timezone.now(), user
    save_with_history(invitation, user=user, reason="invitation.accepted", update_fields=["accepted_at", "user"])
    _log(user, by=invitation.created_by, what="invited")
    for setup in ON_ACCEPT[invitation.role]:
        setup(user, invitation)
    tell([invitation.created_by], "account.invitation_accepted", name=user.full_name,
         role=Role(invitation.role).label, username=user.username,
         url=reverse("accounts:manage_account", args=[user.pk]))
    return user


def _log(user: User, *, by: User, what: str) -> None:
    LogEntry.objects.log_actions(user_id=by.pk, queryset=[user], action_flag=CHANGE,
                                 change_message=[{"changed": {"fields": [CHANGES[what]]}}], single_object=True)


@transaction.atomic
def account_set_active(*, account: User, active: bool, by: User) -> User:
    """Deactivate (every session ends: Django refuses an inactive user's session) or reactivate."""
    account = managed_accounts(by).select_for_update(of=("self",)).get(pk=account.pk)
    if account.is_active == active:
        raise AccountError(_("This account is already active.") if active else
                           _("This account is already deactivated."))
    account.is_active = active
    account.save(update_fields=["is_active"])
    _log(account, by=by, what="reactivated" if active else "deactivated")
    for role in user_roles(account):
        for change in ON_ACTIVE[role]:
            change(account, active)
    return account


def account_reset(*, account: User, by: User, request) -> str:
    """The reset link by e-mail (or a worker's code), as the superuser's admin action sends it."""
    from .reset import reset_send_by_admin

    account = managed_accounts(by).get(pk=account.pk)
    if not account.is_active:
        raise AccountError(_("Reactivate the account before resetting its password."))
    how = reset_send_by_admin(user=account, by=by, request=request)
    if how is None:
        raise AccountError(_("This account has no e-mail address on file: invite the person again instead."))
    return how


def account_history(account: User):
    """The account's admin history (who, when, what), newest first."""
    from django.contrib.contenttypes.models import ContentType

    return (LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(account.pk))
            .select_related("user").order_by("-action_time"))


def is_manager(user) -> bool:
    return has_role(user, *MANAGERS)
