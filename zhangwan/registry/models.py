"""The district-wide registry: organizations, trades, workers and their employment.

Every dimension (training, competitions, certification, masters) refers to these rows.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import (
    SHOWN_TAIL,
    id_number_birth_date,
    id_number_gender,
    mask_bank_account,
    mask_id_number,
    validate_bank_account,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)


class Organization(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        GOVERNMENT = "government", _("Government body")
        SOCIAL = "social", _("Social organization")
        SCHOOL = "school", _("Vocational school or training institution")
        UNION = "union", _("Trade union")

    name = models.CharField(_("name"), max_length=200, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organization"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="children",
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    street = models.CharField(_("street"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
                name="organization_credit_code_format",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="organization_not_own_parent"),
        ]

    def __str__(self):
        return self.name


class Trade(models.Model):
    """An occupation (工种) of the national occupational classification."""

    code = models.CharField(_("national occupation code"), max_length=20, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=150)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trade")
        verbose_name_plural = _("trades")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


FULL_ID_NUMBER = "registry.view_full_id_number"


def id_number_search(text: str, *, full_id_allowed: bool, field: str = "id_number") -> Q | None:
    """The identity-number part of a search, or None when the text may not be looked for.

    With the permission: any ending, the whole number included. Without it: only the last four
    characters, which the mask shows anyway; a longer ending would confirm guessed birth-date digits
    (the part the mask hides) one search at a time."""
    text = text.strip().upper()
    if not text or len(text) > (18 if full_id_allowed else SHOWN_TAIL):
        return None
    if len(text) == 18:
        return Q(**{field: text})
    return Q(**{f"{field}__endswith": text})


class WorkerQuerySet(models.QuerySet):
    def search(self, text: str, *, full_id_allowed: bool):
        """Name, mobile, the last digits of the identity number, or (with permission) all of it."""
        text = text.strip()
        if not text:
            return self
        condition = Q(name__icontains=text) | Q(mobile__startswith=text)
        by_number = id_number_search(text, full_id_allowed=full_id_allowed)
        return self.filter(condition | by_number if by_number else condition)


class Worker(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Education(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior middle school")
        SENIOR = "senior", _("Senior high or technical secondary school")
        COLLEGE = "college", _("College diploma")
        BACHELOR = "bachelor", _("Bachelor's degree")
        POSTGRADUATE = "postgraduate", _("Postgraduate")

    name = models.CharField(_("full name"), max_length=50)
    id_number = models.CharField(
        _("resident identity number"), max_length=18, unique=True, validators=[validate_id_number]
    )
    birth_date = models.DateField(_("birth date"), editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, editable=False)
    mobile = models.CharField(_("mobile number"), max_length=11, validators=[validate_mobile])
    employer = models.ForeignKey(
        Organization, verbose_name=_("employer"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="workers",
    )
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, default=Education.SENIOR
    )
    insured_since = models.DateField(
        _("unemployment insurance since"), null=True, blank=True,
        help_text=_("Date the worker started paying unemployment insurance."),
    )
    poverty_registered = models.BooleanField(_("registered poverty-alleviation labourer"), default=False)
    team_leader = models.BooleanField(_("team leader"), default=False)
    # Where subsidies are paid; only finance (and the worker) see the whole number.
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account number"), max_length=30, blank=True,
                                    validators=[validate_bank_account])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="worker",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["name", "id"]
        permissions = [("view_full_id_number", _("Can see full identity numbers")),
                       ("view_bank_account", _("Can see full bank account numbers"))]
        constraints = [
            models.CheckConstraint(condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"), name="worker_id_number_format"),
            models.CheckConstraint(condition=Q(mobile__regex=r"^1[3-9][0-9]{9}$"), name="worker_mobile_format"),
            models.CheckConstraint(condition=Q(gender__in=["M", "F"]), name="worker_gender_valid"),
            models.CheckConstraint(condition=Q(bank_account="") | Q(bank_account__regex=r"^[0-9]{12,30}$"),
                                   name="worker_bank_account_format"),
        ]
        # (name, id): the lists' order (the admin's, the district roster's), read from the index by the page.
        indexes = [models.Index(fields=["employer", "name"]), models.Index(fields=["mobile"]),
                   models.Index(fields=["name", "id"])]

    def __str__(self):
        return f"{self.name} ({self.masked_id_number})"

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    def fill_derived_fields(self):
        """Birth date and gender always come from the identity number."""
        self.id_number = self.id_number.upper()
        self.birth_date = id_number_birth_date(self.id_number)
        self.gender = id_number_gender(self.id_number)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    @property
    def masked_bank_account(self):
        return mask_bank_account(self.bank_account)

    def id_number_for(self, user):
        if user.has_perm(FULL_ID_NUMBER):
            return self.id_number
        return self.masked_id_number

    def birth_for(self, user) -> datetime.date | int:
        """The birth date for whoever may see the whole identity number; the year alone for everyone
        else, because the masked number hides exactly the birth date (DESIGN.md §8)."""
        if user.has_perm(FULL_ID_NUMBER):
            return self.birth_date
        return self.birth_date.year

    @property
    def age(self):
        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Employment(models.Model):
    """One period of a worker's employment; the open one (no end date) is the current employer."""

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="employments")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="employments"
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employment history")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_on__isnull=True), name="employment_one_current_per_worker"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="employment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.worker.name} @ {self.organization}"


class WorkerTrade(models.Model):
    """A trade a worker practises, with the year they started in it (counts for certification)."""

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="trades")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, related_name="workers")
    started_year = models.PositiveSmallIntegerField(_("year started"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("worker's trade")
        verbose_name_plural = _("worker's trades")
        ordering = ["started_year"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "trade"], name="workertrade_unique"),
            models.CheckConstraint(
                condition=Q(started_year__gte=1950) & Q(started_year__lte=2100), name="workertrade_year_range"
            ),
        ]

    def __str__(self):
        return f"{self.trade} ({self.started_year})"


class SkillLevel(models.IntegerChoices):
    """The vocational skill levels; a smaller number is a higher level (the eight-level system
    adds special-grade technician and chief technician above level 1)."""

    JUNIOR = 5, _("Level 5 · Junior")
    INTERMEDIATE = 4, _("Level 4 · Intermediate")
    SENIOR = 3, _("Level 3 · Senior")
    TECHNICIAN = 2, _("Level 2 · Technician")
    SENIOR_TECHNICIAN = 1, _("Level 1 · Senior technician")
    SPECIAL_GRADE = 0, _("Special-grade technician")
    CHIEF = -1, _("Chief technician")


class TransferRequest(models.Model):
    """A liaison's request that the union move a worker from another organization's roster to theirs.

    Made by the roster import for a row whose person the liaison's organization may not add itself; the
    liaison is never told whether or where the person is registered. The training officer decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.CASCADE,
                               related_name="transfer_requests")
    from_organization = models.ForeignKey(Organization, verbose_name=_("from organization"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    to_organization = models.ForeignKey(Organization, verbose_name=_("to organization"), on_delete=models.PROTECT,
                                        related_name="transfer_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "to_organization"], condition=Q(status="pending"),
                                    name="transferrequest_one_pending"),
        ]

    def __str__(self):
        return f"{self.worker} → {self.to_organization}"
