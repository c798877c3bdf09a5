"""What a notification says, by key: rendered in the reader's language when it is shown.

A notification stores a key of ``NOTICES`` and its parameters (JSON), never a rendered text, so a
worker reading in English sees English and an officer reading in Chinese sees Chinese, whoever caused
it and in whatever language. Add the key here before using it (``tell`` refuses unknown keys), like
the history's reasons (zhangwan/history.py).

Parameters are stored as given (text, numbers); a lazily translated value (a status label,
``Enrollment.Status.WAITLISTED.label``) is stored as its source text and translated when shown,
as ``{"msgid": "Waiting list"}``. Dates and money are passed as text already formatted.

Rows written before keys, and callers that pass rendered texts to ``notify``, keep the text in
``legacy_title``/``legacy_body``, shown as it is.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Notice:
    title: object  # a lazily translated text with %(name)s parameters
    body: object = ""  # the same, or a function of the parameters giving the text in the active language


NOTICES = {
    # accounts
    "claim.locked": Notice(
        _("Account claim locked: %(name)s"),
        _("Repeated failed attempts were made to claim the account of %(name)s (%(id_number)s, "
          "%(organization)s). Claims for this record are refused until %(until)s, even with the "
          "right details. If the worker was not trying, someone else may be: check with the worker "
          "that the mobile number on file is theirs.")),
    "account.invitation_accepted": Notice(
        _("Invitation accepted: %(name)s"),
        _("%(name)s accepted your invitation and now has an account (%(role)s, username %(username)s).")),
    # training
    "class.status": Notice(_("%(title)s: %(status)s"), _("The class “%(title)s” is now: %(status)s.")),
    "class.cancelled": Notice(_("Class cancelled: %(title)s"),
                              _("The class “%(title)s” has been cancelled; your registration is withdrawn.")),
    "enrollment.registered": Notice(_("Registered: %(title)s"),
                                    _("Your seat in “%(title)s” is confirmed. The class starts on %(date)s.")),
    "enrollment.waitlisted": Notice(_("On the waiting list: %(title)s"),
                                    _("“%(title)s” is full; you are number %(position)d on the waiting list. We will "
                                      "tell you when a seat frees up.")),
    "enrollment.cancelled": Notice(_("Registration cancelled: %(title)s"),
                                   _("Your seat in “%(title)s” (starting %(date)s) was cancelled by %(by)s.")),
    "enrollment.waitlist_left": Notice(_("Left the waiting list: %(title)s"),
                                       _("You are no longer on the waiting list of “%(title)s” (starting %(date)s): "
                                         "%(by)s took you off.")),
    "enrollment.withdrawn": Notice(_("Withdrawn from %(title)s"),
                                   _("The training officer has withdrawn you from “%(title)s”. Reason: %(reason)s")),
    "enrollment.promoted": Notice(_("A seat for you: %(title)s"),
                                  _("A seat has freed up in “%(title)s” and it is yours: your registration is "
                                    "confirmed. The class starts on %(date)s.")),
    "enrollment.moved": Notice(_("Moved to %(title)s"),
                               _("The training officer has moved you from “%(old)s” to “%(title)s”, where you are: "
                                 "%(status)s. Reason: %(reason)s")),
    "enrollment.finished": Notice(_("%(title)s: %(status)s"),
                                  _("You attended %(attended)s of %(required)s hours of “%(title)s”. Result: "
                                    "%(status)s.")),
    # subsidies
    "batch.sent_back": Notice(_("Batch %(batch)s was sent back"), _("%(name)s sent batch %(batch)s back: %(reason)s")),
    "subsidy.paid": Notice(_("Subsidy paid: ¥%(amount)s"),
                           _("%(policy)s: ¥%(amount)s was paid into your bank account on %(date)s (bank reference "
                             "%(reference)s).")),
    "bank.changed": Notice(_("Your bank account for subsidies was changed"),
                           _("From now on subsidies are paid into %(bank)s %(account)s. If you did not make this "
                             "change, change your password and call the trade union at once.")),
    "bank.changed_in_batch": Notice(
        _("A payee of batch %(batch)s changed their bank account"),
        _("%(name)s changed their bank account after their claim entered batch %(batch)s, which is not paid yet. "
          "The batch pays the account it was approved with; check with the worker before paying.")),
    "bank.recorded": Notice(_("Your bank account for subsidies was changed"),
                            _("The trade union recorded %(bank)s %(account)s as your account for subsidies. If it is "
                              "not yours, call the trade union at once.")),
    "bank.reminder": Notice(_("Your subsidy is waiting for your bank account"),
                            _("%(count)d approved subsidy claims (¥%(amount)s in all) wait for your bank account. "
                              "Enter it under My subsidies.")),
    "bank.reminder_liaison": Notice(_("Workers of yours wait for bank details"),
                                    _("Approved subsidies of these workers cannot be paid until their bank details "
                                      "are on record: %(names)s. Import them from Excel or ask the workers.")),
    "claim.reopened": Notice(_("Subsidy claim #%(number)d is reviewed again"),
                             _("Your claim under “%(policy)s” awaits review again. Reason: %(reason)s")),
    # masters
    "talk.scheduled": Notice(_("Talk scheduled: %(talk)s"), _("%(date)s, %(venue)s, by %(speaker)s.")),
    "review.assigned": Notice(_("Nominations to review: %(round)s"),
                              _("Please score the nominations assigned to you by %(date)s.")),
    "nomination.status": Notice(_("Nomination: %(status)s"),
                                _("The nomination of %(name)s (%(round)s) is now: %(status)s.")),
    # certification ("application.decided" is registered by certification: its reasons need its code)
    "application.admitted": Notice(_("Admitted: %(session)s"),
                                   _("You are admitted to the assessment on %(date)s at %(venue)s.")),
    "certificate.reinstated": Notice(_("Certificate %(number)s is valid again"),
                                     _("The revocation of your certificate %(number)s was taken back. Reason: "
                                       "%(reason)s")),
    "certificate.issued": Notice(_("Certificate issued: %(session)s"),
                                 _("Your certificate %(number)s has been issued.")),
    # competitions
    "results.published": Notice(_("Results published: %(name)s"), _("%(event)s: rank %(rank)s, %(award)s.")),
    "results.withdrawn": Notice(_("Results withdrawn: %(name)s"),
                                _("The results of %(event)s are withdrawn: %(reason)s. They will be published again "
                                  "once corrected.")),
    "result.corrected": Notice(_("Result corrected: %(name)s"), _("%(event)s: rank %(rank)s, %(award)s (%(reason)s).")),
    # API
    "webhook.disabled": Notice(
        _("Webhook disabled: %(address)s"),
        _("Deliveries to %(address)s failed %(failures)d times in a row, so the webhook is disabled and "
          "events wait. Check the receiving system, then enable the webhook again on its page.")),
}


def register(key: str, notice: Notice) -> None:
    """A later app's notice whose body needs its own code to render (a function of the parameters),
    registered from its AppConfig.ready()."""
    NOTICES[key] = notice


def param(value):
    """A parameter as stored: a lazily translated text as its source text, to translate when shown."""
    if isinstance(value, Promise):
        with translation.override(None):
            return {"msgid": str(value)}
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value  # lists and dicts: JSON the notice's own body function reads
    return str(value)


def stored_params(params: dict) -> dict:
    return {name: param(value) for name, value in params.items()}


def _shown(value):
    if isinstance(value, dict) and "msgid" in value:
        return gettext(value["msgid"])
    return "—" if value is None else value


def _render(text, params: dict) -> str:
    text = gettext(str(_source(text)))
    try:
        return text % {name: _shown(value) for name, value in params.items()} if params else text
    except (KeyError, TypeError, ValueError):  # a parameter missing from an old row: the text as it is
        return text


def _source(lazy) -> str:
    with translation.override(None):
        return str(lazy)


def render_title(notification) -> str:
    notice = NOTICES.get(notification.key)
    if notice is None:
        return notification.legacy_title
    return _render(notice.title, notification.params)


def render_body(notification) -> str:
    notice = NOTICES.get(notification.key)
    if notice is None:
        return notification.legacy_body
    if callable(notice.body):
        return notice.body(notification.params)
    return _render(notice.body, notification.params) if notice.body else ""
