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
from zhangwan.registry.models import Trade
from zhangwan.table_versions import kept_objects

from .models import Course, TrainingBase, TrainingClass

# Both lists read their rows as values (``values_list``), not as a class, a course and a provider each: three
# model instances a row were a tenth of the lists' processor time (issue 21). A row is a NamedTuple of the
# columns it shows, with the model's own properties (seats left, open, waiting list, base beside the venue)
# and its choices' labels. The trade and the training base are not joined: ``kept_page`` gives each row its
# Trade and TrainingBase from the copies the filter bar keeps of those tables (zhangwan.table_versions).


def _label(model, name, value) -> str:
    """What ``get_<name>_display()`` gives, in the current language."""
    return str(_labels(model, name).get(value, value))


@cache
def _labels(model, name) -> dict:
    return dict(model._meta.get_field(name).flatchoices)  # (lazy labels: read in the page's language)


class ClassCard(NamedTuple):
    """A class as the public catalogue shows it (``CARD_COLUMNS``)."""

    pk: int
    title: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    venue: str
    audience: str
    confirmed_count: int
    capacity: int
    status: str
    level: int | None  # its course's
    trade: Trade  # its course's
    base: TrainingBase | None
    provider_id: int
    provider: str  # the provider's name, as the template printed the provider

    Status = TrainingClass.Status
    seats_left = TrainingClass.seats_left
    is_open = TrainingClass.is_open
    takes_waiting_list = TrainingClass.takes_waiting_list
    base_beside_venue = TrainingClass.base_beside_venue

    def get_status_display(self) -> str:
        return _label(TrainingClass, "status", self.status)

    def get_audience_display(self) -> str:
        return _label(TrainingClass, "audience", self.audience)

    def get_level_display(self) -> str:
        return _label(Course, "level", self.level)


class ClassRow(NamedTuple):
    """A class as the officer's list shows it (``ROW_COLUMNS``)."""

    pk: int
    title: str
    union_class: bool
    trade: Trade  # its course's
    provider_id: int
    provider: str  # the provider's name
    starts_on: datetime.date
    confirmed_count: int
    capacity: int
    status: str

    def get_status_display(self) -> str:
        return _label(TrainingClass, "status", self.status)


# The columns of each, in its order; the trade's (and the base's) key where the row has its object.
CARD_COLUMNS = ("pk", "title", "starts_on", "ends_on", "venue", "audience", "confirmed_count", "capacity", "status",
                "course__level", "course__trade", "base", "provider", "provider__name")
ROW_COLUMNS = ("pk", "title", "union_class", "course__trade", "provider", "provider__name", "starts_on",
               "confirmed_count", "capacity", "status")


def card_values(queryset):
    """The classes' rows of values for ClassCards (``kept_page(..., ClassCard)``)."""
    return queryset.values_list(*CARD_COLUMNS)


def row_values(queryset):
    """The classes' rows of values for ClassRows (``kept_page(..., ClassRow)``)."""
    return queryset.values_list(*ROW_COLUMNS)


# Where each row of values has the keys kept_page makes objects of (a card's base right after its trade).
_ROW_TRADE = ROW_COLUMNS.index("course__trade")
_CARD_TRADE = CARD_COLUMNS.index("course__trade")
assert CARD_COLUMNS[_CARD_TRADE + 1] == "base"


def kept_page(page, filterset, shape):
    """The page's rows of values made ClassCards or ClassRows (``shape``), their trades and training bases from
    the filter bar's kept copies of those tables."""
    trade, t = kept_objects(Trade, filterset.kept_stamp), _ROW_TRADE if shape is ClassRow else _CARD_TRADE
    if shape is ClassRow:
        page.object_list = [ClassRow(*row[:t], trade(row[t]), *row[t + 1:]) for row in page.object_list]
    else:
        base = kept_objects(TrainingBase, filterset.kept_stamp)
        page.object_list = [ClassCard(*row[:t], trade(row[t]), base(row[t + 1]), *row[t + 2:])
                            for row in page.object_list]
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


def _trade(trade) -> str:
    return _text(trade.name)


def _level(card) -> str:
    return f"{escaped(card.get_level_display())} · " if card.level is not None else ""


def _audience(cls) -> str:
    return escaped(cls.get_audience_display())


def _provider(cls) -> str:
    return _text(cls.provider)


def catalogue_cards(classes) -> SafeString:
    """The classes of the public catalogue (ClassCards) as their cards."""
    address, shared = addresser("training:class_detail"), _Shared()
    full = gettext("Full · waiting list open")  # (gettext outside the f-strings, where makemessages finds it)
    full = f'<span class="badge text-bg-warning">{full}</span>'
    cards = []
    for cls in classes:
        state = full if cls.takes_waiting_list else shared.once("status", cls.status, badge, cls)
        level = shared.once("level", cls.level, _level, cls)
        audience = shared.once("audience", cls.audience, _audience, cls)
        base = cls.base_beside_venue
        beside = f" · {_text(base)}" if base else ""
        cards.append(
            '<div class="col-md-6 col-xl-4"><div class="card h-100"><div class="card-body">'
            '<div class="d-flex justify-content-between gap-2 mb-1">'
            f'<span class="badge text-bg-light border">{shared.once("trade", cls.trade.pk, _trade, cls.trade)}</span>'
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
            f'<td class="d-none d-md-table-cell small">{shared.once("trade", c.trade.pk, _trade, c.trade)}</td>'
            f'<td class="d-none d-lg-table-cell small">{shared.once("provider", c.provider_id, _provider, c)}</td>'
            f'<td class="text-nowrap small">{_day(c.starts_on)}</td>'
            f'<td class="text-nowrap small">{_text(c.confirmed_count)}/{_text(c.capacity)}</td>'
            f'<td>{shared.once("status", c.status, badge, c)}</td></tr>')
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above
