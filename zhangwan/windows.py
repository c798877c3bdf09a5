"""Telling people why a registration window takes nobody now, with its dates (issue 20): class
registration and competition entry say it the same way. (Nominations go by selection rounds, so their
note, masters.selectors.nominations_closed_note, names the next or last round instead.)"""

from django.utils import timezone
from django.utils.translation import gettext as _


def closed_window_note(opens, closes, now=None) -> str:
    """Why nobody can register now: when the window opens (and closes), or when it closed. Opens and
    closes are aware datetimes or None (no window announced)."""
    now = now or timezone.now()
    if opens is None or closes is None:
        return _("Registration is not open now.")
    when = {"start": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}",
            "end": f"{timezone.localtime(closes):%Y-%m-%d %H:%M}"}
    if now < opens:
        return _("Registration opens on %(start)s and closes on %(end)s.") % when
    if now >= closes:
        return _("Registration closed on %(end)s.") % when
    return _("Registration is not open now.")
