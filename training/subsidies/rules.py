"""The engine's reason codes in words, for officers and for the worker the claim is about."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Claim, Kind


def refusal(code: str, claim: Claim) -> str:
    policy = claim.policy
    words = {
        "insured_short": lambda: _("Unemployment insurance paid for less than %(months)d months before the "
                                   "certificate was issued.") % {"months": policy.min_insured_months},
        "claimed_late": lambda: _("Claimed more than %(months)d months after the certificate was issued.")
        % {"months": policy.claim_window_months},
        "no_rate": lambda: _("The policy pays nothing for this level or trade."),
        "higher_level_held": lambda: _("A higher level in the same trade was already held."),
        "trade_level_subsidised": lambda: _("This trade and level has already been subsidised once."),
        "training_subsidised": lambda: _("The certificate was already paid for by the training subsidy."),
        "yearly_limit": lambda: _("Already %(count)d skill-improvement subsidies this year, the most a person "
                                  "may receive.") % {"count": policy.max_per_year},
        "attendance_short": lambda: _("Attended less than %(percent)d%% of the hours.")
        % {"percent": policy.min_attendance_percent},
        "exam_not_passed": lambda: _("The class exam was not passed."),
        "not_completed": lambda: _("The class was not completed."),
        "no_certificate": lambda: _("No certificate in the class's trade within %(days)d days of the class.")
        % {"days": policy.certificate_within_days},
        "skill_subsidised": lambda: _("The certificate was already paid for by the skill-improvement subsidy."),
        "no_attended_day": lambda: _("No day of the class was attended."),
    }
    return words[code]() if code in words else code


def grant(claim: Claim) -> str:
    """Why the claim pays what it pays."""
    amount = f"¥{claim.rate.amount:,.2f}" if claim.rate_id else ""
    if claim.policy.kind == Kind.SKILL:
        return _("%(level)s certificate in %(trade)s issued on %(date)s: %(amount)s.") % {
            "level": claim.get_level_display(), "trade": claim.trade, "amount": amount,
            "date": date_format(claim.certificate.issued_on)}
    if claim.policy.kind == Kind.TRAINING:
        return _("Completed “%(title)s”: %(amount)s a trainee.") % {
            "title": claim.enrollment.training_class.title, "amount": amount}
    return _("%(days)d days attended in “%(title)s” at %(amount)s a day.") % {
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
