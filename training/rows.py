"""The repeated parts of the two busiest lists, written in Python: the catalogue's card and the officer's
class row (issue 21).

In a Django template each card cost about 0.6 ms and each row 0.17 ms of processor time (a few hundred
variable lookups, ``{% blocktranslate %}``, filters, escaping): 12 of the catalogue's 20 ms and 9 of the
officer list's 21. The same HTML written here costs a tenth of that. The pages keep their layout in
their templates and give their page of classes to the ``catalogue_cards`` and ``class_rows`` filters, which
work out once a page what rows share (an address's shape, a trade's, a provider's or a status's text); every
value is escaped as the template escaped it, and ``training/tests/test_rows.py`` holds the output to the
HTML the templates gave, class by class and for a whole page, in both languages.
"""

import datetime
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from zhangwan.links import addresser
from zhangwan.markup import escaped
from zhangwan.table_versions import attach_kept, kept_objects

# The columns each of them reads: the lists load only these (``QuerySet.only``), 16 and 22 columns a row
# instead of 40 and 48, leaving out the classes' descriptions, the courses' syllabuses and the providers'
# addresses and contacts, long texts and columns nothing here shows. A column read here and left out
# costs a query a row, which the lists' tests of constant queries catch (training/tests/test_views.py).
# The trade and the training base are not joined: ``kept_page`` sets them from their tables' kept copies.
CATALOGUE_CARD_FIELDS = ("title", "starts_on", "ends_on", "venue", "audience", "confirmed_count", "capacity",
                         "status", "course__level", "course__trade", "base", "provider__name")


def listed(filterset, fields):
    """The filtered classes as the catalogue reads them: the columns ``fields`` of each, with its course and
    provider (``kept_page`` gives the page's rows their trades and training bases)."""
    return filterset.qs.select_related(None).select_related("course", "provider").only(*fields)


def kept_page(page, filterset, *, bases=False):
    """The page's classes (``listed``) given their trades (and, with ``bases``, their training bases) from the
    copies the filter bar keeps of those tables (zhangwan.table_versions.attach_kept): two joins fewer for
    PostgreSQL to plan, and no copy of a trade or a base made for each row."""
    from zhangwan.registry.models import Trade

    from .models import TrainingBase

    page.object_list = list(page.object_list)  # (a page past the end is read by Django's paginator: a queryset)
    attach_kept(page.object_list, "course__trade", Trade, filterset.kept_stamp)
    if bases:
        attach_kept(page.object_list, "base", TrainingBase, filterset.kept_stamp)
    return page


class ClassRow(NamedTuple):
    """A class as the officer's list shows it, read as a row of values (``class_row_values``) rather than as a
    class, a course and a provider: 150 model instances a page of 50 were a tenth of the list's processor
    time (issue 21)."""

    pk: int
    title: str
    union_class: bool
    trade: object  # its course's Trade (from the kept copy of the trades)
    provider_id: int
    provider: str  # the provider's name, as the template printed the provider
    starts_on: datetime.date
    confirmed_count: int
    capacity: int
    status: str

    def get_status_display(self) -> str:
        return str(_status_labels().get(self.status, self.status))


# The columns of a ClassRow, in its order (the trade's key where the row has the trade).
CLASS_ROW_COLUMNS = ("pk", "title", "union_class", "course__trade", "provider", "provider__name", "starts_on",
                     "confirmed_count", "capacity", "status")


@cache
def _status_labels():
    from .models import TrainingClass

    return dict(TrainingClass._meta.get_field("status").flatchoices)  # (lazy labels: read in the page's language)


def class_row_values(queryset):
    """The classes' rows of values for ClassRow."""
    return queryset.values_list(*CLASS_ROW_COLUMNS)


def class_row_page(page, filterset):
    """The page's rows (``class_row_values``) as ClassRows, their trades from the filter bar's kept copy."""
    from zhangwan.registry.models import Trade

    trade = kept_objects(Trade, filterset.kept_stamp)
    page.object_list = [ClassRow(*row[:3], trade(row[3]), *row[4:]) for row in page.object_list]
    return page


@cache
def _badge_colours():
    from .models import Enrollment, TrainingClass

    C, E = TrainingClass.Status, Enrollment.Status
    return {
        C.OPEN: "text-bg-success", E.CONFIRMED: "text-bg-success", E.COMPLETED: "text-bg-success",
        E.WAITLISTED: "text-bg-warning", C.CLOSED: "text-bg-warning",
        C.CANCELLED: "text-bg-secondary", E.FAILED: "text-bg-secondary", E.NO_SHOW: "text-bg-secondary",
        C.RUNNING: "text-bg-primary",
    }


def badge_colour(status) -> str:
    """The badge colour of a class's or an enrollment's status."""
    return _badge_colours().get(status, "text-bg-light border")


def badge(obj) -> SafeString:
    """A class's or an enrollment's status as a coloured badge."""
    return mark_safe(f'<span class="badge {badge_colour(obj.status)}">'  # noqa: S308 - escaped
                     f'{escaped(obj.get_status_display())}</span>')


def _text(value) -> str:
    """A value as ``{{ value }}`` prints it: localized, then escaped (a count is its digits when numbers
    are written without thousands separators, as here)."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return escaped(localize(value))


def _day(value) -> str:
    """``{{ value|date:"Y-m-d" }}``."""
    return value.isoformat() if value else ""


def _seats(cls) -> str:
    if cls.takes_waiting_list:
        return gettext("Every seat is taken: join the waiting list")
    if cls.is_open:
        return gettext("%(left)s of %(capacity)s seats left") % {"left": _text(cls.seats_left),
                                                                   "capacity": _text(cls.capacity)}
    return gettext("%(capacity)s seats") % {"capacity": _text(cls.capacity)}


class _Shared(dict):
    """What the rows of one page share, worked out once a page: a trade's, a provider's, a status's text."""

    def once(self, kind, key, make, obj):
        """``make(obj)``, once for all the page's rows with this ``key`` (none for an unsaved object's)."""
        if key is None:
            return make(obj)
        if (kind, key) not in self:
            self[kind, key] = make(obj)
        return self[kind, key]


def _trade(course) -> str:
    return _trade_name(course.trade)


def _trade_name(trade) -> str:
    return _text(trade.name)


def _level(course) -> str:
    return f"{escaped(course.get_level_display())} · " if course.level is not None else ""


def _audience(cls) -> str:
    return escaped(cls.get_audience_display())


def _provider(cls) -> str:
    return _text(cls.provider)


def catalogue_cards(classes) -> SafeString:
    """The classes of the public catalogue as their cards (each read with its course, trade, base and
    provider)."""
    address, shared = addresser("training:class_detail"), _Shared()
    full = gettext("Full · waiting list open")  # (gettext outside the f-strings, where makemessages finds it)
    full = f'<span class="badge text-bg-warning">{full}</span>'
    cards = []
    for cls in classes:
        course = cls.course
        state = full if cls.takes_waiting_list else shared.once("status", cls.status, badge, cls)
        level = shared.once("level", course.level, _level, course)
        audience = shared.once("audience", cls.audience, _audience, cls)
        base = cls.base_beside_venue
        beside = f" · {_text(base)}" if base else ""
        cards.append(
            '<div class="col-md-6 col-xl-4"><div class="card h-100"><div class="card-body">'
            '<div class="d-flex justify-content-between gap-2 mb-1">'
            f'<span class="badge text-bg-light border">{shared.once("trade", course.trade_id, _trade, course)}</span>'
            f'{state}</div><h2 class="h6 card-title mt-2"><a class="stretched-link text-decoration-none" '
            f'href="{escaped(address(cls.pk))}">{_text(cls.title)}</a></h2>'
            f'<p class="small text-muted mb-2">{level}{audience}</p>'
            f'<p class="small mb-0"><i class="bi bi-calendar3"></i> {_day(cls.starts_on)} – {_day(cls.ends_on)}<br>'
            f'<i class="bi bi-geo-alt"></i> {_text(cls.venue)}{beside}</p></div>'
            f'<div class="card-footer small d-flex justify-content-between"><span>{_seats(cls)}</span>'
            f'<span class="text-muted">{shared.once("provider", cls.provider_id, _provider, cls)}</span>'
            '</div></div></div>')
    return mark_safe("".join(cards))  # noqa: S308 - every value escaped above


def class_rows(classes) -> SafeString:
    """The classes of the officer's list (ClassRows) as its table rows."""
    address, shared = addresser("training:class_manage"), _Shared()
    union = gettext("Union")  # (outside the f-string, where makemessages finds it)
    union = f' <span class="badge text-bg-danger">{union}</span>'
    rows = []
    for c in classes:
        rows.append(
            f'<tr><td><a href="{escaped(address(c.pk))}">{_text(c.title)}</a>{union if c.union_class else ""}</td>'
            f'<td class="d-none d-md-table-cell small">{shared.once("trade", c.trade.pk, _trade_name, c.trade)}</td>'
            f'<td class="d-none d-lg-table-cell small">{shared.once("provider", c.provider_id, _provider, c)}</td>'
            f'<td class="text-nowrap small">{_day(c.starts_on)}</td>'
            f'<td class="text-nowrap small">{_text(c.confirmed_count)}/{_text(c.capacity)}</td>'
            f'<td>{shared.once("status", c.status, badge, c)}</td></tr>')
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above
