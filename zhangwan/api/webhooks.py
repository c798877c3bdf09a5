"""Webhooks (docs/api.md "Webhooks"): an integration subscribes to events; a service emits an event in its
own transaction (``emit``), which writes one Event and one Delivery per matching subscription, queued after
the commit; a Celery task posts each delivery, signed, and retries it with backoff for a day.

Deliveries of one object to one subscription go in event order: a delivery waits while an older one for
the same object and subscription is not done (delivered or given up), and the end of one queues the next.
The periodic ``deliver_due`` picks up retries and anything a lost message left behind.

This module reads the objects it is given by their attributes only: it imports no dimension app, which
all call it (DESIGN.md §9).
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.accounts.notifications import tell
from zhangwan.errors import ServiceError
from zhangwan.history import delete_with_history, save_with_history
from zhangwan.prepared import PreparedRows
from zhangwan.transitions import Transitions

from .models import Delivery, Event, EventType, Subscription
from .tokens import NO_KEEPER, integration_owner, kept_by

_D = Delivery.Status
# A delivery is tried until it succeeds or a day has passed; both ends are final.
DELIVERY_STATUS = Transitions(Delivery, {
    _D.PENDING: {_D.SUCCEEDED, _D.FAILED, _D.GIVEN_UP},
    _D.FAILED: {_D.SUCCEEDED, _D.FAILED, _D.GIVEN_UP},
    _D.SUCCEEDED: set(),
    _D.GIVEN_UP: set(),
})

# After a failed attempt the next one waits this long (the last step repeats); none after GIVE_UP_AFTER.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6), timedelta(hours=12)]
GIVE_UP_AFTER = timedelta(days=1)
# Failed attempts in a row (over all its deliveries) after which a subscription is disabled.
DISABLE_AFTER = 10
TIMEOUT = 5  # seconds
EXCERPT = 500
DUE_BATCH = 100  # sent one after another by the periodic task: at most ~8 minutes at the timeout
USER_AGENT = "Zhangwan-Webhooks/1"


class WebhookError(ServiceError):
    pass


# Subscriptions ---------------------------------------------------------------------------------------

def subscriptions_for(user):
    """The subscriptions a user may see and change: a liaison their organization's, a union officer the
    district-wide ones (as API tokens)."""
    return kept_by(user, Subscription.objects.all())


def _allowed_hosts() -> set[str]:
    return {h.lower() for h in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", [])}


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> str:
    """The URL if deliveries may go there: https (http only to WEBHOOK_ALLOWED_HOSTS), and a host whose
    every address is public unless it is allowed — no posting into the platform's own network (SSRF)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = host in _allowed_hosts()
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise WebhookError(_("Give an https:// address, such as https://hr.example.com/zhangwan-events."))
    if parts.scheme == "http" and not allowed:
        raise WebhookError(_("Webhooks are sent over https only."))
    if allowed:
        return url
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
    except (OSError, ValueError, UnicodeError) as error:
        raise WebhookError(_("The host “%(host)s” cannot be found.") % {"host": host}) from error
    if not addresses or not all(_public(a) for a in addresses):
        raise WebhookError(_("“%(host)s” is a local or private address; webhooks go to public addresses only.")
                           % {"host": host})
    return url


@transaction.atomic
def subscription_create(*, user, url: str, events: list[str]) -> tuple[Subscription, str]:
    """A new subscription for the user's organization (a liaison) or the district (a union officer), and
    its signing secret, which the caller shows once."""
    organization_id = integration_owner(user)
    if organization_id is NO_KEEPER:
        raise WebhookError(_("Only an organization's liaison or a union officer may add webhooks."))
    events = sorted(set(events) & set(EventType.values) - {EventType.TEST})
    if not events:
        raise WebhookError(_("Choose at least one event."))
    secret = f"whsec_{secrets.token_hex(24)}"
    subscription = Subscription(organization_id=organization_id, created_by=user, url=check_url(url),
                                events=events, secret=secret)
    save_with_history(subscription, user=user, reason="webhook.created")
    return subscription, secret


@transaction.atomic
def subscription_enable(*, subscription: Subscription, user) -> Subscription:
    """Turn a disabled subscription back on; what waited is tried again now."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.active:
        raise WebhookError(_("This webhook is already active."))
    check_url(subscription.url)
    subscription.active, subscription.disabled_at, subscription.disabled_reason = True, None, ""
    subscription.consecutive_failures = 0
    save_with_history(subscription, user=user, reason="webhook.enabled",
                      update_fields=["active", "disabled_at", "disabled_reason", "consecutive_failures"])
    now = timezone.now()
    subscription.deliveries.exclude(status__in=Delivery.DONE).update(next_attempt_at=now, updated_at=now)
    _queue(_heads(subscription.deliveries.exclude(status__in=Delivery.DONE)))
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription, user) -> None:
    delete_with_history(subscription, user=user, reason="webhook.deleted")


@transaction.atomic
def send_test(*, subscription: Subscription, user) -> Delivery:
    """A “test” event to this subscription only, sent like any other."""
    if not subscription.active:
        raise WebhookError(_("This webhook is disabled; enable it first."))
    now = timezone.now()
    event = make_event(EventType.TEST, f"test:{subscription.pk}", subscription.organization_id, now,
                   {"subscription": subscription.pk, "sent_by": user.get_full_name() or user.get_username()})
    event.save()
    delivery = Delivery.objects.create(subscription=subscription, event=event, object_key=event.object_key,
                                       next_attempt_at=now, created_at=now, updated_at=now)
    _queue([delivery.pk])
    return delivery


# Emitting --------------------------------------------------------------------------------------------

def _worker(worker) -> dict:
    return {"id": worker.pk, "name": worker.name, "id_number": worker.masked_id_number,
            "organization": worker.employer_id}


def _enrollment(e) -> dict:
    return {"id": e.pk, "status": e.status, "worker": _worker(e.worker),
            "class": {"id": e.training_class_id, "title": e.training_class.title,
                      "starts_on": e.training_class.starts_on}}


def _result(r) -> dict:
    entry = r.entry
    return {"id": r.pk, "rank": r.rank, "award": r.tier, "title": r.title, "final_score": r.final_score,
            "entry": {"id": entry.pk, "event": {"id": entry.event_id, "name": entry.event.name},
                      "competition": {"id": entry.event.competition_id, "name": entry.event.competition.name},
                      "organization": entry.organization_id, "team_name": entry.team_name,
                      "worker": _worker(entry.worker) if entry.worker_id else None}}


def _certificate(c) -> dict:
    return {"id": c.pk, "number": c.number, "status": c.status, "level": c.level, "trade": str(c.trade),
            "issued_on": c.issued_on, "revoked_at": c.revoked_at, "holder": _worker(c.holder)}


def _claim(c) -> dict:
    return {"id": c.pk, "status": c.status, "amount": c.amount, "claimed_on": c.claimed_on,
            "policy": str(c.policy), "batch": c.batch_id, "worker": _worker(c.worker)}


def _nomination(n) -> dict:
    return {"id": n.pk, "status": n.status, "round": {"id": n.round_id, "name": str(n.round)},
            "trade": n.trade_id, "organization": n.organization_id, "nominee": _worker(n.nominee)}


DATA = {
    "training.enrollment": _enrollment,
    "competitions.result": _result,
    "certification.certificate": _certificate,
    "subsidies.claim": _claim,
    "masters.nomination": _nomination,
}


def object_key(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def make_event(type_: str, key: str, organization_id, now, data: dict) -> Event:
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "type": type_, "created": now.isoformat(), "data": data}
    # Dates, decimals and the like as JSON text once, so that every retry sends the same bytes.
    payload = json.loads(json.dumps(payload, default=str))
    return Event(uuid=event_id, type=type_, object_key=key, organization_id=organization_id, created_at=now,
                 payload=payload)


def emit(type_: str, obj, *, organization) -> list[Delivery]:
    """The event `type_` about obj, for organization (an Organization, its id, or None) and the district."""
    organization_id = getattr(organization, "pk", organization)
    return emit_each(type_, [obj], lambda _obj: organization_id)


# (id, organization id) of the active subscriptions to an event: read by every write that emits one.
SUBSCRIBED = PreparedRows(lambda type_: Subscription.objects.filter(active=True, events__contains=[type_])
                          .values_list("pk", "organization_id"), "type_", probes=("zw-probe-a", "zw-probe-b"))


def emit_each(type_: str, objects, organization_of) -> list[Delivery]:
    """The event for each of objects (a queryset or a list), for the organization organization_of(object)
    gives (an id or None) and the district. A queryset is read only when someone subscribes to the event:
    one query when nobody does (approving 35,000 claims once read them all here, for nothing); otherwise
    one insert of events and one of deliveries, queued after the commit. Call it inside the service's
    transaction."""
    if type_ not in EventType.values:
        raise KeyError(f"Unknown webhook event {type_!r}: add it to zhangwan.api.models.EventType")
    if isinstance(objects, list | tuple) and not objects:
        return []  # no object, no event: not even the query (a registration emits "confirmed" or "waitlisted")
    subscriptions = SUBSCRIBED.rows(type_=type_)
    if not subscriptions:
        return []
    now = timezone.now()
    events = []
    for obj in objects:
        org = organization_of(obj)
        if any(sub_org in (None, org) for _pk, sub_org in subscriptions):
            events.append(make_event(type_, object_key(obj), org, now, DATA[obj._meta.label_lower](obj)))
    Event.objects.bulk_create(events)
    deliveries = Delivery.objects.bulk_create([
        Delivery(subscription_id=pk, event=event, object_key=event.object_key, next_attempt_at=now,
                 created_at=now, updated_at=now)
        for event in events for pk, sub_org in subscriptions if sub_org in (None, event.organization_id)])
    # Only the first delivery of each object and subscription now: each one's end queues the next.
    first = {}
    for delivery in deliveries:
        first.setdefault((delivery.subscription_id, delivery.object_key), delivery.pk)
    _queue(first.values())
    return deliveries


def _queue(delivery_ids) -> None:
    from .tasks import deliver_webhook

    for pk in delivery_ids:
        deliver_webhook.delay_on_commit(pk)


# Delivering ------------------------------------------------------------------------------------------

def _older_undone():
    return Delivery.objects.filter(subscription_id=OuterRef("subscription_id"), object_key=OuterRef("object_key"),
                                   event_id__lt=OuterRef("event_id")).exclude(status__in=Delivery.DONE)


def _heads(deliveries) -> list[int]:
    """Of these undone deliveries, those no older delivery of the same object and subscription waits before."""
    return list(deliveries.filter(~Exists(_older_undone())).order_by("event_id").values_list("pk", flat=True))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _post(subscription: Subscription, event: Event) -> tuple[int | None, int, str]:
    """(status code or None, milliseconds, the answer's first characters or the error)."""
    body = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Webhook-Id": str(event.uuid),
               "Webhook-Timestamp": timestamp,
               "Webhook-Signature": f"v1={signature(subscription.secret, timestamp, body)}"}
    started = time.monotonic()
    try:
        check_url(subscription.url)  # again: the name may point elsewhere since it was checked
        with requests.post(subscription.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False,
                           stream=True) as response:
            excerpt = response.raw.read(EXCERPT * 4, decode_content=True).decode("utf-8", "replace")
            return response.status_code, _ms(started), excerpt[:EXCERPT]
    except (requests.RequestException, WebhookError, OSError) as error:
        return None, _ms(started), f"{type(error).__name__}: {error}"[:EXCERPT]


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def deliver(delivery_id: int, *, now=None) -> str | None:
    """Post one delivery if it is due and its turn: the new status, or None when it was not sent (done,
    not due, waiting for an older one, its subscription disabled, or being sent by another worker)."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("event", "subscription").filter(pk=delivery_id).first())
        if delivery is None or delivery.is_done or not delivery.subscription.active:
            return None
        now = now or timezone.now()
        if (delivery.next_attempt_at and delivery.next_attempt_at > now) or \
                Delivery.objects.filter(pk=delivery.pk).filter(Exists(_older_undone())).exists():
            return None
        code, ms, excerpt = _post(delivery.subscription, delivery.event)
        _record(delivery, code, ms, excerpt, now)
        if delivery.is_done:
            later = Delivery.objects.filter(subscription_id=delivery.subscription_id, object_key=delivery.object_key,
                                            event_id__gt=delivery.event_id).exclude(status__in=Delivery.DONE)
            _queue(later.order_by("event_id").values_list("pk", flat=True)[:1])
        return delivery.status


def _record(delivery: Delivery, code, ms, excerpt, now) -> None:
    delivery.attempts += 1
    delivery.status_code, delivery.response_ms, delivery.response_excerpt = code, ms, excerpt
    delivery.last_attempt_at = delivery.updated_at = now
    subscription = delivery.subscription
    if code is not None and 200 <= code < 300:
        DELIVERY_STATUS.assign(delivery, Delivery.Status.SUCCEEDED)
        delivery.next_attempt_at = None
        Subscription.objects.filter(pk=subscription.pk, consecutive_failures__gt=0).update(consecutive_failures=0)
    else:
        deadline = delivery.created_at + GIVE_UP_AFTER
        if now >= deadline:
            DELIVERY_STATUS.assign(delivery, Delivery.Status.GIVEN_UP)
            delivery.next_attempt_at = None
        else:
            wait = BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
            DELIVERY_STATUS.assign(delivery, Delivery.Status.FAILED)
            delivery.next_attempt_at = min(now + wait, deadline)
        _count_failure(subscription, now)
    delivery.save(update_fields=["attempts", "status", "status_code", "response_ms", "response_excerpt",
                                 "last_attempt_at", "updated_at", "next_attempt_at"])


def _count_failure(subscription: Subscription, now) -> None:
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    subscription.consecutive_failures += 1
    fields = ["consecutive_failures"]
    if subscription.active and subscription.consecutive_failures >= DISABLE_AFTER:
        subscription.active, subscription.disabled_at = False, now
        subscription.disabled_reason = f"{subscription.consecutive_failures} failed attempts in a row"
        save_with_history(subscription, user=None, reason="webhook.disabled",
                          update_fields=[*fields, "active", "disabled_at", "disabled_reason"])
        from django.urls import reverse

        tell([subscription.created_by], "webhook.disabled", url=reverse("api:webhook_detail", args=[subscription.pk]),
             address=subscription.url, failures=subscription.consecutive_failures)
    else:
        subscription.save(update_fields=fields)


def deliver_due(*, now=None) -> int:
    """Send what is due (periodic): retries whose time has come and deliveries whose message was lost,
    each in its turn. Safe to run twice: a sent delivery is done, one being sent is skipped."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
                                  next_attempt_at__lte=now, subscription__active=True)
    sent = 0
    for pk in _heads(due)[:DUE_BATCH]:
        sent += deliver(pk, now=now) is not None
    return sent


# The delivery log shows a month; older finished deliveries, and events no delivery points to, go.
LOG_KEPT_FOR = timedelta(days=30)


def purge_log(*, now=None) -> int:
    """Forget finished deliveries older than LOG_KEPT_FOR and the events left without one (periodic)."""
    now = now or timezone.now()
    deleted, _by_model = Delivery.objects.filter(status__in=Delivery.DONE, updated_at__lt=now - LOG_KEPT_FOR).delete()
    Event.objects.filter(created_at__lt=now - LOG_KEPT_FOR).filter(~Exists(
        Delivery.objects.filter(event_id=OuterRef("pk")))).delete()
    return deleted
