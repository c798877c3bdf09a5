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
