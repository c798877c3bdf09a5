from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in the user's in-app list; the same text also goes out by e-mail."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
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

    def __str__(self):
        return self.title


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

    MAX_TRIES = 5

    mobile = models.CharField(_("mobile number"), max_length=11)
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
