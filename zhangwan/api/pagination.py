"""Lists are read page by page with a cursor: stable while rows change, no count, an index scan a page."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-pk"
