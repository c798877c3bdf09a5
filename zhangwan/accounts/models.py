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
