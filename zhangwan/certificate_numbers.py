"""Certificate numbers: the issuer's prefix + year of issue + six digits (docs/certification.md).

An issuer is an assessment body (certification) or a competition (the certificates its awards earn),
so the prefix field lives here, below both apps: competitions does not import certification.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CERTIFICATE_PREFIX = "ZW"  # the default prefix of an issuer's certificate numbers (the district's series)
# Capital letters only: a prefix never runs into the year and digits after it, so two prefixes can
# never make the same number.
PREFIX_PATTERN = r"^[A-Z]{1,8}$"


def certificate_prefix_field(help_text):
    """An issuer's certificate number prefix (an assessment body, a competition): capital letters, with a
    database check on the model (`prefix_is_letters`)."""
    return models.CharField(_("certificate number prefix"), max_length=8, default=CERTIFICATE_PREFIX,
                            validators=[RegexValidator(PREFIX_PATTERN, _("Write 1 to 8 capital letters, e.g. ZW."))],
                            help_text=help_text)


def prefix_is_letters(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(certificate_prefix__regex=PREFIX_PATTERN), name=name)
