from django import template
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import FlatValuesListIterable
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from zhangwan.markup import escaped

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
