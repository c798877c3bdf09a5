"""Certification: assessment bodies and sessions, applications, eligibility rules as data,
certificates with gapless numbers, and grants earned through competitions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from zhangwan.certificate_numbers import CERTIFICATE_PREFIX, certificate_prefix_field, prefix_is_letters
from zhangwan.registry.models import Organization, SkillLevel, Trade, Worker

SCORE = {"max_digits": 5, "decimal_places": 1}
PASS_MARK = 60  # the default of a session's pass mark (each part scored 0–100)
class AssessmentBody(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="assessment_bodies")
    registration_code = models.CharField(_("registration code"), max_length=50, blank=True)
    certificate_prefix = certificate_prefix_field(
        _("The body's certificates are numbered prefix + year + six digits, e.g. ZW2026000001; "
          "bodies with the same prefix share its numbers."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment body")
        verbose_name_plural = _("assessment bodies")
        ordering = ["name"]
        constraints = [prefix_is_letters("body_certificate_prefix_letters")]

    def __str__(self):
        return self.name


class Accreditation(models.Model):
    body = models.ForeignKey(AssessmentBody, verbose_name=_("assessment body"), on_delete=models.CASCADE,
                             related_name="accreditations")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT)
    level = models.IntegerField(_("level"), choices=SkillLevel.choices)

    class Meta:
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        constraints = [models.UniqueConstraint(fields=["body", "trade", "level"], name="accreditation_unique")]

    def __str__(self):
        return f"{self.trade} {self.get_level_display()}"


class EligibilityRule(models.Model):
    """One way to become eligible for a level, as data the officer edits. A worker is eligible when
    any active rule for the level passes; rules for the applicant's trade replace the general ones."""

    level = models.IntegerField(_("level"), choices=SkillLevel.choices)
    trade = models.ForeignKey(Trade, verbose_name=_("only for trade"), on_delete=models.CASCADE, null=True,
                              blank=True, help_text=_("Empty: the general rule for every trade."))
    name = models.CharField(_("name"), max_length=200)
    min_trade_years = models.PositiveSmallIntegerField(_("years in the trade at least"), null=True, blank=True)
    previous_level = models.IntegerField(_("certificate held"), choices=SkillLevel.choices, null=True, blank=True)
    previous_held_years = models.PositiveSmallIntegerField(_("held for years at least"), null=True, blank=True)
    min_education = models.CharField(_("education at least"), max_length=20, choices=Worker.Education.choices,
                                     blank=True)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        ordering = ["-level", "trade", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(previous_level__isnull=True) | Q(previous_level__gt=F("level")),
                                   name="rule_previous_level_is_lower"),
            models.CheckConstraint(condition=Q(min_trade_years__isnull=False) | Q(previous_level__isnull=False)
                                   | ~Q(min_education=""), name="rule_requires_something"),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.name}"


class AssessmentSession(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open for applications")
        CLOSED = "closed", _("Applications closed")
        ASSESSED = "assessed", _("Assessed")

    body = models.ForeignKey(AssessmentBody, verbose_name=_("assessment body"), on_delete=models.PROTECT,
                             related_name="sessions")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT)
    level = models.IntegerField(_("level"), choices=SkillLevel.choices)
    date = models.DateField(_("assessment date"))
    venue = models.CharField(_("assessment venue"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"), default=PASS_MARK,
                                                 help_text=_("Each part scored must reach it (0–100)."))
    applications_open = models.DateTimeField(_("applications open"))
    applications_close = models.DateTimeField(_("applications close"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    admitted_count = models.PositiveIntegerField(_("admitted"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment session")
        verbose_name_plural = _("assessment sessions")
        ordering = ["-date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="session_capacity_positive"),
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="session_pass_mark_range"),
            models.CheckConstraint(condition=Q(admitted_count__lte=F("capacity")), name="session_never_overfull"),
            models.CheckConstraint(condition=Q(applications_close__gt=F("applications_open")),
                                   name="session_window_ordered"),
        ]

    def __str__(self):
        return f"{self.trade} {self.get_level_display()} {self.date}"

    def window_open(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.applications_open <= now < self.applications_close

    @property
    def is_open(self) -> bool:
        """Open for applications by status (the closing date may still have passed: window_open)."""
        return self.status == self.Status.OPEN

    @property
    def needs_review(self):
        """Technician levels and above are also reviewed (a review score)."""
        return self.level <= SkillLevel.TECHNICIAN


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")
        ADMITTED = "admitted", _("Admitted")
        ASSESSED = "assessed", _("Assessed")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", pgettext_lazy("application", "Withdrawn")

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="certification_applications")
    session = models.ForeignKey(AssessmentSession, verbose_name=_("assessment session"), on_delete=models.PROTECT,
                                related_name="applications")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED,
                              editable=False)
    # Why eligible or not: a list of {"code": …, "params": {…}}, rendered in the reader's language.
    reasons = models.JSONField(_("reasons"), default=list, blank=True, editable=False)
    theory_score = models.DecimalField(_("theory score"), **SCORE, null=True, blank=True)
    practical_score = models.DecimalField(_("practical score"), **SCORE, null=True, blank=True)
    review_score = models.DecimalField(_("review score"), **SCORE, null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["session", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["worker", "session"], condition=~Q(status="withdrawn"),
                                    name="application_once_per_session"),
            *[models.CheckConstraint(condition=Q(**{f"{f}__isnull": True}) | (Q(**{f"{f}__gte": 0})
                                                                             & Q(**{f"{f}__lte": 100})),
                                     name=f"application_{f}_range")
              for f in ("theory_score", "practical_score", "review_score")],
        ]

    def __str__(self):
        return f"{self.worker.name} · {self.session}"

    @property
    def was_admitted(self) -> bool:
        return self.status in (self.Status.ADMITTED, self.Status.ASSESSED, self.Status.PASSED, self.Status.FAILED)


class CertificateCounter(models.Model):
    """The last number given under a prefix in a year; taken under a row lock, so the numbers of a
    series have no gaps."""

    prefix = models.CharField(_("prefix"), max_length=8, default=CERTIFICATE_PREFIX)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="certificate_counter_series")]

    def __str__(self):
        return f"{self.prefix}{self.year}: {self.last}"


class Certificate(models.Model):
    class Source(models.TextChoices):
        ASSESSMENT = "assessment", _("Assessment")
        COMPETITION = "competition", _("Competition award")
        IMPORTED = "imported", _("Issued elsewhere")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    holder = models.ForeignKey(Worker, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT)
    level = models.IntegerField(_("level"), choices=SkillLevel.choices)
    issued_on = models.DateField(_("issued on"))
    body = models.ForeignKey(AssessmentBody, verbose_name=_("assessment body"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="certificates")
    issuer_name = models.CharField(_("issued by"), max_length=200, blank=True,
                                   help_text=_("For certificates issued elsewhere."))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    application = models.OneToOneField(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="certificate")
    competition_result = models.OneToOneField("competitions.Result", verbose_name=_("competition result"),
                                              on_delete=models.PROTECT, null=True, blank=True,
                                              related_name="certificate")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID,
                              editable=False)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-number"]
        indexes = [models.Index(fields=["holder", "trade", "level"])]
        constraints = [
            models.CheckConstraint(condition=Q(status="valid") | ~Q(revoked_reason=""),
                                   name="certificate_revocation_has_reason"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    @property
    def issuer(self) -> str:
        """Who issued it: the assessment body, or the issuer an imported certificate names."""
        return str(self.body) if self.body_id else self.issuer_name

    @property
    def masked_holder_name(self) -> str:
        """The holder's name for a public check: first and last character, the rest hidden (王*国, 李*)."""
        name = self.holder.name
        return name[0] + "*" if len(name) <= 2 else name[0] + "*" * (len(name) - 2) + name[-1]

    @property
    def is_revoked(self) -> bool:
        return self.status == self.Status.REVOKED


class EligibilityGrant(models.Model):
    """The right to apply one level up, earned by a competition award; used by the eligibility job."""

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.CASCADE,
                               related_name="eligibility_grants")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT)
    level = models.IntegerField(_("level"), choices=SkillLevel.choices)
    competition_result = models.OneToOneField("competitions.Result", verbose_name=_("competition result"),
                                              on_delete=models.PROTECT, related_name="eligibility_grant")
    granted_on = models.DateField(_("granted on"), default=timezone.localdate)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eligibility by competition")
        verbose_name_plural = _("eligibility by competition")
        constraints = [models.UniqueConstraint(fields=["worker", "trade", "level"], name="grant_once_per_level")]

    def __str__(self):
        return f"{self.worker.name} → {self.get_level_display()} {self.trade}"
