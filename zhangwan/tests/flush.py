"""The end of a test that commits (transactional_db, live_server): its rows deleted, not every table truncated.

Django's TransactionTestCase ends each such test with `flush`: a TRUNCATE of all 150 tables, then the
post_migrate signal, which writes the content types, permissions, roles and seeded rows (trades,
eligibility rules) back. That took 0.9 s idle and about 3 s in the parallel suite, for each of some sixty
tests. Here the state a flush leaves is taken once (the first test's end still flushes), as each table
that then holds rows, with a digest of them; every later end deletes the rows of the other tables that
hold any, in one transaction, and checks that the seeded tables are as the flush left them. If they are
not (a test changed a role's permissions), or the delete fails, Django's flush runs as before."""

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.test import TransactionTestCase

_django_teardown = TransactionTestCase._fixture_teardown
# Tables that triggers write when others change (the dashboard's change log, zhangwan/reports/kept.py): emptied
# last, after the deletes and truncates that write them, and never part of the state a flush leaves.
LOGS = ["reports_figurechange"]
_after_flush = {}  # {table: (rows, digest)} of the tables that hold rows as a flush leaves them


def _tables(conn) -> list[str]:
    return sorted(conn.introspection.django_table_names(only_existing=True, include_views=False))


def _holding_rows(conn, tables) -> list[str]:
    """The tables that hold at least one row (one statement)."""
    quote = conn.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in tables)
    with conn.cursor() as cursor:
        cursor.execute(sql, tables)
        return [row[0] for row in cursor.fetchall()]


def table_digests(conn, tables) -> dict[str, tuple]:
    """Per table: its rows' count and a hash of every row's text (one statement)."""
    if not tables:
        return {}
    quote = conn.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s, count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quote(name)} t"
        for name in tables)
    with conn.cursor() as cursor:
        cursor.execute(sql, tables)
        return {name: (rows, digest) for name, rows, digest in cursor.fetchall()}


def _delete_rows(conn, tables) -> bool:
    """Empty the tables in one transaction (foreign keys are deferred to its end); False if it failed."""
    quote = conn.ops.quote_name
    try:
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
    except DatabaseError:
        return False
    return True


def _quick_teardown(self):
    aliases = self._databases_names(include_mirrors=False)
    plain = aliases == [DEFAULT_DB_ALIAS] and self.available_apps is None and not self.serialized_rollback
    conn = connections[DEFAULT_DB_ALIAS]
    if plain and _after_flush:
        others = [t for t in _holding_rows(conn, _tables(conn)) if t not in _after_flush and t not in LOGS]
        if table_digests(conn, list(_after_flush)) == _after_flush and _delete_rows(conn, [*others, *LOGS]):
            return
    _django_teardown(self)
    if plain:
        _delete_rows(conn, LOGS)
        _after_flush.clear()
        _after_flush.update(table_digests(conn, _holding_rows(conn, _tables(conn))))


def install():
    """From now on in this process, a committing test's end deletes its rows (see the module's text)."""
    TransactionTestCase._fixture_teardown = _quick_teardown
