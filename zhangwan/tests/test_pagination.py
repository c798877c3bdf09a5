"""The counted paginator: a page and the number of rows in all from one query, answering every page number
as Django's paginator does."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from training.tests.factories import open_class
from zhangwan.pagination import CountedPaginator, pagination
from zhangwan.registry.models import Trade


def _rows(page):
    return [row.pk if isinstance(row, Trade) else row for row in page]


def _shown(page):
    return (_rows(page), page.number, page.paginator.count, page.paginator.num_pages, page.has_previous(),
            page.has_next(), page.start_index(), page.end_index())


SHAPES = {  # querysets of every kind of row, and those the window cannot count (distinct, union, a list)
    "instances": lambda trades: trades,
    "values": lambda trades: trades.values("code", "name_zh"),
    "values_list": lambda trades: trades.values_list("code", "name_zh"),
    "named": lambda trades: trades.values_list("code", "name_zh", named=True),
    "flat": lambda trades: trades.values_list("code", flat=True),
    "distinct": lambda trades: trades.values_list("name_zh", flat=True).distinct(),
    "union": lambda trades: trades.filter(code__lt="5").union(trades.filter(code__gte="5")).order_by("code"),
    "list": lambda trades: list(trades),
}


@pytest.mark.django_db
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("number", [None, "1", "2", "3", "9", "0", "-1", "abc", "", "2.0", 2, "1" + "0" * 40])
def test_it_answers_every_page_number_as_django_does(number, shape):
    trades = SHAPES[shape](Trade.objects.order_by("code"))
    assert len(trades) == 9  # the trades the migrations write
    size = 4  # three pages, the last shorter
    assert _shown(CountedPaginator(trades, size).get_page(number)) == _shown(Paginator(trades, size).get_page(number))


@pytest.mark.django_db
def test_it_reads_a_page_and_the_count_in_one_query():
    trades = Trade.objects.order_by("code")
    with CaptureQueriesContext(connection) as queries:
        page = CountedPaginator(trades, 5).get_page("2")
        shown = [row.code for row in page], page.paginator.count, page.paginator.num_pages, page.has_next()
    assert len(queries) == 1
    assert shown == ([trade.code for trade in trades[5:]], 9, 2, False)


@pytest.mark.django_db
def test_it_gives_an_empty_first_page_when_nothing_matches():
    page = CountedPaginator(Trade.objects.filter(code="nothing"), 5).get_page("1")
    assert (list(page), page.paginator.count, page.paginator.num_pages, page.number) == ([], 0, 1, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("name, role", [("training:catalogue", None), ("training:class_list", "training_officer")])
def test_the_class_lists_count_their_rows_in_the_page_query(client, role_users, name, role):
    if role:
        client.force_login(role_users[role])
    for _ in range(3):
        open_class()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse(name), {"page": "1"}).content.decode()
    assert page.count("2026年焊工（中级）培训班") == 3
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")], [q["sql"] for q in queries]


# templates/includes/pagination.html as it was before the bar was written in Python (issue 21).
OLD_BAR = (
    '{% load i18n %}{% if page.paginator.num_pages > 1 %}\n'
    '<nav aria-label="{% translate \'Pages\' %}" class="d-flex flex-wrap align-items-center gap-2 justify-content-between">\n'  # noqa: E501 - the old template, line for line
    '  <span class="small text-muted">{% blocktranslate with start=page.start_index end=page.end_index total=page.paginator.count %}{{ start }}–{{ end }} of {{ total }}{% endblocktranslate %}</span>\n'  # noqa: E501 - the old template, line for line
    '  <ul class="pagination pagination-sm mb-0">\n'
    '    {% if page.has_previous %}\n'
    '    <li class="page-item"><a class="page-link" href="?{% if query %}{{ query }}&amp;{% endif %}page=1">«</a></li>\n'  # noqa: E501 - the old template, line for line
    '    <li class="page-item"><a class="page-link" href="?{% if query %}{{ query }}&amp;{% endif %}page={{ page.previous_page_number }}">{% translate "Previous" %}</a></li>\n'  # noqa: E501 - the old template, line for line
    '    {% endif %}\n'
    '    <li class="page-item active" aria-current="page"><span class="page-link">{{ page.number }} / {{ page.paginator.num_pages }}</span></li>\n'  # noqa: E501 - the old template, line for line
    '    {% if page.has_next %}\n'
    '    <li class="page-item"><a class="page-link" href="?{% if query %}{{ query }}&amp;{% endif %}page={{ page.next_page_number }}">{% translate "Next" %}</a></li>\n'  # noqa: E501 - the old template, line for line
    '    <li class="page-item"><a class="page-link" href="?{% if query %}{{ query }}&amp;{% endif %}page={{ page.paginator.num_pages }}">»</a></li>\n'  # noqa: E501 - the old template, line for line
    '    {% endif %}\n'
    '  </ul>\n'
    '</nav>\n'
    '{% elif page.paginator.count %}<p class="small text-muted">{% blocktranslate count counter=page.paginator.count %}{{ counter }} record{% plural %}{{ counter }} records{% endblocktranslate %}</p>{% endif %}\n'  # noqa: E501 - the old template, line for line
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", ["", "q=%E7%84%8A&status=open", "q=<b>\"x\"&y='1'"])
@pytest.mark.parametrize(("rows", "number"), [(0, 1), (1, 1), (7, 1), (10, 1), (11, 1), (11, 2), (25, 2),
                                              (12_345, 1), (12_345, 617), (12_345, 1_235)])
def test_the_bar_is_the_old_templates(rows, number, query, language):
    page = Paginator(range(rows), 10).get_page(number)
    with override(language):
        old = engines["django"].from_string(OLD_BAR).render({"page": page, "query": query})
        assert pagination(page, query) == old


def test_a_page_without_a_page_in_its_context_shows_no_bar_as_before():
    assert pagination("", "") == engines["django"].from_string(OLD_BAR).render({}) == "\n"
