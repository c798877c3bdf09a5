import datetime
import threading
from decimal import Decimal

from django import template
from django.core.paginator import Paginator
from django.db.models import Count, Model, QuerySet, Window
from django.db.models.query import FlatValuesListIterable
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django_filters.constants import EMPTY_VALUES

from zhangwan.markup import escaped
from zhangwan.prepared import rows_statement

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
        wanted = _wanted(number)
        bottom = (wanted - 1) * self.per_page
        if wanted >= 1 and bottom <= LAST_OFFSET:
            rows = list(rows.annotate(**{TOTAL: Window(Count("*"))})[bottom:bottom + self.per_page])
            if rows:
                self.count = _take_count(rows)  # Paginator.count is a cached_property: this is its value
                return self._get_page(rows, wanted, self)
        return super().get_page(number)


def _wanted(number) -> int:
    """The page number asked for; as Django, a number that is not one gives the first page."""
    try:
        return 1 if number is None else int(number)
    except (TypeError, ValueError):
        return 1


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
    return page, _kept_query(request)


def _kept_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


SEARCH = "q"  # the search box's filter (zhangwan.filters.search), the one free text of a list's filters


class FilteredPages:
    """The pages of a list whose rows a ListFilter chooses from a base queryset that is the same for every
    request (the public catalogue, the officer's classes: never a queryset of the user's own scope), its
    statement compiled once per process for each *shape* of the filters in use.

    Building the filtered queryset and compiling it were a third of such a page's processor time (issue 21),
    though a list has few shapes: which filters are set, with which choices (a status, a trade, a year), and
    whether the search box has words. The shape is the key of a statement compiled from the filter set's own
    ``filter_queryset`` (``values``: its rows, as ``paginate(..., counted=True)`` reads them) with two probe
    phrases in the search box (zhangwan.prepared: the words are parameters of the statement, escaped as the
    ORM escapes a ``contains`` pattern); the page is its LIMIT and OFFSET. A shape is also the day
    (``timezone.localdate()``): what the base or a filter reads of the date (``upcoming()``) is a constant of its
    statement. A filter value that is no choice, row, number, date or text (a shape unknown here) and a page
    past the end are read as ``paginate`` reads them.

    ``SHAPES`` statements are kept per list and process (the oldest made dropped first), and each PostgreSQL
    session prepares at most ``zhangwan.prepared.SESSION_STATEMENTS`` (the one run longest ago dropped): the
    shapes a crafted address can ask for (every combination of choices) cost a compilation each, as every request
    did before, and no unbounded memory. A queryset with DISTINCT or a UNION (whose rows a window does not
    count) is read as ``paginate`` reads it."""

    SHAPES = 256
    PROBES = ("zw probe a", "zw probe b")  # (words apart: a search that split its words would be refused)

    def __init__(self, values):
        self.values = values
        self._statements: dict = {}
        self._lock = threading.Lock()

    def page(self, request, filterset, size=50):
        """(page, query string without the page number), as ``paginate(request, values(filterset.qs), size,
        counted=True)`` answers them."""
        shape = self._shape(filterset)
        wanted = _wanted(request.GET.get("page"))
        bottom = (wanted - 1) * size
        statement = self._statement(shape, filterset) if shape is not None and wanted >= 1 else None
        if statement is None or bottom > LAST_OFFSET:
            return paginate(request, self.values(filterset.qs), size, counted=True)
        keys = {SEARCH: filterset.form.cleaned_data[SEARCH].strip()} if SEARCH in shape else {}
        rows = statement.page(keys, size, bottom)
        paginator = Paginator((), size)
        if rows:
            paginator.count = _take_count(rows)
        elif wanted == 1:
            paginator.count = 0  # nothing matches: the first page, empty, as Django's paginator answers it
        else:  # past the last page: counted, and answered, as Django's paginator answers it
            return paginate(request, self.values(filterset.qs), size, counted=True)
        return paginator._get_page(rows, wanted, paginator), _kept_query(request)  # noqa: SLF001 - as get_page

    @staticmethod
    def _shape(filterset) -> tuple | None:
        """The filters in use and their values, the search box's words left out (whether it has any, kept
        in); None for a value of a kind not known here."""
        if not filterset.is_bound:
            return None
        filterset.errors  # noqa: B018 - the form checked, as FilterSet.qs checks it before filtering
        shape = [type(filterset), timezone.localdate()]
        for name, value in filterset.form.cleaned_data.items():
            if value in EMPTY_VALUES:
                continue
            if name == SEARCH:
                if not isinstance(value, str):
                    return None
                if value.strip():
                    shape.append(SEARCH)
            elif isinstance(value, Model):
                shape.append((name, value._meta.label, value.pk))
            elif isinstance(value, (str, int, Decimal, datetime.date)):  # (bool and datetime among them)
                shape.append((name, type(value), value))
            else:
                return None
        return tuple(shape)

    def _statement(self, shape, filterset):
        statements = self._statements
        statement = statements.get(shape, False)
        if statement is False:
            with self._lock:
                statement = statements.get(shape, False)
                if statement is False:
                    statement = self._compiled(SEARCH in shape, filterset)
                    if timezone.localdate() != shape[1]:  # midnight passed while compiling: the day's is unknown
                        return None
                    while len(statements) >= self.SHAPES:
                        statements.pop(next(iter(statements)))
                    statements[shape] = statement
        return statement

    def _compiled(self, searched: bool, filterset):
        """The shape's statement, from the filter set's queryset with the probes as the search box's words;
        None if the shape's SQL is not one text (it is then always read by the ORM)."""
        form, data = filterset.form, filterset.form.cleaned_data

        def build(**probe):
            form.cleaned_data = {**data, **probe}
            try:
                queryset = self.values(filterset.filter_queryset(filterset.queryset.all()))
            finally:
                form.cleaned_data = data
            if queryset.query.distinct or queryset.query.combinator:
                raise ValueError("a window does not count the rows of DISTINCT or a UNION")
            return queryset.annotate(**{TOTAL: Window(Count("*"))})

        try:
            return rows_statement(build, *((SEARCH,) if searched else ()), probes=self.PROBES,
                                  using=filterset.queryset.db)
        except ValueError:
            return None


register = template.Library()  # a builtin of every template (settings.TEMPLATES)

PAGE_LINK = '\n    <li class="page-item"><a class="page-link" href="?{query}page={number}">{label}</a></li>'


@register.simple_tag
def pagination(page, query="") -> SafeString:
    """A list's pagination bar (``{% pagination page query %}``): where the rows are and links to the first,
    previous, next and last pages keeping the filters (``query``, from ``paginate``); one page says only how
    many rows there are. Written here, not in an included template: every list page shows it, and the
    include's two dozen variables and blocks were 2-3 % of a list page (issue 21). The HTML is the old
    template's, character for character (``zhangwan/tests/test_pagination.py``)."""
    paginator = getattr(page, "paginator", None)
    if paginator is None:  # no page in the context: nothing, as the included template wrote
        return mark_safe("\n")
    pages = paginator.num_pages
    if pages <= 1:
        if not paginator.count:
            return mark_safe("\n")
        counter = ngettext("%(counter)s record", "%(counter)s records", paginator.count) % {
            "counter": escaped(localize(paginator.count))}
        return mark_safe(f'<p class="small text-muted">{counter}</p>\n')  # noqa: S308 - escaped above
    keep = f"{escaped(query)}&amp;" if query else ""
    where = gettext("%(start)s–%(end)s of %(total)s") % {
        "start": escaped(localize(page.start_index())), "end": escaped(localize(page.end_index())),
        "total": escaped(localize(paginator.count))}
    pages_label = escaped(gettext("Pages"))
    before = after = ""
    if page.has_previous():
        before = (PAGE_LINK.format(query=keep, number=1, label="«")
                  + PAGE_LINK.format(query=keep, number=page.previous_page_number(), label=escaped(gettext("Previous")))
                  + "\n    ")
    if page.has_next():
        after = (PAGE_LINK.format(query=keep, number=page.next_page_number(), label=escaped(gettext("Next")))
                 + PAGE_LINK.format(query=keep, number=pages, label="»") + "\n    ")
    return mark_safe(  # noqa: S308 - every value escaped above
        f'\n<nav aria-label="{pages_label}" class="d-flex flex-wrap align-items-center gap-2 '
        f'justify-content-between">\n  <span class="small text-muted">{where}</span>\n'
        f'  <ul class="pagination pagination-sm mb-0">\n    {before}\n'
        f'    <li class="page-item active" aria-current="page"><span class="page-link">{escaped(localize(page.number))}'
        f" / {escaped(localize(pages))}</span></li>\n    {after}\n  </ul>\n</nav>\n\n")
