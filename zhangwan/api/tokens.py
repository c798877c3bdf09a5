"""Creating and revoking API tokens, and finding the token a request carries."""

import hmac
import ipaddress
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.accounts.roles import OFFICERS, Role, has_role
from zhangwan.errors import ServiceError
from zhangwan.history import save_with_history

from .models import ApiToken, key_digest

SECRET_START = "zw"


class ApiTokenError(ServiceError):
    pass


NO_KEEPER = object()  # integration_owner's answer for a user who keeps no integrations


def integration_owner(user):
    """Whose integrations (tokens, webhooks) a user keeps: a union officer the district's (None), a liaison
    their organization's (its id); NO_KEEPER for anyone else."""
    if has_role(user, *OFFICERS):
        return None
    if has_role(user, Role.LIAISON) and user.organization_id:
        return user.organization_id
    return NO_KEEPER


def kept_by(user, queryset):
    """The rows of an integration model (organization, or none for the district) the user keeps; another's
    is then simply not found."""
    owner = integration_owner(user)
    if owner is NO_KEEPER:
        return queryset.none()
    return queryset.filter(organization__isnull=True) if owner is None else queryset.filter(organization_id=owner)


def tokens_for(user):
    """The tokens a user may see and revoke: a liaison their organization's, a union officer the
    district-wide ones."""
    return kept_by(user, ApiToken.objects.all())


def check_networks(networks: list[str]) -> list[str]:
    """Each entry as a network in its canonical form (192.168.1.0/24, 10.0.0.5/32); ServiceError otherwise."""
    clean = []
    for entry in networks:
        try:
            clean.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError as error:
            raise ApiTokenError(_("“%(entry)s” is not an address or a network such as 192.168.1.0/24.")
                                % {"entry": entry}) from error
    return clean


@transaction.atomic
def token_create(*, user, name: str, scopes: list[str], networks=(), expires_at=None) -> tuple[ApiToken, str]:
    """A new token for the user's organization (a liaison) or the district (a union officer), and its
    secret: the only time the secret exists outside the caller's hands."""
    organization_id = integration_owner(user)
    if organization_id is NO_KEEPER:
        raise ApiTokenError(_("Only an organization's liaison or a union officer may create API tokens."))
    if not scopes:
        raise ApiTokenError(_("Choose at least one scope."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiTokenError(_("The expiry must be in the future."))
    prefix = secrets.token_hex(ApiToken.PREFIX_LENGTH // 2)
    secret = f"{SECRET_START}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(name=name.strip(), organization_id=organization_id, created_by=user, scopes=sorted(set(scopes)),
                     networks=check_networks(list(networks)), expires_at=expires_at, prefix=prefix,
                     key_hash=key_digest(secret))
    save_with_history(token, user=user, reason="api.token_created")
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, user) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.is_revoked:
        raise ApiTokenError(_("This token is already revoked."))
    token.revoked_at, token.revoked_by = timezone.now(), user
    save_with_history(token, user=user, reason="api.token_revoked", update_fields=["revoked_at", "revoked_by"])
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The token whose secret this is (revoked or expired ones included: the caller says why it refuses)."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != SECRET_START or len(parts[1]) != ApiToken.PREFIX_LENGTH:
        return None
    token = ApiToken.objects.select_related("created_by", "organization").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, key_digest(secret)):
        return None
    return token
