"""Every refusal as JSON, {"code": …, "message": …}, in the caller's language (Accept-Language): a
service's ServiceError, a 404, a bad field, a missing scope, too many calls. One handler for all."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from zhangwan.errors import ServiceError


class Refused(exceptions.APIException):
    """A rule of the platform said no (a ServiceError): the same message the page would flash."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "refused"
    default_detail = gettext_lazy("Refused.")


class RowsRefused(exceptions.APIException):
    """A batch with bad rows: nothing was written; each problem is listed."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "rows_refused"
    default_detail = gettext_lazy("Some rows are wrong; nothing was written.")

    def __init__(self, rows: list[dict]):
        super().__init__()
        self.rows = rows


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("Another request changed the same records at the same time; send it again.")


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = gettext_lazy("This Idempotency-Key was already used for another request.")


def error_body(code: str, message: str, **more) -> dict:
    return {"code": code, "message": message, **more}


def handler(exc, context):
    if isinstance(exc, ServiceError):
        exc = Refused(exc.message)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 page and the error log
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("Some fields are wrong."), fields=exc.detail)
    elif isinstance(exc, RowsRefused):
        body = error_body(exc.default_code, str(exc.detail), rows=exc.rows)
    else:
        detail = exc.detail if isinstance(exc.detail, str) else _("Refused.")
        code = getattr(detail, "code", None) or exc.default_code
        body = error_body(str(code), str(detail))
    return Response(body, status=response.status_code, headers=dict(response.items()))
