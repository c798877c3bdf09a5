from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A login. Liaisons belong to the organization whose roster they keep."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("organization"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="users",
        help_text=_("For enterprise liaisons: the organization they act for."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    def role_labels(self) -> str:
        """The user's roles in the reader's language (reads ``groups.all()``: prefetch it for lists)."""
        from .roles import Role

        return "、".join(str(Role(g.name).label) for g in self.groups.all() if g.name in Role.values)

    def get_short_name(self):
        """How the admin greets them: their name, not the username."""
        return self.get_full_name()


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in the user's in-app list; the same text also goes out by e-mail.

    A notification stores a key of ``zhangwan.accounts.notices.NOTICES`` and its parameters, and is
    rendered in the reader's language when shown (``title``, ``body``). Rows written before keys (and
    callers that still pass rendered texts) keep their text in ``legacy_title``/``legacy_body``, shown
    as it is.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(_("kind"), max_length=60, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    legacy_title = models.CharField(_("title"), max_length=200, blank=True)
    legacy_body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [models.CheckConstraint(condition=~models.Q(key="", legacy_title=""),
                                              name="notification_has_key_or_text")]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        from .notices import render_title

        return render_title(self)

    @property
    def body(self) -> str:
        from .notices import render_body

        return render_body(self)


class OneTimeCode(models.Model):
    """A six-digit code sent by SMS to prove that someone holds a mobile number (zhangwan/accounts/otp.py).

    Only a keyed hash of the code is stored. A code lives 5 minutes, allows 5 tries and is used once;
    rows are deleted a day after they were sent (they also count a number's codes per day).
    """

    class Purpose(models.TextChoices):
        CLAIM = "claim", _("Claim an account")
        PASSWORD_RESET = "password_reset", _("Reset the password")
        MOBILE_CHANGE = "mobile_change", _("Change the mobile number")
        BANK_CHANGE = "bank_change", _("Change the bank account")
        EMAIL_ADD = "email_add", _("Add an e-mail address")

    MAX_TRIES = 5

    # A mobile number, or an e-mail address for the purposes whose code goes by e-mail (EMAIL_ADD).
    mobile = models.CharField(_("mobile number or e-mail address"), max_length=254)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["mobile", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(tries__lte=5), name="otp_at_most_five_tries"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")),
                                   name="otp_expires_after_sending"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.mobile[:3]}****{self.mobile[-4:]}"


class ClaimLock(models.Model):
    """An identity number whose account claim is refused until ``locked_until``, after too many failed
    attempts against it (zhangwan/accounts/services.py). Refused even with the right details."""

    id_number = models.CharField(_("identity number"), max_length=18, unique=True)
    locked_at = models.DateTimeField(_("locked at"))
    locked_until = models.DateTimeField(_("locked until"))

    class Meta:
        verbose_name = _("claim lock")
        verbose_name_plural = _("claim locks")
        constraints = [models.CheckConstraint(condition=models.Q(locked_until__gt=models.F("locked_at")),
                                              name="claimlock_until_after_start")]

    def __str__(self):
        return f"{self.id_number[:6]}…{self.id_number[-4:]}"


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An officer's invitation to open an account of one role in their dimension
    (zhangwan/accounts/managing.py). The link's token is stored only as its SHA-256; the link
    expires and works once. The role, and the organization a liaison acts for, are the invitation's:
    the invitee chooses only a username and password."""

    role = models.CharField(_("role"), max_length=30)
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    full_name = models.CharField(_("full name"), max_length=50)
    email = models.EmailField(_("e-mail address"), blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, verbose_name=_("invited by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    sent_at = models.DateTimeField(_("last sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    user = models.ForeignKey(User, verbose_name=_("account"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="invitations")
    history = HistoricalRecords()

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(email="", mobile=""), name="invitation_has_address"),
            models.CheckConstraint(condition=~models.Q(role="liaison", organization__isnull=True),
                                   name="invitation_liaison_has_organization"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")),
                                   name="invitation_expires_after_creation"),
            models.CheckConstraint(condition=models.Q(accepted_at__isnull=True) | models.Q(cancelled_at__isnull=True),
                                   name="invitation_not_accepted_and_cancelled"),
            models.CheckConstraint(condition=models.Q(accepted_at__isnull=True) | models.Q(user__isnull=False),
                                   name="invitation_accepted_has_account"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.role_label})"

    @property
    def role_label(self):
        from .roles import Role

        return Role(self.role).label if self.role in Role.values else self.role

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_expired(self) -> bool:
        return not self.is_accepted and not self.is_cancelled and self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return not (self.is_accepted or self.is_cancelled or self.is_expired)

    @property
    def address(self) -> str:
        if self.email:
            return self.email
        return f"{self.mobile[:3]}****{self.mobile[-4:]}"
