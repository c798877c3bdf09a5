"""Webhooks: a real receiver on 127.0.0.1 checks the signature of every delivery; retries after failures,
order per object, nothing sent for a rolled-back change, disabled after repeated failures, the pages."""

import datetime
import hashlib
import hmac
import http.server
import json
import threading

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from training import services
from training.tests.factories import open_class
from zhangwan.accounts.models import Notification
from zhangwan.api import webhooks
from zhangwan.api.models import Delivery, Event, Subscription
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.processes import serving

pytestmark = pytest.mark.django_db


class Receiver(http.server.ThreadingHTTPServer):
    """Records each request it is sent; answers with the next of `answers` (then 200)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.received, self.answers, self.secret = [], [], ""

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers["Webhook-Timestamp"]
        expected = hmac.new(self.server.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(self.headers["Webhook-Signature"], f"v1={expected}")
        self.server.received.append({"body": json.loads(body), "valid": valid, "id": self.headers["Webhook-Id"]})
        status = self.server.answers.pop(0) if self.server.answers else 200
        self.send_response(status if valid else 401)
        self.end_headers()
        self.wfile.write(b"ok" if status < 300 else b"broken " * 200)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with serving(Receiver()) as server:
        yield server


@pytest.fixture
def subscribe(liaison, receiver):
    def make(events=("enrollment.confirmed", "enrollment.waitlisted", "enrollment.promoted",
                     "enrollment.cancelled"), user=liaison):
        subscription, secret = webhooks.subscription_create(user=user, url=receiver.url, events=list(events))
        receiver.secret = secret
        return subscription

    return make


def later(**delta):
    return timezone.now() + datetime.timedelta(**delta)


def test_it_posts_a_signed_event_when_a_seat_is_confirmed(receiver, subscribe, organization, liaison,
                                                          django_capture_on_commit_callbacks):
    subscribe()
    cls, worker = open_class(capacity=1), WorkerFactory(employer=organization)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = services.enrollment_register(worker=worker, training_class=cls, user=liaison, channel="liaison")
    [request] = receiver.received
    assert request["valid"] and request["body"]["type"] == "enrollment.confirmed"
    assert request["id"] == request["body"]["id"] == str(Event.objects.get().uuid)
    data = request["body"]["data"]
    assert data["id"] == enrollment.pk and data["class"]["title"] == cls.title
    assert data["worker"]["id_number"] == worker.masked_id_number != worker.id_number
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("succeeded", 1, 200)
    assert delivery.response_excerpt == "ok" and delivery.response_ms is not None


def test_it_retries_after_two_failures_and_delivers_on_the_third_attempt(receiver, subscribe, organization,
                                                                        liaison, django_capture_on_commit_callbacks):
    subscribe()
    receiver.answers = [500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_register(worker=WorkerFactory(employer=organization), training_class=open_class(),
                                     user=liaison, channel="liaison")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("failed", 1, 500)
    assert len(delivery.response_excerpt) == 500
    assert webhooks.deliver_due(now=later(seconds=30)) == 0  # not due before its minute
    assert webhooks.deliver_due(now=later(minutes=2)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert webhooks.deliver_due(now=later(minutes=10)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("succeeded", 3, 200)
    assert len(receiver.received) == 3 and all(r["valid"] for r in receiver.received)
    assert len({r["id"] for r in receiver.received}) == 1  # the same event each time
    assert webhooks.deliver_due(now=later(hours=1)) == 0 and webhooks.deliver(delivery.pk) is None
    assert Subscription.objects.get().consecutive_failures == 0


def test_an_objects_events_arrive_in_their_order(receiver, subscribe, organization, liaison,
                                                 django_capture_on_commit_callbacks):
    subscribe()
    receiver.answers = [500]  # the first event fails: the second waits for it
    cls = open_class(capacity=1)
    first, second = WorkerFactory(employer=organization), WorkerFactory(employer=organization)
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.enrollment_register(worker=first, training_class=cls, user=liaison, channel="liaison")
        waiting = services.enrollment_register(worker=second, training_class=cls, user=liaison, channel="liaison")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_cancel(enrollment=seat, user=liaison)
    # The cancellation of the first seat waits behind its failed confirmation; the other worker's events go.
    assert [(r["body"]["type"], r["body"]["data"]["id"]) for r in receiver.received] == [
        ("enrollment.confirmed", seat.pk), ("enrollment.waitlisted", waiting.pk), ("enrollment.promoted", waiting.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.deliver_due(now=later(minutes=2))
    assert [(r["body"]["type"], r["body"]["data"]["id"]) for r in receiver.received[3:]] == [
        ("enrollment.confirmed", seat.pk), ("enrollment.cancelled", seat.pk)]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_a_rolled_back_change_sends_nothing(receiver, subscribe, organization, liaison,
                                            django_capture_on_commit_callbacks):
    subscribe()
    cls, worker = open_class(), WorkerFactory(employer=organization)
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),  # noqa: PT012
          transaction.atomic()):
        services.enrollment_register(worker=worker, training_class=cls, user=liaison, channel="liaison")
        raise RuntimeError
    assert not callbacks and not receiver.received
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_nobody_subscribed_reads_none_of_the_objects(organization, liaison, django_assert_num_queries):
    """Approving a quarter's claims or cancelling a class passes its queryset: with nobody subscribed it is
    not read (the demo's approvals once spent 28 s loading 35,000 claims for no event)."""
    from training.models import Enrollment
    from training.services import _emit as emit_enrollments
    from training.subsidies.models import Claim
    from training.subsidies.services import _emit as emit_claims

    services.enrollment_register(worker=WorkerFactory(employer=organization), training_class=open_class(),
                                 user=liaison, channel="liaison")
    with django_assert_num_queries(1):
        emit_enrollments("enrollment.cancelled", Enrollment.objects.select_related("worker"))
    with django_assert_num_queries(1):
        emit_claims("claim.approved", Claim.objects.all())
    with django_assert_num_queries(0):
        emit_enrollments("enrollment.waitlisted", [])


def test_nobody_subscribed_costs_one_query(organization, liaison, django_assert_num_queries):
    enrollment = services.enrollment_register(worker=WorkerFactory(employer=organization),
                                              training_class=open_class(), user=liaison, channel="liaison")
    with django_assert_num_queries(1):
        assert webhooks.emit("enrollment.confirmed", enrollment, organization=organization) == []


def test_another_organizations_events_are_not_sent(receiver, subscribe, other_organization, liaison, role_users):
    subscribe()
    district = subscribe(user=role_users["training_officer"])
    enrollment = services.enrollment_register(worker=WorkerFactory(employer=other_organization),
                                              training_class=open_class(), user=role_users["training_officer"],
                                              channel="staff")
    assert list(Delivery.objects.values_list("subscription", "event__object_key")) == [
        (district.pk, webhooks.object_key(enrollment))]


def test_repeated_failures_disable_the_subscription_and_tell_its_maker(receiver, subscribe, organization, liaison,
                                                                      django_capture_on_commit_callbacks):
    subscription = subscribe()
    receiver.answers = [500] * 20
    cls = open_class(capacity=20)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(webhooks.DISABLE_AFTER):
            services.enrollment_register(worker=WorkerFactory(employer=organization), training_class=cls,
                                         user=liaison, channel="liaison")
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_at is not None
    assert subscription.history.filter(history_change_reason="webhook.disabled").exists()
    [notice] = Notification.objects.filter(user=liaison, key="webhook.disabled")
    assert notice.params["address"] == receiver.url
    assert webhooks.deliver_due(now=later(hours=1)) == 0  # a disabled subscription is not sent to
    receiver.answers = []
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.subscription_enable(subscription=subscription, user=liaison)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_a_delivery_is_given_up_after_a_day(receiver, subscribe, organization, liaison,
                                            django_capture_on_commit_callbacks):
    subscribe()
    receiver.answers = [500] * 20
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_register(worker=WorkerFactory(employer=organization), training_class=open_class(),
                                     user=liaison, channel="liaison")
    for minutes in (2, 10, 45, 3 * 60, 9 * 60, 21 * 60, 24 * 60 + 1):
        webhooks.deliver_due(now=later(minutes=minutes))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("given_up", 8)


@pytest.mark.parametrize("url", ["http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook",
                                 "https://localhost/hook", "https://[::1]/hook", "https://169.254.169.254/latest",
                                 "ftp://example.com/x"])
def test_it_refuses_local_private_and_plain_http_addresses(liaison, url):
    with pytest.raises(webhooks.WebhookError):
        webhooks.subscription_create(user=liaison, url=url, events=["enrollment.confirmed"])
    assert not Subscription.objects.exists()


def test_the_page_shows_the_secret_once(client, liaison, receiver):
    client.force_login(liaison)
    response = client.post(reverse("api:webhook_new"), {"url": receiver.url, "events": ["certificate.issued"]})
    secret = response.context["secret"]
    subscription = Subscription.objects.get()
    assert secret.encode() in response.content and response["Cache-Control"] == "no-store"
    assert subscription.secret == secret and subscription.organization == liaison.organization
    for name in ("api:webhook_detail",):
        assert secret.encode() not in client.get(reverse(name, args=[subscription.pk])).content
    assert secret.encode() not in client.get(reverse("api:webhooks")).content


def test_the_page_refuses_a_private_address(client, liaison):
    client.force_login(liaison)
    response = client.post(reverse("api:webhook_new"), {"url": "https://192.168.1.10/x", "events": ["claim.paid"]},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and b"private address" in response.content
    assert not Subscription.objects.exists()


def test_another_organizations_subscription_is_not_found(client, role_users, subscribe):
    subscription = subscribe(user=role_users["training_officer"])
    client.force_login(role_users["liaison"])
    for name in ("api:webhook_detail",):
        assert client.get(reverse(name, args=[subscription.pk])).status_code == 404
    for name in ("api:webhook_test", "api:webhook_enable", "api:webhook_delete"):
        assert client.post(reverse(name, args=[subscription.pk])).status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_test_button_sends_a_test_event(client, liaison, receiver, subscribe, django_capture_on_commit_callbacks):
    subscription = subscribe()
    client.force_login(liaison)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("api:webhook_test", args=[subscription.pk]))
    [request] = receiver.received
    assert request["valid"] and request["body"]["type"] == "test"


def test_deleting_stops_the_deliveries(client, liaison, subscribe):
    subscription = subscribe()
    client.force_login(liaison)
    response = client.post(reverse("api:webhook_delete", args=[subscription.pk]))
    assert response.status_code == 302 and not Subscription.objects.exists()
    assert subscription.history.filter(history_change_reason="webhook.deleted").exists()


def _deliveries(subscription, count):
    events = Event.objects.bulk_create([
        webhooks.make_event("test", f"test:{i}", None, timezone.now(), {"n": i}) for i in range(count)])
    Delivery.objects.bulk_create([Delivery(subscription=subscription, event=e, object_key=e.object_key,
                                           status="failed", attempts=2, status_code=500) for e in events])


def test_the_delivery_log_takes_the_same_queries_for_2_or_20(client, liaison, subscribe):
    subscription = subscribe()
    client.force_login(liaison)
    url = reverse("api:webhook_detail", args=[subscription.pk])
    counts = []
    for n in (2, 18):
        _deliveries(subscription, n)
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _sent(type_):
    return [d.event.payload["data"] for d in Delivery.objects.filter(event__type=type_).select_related("event")]


def test_approving_a_claim_emits_claim_approved(subscribe, role_users, organization):
    from training.subsidies import services as subsidies
    from training.subsidies.tests.factories import claim, policy

    subscribe(events=["claim.approved"])
    pending = claim(policy=policy(), worker=WorkerFactory(employer=organization), status="pending")
    subsidies.claims_approve(claims=pending.__class__.objects.all(), user=role_users["training_officer"])
    [data] = _sent("claim.approved")
    assert (data["id"], data["status"], data["amount"]) == (pending.pk, "approved", "1500.00")


def test_revoking_a_certificate_emits_certificate_revoked(subscribe, organization):
    from certification import services as certification
    from certification.models import Certificate
    from zhangwan.registry.tests.factories import trade

    subscribe(events=["certificate.revoked"])
    certificate = Certificate.objects.create(number="F1", holder=WorkerFactory(employer=organization), trade=trade(),
                                             level=4, issued_on=datetime.date(2024, 1, 1), source="imported")
    certification.certificate_revoke(certificate=certificate, reason="造假", user=None)
    [data] = _sent("certificate.revoked")
    assert (data["number"], data["status"]) == ("F1", "revoked")


def test_a_nomination_status_change_is_emitted(subscribe, role_users, organization):
    from masters.services import lifecycle
    from masters.tests.factories import nomination, qualified_worker, selection_round

    subscribe(events=["nomination.status"])
    n = nomination(selection_round(), worker=qualified_worker(employer=organization))
    lifecycle.nomination_transition(nomination=n, to="withdrawn", user=role_users["masters_officer"],
                                    reason="status")
    [data] = _sent("nomination.status")
    assert (data["id"], data["status"]) == (n.pk, "withdrawn")


def test_the_excel_exports_list_the_webhooks_and_deliveries(client, liaison, subscribe):
    subscription = subscribe()
    _deliveries(subscription, 3)
    client.force_login(liaison)
    for url in (reverse("api:webhooks"), reverse("api:webhook_detail", args=[subscription.pk])):
        response = client.get(url, {"format": "xlsx"})
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


@pytest.mark.django_db(transaction=True)
def test_a_delivery_being_sent_by_another_worker_is_skipped(receiver, subscribe):
    subscription = subscribe()
    _deliveries(subscription, 1)
    delivery = Delivery.objects.get()
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Delivery.objects.select_for_update().get(pk=delivery.pk)
            locked.set()
            release.wait(5)
        from django.db import connection

        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(5)
    assert webhooks.deliver(delivery.pk, now=later(minutes=5)) is None  # skipped, not waited for
    release.set()
    thread.join()
    assert webhooks.deliver(delivery.pk, now=later(minutes=5)) == "succeeded"
    assert webhooks.deliver(delivery.pk, now=later(minutes=10)) is None and len(receiver.received) == 1


def test_finished_deliveries_are_forgotten_after_a_month(subscribe):
    subscription = subscribe()
    _deliveries(subscription, 2)
    done, waiting = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=done.pk).update(status="succeeded")
    assert webhooks.purge_log(now=later(days=29)) == 0
    assert webhooks.purge_log(now=later(days=31)) == 1 and webhooks.purge_log(now=later(days=31)) == 0
    assert list(Delivery.objects.all()) == [waiting] and Event.objects.count() == 1


def test_recording_a_payment_emits_claim_paid_for_each_claim(subscribe, role_users, organization):
    from training.subsidies import services as subsidies
    from training.subsidies.tests.factories import approved_batch, claim, policy

    subscribe(events=["claim.paid"])
    skill = policy()
    claims = [claim(policy=skill, worker=WorkerFactory(employer=organization)) for _ in range(2)]
    batch = approved_batch(claims, made_by=role_users["finance_officer"], approved_by=role_users["training_officer"])
    subsidies.payment_record(batch=batch, user=role_users["finance_officer"], paid_on=timezone.localdate(),
                             reference="B1")
    assert sorted((d["id"], d["batch"]) for d in _sent("claim.paid")) == [(c.pk, batch.pk) for c in claims]
