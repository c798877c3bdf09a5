from django.core.paginator import Paginator
from django.db.models import Count, Window

TOTAL = "_rows_in_all"  # the name of the count each row of a counted page carries


class CountedPaginator(Paginator):
    """A paginator that reads a page and the number of rows in all with one query: the page's rows carry
    ``COUNT(*) OVER ()``, which PostgreSQL works out over the whole filtered set before the page's LIMIT.
    Django's paginator asks a separate ``SELECT COUNT(*)`` first, the same WHERE built and compiled twice: a
    tenth of a busy list's processor time (issue 21). A page past the end (or a number below 1) has no row to
    carry the count; it is then counted as Django counts it and answered as Django answers it (the last page).
    For querysets of model rows without DISTINCT or a UNION, whose count a window over the rows is."""

    def get_page(self, number):
        try:
            wanted = 1 if number is None else int(number)
        except (TypeError, ValueError):
            wanted = 1  # as Django: a number that is not one gives the first page
        if wanted >= 1:
            bottom = (wanted - 1) * self.per_page
            rows = list(self.object_list.annotate(**{TOTAL: Window(Count("*"))})[bottom:bottom + self.per_page])
            if rows:
                self.count = getattr(rows[0], TOTAL)  # Paginator.count is a cached_property: this is its value
                return self._get_page(rows, wanted, self)
        return super().get_page(number)


def paginate(request, queryset, size=50, *, counted=False):
    """The requested page (a bad or missing number gives the nearest page) and the query string
    without the page number, for the pagination links that keep the filters. ``counted``: the page's own
    query counts the rows (CountedPaginator), where the queryset allows it."""
    page = (CountedPaginator if counted else Paginator)(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
