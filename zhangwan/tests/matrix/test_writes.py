"""The walks' write detector: PostgreSQL's per-transaction counters, read through the tables' oids."""

import pytest
from django.db import connection, transaction

from zhangwan.registry.models import Trade

from .writes import NOT_BUSINESS, rows_written

pytestmark = pytest.mark.django_db


def the_view() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return {table: count for table, count in cursor.fetchall() if table not in NOT_BUSINESS}


def test_writes_rolled_back_in_a_savepoint_are_counted_as_postgresql_s_view_counts_them():
    before = rows_written()
    with transaction.atomic():
        trade = Trade.objects.create(name_zh="测试工种", name_en="Test trade", code="T-999")
        Trade.objects.filter(pk=trade.pk).update(name_en="Test trade 2")
        transaction.set_rollback(True)
    after = rows_written()
    # the insert and the update, and the insert's history row
    moved = {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}
    assert moved == {"registry_trade": 2, "registry_historicaltrade": 1}
    assert after == the_view()
    assert rows_written(["registry_trade", "no_such_table"]) == {"registry_trade": after["registry_trade"]}
    assert "django_session" not in after and "registry_trade" in after
