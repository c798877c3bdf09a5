from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import FlatValuesListIterable

TOTAL = "rows_in_all"  # the count each row of a counted page carries
LAST_OFFSET = 2**62  # beyond it (a page number from a crafted address) PostgreSQL's OFFSET fails: Django counts first


class CountedPaginator(Paginator):
    """A paginator that reads a page and the number of rows in all with one query: the page's rows carry
    ``COUNT(*) OVER ()``, which PostgreSQL works out over the whole filtered set before the page's LIMIT.
    Django's paginator asks a separate ``SELECT COUNT(*)`` first, the same WHERE built and compiled twice: a
    tenth of a busy list's processor time (issue 21). A page past the end (or a number below 1) has no row to
    carry the count; it is then counted as Django counts it and answered as Django answers it (the last page).
    A list, a queryset with DISTINCT or a UNION (whose count a window over the rows is not) or of flat values is
    paginated as Django paginates it."""

    def get_page(self, number):
        rows = self.object_list
        if (not isinstance(rows, QuerySet) or rows.query.distinct or rows.query.combinator
                or rows._iterable_class is FlatValuesListIterable):  # noqa: SLF001 - no public way to ask
            return super().get_page(number)
        try:
            wanted = 1 if number is None else int(number)
        except (TypeError, ValueError):
            wanted = 1  # as Django: a number that is not one gives the first page
        bottom = (wanted - 1) * self.per_page
        if wanted >= 1 and bottom <= LAST_OFFSET:
            rows = list(rows.annotate(**{TOTAL: Window(Count("*"))})[bottom:bottom + self.per_page])
            if rows:
                self.count = _take_count(rows)  # Paginator.count is a cached_property: this is its value
                return self._get_page(rows, wanted, self)
        return super().get_page(number)


def _take_count(rows) -> int:
    """The count the rows carry, taken out of rows of values: a ``values_list`` row (a tuple, named or not) has
    it as its last item, a ``values`` row under TOTAL."""
    first = rows[0]
    if isinstance(first, tuple):
        rows[:] = [tuple.__new__(type(row), row[:-1]) for row in rows]  # (a named row's class takes its items)
        return first[-1]
    if isinstance(first, dict):
        count = first[TOTAL]
        for row in rows:
            del row[TOTAL]
        return count
    return getattr(first, TOTAL)


def paginate(request, queryset, size=50, *, counted=False):
    """The requested page (a bad or missing number gives the nearest page) and the query string
    without the page number, for the pagination links that keep the filters. ``counted``: the page's own
    query counts the rows (CountedPaginator), where the queryset allows it."""
    page = (CountedPaginator if counted else Paginator)(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
