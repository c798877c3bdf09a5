"""Competitions: competitions and events, entries with bibs, judges' score sheets, results and
awards, organizer awards and innovation projects.

Marks change only through services.py; a submitted score sheet is locked, and a correction by
the officer is a recorded change of its own.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from zhangwan.certificate_numbers import certificate_prefix_field, prefix_is_letters
from zhangwan.registry.models import Organization, Trade, Worker
from zhangwan.windows import closed_window_note

MONEY = {"max_digits": 14, "decimal_places": 2}
SCORE = {"max_digits": 9, "decimal_places": 3}
TRIM_FROM_JUDGES = 5  # the default: judges needed before the highest and lowest marks are dropped
DISAGREEMENT_POINTS = Decimal("15")  # the default: points of 100 between a part's highest and lowest mark


class Competition(models.Model):
    class Level(models.TextChoices):
        ENTERPRISE = "enterprise", pgettext_lazy("competition level", "Enterprise")
        INDUSTRY = "industry", _("Industry")
        DISTRICT = "district", _("District")
        CITY = "city", _("City")
        PROVINCIAL = "provincial", _("Provincial")
        NATIONAL = "national", _("National")

    class Kind(models.TextChoices):
        LABOUR = "labour", _("Labour competition")
        SKILLS = "skills", _("Vocational skills competition")
        INNOVATION = "innovation", _("Innovation competition")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SKILLS)
    organizers = models.ManyToManyField(Organization, verbose_name=_("organizers"), blank=True,
                                        related_name="organized_competitions")
    leading = models.BooleanField(_("leading competition"), default=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    # Competitions held elsewhere (city, province, nation): results are recorded, not judged here.
    external = models.BooleanField(_("held outside the district"), default=False)
    advances_to = models.ForeignKey("self", verbose_name=_("winners advance to"), on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="fed_by")
    results_published = models.BooleanField(_("results published"), default=False, editable=False)
    description = models.TextField(_("description"), blank=True)
    # The issuer of the certificates its awards earn (the competition route): their numbers' prefix.
    certificate_prefix = certificate_prefix_field(
        _("Certificates this competition's awards earn are numbered prefix + year + six digits; "
          "ZW is the district's own series, shared with the issuers that keep it."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        ordering = ["-year", "-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="competition_unique_per_year"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="competition_ends_after_start"),
            models.CheckConstraint(condition=Q(registration_closes__isnull=True) | Q(registration_opens__isnull=True)
                                   | Q(registration_closes__gt=F("registration_opens")),
                                   name="competition_window_ordered"),
            prefix_is_letters("competition_certificate_prefix_letters"),
        ]

    def __str__(self):
        return self.name

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        return bool(self.registration_opens and self.registration_closes
                    and self.registration_opens <= now < self.registration_closes)

    def entries_closed_note(self, now=None) -> str:
        """Why the competition takes no entries now, with the dates of its window (zhangwan.windows)."""
        if self.results_published:
            return str(_("Entries are closed: the results are published."))
        return closed_window_note(self.registration_opens, self.registration_closes, now)

    @staticmethod
    def taking_projects(now=None) -> Q:
        """Innovation projects are taken until the competition ends or publishes its results, and
        within its submission window when it has one."""
        now = now or timezone.now()
        return (Q(kind=Competition.Kind.INNOVATION, results_published=False, ends_on__gte=timezone.localdate(now))
                & (Q(registration_opens__isnull=True, registration_closes__isnull=True)
                   | Q(registration_opens__lte=now, registration_closes__gt=now)))


class Event(models.Model):
    class Aggregation(models.TextChoices):
        MEAN = "mean", _("Mean of the judges' marks")
        TRIMMED = "trimmed", _("Drop the highest and lowest mark (given enough judges), then the mean")

    class AwardBasis(models.TextChoices):
        COUNT = "count", _("A number of places per tier")
        PROPORTION = "proportion", _("A share of the entries per tier (%)")

    competition = models.ForeignKey(Competition, verbose_name=_("competition"), on_delete=models.CASCADE,
                                    related_name="events")
    name = models.CharField(_("name"), max_length=200)
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, related_name="events")
    team = models.BooleanField(_("team event"), default=False)
    max_team_size = models.PositiveSmallIntegerField(_("largest team"), default=1)
    self_entry = models.BooleanField(_("workers may enter themselves"), default=False)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices,
                                   default=Aggregation.TRIMMED)
    award_basis = models.CharField(_("award scheme"), max_length=12, choices=AwardBasis.choices,
                                   default=AwardBasis.COUNT)
    # Policy, with today's values as defaults (docs/competitions.md).
    trim_from_judges = models.PositiveSmallIntegerField(
        _("judges needed to drop the highest and lowest mark"), default=TRIM_FROM_JUDGES,
        help_text=_("With fewer submitted marks for a part, the plain mean is taken (at least 3)."))
    disagreement_points = models.DecimalField(
        _("disagreement threshold (points of 100)"), max_digits=5, decimal_places=2, default=DISAGREEMENT_POINTS,
        help_text=_("Judges whose marks of a part lie further apart than this are shown to the officer."))
    # Part codes in order, then "time" for time used (less is better): how ties are broken.
    tie_breaks = models.JSONField(_("tie-break order"), default=list, blank=True,
                                  help_text=_('Part codes in order, and "time" for the time used, e.g. ["practical", '
                                              '"time"].'))
    # Judges mark from the competition's first day (or this window's first day) once entries have
    # closed, until the window's last day or the results' publication (docs/competitions.md).
    marking_opens = models.DateField(_("marking opens"), null=True, blank=True,
                                     help_text=_("Empty: the first day of the competition."))
    marking_closes = models.DateField(_("marking closes"), null=True, blank=True,
                                      help_text=_("Empty: until the results are published."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["competition", "name"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="event_unique_name"),
            models.CheckConstraint(condition=Q(max_team_size__gte=1), name="event_team_size_positive"),
            models.CheckConstraint(condition=Q(marking_opens__isnull=True) | Q(marking_closes__isnull=True)
                                   | Q(marking_closes__gte=F("marking_opens")), name="event_marking_window_ordered",
                                   violation_error_message=_("Marking closes on or after the day it opens.")),
            models.CheckConstraint(condition=Q(trim_from_judges__gte=3), name="event_trim_from_three_judges"),
            models.CheckConstraint(condition=Q(disagreement_points__gt=0) & Q(disagreement_points__lte=100),
                                   name="event_disagreement_points_range"),
        ]

    def __str__(self):
        return f"{self.competition} · {self.name}"

    @property
    def marking_window(self):
        """(first day, last day or None): the event's own window, else from the competition's first day."""
        return self.marking_opens or self.competition.starts_on, self.marking_closes

    @property
    def is_trimmed(self) -> bool:
        return self.aggregation == self.Aggregation.TRIMMED


class ScoringPart(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="parts")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    max_mark = models.DecimalField(_("maximum mark"), max_digits=7, decimal_places=2, default=Decimal("100"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring part")
        verbose_name_plural = _("scoring parts")
        ordering = ["event", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="part_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=100), name="part_weight_range"),
            models.CheckConstraint(condition=Q(max_mark__gt=0), name="part_max_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.weight}%)"


class Tier(models.TextChoices):
    FIRST = "first", _("First prize")
    SECOND = "second", _("Second prize")
    THIRD = "third", _("Third prize")
    EXCELLENCE = "excellence", _("Excellence award")


TIER_ORDER = [Tier.FIRST, Tier.SECOND, Tier.THIRD, Tier.EXCELLENCE]


class Upgrade(models.TextChoices):
    NONE = "", _("None")
    APPLY_UP = "apply_up", _("May apply for certification one level up")
    CERTIFY_UP = "certify_up", _("Certified one level up directly")


class AwardRule(models.Model):
    """How many places (or what share) a tier has, and what it earns."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="award_rules")
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    quota = models.DecimalField(_("places, or share in %"), max_digits=7, decimal_places=2)
    title = models.CharField(_("title earned"), max_length=100, blank=True,
                             help_text=_("e.g. 张湾区技术能手 (district technical expert)"))
    upgrade = models.CharField(_("certification upgrade"), max_length=12, choices=Upgrade.choices, blank=True,
                               default=Upgrade.NONE)
    advances = models.BooleanField(_("advances to the next level"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")
        constraints = [
            models.UniqueConstraint(fields=["event", "tier"], name="awardrule_one_per_tier"),
            models.CheckConstraint(condition=Q(quota__gte=0), name="awardrule_quota_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_tier_display()}: {self.quota}"


class JudgeAssignment(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="judges")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.PROTECT,
                              related_name="judging", limit_choices_to={"groups__name": "judge"})
    chief = models.BooleanField(_("chief judge"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("judge assignment")
        verbose_name_plural = _("judge assignments")
        constraints = [models.UniqueConstraint(fields=["event", "judge"], name="judge_once_per_event")]

    def __str__(self):
        return f"{self.judge} @ {self.event}"


class EntryQuerySet(models.QuerySet):
    def competing(self):
        return self.filter(status=Entry.Status.ENTERED)

    def people(self):
        """The workers of these entries, each once: an individual entry's worker, a team entry's
        members. Participants and winners are counted this way (docs/reports.md)."""
        return Worker.objects.filter(Q(pk__in=self.values("worker")) | Q(pk__in=self.values("members")))

    def person_rows(self, *fields):
        """(*fields, worker id) for each person of these entries, distinct: the entry's worker, or
        each member of a team entry. One query, for counting people by a grouping in Python."""
        rows = self.order_by().values_list(*fields, "worker", "members").distinct()
        return {(*row[:-2], row[-2] or row[-1]) for row in rows if row[-2] or row[-1]}


class Entry(models.Model):
    class Status(models.TextChoices):
        ENTERED = "entered", _("Entered")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DISQUALIFIED = "disqualified", _("Disqualified")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="entries")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="competition_entries")
    team_name = models.CharField(_("team name"), max_length=100, blank=True)
    members = models.ManyToManyField(Worker, verbose_name=_("team members"), blank=True,
                                     related_name="team_entries")
    organization = models.ForeignKey(Organization, verbose_name=_("nominating organization"),
                                     on_delete=models.PROTECT, related_name="competition_entries")
    bib = models.PositiveIntegerField(_("bib number"))
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.ENTERED,
                              editable=False)
    time_used = models.DurationField(_("time used"), null=True, blank=True)
    source_entry = models.OneToOneField("self", verbose_name=_("advanced from"), on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="advanced_entry")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    history = HistoricalRecords()
    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["event", "bib"]
        constraints = [
            models.UniqueConstraint(fields=["event", "bib"], name="entry_bib_unique"),
            models.UniqueConstraint(fields=["event", "worker"],
                                    condition=Q(worker__isnull=False) & ~Q(status="withdrawn"),
                                    name="entry_worker_once_per_event"),
            models.CheckConstraint(condition=Q(worker__isnull=False) | ~Q(team_name=""),
                                   name="entry_worker_or_team"),
        ]

    def __str__(self):
        return f"{self.event} #{self.bib}"

    @property
    def display_name(self):
        return self.team_name or (self.worker.name if self.worker else "")

    @property
    def is_entered(self) -> bool:
        return self.status == self.Status.ENTERED


class ScoreSheet(models.Model):
    """One judge's marks for one entry; locked once submitted."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="sheets")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.PROTECT,
                              related_name="score_sheets")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [models.UniqueConstraint(fields=["entry", "judge"], name="sheet_one_per_judge")]

    def __str__(self):
        return f"{self.entry} · {self.judge}"

    @property
    def locked(self):
        return self.submitted_at is not None


class Mark(models.Model):
    sheet = models.ForeignKey(ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE,
                              related_name="marks")
    part = models.ForeignKey(ScoringPart, verbose_name=_("part"), on_delete=models.PROTECT, related_name="marks")
    value = models.DecimalField(_("mark"), max_digits=7, decimal_places=2)
    # Copied from the part so the database itself can refuse a mark out of bounds.
    max_mark = models.DecimalField(_("maximum mark"), max_digits=7, decimal_places=2, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "part"], name="mark_once_per_part"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=F("max_mark")), name="mark_in_bounds"),
        ]

    def __str__(self):
        return f"{self.part.code}: {self.value}"


class Result(models.Model):
    entry = models.OneToOneField(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="result")
    final_score = models.DecimalField(_("final score"), **SCORE, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    tier = models.CharField(_("award"), max_length=12, choices=Tier.choices, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    upgrade = models.CharField(_("certification upgrade"), max_length=12, choices=Upgrade.choices, blank=True)
    # Part scores after aggregation, kept for tie-breaks and for the score sheet shown to the worker.
    part_scores = models.JSONField(_("part scores"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    recorded = models.BooleanField(_("recorded from outside"), default=False,
                                   help_text=_("Entered by hand or imported for a competition held elsewhere."))
    # The submitted score sheets the result was computed from, and how many the entry's judges owe.
    sheets_counted = models.PositiveSmallIntegerField(_("score sheets counted"), default=0, editable=False)
    sheets_expected = models.PositiveSmallIntegerField(_("score sheets expected"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["entry__event", "rank"]

    def __str__(self):
        return f"{self.entry}: {self.rank} {self.get_tier_display()}"

    @property
    def lacks_sheets(self) -> bool:
        return self.sheets_counted < self.sheets_expected


class OrganizerAward(models.Model):
    """'Excellent organization' awards to units, with funding."""

    competition = models.ForeignKey(Competition, verbose_name=_("competition"), on_delete=models.PROTECT,
                                    related_name="organizer_awards")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="organizer_awards")
    title = models.CharField(_("title"), max_length=100, default="优秀组织奖")
    funding = models.DecimalField(_("funding (yuan)"), default=Decimal("0.00"), **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organizer award")
        verbose_name_plural = _("organizer awards")
        constraints = [
            models.UniqueConstraint(fields=["competition", "organization", "title"], name="organizer_award_unique"),
            models.CheckConstraint(condition=Q(funding__gte=0), name="organizer_award_funding_not_negative"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.title}"


class InnovationProject(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("project", "Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        AWARDED = "awarded", _("Awarded")
        REJECTED = "rejected", _("Not shortlisted")

    title = models.CharField(_("title"), max_length=200)
    competition = models.ForeignKey(Competition, verbose_name=_("competition"), on_delete=models.PROTECT,
                                    related_name="projects")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="innovation_projects")
    team = models.ManyToManyField(Worker, verbose_name=_("team"), blank=True, related_name="innovation_projects")
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED,
                              editable=False)
    award = models.CharField(_("award"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("innovation project")
        verbose_name_plural = _("innovation projects")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_shortlisted(self) -> bool:
        return self.status == self.Status.SHORTLISTED


class ProjectAttachment(models.Model):
    project = models.ForeignKey(InnovationProject, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="attachments")
    file = models.FileField(_("file"), upload_to="competitions/projects/%Y/")
    content_type = models.CharField(_("type"), max_length=50, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.file.name
