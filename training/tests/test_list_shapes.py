"""The catalogue's and the officer's class list's pages read by a statement compiled once per shape of the
filters in use (zhangwan.pagination.FilteredPages): the same page as the ORM's for every filter, search words
with LIKE's own characters, pages past the end and bad page numbers; the day a shape of its own."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from training import selectors
from training.filters import ClassFilter, StaffClassFilter
from training.models import TrainingBase, TrainingClass
from training.rows import card_values, row_values
from training.tests.factories import CourseFactory, open_class
from training.views import CATALOGUE_PAGES, CLASS_PAGES
from zhangwan.pagination import FilteredPages, paginate
from zhangwan.registry.models import SkillLevel, Trade
from zhangwan.registry.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TITLES = ["50%补贴焊工班", "a_b 电工班", "back\\slash 钳工班", "普通焊工班", "焊工（高级）班", "50 补贴班", "ab 电工班",
          "axb 电工班", "backxslash 钳工班"]


@pytest.fixture(autouse=True)
def _no_statements_yet():
    """Each test compiles the shapes it reads (the views' statements live as long as the process)."""
    for pages in (CATALOGUE_PAGES, CLASS_PAGES):
        pages._statements.clear()  # noqa: SLF001


@pytest.fixture
def classes():
    """Classes of every status, two trades and levels, two bases, three months, union-held or not."""
    host = OrganizationFactory(name="东风商用车有限公司")
    bases = [TrainingBase.objects.create(name=f"基地{n}", kind=TrainingBase.Kind.WORKER_BASE, host=host,
                                         designated_on=datetime.date(2022, 3, 1)) for n in range(2)]
    first = CourseFactory(level=SkillLevel.values[0])
    courses = [first, CourseFactory(level=SkillLevel.values[-1], trade=Trade.objects.exclude(pk=first.trade_id)[0])]
    statuses = list(TrainingClass.Status.values)
    made = []
    for n in range(36):
        made.append(open_class(title=f"{TITLES[n % len(TITLES)]}{n}", course=courses[n % 2], base=bases[n % 3 // 2],
                               days_ahead=(n % 3) * 35 - 40, capacity=1 + n % 4, union_class=n % 2 == 0,
                               status=statuses[n % len(statuses)]))
    return made


def _pages(pages, filter_class, base, values, query, size):
    """(the page FilteredPages reads, the page the ORM reads, whether FilteredPages asked the ORM)."""
    request = RequestFactory().get("/", query)
    filterset = filter_class(request.GET, queryset=base())
    with CaptureQueriesContext(connection) as queries:
        mine, kept = pages.page(request, filterset, size)
    theirs, query_string = paginate(request, values(filter_class(request.GET, queryset=base()).qs), size,
                                    counted=True)
    assert kept == query_string
    return mine, theirs, any('FROM "training_trainingclass"' in q["sql"] for q in queries.captured_queries)


def _queries(classes):
    first = classes[0]
    month = f"{first.starts_on:%Y-%m}"
    words = ["50%", "a_b", "back\\slash", "焊工", "  焊工  ", "%", "_", "\\", "班1", "没有这个词", "   "]
    statuses = ["", "open", "full", "running", "finished", "all", *TrainingClass.Status.values, "nonsense"]
    queries = [{"q": word} for word in words] + [{"status": status} for status in statuses]
    queries += [{"trade": first.course.trade_id}, {"level": SkillLevel.values[-1]}, {"base": first.base_id},
                {"month": month}, {"month": "2026-13"}, {"audience": TrainingClass.Audience.values[0]},
                {"year": first.starts_on.year}, {"year": 1999}, {"union_class": "true"}, {"union_class": "false"},
                {"trade": 10**12}, {"q": "焊工", "status": "all", "union_class": "true"}]
    pages = ("", "2", "99")  # every filter on a first, a middle and a past-the-end page; every kind of number on three
    numbers = ("1", "3", "9", "10", "0", "-1", "x", str(2**62), str(2**70))
    return ([{**query, "page": page} for query in queries for page in pages]
            + [{**query, "page": page} for query in ({"q": "焊工"}, {"status": "all"}, {"status": ""})
               for page in numbers])


@pytest.mark.parametrize(("pages", "filter_class", "base", "values", "size"), [
    (CATALOGUE_PAGES, ClassFilter, selectors.catalogue, card_values, 4),
    (CLASS_PAGES, StaffClassFilter, selectors.staff_classes, row_values, 5),
], ids=["catalogue", "officer"])
def test_every_shape_reads_the_orms_page(classes, pages, filter_class, base, values, size):
    for query in _queries(classes):
        mine, theirs, asked_the_orm = _pages(pages, filter_class, base, values, query, size)
        assert (list(mine.object_list), mine.number, mine.paginator.count, mine.paginator.num_pages) == (
            list(theirs.object_list), theirs.number, theirs.paginator.count, theirs.paginator.num_pages), query
        # The shape's statement read the page: the ORM only for a page number past the last (or below 1, or
        # beyond any OFFSET), as Django's paginator answers them.
        number = int(query["page"]) if query["page"].lstrip("-").isdigit() else 1
        assert asked_the_orm == (number < 1 or number > 1 and not mine.paginator.count > (number - 1) * size), query
    assert pages._statements and None not in pages._statements.values()  # noqa: SLF001 - every shape had one


def test_a_search_with_likes_own_characters_finds_them_as_letters(classes):
    def titles(word):
        request = RequestFactory().get("/", {"q": word, "status": "all"})
        page, _query = CATALOGUE_PAGES.page(request, ClassFilter(request.GET, queryset=selectors.catalogue()), 50)
        return {row[1] for row in page.object_list}

    assert titles("50%") and all("50%" in title for title in titles("50%"))
    assert titles("a_b") and all("a_b" in title for title in titles("a_b"))
    assert titles("back\\slash") and all("back\\slash" in title for title in titles("back\\slash"))
    assert not any("_" not in title for title in titles("_"))


def test_after_the_first_request_a_list_is_read_by_its_prepared_statement(client, classes, role_users):
    client.force_login(role_users["training_officer"])
    url = reverse("training:class_list")
    client.get(url, {"q": "焊工"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "电工", "page": 1})
    assert response.status_code == 200 and "a_b 电工班" in response.content.decode()
    listed = [q["sql"] for q in queries.captured_queries if 'FROM "training_trainingclass"' in q["sql"]]
    assert not listed, listed  # the page's rows and their count: one EXECUTE of the shape's statement
    assert any(q["sql"].startswith("EXECUTE zw_") and "电工" in q["sql"] for q in queries.captured_queries)


def test_the_day_is_part_of_a_shape(client, monkeypatch):
    soon = open_class(title="明天开班的班", days_ahead=1)
    TrainingClass.objects.filter(pk=soon.pk).update(status=TrainingClass.Status.CLOSED)
    url = reverse("training:catalogue")
    assert "明天开班的班" in client.get(url, {"q": "开班"}).content.decode()
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "明天开班的班" not in client.get(url, {"q": "开班"}).content.decode()  # started: no longer upcoming


def test_a_list_with_distinct_rows_is_read_by_the_orm(classes):
    pages = FilteredPages(row_values)
    request = RequestFactory().get("/", {"q": "焊工", "page": 2})
    distinct = pages.page(request, StaffClassFilter(request.GET, queryset=selectors.staff_classes().distinct()), 5)
    orm, _query = paginate(request, row_values(StaffClassFilter(request.GET, queryset=selectors.staff_classes()).qs),
                           5, counted=True)
    assert list(distinct[0].object_list) == list(orm.object_list) and distinct[0].paginator.count == orm.paginator.count
    assert list(pages._statements.values()) == [None]  # noqa: SLF001 - refused (a window counts rows before DISTINCT)


def test_a_shape_compiled_as_the_day_ends_is_not_kept(classes, monkeypatch):
    today = timezone.localdate()
    days = iter([today, *[today + datetime.timedelta(days=1)] * 10])
    monkeypatch.setattr(timezone, "localdate", lambda *args: next(days))
    request = RequestFactory().get("/", {"q": "焊工"})
    page, _query = CATALOGUE_PAGES.page(request, ClassFilter(request.GET, queryset=selectors.catalogue()), 5)
    assert not CATALOGUE_PAGES._statements and page.paginator.count  # noqa: SLF001 - nothing kept under either day


def test_at_most_so_many_shapes_are_kept(classes):
    pages = FilteredPages(row_values)
    pages.SHAPES = 5
    for year in range(2000, 2012):
        request = RequestFactory().get("/", {"year": year})
        pages.page(request, StaffClassFilter(request.GET, queryset=selectors.staff_classes()), 10)
    assert len(pages._statements) == 5  # noqa: SLF001
    assert [shape[-1][-1] for shape in pages._statements] == list(range(2007, 2012))  # noqa: SLF001 - the newest
