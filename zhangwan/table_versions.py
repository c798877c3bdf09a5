"""Lists read from tables that seldom change (the filter bars' trades, training bases, months, policies and
organizations), and the rows of small whole tables that list pages show beside their own (``kept_objects``: the
class lists' trades and bases), kept in each process between requests and read again as soon as a table they
come from has changed.

PostgreSQL numbers the changes. A statement-level trigger on each watched table (``watch`` in the migrations:
registry 0007 and 0008, training 0006, subsidies 0009) sets the table's row of ``zhangwan_table_version`` to a
new number from a sequence whenever a statement inserts, updates, deletes or truncates, inside the writer's
transaction:

- readers see a table's new number exactly when they can see its new rows: at the writer's commit,
  whatever the order in which transactions took their numbers (writers of one table queue on its row);
- a list is stored under the numbers read *before* its rows, so its rows are never older than its key;
- a sequence never hands a number out twice, even to a transaction that rolled back: an entry made by a
  transaction from its own uncommitted rows carries a number nobody else will read;
- every write is seen: ``save()``, ``QuerySet.update()`` (which sends no signal), ``bulk_create``, raw SQL,
  the admin, the demo's COPY.

The database's name and oid are part of the key: a database restored or created again under the same name
starts its numbers afresh. Entries also expire after ``SECONDS``. A page pays one small query for all its
lists instead of a query for each.
"""

from django.core.cache import caches
from django.db import connection, migrations
from django.utils.translation import get_language

from zhangwan.prepared import execute

SECONDS = 300
CACHE = "fragments"  # each process's own (settings.CACHES)

_VERSIONS = """
    SELECT (SELECT oid FROM pg_database WHERE datname = current_database()),
           array_agg(version ORDER BY table_name), count(*)
    FROM zhangwan_table_version WHERE table_name = ANY(%s)"""


def versions(tables) -> str | None:
    """The tables' current change numbers as one key part; None when a table is not watched."""
    with connection.cursor() as cursor:
        execute(cursor, _VERSIONS, [sorted(tables)])  # (every list page: prepared once per session)
        database, numbers, count = cursor.fetchone()
    if count != len(set(tables)):
        return None
    return f"{connection.settings_dict['NAME']}:{database}:{':'.join(map(str, numbers))}"


def kept(name: str, tables, read, stamp: str | None = None):
    """``read()`` (a list drawn only from ``tables``, in the reader's language) as of now: from this
    process's cache while none of the tables has changed since it was read. ``stamp``: the versions of
    these tables (or more), read once for several lists of a page."""
    stamp = stamp or versions(tables)
    if stamp is None:
        return read()
    key = f"kept:{name}:{get_language()}:{stamp}"
    cache = caches[CACHE]
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, SECONDS)
    return value


def kept_rows(model, stamp: str | None = None) -> dict:
    """Every row of a small whole table that seldom changes (trades, training bases), pk → its columns'
    values in the order of ``model._meta.concrete_fields``, kept like the lists above."""
    table, names = model._meta.db_table, [field.attname for field in model._meta.concrete_fields]
    return kept(f"rows:{model._meta.label}", (table,),
                lambda: {row[0]: row for row in model._meta.base_manager.order_by().values_list("pk", *names)}, stamp)


def kept_objects(model, stamp: str | None = None):
    """A function giving the ``model`` instance of a key from the kept copy of its table (``kept_rows``): the
    rows of a page (training/rows.py) take their trades and training bases from it instead of joining those
    tables, and rows sharing a key share one instance. A row the copy does not hold yet (committed after the
    stamp was read) is read from the database; no key (None) gives None."""
    rows, names, made = kept_rows(model, stamp), [field.attname for field in model._meta.concrete_fields], {None: None}

    def instance(pk):
        if pk not in made:
            made[pk] = (model.from_db(connection.alias, names, rows[pk][1:]) if pk in rows
                        else model._meta.base_manager.filter(pk=pk).first())
        return made[pk]

    return instance


# The numbering, for the migrations (registry 0007 creates it; each app watches its own tables).
CREATE = """
CREATE SEQUENCE zhangwan_table_version_seq;
CREATE TABLE zhangwan_table_version (
    table_name text PRIMARY KEY,
    version bigint NOT NULL
);
CREATE FUNCTION zhangwan_table_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO zhangwan_table_version (table_name, version)
    VALUES (TG_TABLE_NAME, nextval('zhangwan_table_version_seq'))
    ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END $$;
"""
DROP = """
DROP FUNCTION zhangwan_table_changed() CASCADE;
DROP TABLE zhangwan_table_version;
DROP SEQUENCE zhangwan_table_version_seq;
"""


def watch(table: str, columns: tuple[str, ...] = ()) -> migrations.RunSQL:
    """A migration's operation: number every statement that writes `table`; with `columns`, of its updates
    only those that set one of them."""
    if columns:
        whens = [f"INSERT OR DELETE OR TRUNCATE ON {table}", f"UPDATE OF {', '.join(columns)} ON {table}"]
    else:
        whens = [f"INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"]
    create = [f"CREATE TRIGGER zhangwan_version_{n} AFTER {when} FOR EACH STATEMENT "
              f"EXECUTE FUNCTION zhangwan_table_changed();" for n, when in enumerate(whens)]
    first = f"INSERT INTO zhangwan_table_version VALUES ('{table}', nextval('zhangwan_table_version_seq'));"
    drop = [f"DROP TRIGGER zhangwan_version_{n} ON {table};" for n in range(len(whens))]
    return migrations.RunSQL("\n".join([*create, first]),
                             "\n".join([*drop, f"DELETE FROM zhangwan_table_version WHERE table_name = '{table}';"]))
