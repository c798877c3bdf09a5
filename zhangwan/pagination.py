from django.core.paginator import Paginator


def paginate(request, queryset, size=50):
    """The requested page (a bad or missing number gives the nearest page) and the query string
    without the page number, for the pagination links that keep the filters."""
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
