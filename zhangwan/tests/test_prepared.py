"""Querysets compiled once (zhangwan/prepared.py) give what the ORM gives: the same rows, fields, related
objects, annotations and prefetched lists; and a queryset that cannot be kept so is refused on first use."""

import datetime
import itertools

import pytest
from django.db import transaction
from django.db.models import Prefetch
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.urls import get_resolver
from django.utils import timezone

from training.models import ClassSession, Enrollment, Mentorship, TrainingClass
from training.services import LOCKED_CLASS
from training.tests.factories import open_class
from training.views import AS_APPRENTICE, AS_MENTOR, CLASS_PAGE, MY_SEATS, SEAT, SESSIONS
from zhangwan.accounts.models import Notification
from zhangwan.accounts.scope import OWN_WORKER
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.accounts.views import UNREAD
from zhangwan.api.models import Subscription
from zhangwan.api.webhooks import SUBSCRIBED
from zhangwan.prepared import PREPARED, Prepared, PreparedRows, give_prefetched
from zhangwan.registry.models import Organization, Trade, Worker
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.orm_answer import same_as_the_orm, seen

pytestmark = pytest.mark.django_db


@pytest.fixture
def training_class():
    cls = open_class()
    start = timezone.make_aware(datetime.datetime.combine(cls.starts_on, datetime.time(9)))
    ClassSession.objects.create(training_class=cls, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                hours=2, topic="理论")
    return cls


def test_a_class_page_is_the_orms(training_class, django_assert_num_queries):
    same_as_the_orm(CLASS_PAGE, pk=training_class.pk)
    same_as_the_orm(SESSIONS, class_id=training_class.pk)
    orm = TrainingClass.objects.prefetch_related("sessions").get(pk=training_class.pk)
    with django_assert_num_queries(2):  # the class with its course, trade, base and provider; its sessions
        cls = CLASS_PAGE.get_or_404(pk=training_class.pk)
        give_prefetched(cls, "sessions", SESSIONS.list(class_id=cls.pk))
    with django_assert_num_queries(0):
        assert [seen(s, 0) for s in cls.sessions.all()] == [seen(s, 0) for s in orm.sessions.all()]
        assert "理论" in [s.topic for s in cls.sessions.all()] and cls.hours == orm.hours
        assert all(s.training_class is cls for s in cls.sessions.all())


def test_a_seat_with_its_place_on_the_waiting_list_is_the_orms(training_class):
    workers = [WorkerFactory(user=UserFactory()) for _ in range(2)]
    for n, worker in enumerate(workers):
        Enrollment.objects.create(worker=worker, training_class=training_class, channel="self",
                                  status=Enrollment.Status.WAITLISTED, queue_number=n + 1)
    seat = same_as_the_orm(SEAT, pk=training_class.pk, user_id=workers[1].user_id)
    assert [s.position for s in seat] == [2]
    assert [s.position for s in same_as_the_orm(MY_SEATS, worker_id=workers[1].pk)] == [2]
    assert same_as_the_orm(OWN_WORKER, user_id=workers[1].user_id)[0].employer
    assert SEAT.list(pk=training_class.pk, user_id=workers[0].user_id + 10_000) == []


def test_a_missing_row_is_404(training_class):
    with pytest.raises(Http404):
        CLASS_PAGE.get_or_404(pk=training_class.pk + 10_000)


def test_a_key_beyond_any_key_column_finds_nothing(client, training_class):
    assert CLASS_PAGE.list(pk=10**20) == [] and UNREAD.count(user_id=-(10**20)) == 0
    assert client.get(f"/training/classes/{10**20}/").status_code == 404  # not PostgreSQL's "out of range"


def test_every_prepared_queryset_of_the_pages_compiles():
    get_resolver().url_patterns  # every view imported, and with them their services  # noqa: B018
    import masters.services.review  # noqa: F401
    import training.services  # noqa: F401

    prepared = [p for p in PREPARED if not p.build.__module__.startswith("zhangwan.tests")]
    assert {"training.services", "masters.services.review", "zhangwan.api.webhooks"} <= {
        p.build.__module__ for p in prepared}
    for one in prepared:
        keys = {name: 1 if isinstance(one.probes[0], int) else "x" for name in one.names}
        one.rows(**keys) if isinstance(one, PreparedRows) else one.list(**keys)


def test_a_prepared_get_is_the_orms(training_class):
    assert CLASS_PAGE.get(pk=training_class.pk) == training_class
    with pytest.raises(TrainingClass.DoesNotExist):
        CLASS_PAGE.get(pk=training_class.pk + 10_000)


@pytest.mark.django_db(transaction=True)
def test_a_prepared_locking_read_outside_a_transaction_is_refused_as_the_orm_refuses_it():
    cls = open_class()
    with transaction.atomic():
        assert LOCKED_CLASS.get(pk=cls.pk) == cls
    with pytest.raises(TransactionManagementError):
        LOCKED_CLASS.get(pk=cls.pk)


def test_prepared_rows_are_the_orms(organization):
    by = UserFactory()
    wanted = Subscription.objects.create(organization=organization, url="https://erp.example/hook", created_by=by,
                                         events=["enrollment.cancelled", "enrollment.promoted"])
    Subscription.objects.create(organization=organization, url="https://erp.example/off", created_by=by,
                                events=["enrollment.cancelled"], active=False)
    Subscription.objects.create(url="https://district.example/hook", events=["claim.paid"], created_by=by)
    district = Subscription.objects.create(url="https://district.example/all", created_by=by,
                                           events=["enrollment.cancelled", "claim.paid"])
    for type_ in ("enrollment.cancelled", "enrollment.promoted", "claim.paid", "enrollment.confirmed"):
        assert SUBSCRIBED.rows(type_=type_) == list(Subscription.objects.filter(
            active=True, events__contains=[type_]).values_list("pk", "organization_id"))
    assert SUBSCRIBED.rows(type_="enrollment.cancelled") == [(district.pk, None), (wanted.pk, organization.pk)]
    with pytest.raises(TypeError):
        SUBSCRIBED.rows(type_=1)


def test_prepared_rows_are_values_lists_converted_as_the_orm_converts_them(db):
    flat = PreparedRows(lambda pk: Trade.objects.filter(pk=pk).values_list("code", flat=True), "pk")
    with pytest.raises(ValueError, match="only a values_list"):
        flat.rows(pk=1)
    sliced = PreparedRows(lambda pk: Trade.objects.filter(pk=pk).values_list("code")[:1], "pk")
    with pytest.raises(ValueError, match="sliced"):
        sliced.rows(pk=1)
    notification = Notification.objects.create(user=UserFactory(), key="test", params={"a": [1, "二"]})
    jsons = PreparedRows(lambda pk: Notification.objects.filter(pk=pk).values_list("params", "pk"), "pk")
    assert jsons.rows(pk=notification.pk) == [({"a": [1, "二"]}, notification.pk)]
    assert jsons.rows(pk=notification.pk) == list(Notification.objects.filter(pk=notification.pk)
                                                  .values_list("params", "pk"))


def test_prepared_rows_keep_their_constants_and_refuse_what_changes_by_itself():
    trade = Trade.objects.order_by("pk").first()
    rows = PreparedRows(lambda pk: Trade.objects.filter(pk=pk, code=trade.code).values_list("code"), "pk")
    assert rows.rows(pk=trade.pk) == [(trade.code,)] and rows.rows(pk=10**20) == []
    calls = itertools.count()
    changing = PreparedRows(lambda pk: Trade.objects.filter(pk=pk, name_zh=str(next(calls))).values_list("pk"), "pk")
    with pytest.raises(ValueError, match="is no key"):
        changing.rows(pk=1)


def test_sql_that_changes_with_a_key_is_refused():
    prepared = Prepared(lambda pk: Trade.objects.filter(pk=pk) if pk < 2_000_000_050
                        else Trade.objects.filter(pk=pk, code="x"), "pk")
    with pytest.raises(ValueError, match="changes with the keys"):
        prepared.list(pk=1)


def test_a_parameter_that_changes_by_itself_is_refused():
    calls = itertools.count()
    prepared = Prepared(lambda pk: Trade.objects.filter(pk=pk, name_zh=str(next(calls))), "pk")
    with pytest.raises(ValueError, match="is no key"):
        prepared.list(pk=1)


def test_a_key_the_statement_does_not_take_is_refused():
    prepared = Prepared(lambda pk, other: Trade.objects.filter(pk=pk), "pk", "other")
    with pytest.raises(ValueError, match="not a parameter"):
        prepared.list(pk=1, other=2)


def test_a_key_must_be_an_integer(training_class):
    with pytest.raises(TypeError):
        CLASS_PAGE.list(pk=str(training_class.pk))


def test_mentorships_are_the_orms():
    mentor, apprentice = WorkerFactory(), WorkerFactory()
    Mentorship.objects.create(mentor=mentor, apprentice=apprentice, trade=Trade.objects.order_by("pk").first(),
                              started_on=datetime.date(2018, 7, 1), outcome=Mentorship.Outcome.ONGOING)
    assert [m.apprentice.name for m in same_as_the_orm(AS_MENTOR, worker_id=mentor.pk)] == [apprentice.name]
    assert [m.mentor.name for m in same_as_the_orm(AS_APPRENTICE, worker_id=apprentice.pk)] == [mentor.name]
    assert same_as_the_orm(AS_MENTOR, worker_id=apprentice.pk) == []


def test_a_prefetch_with_a_queryset_of_its_own_is_refused():
    prepared = Prepared(lambda pk: Organization.objects.filter(pk=pk).prefetch_related(
        Prefetch("workers", Worker.objects.filter(pk=pk))), "pk")
    with pytest.raises(ValueError, match="by name"):
        prepared.list(pk=1)


def test_the_unread_count_is_the_orms():
    reader, other = UserFactory(), UserFactory()
    for user, read_at in [(reader, None), (reader, None), (reader, timezone.now()), (other, None)]:
        Notification.objects.create(user=user, legacy_title="通知", read_at=read_at)
    assert UNREAD.count(user_id=reader.pk) == reader.notifications.unread().count() == 2
    assert UNREAD.count(user_id=UserFactory().pk) == 0
