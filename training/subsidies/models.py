"""Subsidies: policies as data, claims computed by the engine (engine.py), review, disbursement
batches and payments. Money is Decimal yuan with two places; every change keeps its history."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from certification.models import Certificate
from training.models import Enrollment
from zhangwan.progress import ProgressStatus
from zhangwan.registry.models import Organization, SkillLevel, Trade, Worker
from zhangwan.registry.validators import mask_bank_account

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


class Kind(models.TextChoices):
    SKILL = "skill", _("Skill-improvement subsidy")
    TRAINING = "training", _("Training subsidy")
    LIVING = "living", _("Living-expense subsidy")


class Policy(models.Model):
    """One subsidy rule for a period: what it pays for, how much (its rates) and the budget.
    Policies of one kind never overlap in time, so every source falls under one policy at most."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    basis = models.CharField(_("legal basis"), max_length=200, blank=True,
                             help_text=_("The notice the policy implements, e.g. 人社部发〔2017〕40号."))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    budget = models.DecimalField(_("budget (yuan)"), **MONEY)
    committed = models.DecimalField(_("committed (yuan)"), default=ZERO, editable=False, **MONEY,
                                    help_text=_("Total of the approved disbursement batches."))
    paid = models.DecimalField(_("paid (yuan)"), default=ZERO, editable=False, **MONEY)
    # Skill-improvement subsidy
    min_insured_months = models.PositiveSmallIntegerField(
        _("insured for months at least"), default=12,
        help_text=_("Months of unemployment insurance before the certificate was issued."))
    insured_continuously = models.BooleanField(
        _("insured months without a break"), default=False,
        help_text=_("Count the months in one unbroken insured period up to the issue date; otherwise every "
                    "insured period before it adds up."))
    # 人社部发〔2017〕40号: one skill-improvement subsidy a person a year; up to two more for
    # certificates in occupations on the shortage list (ShortageOccupation) valid at the issue date.
    max_per_year = models.PositiveSmallIntegerField(
        _("claims a person a year at most"), default=1,
        help_text=_("Skill-improvement subsidies a person may receive in a year for any occupation."))
    shortage_extra_per_year = models.PositiveSmallIntegerField(
        _("more claims a year for shortage occupations"), default=2,
        help_text=_("Further subsidies a person may receive in the same year for occupations on the shortage "
                    "list."))
    claim_window_months = models.PositiveSmallIntegerField(
        _("claimed within months of the certificate"), default=12)
    # Training subsidy
    min_attendance_percent = models.PositiveSmallIntegerField(_("attendance at least (%)"), default=80)
    requires_certificate = models.BooleanField(
        _("trainee must be certified"), default=False,
        help_text=_("Pay only trainees who obtain a certificate in the class's trade after the class."))
    certificate_within_days = models.PositiveSmallIntegerField(
        _("certificate within days of the class end"), default=180)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("subsidy policy")
        verbose_name_plural = _("subsidy policies")
        ordering = ["-valid_from", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="policy_period_valid"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="policy_budget_not_negative"),
            models.CheckConstraint(condition=Q(committed__gte=0) & Q(committed__lte=F("budget")),
                                   name="policy_committed_within_budget"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(paid__lte=F("committed")),
                                   name="policy_paid_within_committed"),
            models.CheckConstraint(condition=Q(min_attendance_percent__lte=100), name="policy_attendance_percent"),
            ExclusionConstraint(
                name="policy_periods_do_not_overlap",
                expressions=[("kind", RangeOperators.EQUAL),
                             (DateRange("valid_from", "valid_to", RangeBoundary()), RangeOperators.OVERLAPS)],
                violation_error_message=_("Another policy of this kind already covers part of this period."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def remaining(self):
        return self.budget - self.committed

    def clean(self):
        """The budget never falls below the money already committed (the admin and the budget form
        both say so with the amount; the database refuses it too, policy_committed_within_budget)."""
        super().clean()
        if self.pk and self.budget is not None and self.budget < self.committed:
            raise ValidationError({"budget": budget_below_committed(self)})


def budget_below_committed(policy) -> str:
    return _("The budget cannot be less than the ¥%(committed)s already committed by approved batches "
             "(net of reversals).") % {"committed": f"{policy.committed:,.2f}"}


class Rate(models.Model):
    """An amount the policy pays: per certificate (skill), per trainee (training) or per attended
    day (living). The most specific rate wins: trade and level, then level, then trade, then any."""

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="rates")
    level = models.IntegerField(_("level"), choices=SkillLevel.choices, null=True, blank=True,
                                help_text=_("Certificate level (skill) or the course's target level (training)."))
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, null=True, blank=True,
                              help_text=_("Only for this trade, e.g. an occupation on the shortage list."))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["policy", "level", "trade"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rate_amount_positive"),
            models.UniqueConstraint(fields=["policy", "level", "trade"], nulls_distinct=False, name="rate_unique"),
        ]

    def __str__(self):
        return f"{self.get_level_display() if self.level is not None else ''} {self.trade or ''} ¥{self.amount}".strip()


class InsuredPeriod(models.Model):
    """A period the worker paid unemployment insurance, as the social-insurance office lists it
    (import.py); no end while the worker still pays. A worker's periods never overlap."""

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.CASCADE,
                               related_name="insured_periods")
    start = models.DateField(_("insured from"))
    end = models.DateField(_("insured to"), null=True, blank=True, help_text=_("Empty while the worker still pays."))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("insured period")
        verbose_name_plural = _("insured periods")
        ordering = ["worker", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                                   name="insured_period_valid"),
            ExclusionConstraint(
                name="insured_periods_do_not_overlap",
                expressions=[("worker", RangeOperators.EQUAL),
                             (DateRange("start", "end", RangeBoundary(inclusive_upper=True)),
                              RangeOperators.OVERLAPS)],
                violation_error_message=_("The worker's insured periods overlap."),
            ),
        ]

    def __str__(self):
        return f"{self.start} – {self.end or ''}"


class ShortageOccupation(models.Model):
    """An occupation and level on the shortage list (紧缺职业目录) for a period, as the document that
    lists it says: certificates in it issued in the period may receive more skill-improvement
    subsidies a year (Policy.shortage_extra_per_year). The training officer keeps the list."""

    trade = models.ForeignKey(Trade, verbose_name=_("occupation"), on_delete=models.PROTECT,
                              related_name="shortage_entries")
    level = models.IntegerField(_("level"), choices=SkillLevel.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    source = models.CharField(_("source document"), max_length=200,
                              help_text=_("The list's document, e.g. its number and title."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shortage occupation")
        verbose_name_plural = _("shortage list")
        ordering = ["-valid_from", "trade__code", "level"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="shortage_period_valid"),
            models.UniqueConstraint(fields=["trade", "level", "valid_from"], name="shortage_unique_start"),
        ]

    def __str__(self):
        return f"{self.trade} {self.get_level_display()} {self.valid_from} – {self.valid_to}"


class Application(models.Model):
    """A worker's application for the skill-improvement subsidy on one certificate, made by the
    worker in the browser, by the organization's liaison or by staff for a list. Its date is the
    claim date: the claim window is measured to it (engine.py), whenever staff run the engine."""

    class Channel(models.TextChoices):
        WORKER = "worker", _("By the worker")
        LIAISON = "liaison", _("By the liaison")
        STAFF = "staff", _("By staff")

    certificate = models.OneToOneField(Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT,
                                       related_name="subsidy_application")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="subsidy_applications")
    applied_on = models.DateField(_("applied on"), default=timezone.localdate)
    channel = models.CharField(_("made"), max_length=10, choices=Channel.choices)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        ordering = ["-applied_on", "-pk"]

    def __str__(self):
        return f"{self.certificate.number} {self.applied_on}"


class Run(ProgressStatus, models.Model):
    """One computation of claims for a period, done by a Celery job in steps (one per policy and
    month) so its progress can be watched."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("computation", "Failed")

    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    claimed_on = models.DateField(_("claim date"), default=timezone.localdate,
                                  help_text=_("The date the claims are made; the 12-month limit counts to it."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              editable=False)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0, editable=False)
    steps_total = models.PositiveIntegerField(_("steps"), default=0, editable=False)
    claims_created = models.PositiveIntegerField(_("claims created"), default=0, editable=False)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("claim computation")
        verbose_name_plural = _("claim computations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="run_period_valid"),
            models.CheckConstraint(condition=Q(steps_done__lte=F("steps_total")), name="run_steps_within_total"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.period_start} – {self.period_end}"

    @property
    def percent(self):
        return 100 if self.status == self.Status.DONE else int(100 * self.steps_done / (self.steps_total or 1))


class ClaimQuerySet(models.QuerySet):
    def granted(self):
        """Claims that count: awaiting review or approved, and not reversed."""
        return self.filter(status__in=[Claim.Status.PENDING, Claim.Status.APPROVED], reversal__isnull=True,
                           reverses__isnull=True)

    def payable(self):
        return self.filter(status=Claim.Status.APPROVED, batch__isnull=True, reverses__isnull=True,
                           reversal__isnull=True, amount__gt=0)

    def waiting_for_bank_details(self):
        """Approved claims no batch can take because the worker has no bank account on record."""
        return self.payable().filter(worker__bank_account="")

    def to_recover(self):
        """Reversals of paid claims whose money has not come back yet: in no recovery batch, or in
        one not yet paid back, and not marked as recovered."""
        return (self.filter(reverses__batch__status=Batch.Status.PAID, recovered_on__isnull=True)
                .exclude(batch__status=Batch.Status.PAID))

    def recoverable(self):
        """Reversals a recovery batch may take, or finance may mark as recovered: outstanding and in
        no batch."""
        return self.to_recover().filter(batch__isnull=True)


class Claim(models.Model):
    """What one worker may receive under one policy for one source (a certificate or an
    enrollment). Never twice for the same policy and source; never edited once approved: a
    correction is a reversal, a claim with the opposite amount that points to the one it reverses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        INELIGIBLE = "ineligible", _("Not eligible")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Refused by the officer")

    # No index of its own: the unique keys (policy, certificate) and (policy, enrollment) lead with
    # it, and a bare policy index tempts the planner away from them in the engine's lookups.
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="claims",
                               db_index=False)
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="claims")
    certificate = models.ForeignKey(Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="subsidy_claims")
    enrollment = models.ForeignKey(Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="subsidy_claims")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, null=True, blank=True)
    level = models.IntegerField(_("level"), choices=SkillLevel.choices, null=True, blank=True)
    rate = models.ForeignKey(Rate, verbose_name=_("rate"), on_delete=models.PROTECT, null=True, blank=True)
    quantity = models.PositiveIntegerField(_("attended days"), null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, editable=False)
    # Codes of the rules that refused it (see rules.py for the words).
    reasons = ArrayField(models.CharField(max_length=30), verbose_name=_("reasons"), default=list, blank=True)
    claimed_on = models.DateField(_("claim date"))
    run = models.ForeignKey(Run, verbose_name=_("computed by"), on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="claims")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("reason"), max_length=300, blank=True)
    batch = models.ForeignKey("Batch", verbose_name=_("disbursement batch"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="claims")
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="reversal")
    # The payee as the worker's record stood when the claim entered its batch (services.batch_create):
    # what finance approved and the bank file pays, whatever the worker changes afterwards.
    payee_name = models.CharField(_("payee"), max_length=50, blank=True, editable=False)
    payee_bank_name = models.CharField(_("payee's bank"), max_length=100, blank=True, editable=False)
    payee_bank_account = models.CharField(_("payee's bank account number"), max_length=30, blank=True,
                                          editable=False)
    # A reversal's money recovered outside a recovery batch, as finance recorded it (services.recovery_mark).
    recovered_on = models.DateField(_("recovered on"), null=True, blank=True, editable=False)
    # Defaults in the database too: the engine's INSERT … SELECT names only the columns it fills.
    recovery_reference = models.CharField(_("recovery reference"), max_length=60, blank=True, editable=False,
                                          default="", db_default="")
    recovery_note = models.CharField(_("how it was recovered"), max_length=300, blank=True, editable=False,
                                     default="", db_default="")
    recovered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recovery recorded by"),
                                     on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     editable=False)

    history = HistoricalRecords()
    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy claim")
        verbose_name_plural = _("subsidy claims")
        ordering = ["-claimed_on", "-pk"]
        # No (status, policy) index: the engine's per-worker lookups must stay on (worker, claim date).
        # (claimed_on, id): the lists' order, newest first, read backwards from the index by the page.
        indexes = [models.Index(fields=["worker", "claimed_on"]), models.Index(fields=["batch"]),
                   models.Index(fields=["claimed_on", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["policy", "certificate"], name="claim_once_per_certificate",
                                    condition=Q(enrollment__isnull=True, reverses__isnull=True)),
            models.UniqueConstraint(fields=["policy", "enrollment"], name="claim_once_per_enrollment",
                                    condition=Q(enrollment__isnull=False, reverses__isnull=True)),
            models.CheckConstraint(condition=Q(certificate__isnull=False) | Q(enrollment__isnull=False),
                                   name="claim_has_source"),
            models.CheckConstraint(condition=Q(reverses__isnull=True, amount__gte=0)
                                   | Q(reverses__isnull=False, amount__lte=0, status="approved"),
                                   name="claim_amount_sign"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(review_note=""),
                                   name="claim_refusal_has_reason"),
            models.CheckConstraint(condition=Q(status="ineligible") | Q(reasons=[]),
                                   name="claim_reasons_only_when_ineligible"),
            models.CheckConstraint(condition=Q(batch__isnull=True) | Q(status="approved"),
                                   name="claim_batched_only_when_approved"),
            models.CheckConstraint(condition=Q(batch__isnull=True) | ~Q(payee_bank_account=""),
                                   name="claim_batched_has_frozen_payee"),
            models.CheckConstraint(condition=Q(recovered_on__isnull=True)
                                   | Q(reverses__isnull=False, batch__isnull=True) & ~Q(recovery_reference="")
                                   & ~Q(recovery_note=""),
                                   name="claim_recovered_reversal_has_reference_and_reason"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.worker.name} ¥{self.amount}"

    @property
    def masked_payee_account(self):
        return mask_bank_account(self.payee_bank_account)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_turned_down(self) -> bool:
        return self.status in (self.Status.INELIGIBLE, self.Status.REJECTED)

    @property
    def is_ineligible(self) -> bool:
        return self.status == self.Status.INELIGIBLE

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def amount_to_recover(self):
        return -self.amount

    @property
    def is_recovered(self) -> bool:
        """A reversal whose money came back: through a paid recovery batch, or marked by finance."""
        return self.recovered_on is not None or bool(self.batch_id and self.batch.is_paid)


class Batch(models.Model):
    """Approved claims of one policy paid together, or (a recovery batch) reversals of paid claims
    whose money is taken back together. Whoever made it cannot approve it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        RECOVERY = "recovery", _("Recovery")

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="batches")
    kind = models.CharField(_("kind of batch"), max_length=10, choices=Kind.choices, default=Kind.PAYMENT,
                            help_text=_("A recovery batch takes back the money of reversed claims."))
    organization = models.ForeignKey(Organization, verbose_name=_("only workers of"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    total = models.DecimalField(_("total (yuan)"), default=ZERO, editable=False, **MONEY)
    claim_count = models.PositiveIntegerField(_("claims"), default=0, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_back_reason = models.CharField(_("sent back because"), max_length=300, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disbursement batch")
        verbose_name_plural = _("disbursement batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                                   name="batch_not_approved_by_its_creator"),
            models.CheckConstraint(condition=Q(status="draft") | Q(approved_by__isnull=False),
                                   name="batch_approved_has_approver"),
            models.CheckConstraint(condition=Q(kind="payment", total__gte=0) | Q(kind="recovery", total__lte=0),
                                   name="batch_total_sign_by_kind"),
        ]

    def __str__(self):
        return f"{self.number} {self.policy}"

    @property
    def number(self):
        return f"{'R' if self.kind == self.Kind.RECOVERY else 'P'}{self.created_at:%Y}-{self.pk:05d}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_recovery(self) -> bool:
        return self.kind == self.Kind.RECOVERY

    @property
    def amount(self):
        """What the bank moves, whichever way: the total paid out, or the total to take back."""
        return abs(self.total)


class Payment(models.Model):
    """The bank's transfer of one approved batch: once per batch."""

    batch = models.OneToOneField(Batch, verbose_name=_("disbursement batch"), on_delete=models.PROTECT,
                                 related_name="payment")
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("bank reference"), max_length=60, unique=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative")]

    def __str__(self):
        return f"{self.reference} ¥{self.amount}"


class BankReminder(models.Model):
    """A reminder that an approved claim waits for the worker's bank details: to the worker (in-app,
    or by text message when they have no account) and to their organization's liaisons. At most one a
    claim a day, in the database too, so a second click the same day sends nothing."""

    claim = models.ForeignKey(Claim, verbose_name=_("subsidy claim"), on_delete=models.CASCADE,
                              related_name="bank_reminders")
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    by_sms = models.BooleanField(_("by text message"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("bank details reminder")
        verbose_name_plural = _("bank details reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["claim", "sent_on"], name="bank_reminder_once_a_day")]

    def __str__(self):
        return f"#{self.claim_id} {self.sent_on}"
