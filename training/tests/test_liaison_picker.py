"""The liaison's class registration with the person picker (zhangwan/picker.py): every worker of a
long roster can be found and chosen, by search, trade and team leader; the choice survives paging and
errors; the registered are marked; and the page shows the seats as they are after registering."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from training import services
from training.models import Enrollment
from training.tests.factories import open_class
from zhangwan.registry.models import Worker, WorkerTrade
from zhangwan.registry.tests.factories import WorkerFactory, make_id_number, trade

pytestmark = pytest.mark.django_db


def _roster(organization, count, **fields):
    return [WorkerFactory(employer=organization, **fields) for _ in range(count)]


def _picked_ids(html):
    return [int(pk) for pk in re.findall(r'data-picker-id="(\d+)"', html)]


def test_the_page_after_a_bulk_registration_shows_the_seats_left(client, liaison, organization):
    cls = open_class(capacity=5)
    for worker in WorkerFactory.create_batch(2):
        services.enrollment_register(worker=worker, training_class=cls, user=None, channel="staff")
    ours = _roster(organization, 2)
    client.force_login(liaison)
    page = client.post(reverse("training:liaison_register", args=[cls.pk]),
                       {"workers": ",".join(str(w.pk) for w in ours)}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 of 5 seats left" in page
    assert Enrollment.objects.filter(training_class=cls, status="confirmed").count() == 4


def test_every_worker_of_a_long_roster_can_be_reached_page_by_page(client, liaison, organization):
    workers = _roster(organization, 45)
    cls = open_class()
    client.force_login(liaison)
    url = reverse("training:liaison_register", args=[cls.pk])
    roster = set(Worker.objects.filter(employer=organization).values_list("pk", flat=True))  # 45 and the worker
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{len(roster)} match" in page and len(_picked_ids(page)) == 20
    seen = set()
    for number in (1, 2, 3):
        seen |= set(_picked_ids(client.get(url, {"pick": "rows", "page": number}).content.decode()))
    assert seen == roster and roster > {w.pk for w in workers}


def test_the_picker_searches_and_filters_by_trade_and_team_leader(client, liaison, organization):
    welders = _roster(organization, 3)
    for worker in welders:
        WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2015)
    leaders = _roster(organization, 2, team_leader=True)
    # An identity number ending in X: the search also matches names and mobile numbers, which the factory
    # numbers from its sequence, so a tail of four digits matched a second worker in one run (it depends on
    # how many workers the process made before); no factory name or mobile number holds an X.
    named = WorkerFactory(employer=organization, name="欧阳锋", id_number=next(
        number for n in range(1000) if (number := make_id_number(n, region="420321")).endswith("X")))
    cls = open_class()
    client.force_login(liaison)
    url = reverse("training:liaison_register", args=[cls.pk])

    def ids(**params):
        return set(_picked_ids(client.get(url, {"pick": "rows", **params}).content.decode()))

    assert ids(trade=trade().pk) == {w.pk for w in welders}
    assert ids(leader="1") == {w.pk for w in leaders}
    assert ids(q="欧阳") == {named.pk}
    assert ids(q=named.id_number[-4:]) == {named.pk}


def test_choose_all_that_match_gives_every_free_match_however_many_pages(client, liaison, organization):
    leaders = _roster(organization, 25, team_leader=True)
    _roster(organization, 3)
    cls = open_class()
    services.enrollment_register(worker=leaders[0], training_class=cls, user=None, channel="staff")
    client.force_login(liaison)
    answer = client.get(reverse("training:liaison_register", args=[cls.pk]), {"pick": "ids", "leader": "1"}).json()
    assert set(answer["ids"]) == {w.pk for w in leaders[1:]}


def test_registered_workers_are_marked_and_cannot_be_ticked(client, liaison, organization):
    ours = _roster(organization, 3)
    cls = open_class()
    services.enrollment_register(worker=ours[1], training_class=cls, user=None, channel="staff")
    client.force_login(liaison)
    page = client.get(reverse("training:liaison_register", args=[cls.pk]), {"pick": "rows"},
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = re.search(rf'data-picker-id="{ours[1].pk}"[^>]*>.*?</label>', page, re.S).group(0)
    assert "disabled" in row and "Registered" in row
    assert page.count("Registered") == 1


def test_the_choice_survives_an_error_and_registers_thousands_in_one_field(client, liaison, organization):
    ours = _roster(organization, 3)
    cls = open_class(capacity=100)
    chosen = ",".join(str(w.pk) for w in ours)
    client.force_login(liaison)
    url = reverse("training:liaison_register", args=[cls.pk])
    page = client.post(url, {"workers": chosen, "file": SimpleUploadedFile("list.xlsx", b"not a workbook")})
    assert f'value="{chosen}"' in page.content.decode() and not Enrollment.objects.exists()
    assert all(w.name in page.content.decode() for w in ours)  # the chosen are named above the list
    client.post(url, {"workers": chosen})
    assert Enrollment.objects.filter(training_class=cls).count() == 3


def test_a_worker_of_another_organization_cannot_be_chosen(client, liaison, other_organization):
    theirs = WorkerFactory(employer=other_organization)
    cls = open_class()
    client.force_login(liaison)
    url = reverse("training:liaison_register", args=[cls.pk])
    response = client.post(url, {"workers": str(theirs.pk)})
    assert response.context["form"].errors and not Enrollment.objects.exists()
    assert theirs.pk not in _picked_ids(client.get(url, {"pick": "rows", "q": theirs.name}).content.decode())
    assert client.get(url, {"pick": "ids", "q": theirs.name}).json() == {"ids": []}


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_the_page_and_its_answers_cost_the_same_queries_for_10_or_300_workers(client, liaison, organization):
    _roster(organization, 10)
    cls = open_class()
    client.force_login(liaison)
    url = reverse("training:liaison_register", args=[cls.pk])
    client.get(url)  # the session's first request does its own bookkeeping
    small = [_queries(client, url), _queries(client, url, {"pick": "rows", "page": 2}),
             _queries(client, url, {"pick": "ids"})]
    more = [WorkerFactory.build(employer=organization) for _ in range(290)]
    for worker in more:
        worker.fill_derived_fields()
    Worker.objects.bulk_create(more)
    large = [_queries(client, url), _queries(client, url, {"pick": "rows", "page": 2}),
             _queries(client, url, {"pick": "ids"})]
    assert large == small
    assert small[0] <= 12
