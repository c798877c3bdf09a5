"""The dashboard's figures kept between requests, stale the moment a change they may have missed commits.

Every statement that writes a table the figures read logs, inside its own transaction, a row of
``reports_figurechange``: the writer's transaction id and the year whose figures it may change, 0 for any
year (``watch`` and ``watch_by_year``, for the migrations). The busy tables name the year — an enrollment
its class's starting year, a class whose seat count moves its own — so that a registration for this year's
classes leaves last year's figures kept; every other table, and a class made, deleted or moved to another
start, says 0.

A kept entry carries the snapshot PostgreSQL gave just before its figures were read (``pg_current_snapshot``).
It is served while no logged change of its years, or of 0, has committed unseen by that snapshot:

- commit-ordered: a writer's rows and its log row become visible together, at its commit, whatever order
  the transactions began in or took their ids; a writer still open when the figures were read is outside the
  snapshot, so its commit makes the entry stale, even if it began long before;
- no queue: each writer inserts its own row (table_versions' counters, one row per table that every writer
  updates, are for tables that seldom change: here registrations would wait on one another);
- a figure read after the snapshot may already include a later change: that entry is merely recomputed
  once more at its next view;
- a request whose transaction has written keeps nothing and reads nothing kept: its uncommitted rows must
  not reach anyone else, and its own later writes would look seen.

The database is named in each entry (its server's start and its oid): a restore, a restart or a new database
under the same name never reads an old entry. ``prune`` (hourly) drops the log rows of the transactions that had
ended by a mark at least ``SECONDS`` old; an entry whose snapshot is older than such a mark is stale whatever
its expiry, so a prune run at any moment never hides a change from it.

Known limit: an enrollment's year is its class's as its writer reads it. A writer that changes enrollments
without locking their class (the registration, cancellation and completion paths lock it first; an exam-result
import or the admin do not), while another transaction moves that class to another year, logs the old year:
the new year's figures, read in between, miss that change until their next change or expiry (15 minutes).
"""

import hashlib
from pathlib import Path

from django.core.cache import caches
from django.db import connection, migrations, transaction
from django.utils.translation import get_language

SECONDS = 15 * 60
CACHE = "default"  # shared by the processes in production (settings_production.py)
ANY_YEAR = 0
LOG = "reports_figurechange"
HORIZONS = "reports_figurehorizon"

_CHECK = f"""
    SELECT pg_current_xact_id_if_assigned() IS NULL,
           pg_postmaster_start_time() || ':' || (SELECT oid FROM pg_database WHERE datname = current_database()),
           pg_current_snapshot()::text,
           NOT EXISTS (SELECT 1 FROM {LOG}
                       WHERE xid >= pg_snapshot_xmin(%(seen)s::pg_snapshot)::text::bigint AND year = ANY(%(years)s)
                         AND NOT pg_visible_in_snapshot(xid::text::xid8, %(seen)s::pg_snapshot))
           AND pg_snapshot_xmin(%(seen)s::pg_snapshot)::text::bigint >= (
               SELECT coalesce(max(oldest_xid), 0) FROM {HORIZONS}
               WHERE marked_at <= now() - make_interval(secs => %(seconds)s))"""  # noqa: S608


def kept(name: str, years, compute):
    """``compute()`` (picklable) as of now: the kept answer while no change of ``years`` (and of any year) has
    committed since it was computed, else computed again and kept. ``name`` says what it is and for whom
    (year, organization); the language is added."""
    cache, key = caches[CACHE], f"figures:{name}:{get_language()}"
    entry = cache.get(key)
    database, snapshot, value = entry if entry else (None, None, None)
    with connection.cursor() as cursor:
        cursor.execute(_CHECK, {"seen": snapshot, "years": [ANY_YEAR, *years], "seconds": SECONDS})
        clean, here, now, unchanged = cursor.fetchone()
    if not clean:
        return compute()
    if entry and database == here and unchanged:
        return value
    value = compute()
    cache.set(key, (here, now, value), SECONDS)
    return value


def stamp(*paths) -> str:
    """The files' contents, summed up: what made a kept value, in its name, so that a deploy changing them
    (or a catalogue of their words) reads nothing kept by the code before it."""
    digest = hashlib.sha256()
    for path in map(Path, paths):
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:12]


@transaction.atomic
def prune() -> int:
    """Mark this moment, and drop the log rows of the transactions that had ended at a mark at least SECONDS
    old (every entry alive was computed after it, so it has seen them). Returns the rows dropped."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {HORIZONS} (marked_at, oldest_xid) "  # noqa: S608
                       "VALUES (now(), pg_snapshot_xmin(pg_current_snapshot())::text::bigint)")
        cursor.execute(f"SELECT max(oldest_xid), max(marked_at) FROM {HORIZONS} "  # noqa: S608
                       "WHERE marked_at <= now() - make_interval(secs => %s)", [SECONDS])
        xmin, marked_at = cursor.fetchone()
        if xmin is None:
            return 0
        cursor.execute(f"DELETE FROM {LOG} WHERE xid < %s", [xmin])  # noqa: S608
        dropped = cursor.rowcount
        cursor.execute(f"DELETE FROM {HORIZONS} WHERE marked_at < %s", [marked_at])  # noqa: S608
    return dropped


# The log, for the migrations (reports 0003 creates the functions and watches the tables).
CREATE = f"""
CREATE FUNCTION zhangwan_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {LOG} (xid, year) VALUES (pg_current_xact_id()::text::bigint, {ANY_YEAR}) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
"""
DROP = "DROP FUNCTION zhangwan_figures_changed() CASCADE;"


def _moves(table: str, moved: str) -> tuple[list[str], list[str]]:
    """SQL making and dropping a trigger that logs an update of ``table`` as a change of any year when a row's
    ``moved`` holds (a condition on its old row ``o`` and new row ``n``): ``UPDATE OF column`` would fire on
    every ``save()``, which writes every column."""
    function = f"zhangwan_figures_moves_{table}"
    create = [f"""
        CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {LOG} (xid, year)
            SELECT pg_current_xact_id()::text::bigint, {ANY_YEAR}
            WHERE EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {moved})
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$;""",
              f"CREATE TRIGGER zhangwan_figures_moves AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
              f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();"]
    return create, [f"DROP FUNCTION {function}() CASCADE;"]


def watch(table: str, *, moved: str = "", rows_made_or_deleted: bool = True) -> migrations.RunSQL:
    """A migration's operation: log every statement that writes ``table`` as a change of any year; with
    ``moved``, of its updates only those where a row's ``moved`` holds (``_moves``); without
    ``rows_made_or_deleted``, no insert or delete (a table the figures read only through rows that other
    watched tables hold)."""
    whens = ["INSERT OR DELETE OR TRUNCATE" if rows_made_or_deleted else "TRUNCATE", *([] if moved else ["UPDATE"])]
    create = [f"CREATE TRIGGER zhangwan_figures_0 AFTER {' OR '.join(whens)} ON {table} FOR EACH STATEMENT "
              "EXECUTE FUNCTION zhangwan_figures_changed();"]
    drop = [f"DROP TRIGGER zhangwan_figures_0 ON {table};"]
    if moved:
        moves, unmoves = _moves(table, moved)
        create, drop = create + moves, drop + unmoves
    return migrations.RunSQL(create, drop)


def watch_by_year(table: str, years: str, moved: str = "") -> migrations.RunSQL:
    """A migration's operation: log every statement that writes ``table`` as a change of the years that
    ``years`` selects from its rows before and after (a query over the transition table ``changed``). With
    ``moved``, an insert or a delete, and an update where a row's ``moved`` holds (``_moves``), change any
    year instead. A truncate changes any year."""
    function = f"zhangwan_figures_{table}"
    create = [f"""
        CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {LOG} (xid, year)
            SELECT DISTINCT pg_current_xact_id()::text::bigint, year FROM ({years}) AS changed_years (year)
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$;"""]
    by_year = [("UPDATE", "OLD"), ("UPDATE", "NEW")] + ([] if moved else [("INSERT", "NEW"), ("DELETE", "OLD")])
    create += [f"CREATE TRIGGER zhangwan_figures_{event.lower()}_{rows.lower()} AFTER {event} ON {table} "
               f"REFERENCING {rows} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
               for event, rows in by_year]
    anywhere = "INSERT OR DELETE OR TRUNCATE" if moved else "TRUNCATE"
    create.append(f"CREATE TRIGGER zhangwan_figures_0 AFTER {anywhere} ON {table} FOR EACH STATEMENT "
                  "EXECUTE FUNCTION zhangwan_figures_changed();")
    drop = [f"DROP FUNCTION {function}() CASCADE;", f"DROP TRIGGER zhangwan_figures_0 ON {table};"]
    if moved:
        moves, unmoves = _moves(table, moved)
        create, drop = create + moves, drop + unmoves
    return migrations.RunSQL(create, drop)
