"""The roster's columns for its Excel export (zhangwan/columns.py)."""

from django.utils.translation import gettext_lazy as _

from zhangwan.columns import PLAIN, Column, Table, yes_no

from .models import FULL_ID_NUMBER


def roster(user) -> Table:
    """The whole number and birth date, or the masked number and the birth year (the mask hides
    exactly the birth date)."""
    return Table(_("Roster"), "roster-{today}.xlsx", [
        Column(_("Name"), "name"),
        Column(_("Identity number"), "id_number", masked=True),
        Column(_("Mobile"), "mobile"),
        Column(_("Gender"), "get_gender_display"),
        Column(_("Birth date") if user.has_perm(FULL_ID_NUMBER) else _("Year of birth"), lambda w: w.birth_for(user),
               number_format=PLAIN),
        Column(_("Education"), "get_education_display"),
        Column(_("Unemployment insurance since"), "insured_since"),
        Column(_("Poverty-alleviation labourer"), yes_no("poverty_registered")),
        Column(_("Employer"), lambda w: w.employer.name if w.employer else ""),
    ])
