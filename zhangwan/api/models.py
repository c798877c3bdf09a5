"""Credentials of the API (docs/api.md): tokens per integration, the calls they made, and the answers
kept for an Idempotency-Key."""

import hashlib
import ipaddress

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhangwan.registry.models import Organization


class Scope(models.TextChoices):
    READ_ROSTER = "roster.read", _("Read the roster")
    WRITE_ROSTER = "roster.write", _("Write the roster")
    ENROLLMENTS = "enrollments", _("Class enrollments")
    ENTRIES = "entries", _("Competition entries")
    RESULTS = "results", _("Competition results")
    CERTIFICATES = "certificates", _("Certificates")
    SUBSIDIES = "subsidies", _("Subsidies")


def key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)


class ApiToken(models.Model):
    """One integration's credential. The secret is shown once; only its SHA-256 is kept, found by
    its visible prefix. Organization empty: a union officer's district-wide token."""

    PREFIX_LENGTH = 8

    name = models.CharField(_("name"), max_length=100)
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="api_tokens",
                                     help_text=_("Empty: the whole district (union officers)."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="api_tokens")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    scopes = ArrayField(models.CharField(max_length=20, choices=Scope.choices), verbose_name=_("scopes"))
    networks = ArrayField(models.CharField(max_length=43), verbose_name=_("allowed networks"), default=list,
                          blank=True, help_text=_("Empty: any address."))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), on_delete=models.PROTECT,
                                   null=True, blank=True, editable=False, related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)

    objects = ApiTokenQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(scopes=[]), name="apitoken_has_a_scope"),
            models.CheckConstraint(condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="apitoken_key_hash_sha256"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def district_wide(self) -> bool:
        return self.organization_id is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def allows_address(self, address: str) -> bool:
        if not self.networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(network, strict=False) for network in self.networks)

    def scope_labels(self) -> str:
        labels = dict(Scope.choices)
        return ", ".join(str(labels.get(s, s)) for s in self.scopes)


class ApiCall(models.Model):
    """One request a token made: who (the token and its maker), what, when, from where, the answer.
    Kept with history so that it reads in the auditor's activity log."""

    token = models.ForeignKey(ApiToken, verbose_name=_("API token"), on_delete=models.CASCADE, related_name="calls")
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("answer"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["token", "-at"])]

    def __str__(self):
        return f"{self.method} {self.path} → {self.status}"


class IdempotentRequest(models.Model):
    """The first answer to a write sent with an Idempotency-Key, replayed for the same key and body."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField()
    body = models.TextField()  # the answer's JSON as text: replayed with its keys in their first order
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once_per_token")]

    def __str__(self):
        return self.key


# Webhooks (zhangwan/api/webhooks.py) ----------------------------------------------------------------

class EventType(models.TextChoices):
    ENROLLMENT_CONFIRMED = "enrollment.confirmed", _("Enrollment confirmed")
    ENROLLMENT_WAITLISTED = "enrollment.waitlisted", _("Enrollment on the waiting list")
    ENROLLMENT_PROMOTED = "enrollment.promoted", _("Enrollment promoted from the waiting list")
    ENROLLMENT_CANCELLED = "enrollment.cancelled", _("Enrollment cancelled")
    RESULT_PUBLISHED = "result.published", _("Result published")
    RESULT_CORRECTED = "result.corrected", _("Result corrected")
    CERTIFICATE_ISSUED = "certificate.issued", _("Certificate issued")
    CERTIFICATE_REVOKED = "certificate.revoked", _("Certificate revoked")
    CLAIM_APPROVED = "claim.approved", _("Subsidy claim approved")
    CLAIM_PAID = "claim.paid", _("Subsidy claim paid")
    NOMINATION_STATUS = "nomination.status", _("Nomination status changed")
    TEST = "test", _("Test event")


class Subscription(models.Model):
    """Where an integration wants events sent: an organization's (a liaison's) or, organization empty, a
    union officer's district-wide one. The secret signs every delivery; it is shown once, at creation."""

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="webhook_subscriptions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="webhook_subscriptions")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    url = models.URLField(_("URL"), max_length=500)
    events = ArrayField(models.CharField(max_length=30, choices=EventType.choices), verbose_name=_("events"))
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["secret", "consecutive_failures"])

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(events=[]), name="subscription_has_an_event")]

    def __str__(self):
        return self.url

    def event_labels(self) -> str:
        labels = dict(EventType.choices)
        return ", ".join(str(labels.get(e, e)) for e in self.events)


class Event(models.Model):
    """Something that happened to an object, as sent to the subscriptions: the payload is fixed when
    the event is made, so a retry sends the same body."""

    uuid = models.UUIDField(unique=True, editable=False)
    type = models.CharField(_("event"), max_length=30, choices=EventType.choices)
    object_key = models.CharField(max_length=60)  # "training.enrollment:12": deliveries of one object go in order
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    payload = models.JSONField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.type} {self.object_key}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        FAILED = "failed", _("Failed, will retry")
        SUCCEEDED = "succeeded", _("Delivered")
        GIVEN_UP = "given_up", _("Given up")

    DONE = (Status.SUCCEEDED, Status.GIVEN_UP)

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    object_key = models.CharField(max_length=60)  # the event's, beside the subscription for the order index
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    response_excerpt = models.CharField(_("answer excerpt"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="delivery_once_per_event")]
        indexes = [models.Index(fields=["subscription", "object_key", "event"], name="delivery_object_order"),
                   models.Index(fields=["next_attempt_at"], condition=Q(status__in=["pending", "failed"]),
                                name="delivery_due")]

    def __str__(self):
        return f"{self.event} → {self.subscription}"

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE
