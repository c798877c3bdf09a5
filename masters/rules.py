"""Reason codes written by the eligibility job and by the officer's decisions, in words."""

from django.utils.translation import gettext_lazy as _

REASONS = {
    "level": _("No valid certificate at the level the round requires."),
    "years": _("Fewer years in the trade than the round requires."),
    "award": _("No competition award, which the round requires."),
    "employment": _("Not employed by an organization in the district."),
    "not_shortlisted": _("Not among the shortlisted nominations."),
    "objection_upheld": _("An objection during publicity was upheld."),
}


def reasons_in_words(codes) -> list[str]:
    return [str(REASONS.get(code, code)) for code in codes]
