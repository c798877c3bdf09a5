"""The dashboard's kept figures (reports/kept.py): a view of figures nothing has changed reads none of them, and
a change that could alter them shows at the next view once it commits — also a writer that was still open
while the figures were read, whatever order the transactions began in."""

import datetime
import re
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from training.models import Enrollment
from zhangwan.registry.tests.factories import WorkerFactory

from .. import dashboard, kept
from ..models import FigureChange, FigureHorizon
from .test_dashboard import URL, YEAR, enrol

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST_QUERIES = 4  # the session, the user, and one look at the log for the choices and for the figures


def trainees(client, **params) -> int:
    html = client.get(URL, {"year": YEAR, **params}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return int(re.search(r'data-figure="trainees">([\d,]+)<', html)[1].replace(",", ""))


def seat(training_class, organization):
    return Enrollment.objects.create(worker=WorkerFactory(employer=organization), training_class=training_class,
                                     status=Enrollment.Status.CONFIRMED, channel="staff")


@pytest.fixture
def officer_client(client, role_users, organization):
    enrol(WorkerFactory(employer=organization))
    client.force_login(role_users["training_officer"])
    return client


def test_a_second_view_of_unchanged_figures_reads_none_of_them(officer_client, django_assert_num_queries):
    assert trainees(officer_client) == 1
    with django_assert_num_queries(REQUEST_QUERIES):
        assert trainees(officer_client) == 1


def test_a_registration_shows_at_the_next_view(officer_client, organization):
    assert trainees(officer_client) == 1
    enrol(WorkerFactory(employer=organization))
    assert trainees(officer_client) == 2


def test_a_registration_that_commits_after_a_later_one_shows_once_it_commits(officer_client, organization):
    """The stale seat of the issue: transaction ids are handed out in order, commits come in any order."""
    written, commit = threading.Event(), threading.Event()
    first, later = (enrol(WorkerFactory(employer=organization), status=Enrollment.Status.CANCELLED).training_class
                    for _ in range(2))  # classes are made beforehand: their writers queue (table_versions.py)

    def register():
        try:
            with transaction.atomic():
                seat(first, organization)
                written.set()
                commit.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=register)
    writer.start()
    try:
        assert written.wait(10)
        seat(later, organization)  # a later registration, committed first
        assert trainees(officer_client) == 2  # read and kept while the first is still open
    finally:
        commit.set()
        writer.join(10)
    assert trainees(officer_client) == 3


def test_a_registration_for_another_year_keeps_this_years_figures(officer_client, organization,
                                                                  django_assert_num_queries):
    next_year = enrol(WorkerFactory(employer=organization), year=YEAR + 1, status=Enrollment.Status.CANCELLED)
    assert trainees(officer_client) == 1
    seat(next_year.training_class, organization)
    with django_assert_num_queries(REQUEST_QUERIES):
        assert trainees(officer_client) == 1
    assert trainees(officer_client, year=YEAR + 1) == 1


def test_a_class_moved_to_another_year_leaves_both_years_figures(officer_client, organization):
    enrollment = enrol(WorkerFactory(employer=organization), year=YEAR + 1)
    assert (trainees(officer_client), trainees(officer_client, year=YEAR + 1)) == (1, 1)
    cls = enrollment.training_class
    cls.starts_on, cls.ends_on = cls.starts_on.replace(year=YEAR), cls.ends_on.replace(year=YEAR)
    cls.save()
    assert (trainees(officer_client), trainees(officer_client, year=YEAR + 1)) == (2, 0)


def test_a_worker_who_changes_employer_leaves_the_liaisons_figures(client, role_users, organization,
                                                                    other_organization):
    worker = WorkerFactory(employer=organization)
    enrol(worker)
    client.force_login(role_users["liaison"])
    assert trainees(client) == 1
    worker.employer = other_organization
    worker.save()
    assert trainees(client) == 0


def test_a_workers_save_that_keeps_their_employer_keeps_the_figures(client, role_users, organization,
                                                                    django_assert_num_queries):
    worker = WorkerFactory(employer=organization)
    enrol(worker)
    client.force_login(role_users["liaison"])
    assert trainees(client) == 1
    worker.mobile = "13900000000"
    worker.save()  # every column written, the employer unchanged
    with django_assert_num_queries(REQUEST_QUERIES + 1):  # and the liaison's organization
        assert trainees(client) == 1


def test_figures_kept_before_a_prune_mark_old_enough_are_read_afresh(officer_client):
    assert trainees(officer_client) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        (now,) = cursor.fetchone()
    # A prune using a mark this old, taken once one more transaction had ended, may have dropped log rows
    # that the kept figures had not seen.
    FigureHorizon.objects.create(marked_at=timezone.now() - datetime.timedelta(seconds=kept.SECONDS + 60),
                                 oldest_xid=now + 1)
    with CaptureQueriesContext(connection) as read:
        assert trainees(officer_client) == 1
    assert len(read.captured_queries) > REQUEST_QUERIES


def test_figures_are_kept_apart_per_organization_and_language(officer_client, role_users, other_organization):
    enrol(WorkerFactory(employer=other_organization))
    assert trainees(officer_client) == 2
    assert trainees(officer_client, organization=other_organization.pk) == 1
    html = officer_client.get(URL, {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "各工种每月参训人数" in html
    assert "Trainees by trade and month" not in html
    officer_client.force_login(role_users["liaison"])
    assert trainees(officer_client) == 1


def test_a_transaction_that_has_written_neither_reads_nor_keeps(organization):
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    with transaction.atomic():
        enrol(WorkerFactory(employer=organization))
        assert kept.kept("test", (YEAR,), compute) == 1
        assert kept.kept("test", (YEAR,), compute) == 2
        transaction.set_rollback(True)
    assert kept.kept("test", (YEAR,), compute) == 3  # nothing was kept from the rolled-back transaction
    assert kept.kept("test", (YEAR,), compute) == 3


def watched_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'zhangwan_figures%%'")
        return {table for (table,) in cursor.fetchall()}


def test_every_table_the_figures_read_logs_its_writers(organization):
    enrol(WorkerFactory(employer=organization))
    with CaptureQueriesContext(connection) as read:
        dashboard.figures_html(YEAR)
        dashboard.figures_html(YEAR, organization)
        dashboard._choices(staff=True)
    tables = {table for query in read.captured_queries
              for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"])}
    assert "training_enrollment" in tables and "subsidies_claim" in tables
    assert tables <= watched_tables()


def test_prune_drops_only_the_changes_every_kept_entry_has_seen(organization):
    enrol(WorkerFactory(employer=organization))
    before = set(FigureChange.objects.values_list("xid", "year"))
    assert before and kept.prune() == 0  # no mark is old enough yet
    # A mark made long ago, when the transactions so far had ended.
    FigureHorizon.objects.update(marked_at=FigureHorizon.objects.get().marked_at.replace(year=YEAR),
                                 oldest_xid=max(xid for xid, _year in before) + 1)
    enrol(WorkerFactory(employer=organization))  # after the mark
    after = set(FigureChange.objects.values_list("xid", "year")) - before
    assert kept.prune() == len(before)
    assert set(FigureChange.objects.values_list("xid", "year")) == after
    assert FigureHorizon.objects.count() == 2  # the mark used, and this run's
