"""A list page's query parameters, read so that a bad value is no filter rather than a 500: a year
outside 2000–2100 (a date lookup with year 10⁴⁰ overflows), text with a NUL character (which
PostgreSQL refuses) or longer than any name."""

import django_filters
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years the programme's data may have
SEARCH_MAX_LENGTH = 100


def year_param(request, name: str = "year") -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) != 4:
        return None
    year = int(raw)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def search_param(request, name: str = "q") -> str:
    return request.GET.get(name, "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


class YearFilter(django_filters.NumberFilter):
    """A year filter whose form refuses what is not a year from 2000 to 2100."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Year"))
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
