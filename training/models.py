"""Training: bases, needs surveys, plans, courses, classes, enrollments, attendance, mentorships.

Status fields change only through services.py, which checks the transition, writes history
and tells the people concerned.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhangwan.registry.models import Organization, SkillLevel, Trade, Worker

MONEY = {"max_digits": 14, "decimal_places": 2}


class TrainingBase(models.Model):
    class Kind(models.TextChoices):
        WORKER_BASE = "worker_base", _("Industrial worker training base")
        INNOVATION_STUDIO = "innovation_studio", _("Worker innovation studio")
        MODEL_WORKER_STUDIO = "model_worker_studio", _("Model-worker innovation studio")
        ACADEMICIAN = "academician", _("Academician workstation")
        MASTER_STUDIO = "master_studio", _("Skill-master studio")
        SCHOOL = "school", _("Vocational school")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    host = models.ForeignKey(Organization, verbose_name=_("host organization"), on_delete=models.PROTECT,
                             related_name="training_bases")
    designated_on = models.DateField(_("designated on"))
    funding = models.DecimalField(_("funding (yuan)"), default=Decimal("0.00"), **MONEY)
    address = models.CharField(_("address"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training base")
        verbose_name_plural = _("training bases")
        ordering = ["-designated_on", "name"]
        constraints = [models.CheckConstraint(condition=Q(funding__gte=0), name="trainingbase_funding_not_negative")]

    def __str__(self):
        return self.name


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")
    ON_THE_JOB = "on_the_job", _("On the job")


class SurveyQuerySet(models.QuerySet):
    def open_now(self, today=None):
        """The surveys one may answer today (local date)."""
        today = today or timezone.localdate()
        return self.filter(starts_on__lte=today, ends_on__gte=today)


class NeedsSurvey(models.Model):
    """A campaign of visits asking workers and organizations what training they need."""

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-year", "-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="survey_ends_after_start")]

    def __str__(self):
        return self.title

    def is_open(self, today=None) -> bool:
        """Workers and liaisons answer from its first to its last day (local dates, both included)."""
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on


class NeedsResponse(models.Model):
    survey = models.ForeignKey(NeedsSurvey, verbose_name=_("survey"), on_delete=models.CASCADE,
                               related_name="responses")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.CASCADE, null=True, blank=True)
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     null=True, blank=True)
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT)
    level = models.IntegerField(_("level"), choices=SkillLevel.choices, null=True, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    head_count = models.PositiveIntegerField(_("head count"), default=1)
    remark = models.CharField(_("remark"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("needs response")
        verbose_name_plural = _("needs responses")
        constraints = [
            models.CheckConstraint(condition=Q(worker__isnull=True) ^ Q(organization__isnull=True),
                                   name="needsresponse_one_respondent"),
            models.CheckConstraint(condition=Q(head_count__gte=1), name="needsresponse_head_count_positive"),
            # A worker answers once per trade of a survey (changing that answer, not adding another).
            models.UniqueConstraint(fields=["survey", "worker", "trade"], condition=Q(worker__isnull=False),
                                    name="needsresponse_one_per_worker_trade"),
        ]

    def __str__(self):
        return f"{self.trade} × {self.head_count}"


class TrainingPlan(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-year"]

    def __str__(self):
        return self.title


class PlanLine(models.Model):
    plan = models.ForeignKey(TrainingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="lines")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT)
    target_classes = models.PositiveIntegerField(_("target classes"))
    target_trainees = models.PositiveIntegerField(_("target trainees"))
    budget = models.DecimalField(_("budget (yuan)"), default=Decimal("0.00"), **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["trade__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "trade"], name="planline_one_per_trade"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="planline_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.plan.year} {self.trade}"


class Course(models.Model):
    title = models.CharField(_("title"), max_length=200)
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, related_name="courses")
    level = models.IntegerField(_("target level"), choices=SkillLevel.choices, null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    syllabus = models.TextField(_("syllabus"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["trade__code", "title"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive")]

    def __str__(self):
        return self.title


class ClassQuerySet(models.QuerySet):
    def public(self):
        """What the catalogue shows: neither drafts nor cancelled classes."""
        return self.exclude(status__in=[TrainingClass.Status.DRAFT, TrainingClass.Status.CANCELLED])

    def in_year(self, year: int):
        return self.filter(starts_on__year=year)

    def upcoming(self, today=None):
        """What one may still join or is about to start: open for registration, or closed and not yet
        started."""
        today = today or timezone.localdate()
        Status = TrainingClass.Status
        return self.filter(Q(status=Status.OPEN) | Q(status=Status.CLOSED, starts_on__gte=today))

    def full(self):
        """Open for registration with every seat taken: newcomers join the waiting list."""
        return self.filter(status=TrainingClass.Status.OPEN, confirmed_count__gte=F("capacity"))


class TrainingClass(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for registration")
        CLOSED = "closed", _("Registration closed")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("All workers")
        TEAM_LEADERS = "team_leaders", _("Team leaders")
        POVERTY = "poverty", _("Registered poverty-alleviation labourers")
        OWN_STAFF = "own_staff", _("The provider's own employees")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="classes")
    title = models.CharField(_("title"), max_length=200)
    provider = models.ForeignKey(Organization, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="training_classes")
    union_class = models.BooleanField(_("held by the union"), default=False)
    base = models.ForeignKey(TrainingBase, verbose_name=_("training base"), on_delete=models.PROTECT,
                             null=True, blank=True, related_name="classes")
    venue = models.CharField(_("venue"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"))
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    has_exam = models.BooleanField(_("has an exam"), default=False)
    # Policy, not code: the share of the hours held a trainee must attend to complete the class.
    completion_percent = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"), default=80,
        help_text=_("Share of the hours held (while the trainee had a seat) that must be attended, "
                    "present or late."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    # Kept in step with the confirmed enrollments under the class's row lock; the check
    # constraint makes overbooking impossible even for code that forgets the lock.
    confirmed_count = models.PositiveIntegerField(_("confirmed"), default=0, editable=False)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["-starts_on", "title"]
        indexes = [models.Index(fields=["status", "starts_on"]), models.Index(fields=["provider", "starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="class_capacity_positive"),
            models.CheckConstraint(condition=Q(confirmed_count__lte=F("capacity")), name="class_never_overbooked"),
            models.CheckConstraint(condition=Q(registration_closes__gt=F("registration_opens")),
                                   name="class_window_ordered"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="class_ends_after_start"),
            models.CheckConstraint(condition=Q(completion_percent__gte=1, completion_percent__lte=100),
                                   name="class_completion_percent_1_to_100"),
        ]

    def __str__(self):
        return self.title

    @property
    def seats_left(self):
        return max(0, self.capacity - self.confirmed_count)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def takes_waiting_list(self) -> bool:
        """Open, but every seat is taken: a newcomer joins the waiting list."""
        return self.is_open and self.confirmed_count >= self.capacity

    @property
    def base_beside_venue(self):
        """The training base, when the venue does not already name it."""
        if self.base is None or self.base.name in self.venue or self.venue in self.base.name:
            return None
        return self.base

    @property
    def level(self):
        return self.course.level

    @property
    def hours(self) -> Decimal:
        """The class's hours: what its sessions add up to."""
        return sum((s.hours for s in self.sessions.all()), Decimal("0"))

    def hours_disagreement(self, total=None) -> str:
        """Why the sessions (adding up to total, or to what is saved) disagree with the course's
        stated hours; "" when they agree."""
        total = self.hours if total is None else total
        if total == self.course.hours:
            return ""
        return gettext("The sessions add up to %(total)s hours but the course “%(course)s” states %(hours)s: "
                       "change the sessions or the course's hours.") % {
            "total": total, "course": self.course.title, "hours": self.course.hours}

    def last_session_end(self):
        """When the last session ends (None without sessions)."""
        return max((s.ends_at for s in self.sessions.all()), default=None)

    @property
    def ended(self) -> bool:
        """Its last session has ended: it can be finished without a reason."""
        last = self.last_session_end()
        return last is not None and last <= timezone.now()

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.registration_opens <= now < self.registration_closes


class EnrollmentQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Enrollment.Status.CANCELLED)

    def confirmed(self):
        return self.filter(status=Enrollment.Status.CONFIRMED)

    def waiting(self):
        return self.filter(status=Enrollment.Status.WAITLISTED).order_by("queue_number")

    def with_position(self):
        """The class's whole waiting list numbered 1, 2, 3 … in the order people joined it."""
        return self.waiting().annotate(
            position=Window(RowNumber(), partition_by=[F("training_class")], order_by=F("queue_number").asc())
        )

    def annotate_position(self):
        """Any enrollments, each waiting one with its place on its class's list (others: None)."""
        ahead = (Enrollment.objects.filter(training_class=OuterRef("training_class"),
                                           status=Enrollment.Status.WAITLISTED,
                                           queue_number__lte=OuterRef("queue_number"))
                 .order_by().values("training_class").annotate(n=Count("pk")).values("n"))
        return self.annotate(position=Case(When(status=Enrollment.Status.WAITLISTED, then=Subquery(ahead))))


class Enrollment(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Not completed")
        NO_SHOW = "no_show", _("Did not attend")

    class Channel(models.TextChoices):
        SELF = "self", _("The worker")
        LIAISON = "liaison", _("Enterprise liaison")
        STAFF = "staff", _("Union staff")

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="enrollments")
    training_class = models.ForeignKey(TrainingClass, verbose_name=_("class"), on_delete=models.PROTECT,
                                       related_name="enrollments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    # Order on the waiting list: given under the class lock, never reused within a class.
    queue_number = models.PositiveIntegerField(_("queue number"), null=True, blank=True, editable=False)
    channel = models.CharField(_("registered by"), max_length=10, choices=Channel.choices)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by user"),
                                      on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    exam_passed = models.BooleanField(_("exam passed"), null=True, blank=True)
    attended_hours = models.DecimalField(_("attended hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    required_hours = models.DecimalField(_("required hours"), max_digits=6, decimal_places=1, null=True, blank=True)

    history = HistoricalRecords()
    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-created_at"]
        # (created_at, id): the admin list's order, newest first, read backwards from the index by the page.
        indexes = [models.Index(fields=["training_class", "status"]), models.Index(fields=["created_at", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["worker", "training_class"], condition=~Q(status="cancelled"),
                                    name="enrollment_one_active_per_worker"),
            models.UniqueConstraint(fields=["training_class", "queue_number"], name="enrollment_queue_unique"),
            models.CheckConstraint(condition=Q(attended_hours__isnull=True) | Q(required_hours__isnull=True)
                                   | Q(attended_hours__lte=F("required_hours")),
                                   name="enrollment_attended_within_held"),
            models.CheckConstraint(condition=Q(status="waitlisted", queue_number__isnull=False)
                                   | ~Q(status="waitlisted"), name="enrollment_waiting_has_queue_number"),
        ]

    def __str__(self):
        return f"{self.worker.name} · {self.training_class}"

    @property
    def is_active(self):
        return self.status != self.Status.CANCELLED

    @property
    def can_cancel(self):
        return self.status in (self.Status.CONFIRMED, self.Status.WAITLISTED) and \
            self.training_class.starts_on > timezone.localdate()

    @property
    def can_withdraw(self):
        """The training officer may withdraw the worker (with a reason) once the class has started."""
        cls = self.training_class
        return self.status in (self.Status.CONFIRMED, self.Status.WAITLISTED) and \
            cls.starts_on <= timezone.localdate() and \
            cls.status not in (TrainingClass.Status.FINISHED, TrainingClass.Status.CANCELLED)

    @property
    def can_move(self):
        """The training officer may move the worker to another class (with a reason once it started)."""
        return self.status in (self.Status.CONFIRMED, self.Status.WAITLISTED) and \
            self.training_class.status not in (TrainingClass.Status.FINISHED, TrainingClass.Status.CANCELLED)

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    @property
    def has_seat(self) -> bool:
        return self.status not in (self.Status.CANCELLED, self.Status.WAITLISTED)


class ClassSession(models.Model):
    training_class = models.ForeignKey(TrainingClass, verbose_name=_("class"), on_delete=models.CASCADE,
                                       related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="session_hours_positive"),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.topic}".strip()

    def has_started(self, now=None) -> bool:
        """Attendance can be taken only once the session has begun."""
        return self.starts_at <= (now or timezone.now())

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    # Present and late count towards the hours attended.
    COUNTED = (Status.PRESENT, Status.LATE)

    enrollment = models.ForeignKey(Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE,
                                   related_name="attendances")
    session = models.ForeignKey(ClassSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    remark = models.CharField(_("remark"), max_length=200, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked by"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["enrollment", "session"], name="attendance_once_per_session")]

    def __str__(self):
        return f"{self.enrollment.worker.name} {self.session}: {self.get_status_display()}"


class Mentorship(models.Model):
    """'Famous teachers and apprentices': one mentor, one apprentice, one trade."""

    class Outcome(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", pgettext_lazy("mentorship", "Completed")
        DISCONTINUED = "discontinued", _("Discontinued")

    mentor = models.ForeignKey(Worker, verbose_name=_("mentor"), on_delete=models.PROTECT,
                               related_name="mentorships_as_mentor")
    apprentice = models.ForeignKey(Worker, verbose_name=_("apprentice"), on_delete=models.PROTECT,
                                   related_name="mentorships_as_apprentice")
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.ONGOING)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("apprentice")), name="mentorship_not_self"),
            models.UniqueConstraint(fields=["mentor", "apprentice", "trade"], name="mentorship_unique"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="mentorship_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.mentor.name} → {self.apprentice.name}"

