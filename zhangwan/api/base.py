"""What every API view shares: the call goes into the log, and a write with an Idempotency-Key is done
once whatever the number of times it is sent."""

import hashlib
import json
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.response import Response

from zhangwan.history import save_with_history
from zhangwan.net import client_ip

from .errors import KeyReused
from .models import ApiCall, ApiToken, IdempotentRequest

KEY_HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 100


class Logged:
    """Every API view: `scopes` names the scope a call needs (one, or one per method)."""

    scopes: dict | str = {}

    def replay(self, kept):
        return Response(json.loads(kept.body) if kept.body else None, status=kept.status)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            record_call(token, request, response.status_code)
        return response


class ApiView(Logged, GenericAPIView):
    """A write (or a single answer): no pages."""

    pagination_class = None


class ApiList(Logged, ListAPIView):
    pass


class ApiDetail(Logged, RetrieveAPIView):
    pass


def record_call(token: ApiToken, request, status: int) -> None:
    """The call in the token's list and the auditor's activity log (as made by the token's maker)."""
    now = timezone.now()
    call = ApiCall(token=token, method=request.method, path=request.get_full_path()[:300], status=status, at=now,
                   ip=client_ip(request) or None)
    save_with_history(call, user=token.created_by, reason="api.call")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str) if request.data else ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(handler):
    """A write method sent with `Idempotency-Key`: the first answer is kept (refusals too: nothing they
    tried is written) and replayed for the same key and body; the same key with another body is
    refused. Requests sent at once with one key wait on the key's row: one does the work."""

    @wraps(handler)
    def wrapped(view, request, *args, **kwargs):
        key = request.META.get(KEY_HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError({"Idempotency-Key": [f"at most {MAX_KEY_LENGTH} characters"]})
        token, fingerprint = request.auth, _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # Waits while another request holding the same key is under way, then fails: replay.
                    kept = IdempotentRequest.objects.create(token=token, key=key, fingerprint=fingerprint, status=0,
                                                            body="")
            except IntegrityError:
                kept = IdempotentRequest.objects.get(token=token, key=key)
                if kept.fingerprint != fingerprint:
                    raise KeyReused() from None
                response = view.replay(kept)
                response["Idempotent-Replayed"] = "true"
                return response
            savepoint = transaction.savepoint()
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the handler turns known ones into answers, re-raises others
                response = view.handle_exception(exc)
            if response.status_code >= 400:
                transaction.savepoint_rollback(savepoint)
            else:
                transaction.savepoint_commit(savepoint)
            kept.status, kept.body = response.status_code, json.dumps(response.data, cls=DjangoJSONEncoder)
            kept.save(update_fields=["status", "body"])
        return response

    return wrapped
