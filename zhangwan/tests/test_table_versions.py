"""The filter bars' kept lists (zhangwan/table_versions.py): the catalogue's trades, training bases and
months cost one query a page, and every write to their tables shows on the next page, whoever makes it
and in whatever order transactions commit; a change rolled back never shows. The class lists' rows take their
trades and bases from the same kept copies."""

import datetime
import re
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from training.models import TrainingBase, TrainingClass
from training.tests.factories import open_class
from zhangwan.registry.models import Trade
from zhangwan.table_versions import versions

URL = reverse("training:catalogue")
LISTS = ("registry_trade", "training_trainingbase", "training_trainingclass")


def options(client, name, url=URL) -> list[str]:
    page = client.get(url).content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


@pytest.mark.django_db
def test_the_bars_lists_cost_one_query_and_follow_every_write(client):
    cls = open_class()
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert "焊工" in " ".join(options(client, "trade"))
    read = " ".join(q["sql"] for q in queries.captured_queries)
    # the change numbers of the bar's tables, read by a statement the session prepared
    assert re.search(r"EXECUTE zw_\w+\(ARRAY\['registry_trade', *'training_trainingbase'", read), read
    assert not re.search(r'FROM "(registry_trade|training_trainingbase)"', read)  # neither list read again
    assert "DATE_TRUNC" not in read.upper()  # nor the months

    Trade.objects.create(code="9-99-99-99", name_zh="新工种", name_en="New trade")
    assert "新工种" in options(client, "trade")
    Trade.objects.filter(code="9-99-99-99").update(name_zh="改名工种")  # an UPDATE sends no signal
    assert "改名工种" in options(client, "trade") and "新工种" not in options(client, "trade")
    TrainingBase.objects.bulk_create([TrainingBase(name="新基地", kind="worker_base", host=cls.provider,
                                                   designated_on=datetime.date(2022, 5, 1))])
    assert "新基地" in options(client, "base")

    month = cls.starts_on.replace(day=1) + datetime.timedelta(days=400)
    TrainingClass.objects.filter(pk=cls.pk).update(starts_on=month, ends_on=month + datetime.timedelta(days=5))
    assert f"{month:%Y-%m}" in options(client, "month")
    # Seats taken and given back do not renumber the classes: the lists stay kept.
    before = versions(LISTS)
    TrainingClass.objects.filter(pk=cls.pk).update(confirmed_count=1)
    assert versions(LISTS) == before
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.CANCELLED)
    assert versions(LISTS) != before
    assert f"{month:%Y-%m}" not in options(client, "month")  # a cancelled class's month is not offered


@pytest.mark.django_db
def test_the_claims_bar_follows_policies_and_organizations_renamed(client, role_users, organization):
    """The claims' filter bar keeps its policies, trades and employers; renames show on the next page, and a
    policy's counters moved by a payment do not renumber it."""
    from training.subsidies.models import Policy
    from training.subsidies.tests.factories import policy
    from zhangwan.registry.models import Organization

    client.force_login(role_users["finance_officer"])
    url = reverse("subsidies:claim_list")
    rule = policy()
    assert rule.name in options(client, "policy", url)
    with CaptureQueriesContext(connection) as queries:
        assert organization.name in options(client, "employer", url)
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert not re.search(r'FROM "(subsidies_policy|registry_organization|registry_trade)"', read)
    Organization.objects.filter(pk=organization.pk).update(name="改名单位")
    Policy.objects.filter(pk=rule.pk).update(name="改名政策")
    assert "改名单位" in options(client, "employer", url) and "改名政策" in options(client, "policy", url)
    before = versions(("subsidies_policy",))
    Policy.objects.filter(pk=rule.pk).update(budget=rule.budget + 1)
    assert versions(("subsidies_policy",)) == before


@pytest.mark.django_db
def test_a_change_rolled_back_never_shows(client):
    with transaction.atomic():
        Trade.objects.create(code="9-99-99-98", name_zh="回滚工种", name_en="Rolled back")
        assert "回滚工种" in options(client, "trade")  # its own transaction sees it, and keeps that list
        transaction.set_rollback(True)
    assert "回滚工种" not in options(client, "trade")


def _in_a_transaction(started, release, done, **trade):
    try:
        with transaction.atomic():
            Trade.objects.create(**trade)
            started.set()
            release.wait(20)
    finally:
        connection.close()
        done.set()


@pytest.mark.django_db(transaction=True)
def test_a_change_shows_when_it_commits_whatever_the_order_of_numbers(client):
    """A writer numbers its change first and commits last: another table's later number, committed
    first, must not hide it (the page cache's failure: its version was the newest id, given at insert)."""
    host = open_class().provider
    client.get(URL)
    first, release, done = threading.Event(), threading.Event(), threading.Event()
    writer = threading.Thread(target=_in_a_transaction, args=(first, release, done),
                              kwargs={"code": "9-99-99-97", "name_zh": "先编号工种", "name_en": "Numbered first"})
    writer.start()
    assert first.wait(20)
    TrainingBase.objects.create(name="后编号基地", kind="worker_base", host=host,
                                designated_on=datetime.date(2022, 5, 1))
    assert "后编号基地" in options(client, "base")  # committed: shown
    assert "先编号工种" not in options(client, "trade")  # not committed yet: not shown
    release.set()
    assert done.wait(20)
    writer.join()
    assert "先编号工种" in options(client, "trade")


def _rows_query(queries) -> str:
    """The text of the statement that read the list's rows (an ``EXECUTE``'s, as this session prepared it)."""
    texts = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.startswith("EXECUTE zw_"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s",
                               [sql.removeprefix("EXECUTE ").split("(")[0]])
                sql = cursor.fetchone()[0]
        texts.append(sql)
    return next(sql for sql in texts if 'FROM "training_trainingclass"' in sql and "SELECT COUNT(" not in sql)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [URL, reverse("training:class_list")])
def test_the_lists_rows_take_trades_and_bases_from_the_kept_copies_and_follow_renames(client, role_users, url):
    """The two class lists join neither the trades nor the training bases: each row's trade and base come
    from the tables' kept copies, renamed as soon as the tables change."""
    client.force_login(role_users["training_officer"])
    cls = open_class(venue="张湾区职工服务中心")
    base = TrainingBase.objects.create(name="十堰技师学院实训基地", kind="worker_base", host=cls.provider,
                                       designated_on=datetime.date(2022, 5, 1))
    TrainingClass.objects.filter(pk=cls.pk).update(base=base)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert cls.course.trade.name_zh in page and (url != URL or "· 十堰技师学院实训基地" in page)
    assert "registry_trade" not in _rows_query(queries) and "training_trainingbase" not in _rows_query(queries)

    Trade.objects.filter(pk=cls.course.trade_id).update(name_zh="改名工种")  # an UPDATE sends no signal
    TrainingBase.objects.filter(pk=base.pk).update(name="改名基地")
    page = client.get(url).content.decode()
    assert "改名工种" in page and (url != URL or "· 改名基地" in page)


@pytest.mark.django_db
def test_a_row_the_kept_copy_does_not_hold_yet_is_read_when_used():
    """A trade committed after the page read the tables' numbers is not in the copy kept under them: it is read
    from the database, once; a kept trade and no key at all cost no query."""
    from zhangwan.table_versions import kept_objects

    stamp = versions(LISTS)
    kept_objects(Trade, stamp)  # the copy kept under the numbers read before the trade
    known = Trade.objects.first()
    later = Trade.objects.create(code="9-99-99-98", name_zh="后来的工种")
    trade = kept_objects(Trade, stamp)
    with CaptureQueriesContext(connection) as queries:
        assert trade(None) is None and trade(known.pk).name_zh == known.name_zh
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert trade(later.pk).name_zh == "后来的工种" and trade(later.pk) is trade(later.pk)
    assert len(queries) == 1
