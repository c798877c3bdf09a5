"""Who is calling: the bearer token (authentication), what it may do (scope and address)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from zhangwan.net import client_ip

from . import limits
from .models import ApiToken
from .tokens import token_for_secret


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer zw_…`. The call acts as the token's maker (their permissions decide what is
    masked, their name goes into the history), within the token's organization and scopes."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        try:
            secret = header[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from error
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        maker = token.created_by
        if not maker.is_active or (token.organization_id and maker.organization_id != token.organization_id):
            raise exceptions.AuthenticationFailed(_("The person who created this token no longer acts for its "
                                                    "organization; create a new token."))
        return maker, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ScopeRefused(exceptions.PermissionDenied):
    default_code = "scope_missing"
    default_detail = gettext_lazy("This token does not have the scope this call needs.")


class AddressRefused(exceptions.PermissionDenied):
    default_code = "address_refused"
    default_detail = gettext_lazy("This token may not be used from this address.")


class TokenScope(BasePermission):
    """The view's `scopes` says which scope each method needs ({"GET": …, "POST": …}, or one for all)."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated()
        if not token.allows_address(client_ip(request)):
            raise AddressRefused()
        needed = view.scopes.get(request.method) if isinstance(view.scopes, dict) else view.scopes
        if needed is None or not token.allows(needed):
            raise ScopeRefused()
        return True


class TokenRateLimit(BaseThrottle):
    """Each token's calls count against zhangwan.ratelimit (the project's one mechanism)."""

    def allow_request(self, request, view):
        token = request.auth
        self.limit = limits.CALLS
        return not isinstance(token, ApiToken) or self.limit.hit(f"api-token:{token.pk}")

    def wait(self):
        return self.limit.retry_after()

