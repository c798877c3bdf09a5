"""Skills Masters: selection rounds, nominations, expert review, publicity, titles, incentives,
studios and the "menu-style" outreach talks (DESIGN §6)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from competitions.models import Competition
from training.models import TrainingBase
from zhangwan.registry.models import Organization, SkillLevel, Trade, Worker

MONEY = {"max_digits": 14, "decimal_places": 2}
SCORE = {"max_digits": 7, "decimal_places": 2}


class Holiday(models.Model):
    """A day the publicity calendar treats differently from its weekday: a public holiday, or a
    weekend day made a working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=50)
    working_day = models.BooleanField(_("working day"), default=False,
                                      help_text=_("Tick for a weekend day worked in exchange for a holiday."))

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class SelectionRound(models.Model):
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    quota = models.PositiveSmallIntegerField(_("quota"), help_text=_("How many titles the round confers."))
    nominations_open = models.DateField(_("nominations open"))
    nominations_close = models.DateField(_("nominations close"))
    review_opens = models.DateField(_("review opens"))
    review_closes = models.DateField(_("review closes"))
    publicity_days = models.PositiveSmallIntegerField(_("publicity (working days)"), default=5)
    publicity_starts = models.DateField(_("publicity starts"), null=True, blank=True, editable=False)
    publicity_ends = models.DateField(_("publicity ends"), null=True, blank=True, editable=False)
    reviewers_per_nomination = models.PositiveSmallIntegerField(_("reviewers per nomination"), default=3)
    discrepancy_threshold = models.DecimalField(
        _("discrepancy threshold"), default=Decimal("15.00"), **SCORE,
        help_text=_("Flag a nomination when its reviewers' totals differ by more than this many points."))
    competition = models.ForeignKey(Competition, verbose_name=_("competition counted"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="selection_rounds")
    competition_weight = models.PositiveSmallIntegerField(
        _("competition weight (%)"), default=0,
        help_text=_("Share of the final score taken from the nominee's score in that competition; 0 for none."))
    # Eligibility rules (DESIGN §6): data an officer edits each year.
    max_level = models.IntegerField(_("certificate level at least"), choices=SkillLevel.choices,
                                    default=SkillLevel.SENIOR)
    min_years_in_trade = models.PositiveSmallIntegerField(_("years in the trade at least"), default=8)
    award_required = models.BooleanField(_("a competition award required"), default=False)
    district_employment_required = models.BooleanField(_("employed in the district required"), default=True)
    apprenticeship_route = models.BooleanField(
        _("level-5 apprenticeship route"), default=True,
        help_text=_("A level-5 certificate and a completed apprenticeship in the nominated trade stand in for "
                    "the certificate level."))
    conferred_on = models.DateField(_("conferred on"), null=True, blank=True, editable=False)
    title = models.CharField(_("title conferred"), max_length=100, default="张湾区技能大师")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(reviewers_per_nomination__gte=3), name="round_three_reviewers"),
            models.CheckConstraint(condition=Q(quota__gte=1), name="round_quota_positive"),
            models.CheckConstraint(condition=Q(competition_weight__lte=100), name="round_competition_weight"),
            models.CheckConstraint(condition=Q(publicity_days__gte=1), name="round_publicity_days"),
            models.CheckConstraint(condition=Q(discrepancy_threshold__gte=0), name="round_threshold_not_negative"),
            models.CheckConstraint(condition=Q(nominations_close__gte=F("nominations_open"))
                                   & Q(review_opens__gte=F("nominations_close"))
                                   & Q(review_closes__gte=F("review_opens")), name="round_windows_in_order"),
        ]

    def __str__(self):
        return self.name

    def nominations_are_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.nominations_open <= today <= self.nominations_close

    def review_is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.review_opens <= today <= self.review_closes

    def publicity_is_running(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(self.publicity_starts) and self.publicity_starts <= today <= self.publicity_ends


class Criterion(models.Model):
    round = models.ForeignKey(SelectionRound, verbose_name=_("round"), on_delete=models.CASCADE,
                              related_name="criteria")
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), default=Decimal("100"), **SCORE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="criterion_unique_name"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=100), name="criterion_weight_range"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self):
        return self.name


class Reviewer(models.Model):
    """An expert in the pool: the login they score with, where they work, what they know."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                                related_name="reviewer", limit_choices_to={"groups__name": "reviewer"})
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="reviewers")
    trades = models.ManyToManyField(Trade, verbose_name=_("trades"), blank=True, related_name="reviewers")
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    max_load = models.PositiveSmallIntegerField(_("most nominations per round"), default=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("expert reviewer")
        verbose_name_plural = _("expert reviewers")
        ordering = ["user__full_name", "id"]

    def __str__(self):
        return str(self.user)


class Conflict(models.Model):
    """A reviewer's declared conflict of interest with a person."""

    reviewer = models.ForeignKey(Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE,
                                 related_name="conflicts")
    worker = models.ForeignKey(Worker, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="reviewer_conflicts")
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [models.UniqueConstraint(fields=["reviewer", "worker"], name="conflict_unique")]

    def __str__(self):
        return f"{self.reviewer} × {self.worker.name}"


class ConflictWaiver(models.Model):
    """A same-organization conflict the officer dismissed as false, with the reason."""

    nomination = models.ForeignKey("Nomination", verbose_name=_("nomination"), on_delete=models.CASCADE,
                                   related_name="conflict_waivers")
    reviewer = models.ForeignKey(Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE,
                                 related_name="conflict_waivers")
    reason = models.CharField(_("reason"), max_length=300)
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dismissed by"), on_delete=models.PROTECT,
                                  related_name="+")
    waived_at = models.DateTimeField(_("dismissed at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dismissed conflict")
        verbose_name_plural = _("dismissed conflicts")
        constraints = [models.UniqueConstraint(fields=["nomination", "reviewer"], name="conflictwaiver_unique")]

    def __str__(self):
        return f"{self.reviewer} × {self.nomination}"


class NominationQuerySet(models.QuerySet):
    def in_review(self):
        return self.filter(status__in=Nomination.REVIEWED)


class Nomination(models.Model):
    class Source(models.TextChoices):
        ORGANIZATION = "organization", _("By the organization")
        UNION = "union", _("By the union")
        SELF = "self", _("Self-nominated")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")
        UNDER_REVIEW = "under_review", _("Under review")
        SHORTLISTED = "shortlisted", pgettext_lazy("nomination", "Shortlisted")
        IN_PUBLICITY = "in_publicity", _("In publicity")
        CONFERRED = "conferred", _("Conferred")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("nomination", "Withdrawn")

    REVIEWED = ("under_review", "shortlisted", "in_publicity", "conferred")
    BADGES = {
        Status.CONFERRED: "text-bg-success", Status.IN_PUBLICITY: "text-bg-primary",
        Status.SHORTLISTED: "text-bg-primary", Status.INELIGIBLE: "text-bg-danger", Status.REJECTED: "text-bg-danger",
        Status.WITHDRAWN: "text-bg-secondary", Status.DRAFT: "text-bg-light border",
    }

    round = models.ForeignKey(SelectionRound, verbose_name=_("round"), on_delete=models.PROTECT,
                              related_name="nominations")
    nominee = models.ForeignKey(Worker, verbose_name=_("nominee"), on_delete=models.PROTECT,
                                related_name="nominations")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, related_name="nominations")
    source = models.CharField(_("nominated"), max_length=12, choices=Source.choices)
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="nominations",
                                     help_text=_("The nominee's employer when nominated."))
    statement = models.TextField(_("statement"))
    achievements = models.TextField(_("achievements"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    reasons = ArrayField(models.CharField(max_length=30), verbose_name=_("reasons"), default=list, blank=True,
                         editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="nominations_made")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    # The ranking, written set-based by services.ranking.ranking_compute.
    review_mean = models.DecimalField(_("reviewers' mean"), null=True, blank=True, editable=False, **SCORE)
    review_spread = models.DecimalField(_("spread"), null=True, blank=True, editable=False, **SCORE)
    competition_score = models.DecimalField(_("competition score"), null=True, blank=True, editable=False, **SCORE)
    final_score = models.DecimalField(_("final score"), null=True, blank=True, editable=False, **SCORE)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True, editable=False)
    discrepancy = models.BooleanField(_("reviewers disagree"), default=False, editable=False)
    shortlist_note = models.CharField(_("shortlist change reason"), max_length=300, blank=True, editable=False)

    history = HistoricalRecords()
    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-round__year", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "nominee"], condition=~Q(status="withdrawn"),
                                    name="nomination_once_per_round"),
            models.CheckConstraint(condition=Q(status__in=["draft", "submitted", "eligible", "ineligible",
                                                           "under_review", "shortlisted", "in_publicity",
                                                           "conferred", "rejected", "withdrawn"]),
                                   name="nomination_status_valid"),
        ]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self):
        return f"{self.nominee.name} · {self.round.year}"

    @property
    def editable(self):
        return self.status == self.Status.DRAFT

    @property
    def is_under_review(self) -> bool:
        return self.status == self.Status.UNDER_REVIEW

    @property
    def is_shortlisted(self) -> bool:
        return self.status == self.Status.SHORTLISTED

    @property
    def is_in_publicity(self) -> bool:
        return self.status == self.Status.IN_PUBLICITY

    @property
    def made_the_shortlist(self) -> bool:
        """Shortlisted, or further on: in publicity, or conferred."""
        return self.status in (self.Status.SHORTLISTED, self.Status.IN_PUBLICITY, self.Status.CONFERRED)

    @property
    def badge(self) -> str:
        """The colour of the status's badge."""
        return self.BADGES.get(self.status, "text-bg-info")


class Attachment(models.Model):
    nomination = models.ForeignKey(Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE,
                                   related_name="attachments")
    file = models.FileField(_("file"), upload_to="masters/nominations/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class Assignment(models.Model):
    """A reviewer's task: one nomination to score. Withdrawn when they declare a conflict."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To score")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn (conflict)")

    nomination = models.ForeignKey(Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE,
                                   related_name="assignments")
    reviewer = models.ForeignKey(Reviewer, verbose_name=_("reviewer"), on_delete=models.PROTECT,
                                 related_name="assignments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED,
                              editable=False)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    total = models.DecimalField(_("total"), null=True, blank=True, editable=False, **SCORE)
    comment = models.TextField(_("overall comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["nomination", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "reviewer"], name="assignment_unique"),
            models.CheckConstraint(condition=Q(status="submitted", submitted_at__isnull=False)
                                   | (~Q(status="submitted") & Q(submitted_at__isnull=True)),
                                   name="assignment_submitted_when"),
        ]
        indexes = [models.Index(fields=["reviewer", "status"])]

    def __str__(self):
        return f"{self.reviewer} → {self.nomination}"

    @property
    def is_assigned(self) -> bool:
        return self.status == self.Status.ASSIGNED

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE,
                                   related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT,
                                  related_name="scores")
    value = models.DecimalField(_("score"), **SCORE)
    max_score = models.DecimalField(_("maximum score"), editable=False, **SCORE)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=F("max_score")), name="score_in_bounds"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Objection(models.Model):
    """Filed by anyone against a nomination in publicity; the officer answers each."""

    nomination = models.ForeignKey(Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT,
                                   related_name="objections")
    name = models.CharField(_("your name"), max_length=50)
    contact = models.CharField(_("contact (phone or e-mail)"), max_length=100)
    text = models.TextField(_("objection"), max_length=3000)
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True, editable=False)
    upheld = models.BooleanField(_("upheld"), null=True, editable=False)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), on_delete=models.PROTECT,
                                    null=True, blank=True, editable=False, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-filed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(resolved_at__isnull=True) | ~Q(answer=""),
                                   name="objection_resolved_with_answer"),
        ]

    def __str__(self):
        return f"{self.nomination} · {self.filed_at:%Y-%m-%d}"

    @property
    def is_open(self):
        return self.resolved_at is None


class MasterTitle(models.Model):
    nomination = models.OneToOneField(Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT,
                                      related_name="master_title")
    worker = models.ForeignKey(Worker, verbose_name=_("master"), on_delete=models.PROTECT,
                               related_name="master_titles")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, related_name="master_titles")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(pgettext_lazy("master", "title"), max_length=100)
    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    conferred_on = models.DateField(_("conferred on"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("master title")
        verbose_name_plural = _("master titles")
        ordering = ["-year", "number"]
        constraints = [models.UniqueConstraint(fields=["worker", "year"], name="mastertitle_once_a_year")]

    def __str__(self):
        return f"{self.worker.name} · {self.title} ({self.year})"


class IncentivePolicy(models.Model):
    class Beneficiary(models.TextChoices):
        MASTER = "master", _("A master")
        ORGANIZATION = "organization", _("An organization")

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    beneficiary = models.CharField(_("granted to"), max_length=12, choices=Beneficiary.choices,
                                   default=Beneficiary.MASTER)
    involves_money = models.BooleanField(_("involves money"), default=False)
    active = models.BooleanField(_("in force"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incentive policy")
        verbose_name_plural = _("incentive policies")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class IncentiveGrant(models.Model):
    policy = models.ForeignKey(IncentivePolicy, verbose_name=pgettext_lazy("incentive", "policy"),
                               on_delete=models.PROTECT, related_name="grants")
    master = models.ForeignKey(MasterTitle, verbose_name=_("master"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="grants")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="incentive_grants")
    granted_on = models.DateField(_("granted on"))
    amount = models.DecimalField(_("amount (yuan)"), null=True, blank=True, **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                   null=True, blank=True, editable=False, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incentive grant")
        verbose_name_plural = _("incentive grants")
        ordering = ["-granted_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(master__isnull=False) | Q(organization__isnull=False),
                                   name="grant_has_beneficiary"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="grant_amount_positive"),
        ]

    def __str__(self):
        return f"{self.policy.name} · {self.master or self.organization}"


class MasterStudio(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    master = models.ForeignKey(MasterTitle, verbose_name=_("master"), on_delete=models.PROTECT,
                               related_name="studios")
    host = models.ForeignKey(Organization, verbose_name=_("host organization"), on_delete=models.PROTECT,
                             related_name="master_studios")
    funding = models.DecimalField(_("funding (yuan)"), default=Decimal("0.00"), **MONEY)
    established_on = models.DateField(_("established on"))
    training_base = models.OneToOneField(TrainingBase, verbose_name=_("training base record"),
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="master_studio")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("skill-master studio")
        verbose_name_plural = _("skill-master studios")
        ordering = ["-established_on", "name"]
        constraints = [models.CheckConstraint(condition=Q(funding__gte=0), name="studio_funding_not_negative")]

    def __str__(self):
        return self.name


class TalkTopic(models.Model):
    """A talk on the outreach menu that organizations can order."""

    class Category(models.TextChoices):
        THEORY = "theory", _("Theory")
        LABOUR_SPIRIT = "labour_spirit", _("Labour spirit")
        MODEL_WORKERS = "model_workers", _("Model workers")
        CRAFTSMANSHIP = "craftsmanship", _("Craftsmanship")
        SKILLS = "skills", _("Skills")
        SAFETY = "safety", _("Safety")

    title = models.CharField(_("title"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    summary = models.TextField(_("summary"), blank=True)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=90)
    active = models.BooleanField(_("on the menu"), default=True)

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talk menu")
        ordering = ["category", "title"]

    def __str__(self):
        return self.title


class TalkOrder(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    topic = models.ForeignKey(TalkTopic, verbose_name=_("talk"), on_delete=models.PROTECT, related_name="orders")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="talk_orders")
    preferred_date = models.DateField(_("preferred date"))
    expected_audience = models.PositiveIntegerField(_("expected audience"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED,
                              editable=False)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ordered by"), on_delete=models.PROTECT,
                                   related_name="+")
    ordered_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    # The event, once scheduled.
    held_on = models.DateField(_("date"), null=True, blank=True)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    venue = models.CharField(pgettext_lazy("talk", "venue"), max_length=200, blank=True)
    attendance = models.PositiveIntegerField(pgettext_lazy("talk", "attendance"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("talk order")
        verbose_name_plural = _("talk orders")
        ordering = ["-preferred_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expected_audience__gte=1) & Q(expected_audience__lte=100000),
                                   name="talkorder_audience_range"),
            models.CheckConstraint(condition=~Q(status__in=["scheduled", "held"]) | Q(held_on__isnull=False),
                                   name="talkorder_scheduled_has_date"),
            models.CheckConstraint(condition=~Q(status="held") | Q(attendance__isnull=False),
                                   name="talkorder_held_has_attendance"),
        ]
        indexes = [models.Index(fields=["status", "held_on"])]

    def __str__(self):
        return f"{self.topic} · {self.organization}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


def working_days_after(start: datetime.date, days: int, calendar: dict) -> datetime.date:
    """The last day of a window of `days` working days beginning on `start` (or the first working
    day after it). calendar: date → True for a working day, False for a holiday (else weekday rule)."""
    day, counted = start, 0
    while True:
        working = calendar.get(day, day.weekday() < 5)
        if working:
            counted += 1
            if counted == days:
                return day
        day += datetime.timedelta(days=1)
