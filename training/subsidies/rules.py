"""The engine's reason codes in words, for officers and for the worker the claim is about."""

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import Claim, Kind


class Refusal(models.TextChoices):
    """Why the engine refused a claim: each code is written by a statement in engine.py, which takes
    it from here as a parameter. The words name the policy's figures (FIGURES)."""

    INSURED_SHORT = "insured_short", _("Unemployment insurance paid for less than %(months)d months before the "
                                           "certificate was issued.")
    CLAIMED_LATE = "claimed_late", _("Claimed more than %(months)d months after the certificate was issued.")
    NO_RATE = "no_rate", _("The policy pays nothing for this level or trade.")
    HIGHER_LEVEL_HELD = "higher_level_held", _("A higher level in the same trade was already held.")
    TRADE_LEVEL_SUBSIDISED = "trade_level_subsidised", _("This trade and level has already been subsidised once.")
    TRAINING_SUBSIDISED = "training_subsidised", _("The certificate was already paid for by the training subsidy.")
    YEARLY_LIMIT = "yearly_limit", _("Over the yearly limit: %(count)d skill-improvement subsidy a person a year, "
                                         "and up to %(extra)d more for occupations on the shortage list.")
    ATTENDANCE_SHORT = "attendance_short", _("Attended less than %(percent)d%% of the hours.")
    EXAM_NOT_PASSED = "exam_not_passed", _("The class exam was not passed.")
    NOT_COMPLETED = "not_completed", _("The class was not completed.")
    NO_CERTIFICATE = "no_certificate", _("No certificate in the class's trade within %(days)d days of the class.")
    SKILL_SUBSIDISED = "skill_subsidised", _("The certificate was already paid for by the skill-improvement "
                                                 "subsidy.")
    NO_ATTENDED_DAY = "no_attended_day", _("No day of the class was attended.")


FIGURES = {
    Refusal.INSURED_SHORT: lambda policy: {"months": policy.min_insured_months},
    Refusal.CLAIMED_LATE: lambda policy: {"months": policy.claim_window_months},
    Refusal.YEARLY_LIMIT: lambda policy: {"count": policy.max_per_year, "extra": policy.shortage_extra_per_year},
    Refusal.ATTENDANCE_SHORT: lambda policy: {"percent": policy.min_attendance_percent},
    Refusal.NO_CERTIFICATE: lambda policy: {"days": policy.certificate_within_days},
}


def refusal(code: str, claim: Claim) -> str:
    if code not in Refusal.values:
        return code
    words = Refusal(code).label
    return words % FIGURES[code](claim.policy) if code in FIGURES else str(words)


def grant(claim: Claim) -> str:
    """Why the claim pays what it pays."""
    amount = f"¥{claim.rate.amount:,.2f}" if claim.rate_id else ""
    if claim.policy.kind == Kind.SKILL:
        # A claim copies its certificate's trade and level; one made before it did names the certificate's.
        certificate = claim.certificate
        return _("%(level)s certificate in %(trade)s issued on %(date)s: %(amount)s.") % {
            "level": claim.get_level_display() if claim.level is not None else certificate.get_level_display(),
            "trade": claim.trade or certificate.trade, "amount": amount, "date": date_format(certificate.issued_on)}
    if claim.policy.kind == Kind.TRAINING:
        return _("Completed “%(title)s”: %(amount)s per trainee.") % {
            "title": claim.enrollment.training_class.title, "amount": amount}
    return _("%(days)d days attended in “%(title)s” at %(amount)s per day.") % {
        "days": claim.quantity or 0, "title": claim.enrollment.training_class.title, "amount": amount}


def explain(claim: Claim) -> list[str]:
    """The claim's reasons in words: what granted it, or every rule that refused it."""
    if claim.reverses_id:
        return [_("Reverses claim #%(number)d: %(reason)s") % {"number": claim.reverses_id,
                                                               "reason": claim.review_note}]
    if claim.status == Claim.Status.INELIGIBLE:
        return [refusal(code, claim) for code in claim.reasons]
    lines = [grant(claim)]
    if claim.status == Claim.Status.REJECTED:
        lines.append(_("Refused by the officer: %(reason)s") % {"reason": claim.review_note})
    return lines
