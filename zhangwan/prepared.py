"""Querysets of the busiest pages, compiled to SQL once per process and run again with other keys.

Django builds and compiles a queryset's SQL on every request: on the pages of the mixed load that is about a
fifth of the Python they run (``docs/performance.md`` §9), the same text each time, only the keys changing.
``Prepared(build)`` takes a function of integer keys (``pk``, ``user_id``...) returning a queryset; the first
use per database compiles it twice, with two sets of probe keys no row has, and checks that only the probes'
parameters differ between the two statements: those are the keys' places. Each use then runs the kept text
with the keys put in their places and makes the instances as Django's ``ModelIterable`` does (the row's own
fields, ``select_related`` objects, annotations, the ORM's converters); ``prefetch_related`` lookups are
fetched by Django, as before. ``count`` counts the statement's rows without making them.

A queryset whose SQL text differs between the probes, that takes a key in a form other than a parameter, or
that reads related objects it already knows (a related manager's) is refused when first used: ``ValueError``,
so a test finds it, not a user. A builder must not branch on a key's value (``if organization_id:``): the probes
are large numbers, and a branch taken only for 0 or None would go unseen (``competitions.services.
judge_entries_of`` takes organization 0 for "none" for that reason). Nothing in a builder may depend on the
moment (``timezone.now()``): it is read once. ``test_prepared.py`` and the pages' tests hold the prepared
querysets to the ORM's answer.
"""

import hashlib
import operator
import re
import threading
import weakref

import psycopg2
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import ModelIterable, get_related_populators, prefetch_related_objects
from django.http import Http404

PROBES = (2_000_000_011, 2_000_000_101)  # keys no table here reaches; one set per compilation
PREPARED = []  # every one made, for the tests

# Server-side statements: which each PostgreSQL session has (by its psycopg2 connection), and the texts
# PostgreSQL cannot prepare (a parameter whose type nothing in the statement decides), run as they are.
_SESSIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_UNPREPARABLE: set[str] = set()
_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(sql: str) -> str:
    """Django's ``%s`` placeholders as PostgreSQL's ``$1, $2...``, its ``%%`` as ``%``."""
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(counter)}", sql)


def execute(cursor, sql: str, params) -> None:
    """``cursor.execute(sql, params)`` (Django's cursor), run as a statement PostgreSQL prepared in this
    session: parsed and planned once per session instead of on every request. A join of three tables costs
    PostgreSQL 240 µs of processor planned each time and 90 µs prepared (issue 21). The PREPARE goes by the
    driver's own cursor, so it is not one of a request's counted queries: each session pays it once."""
    name = "zw_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    raw = cursor.db.connection
    known = _SESSIONS.get(raw)
    if known is None:
        known = _SESSIONS[raw] = set()
    if name not in known:
        if sql in _UNPREPARABLE or not _prepare(cursor.db, raw, name, sql):
            cursor.execute(sql, params)
            return
        known.add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)


def _prepare(db, raw, name: str, sql: str) -> bool:
    """PREPARE the statement in this session; False if PostgreSQL cannot (the transaction, if any, unharmed).
    Any other error reaches the caller as Django's, as the statement's own would."""
    db.validate_no_broken_transaction()  # as Django's cursor does before any statement
    within = not db.get_autocommit()
    with db.wrap_database_errors, raw.cursor() as driver:
        if within:
            driver.execute("SAVEPOINT zw_prepare")
        try:
            driver.execute(f"PREPARE {name} AS {_numbered(sql)}")
        except psycopg2.ProgrammingError:  # e.g. 42725, "unknown + unknown": the plain statement's literals have types
            if within:
                driver.execute("ROLLBACK TO SAVEPOINT zw_prepare")
            _UNPREPARABLE.add(sql)
            return False
        if within:
            driver.execute("RELEASE SAVEPOINT zw_prepare")
    return True


class _Statement:
    """A queryset's compiled text, its parameters, where the keys go, and how its rows become instances."""

    def __init__(self, first, second, names, alias):
        compiler = first.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        other_sql, other_params = second.query.get_compiler(using=alias).as_sql()
        if self.sql != other_sql or len(params) != len(other_params):
            raise ValueError(f"{first.model.__name__}: the SQL changes with the keys' values")
        self.params, self.slots = list(params), []
        for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if one != two:
                name = next((n for i, n in enumerate(names) if (one, two) == (PROBES[0] + i, PROBES[1] + i)), None)
                if name is None:
                    raise ValueError(f"{first.model.__name__}: parameter {position} changes, but is no key")
                self.slots.append((position, name))
        if {name for _position, name in self.slots} != set(names):
            raise ValueError(f"{first.model.__name__}: a key is not a parameter of the statement")
        # (A queryset's own state, read as Django's iterables read it.)
        plain = not first._known_related_objects and first._iterable_class is ModelIterable  # noqa: SLF001
        if not plain or first._fields:  # noqa: SLF001
            raise ValueError(f"{first.model.__name__}: only a plain queryset of instances can be prepared")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model, self.fields = klass_info["model"], slice(start, end)
        self.attnames = [column[0].target.attname for column in select[start:end]]
        self.annotations = list(compiler.annotation_col_map.items())
        self.related = get_related_populators(klass_info, select, alias)
        self.columns = [column[0] for column in select[:compiler.col_count]]
        self.converters = list(compiler.get_converters(self.columns).items())
        self.prefetch = first._prefetch_related_lookups  # noqa: SLF001
        if not all(isinstance(lookup, str) for lookup in self.prefetch):  # a Prefetch's queryset has the probes
            raise ValueError(f"{first.model.__name__}: only lookups by name can be prefetched")
        self.alias = alias

    def _params(self, keys: dict) -> list:
        params = list(self.params)
        for position, name in self.slots:
            params[position] = operator.index(keys[name])
        return params

    def count(self, keys: dict) -> int:
        with connections[self.alias].cursor() as cursor:
            execute(cursor, f"SELECT COUNT(*) FROM ({self.sql}) AS counted", self._params(keys))  # noqa: S608
            return cursor.fetchone()[0]

    def run(self, keys: dict) -> list:
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            execute(cursor, self.sql, self._params(keys))
            rows = cursor.fetchall()
        made = []
        for row in rows:
            if self.converters:
                row = list(row)
                for position, (converters, column) in self.converters:
                    for convert in converters:
                        row[position] = convert(row[position], column, connection)
            obj = self.model.from_db(self.alias, self.attnames, row[self.fields])
            for populator in self.related:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            made.append(obj)
        if self.prefetch and made:
            prefetch_related_objects(made, *self.prefetch)
        return made


class Prepared:
    """``build(**keys)`` (a queryset of instances), compiled once per process and database."""

    def __init__(self, build, *names: str):
        self.build, self.names = build, names
        self._statements, self._lock = {}, threading.Lock()
        PREPARED.append(self)

    def _statement(self, alias) -> _Statement:
        statement = self._statements.get(alias)
        if statement is None:
            with self._lock:
                statement = self._statements.get(alias)
                if statement is None:
                    first = self.build(**{n: PROBES[0] + i for i, n in enumerate(self.names)})
                    second = self.build(**{n: PROBES[1] + i for i, n in enumerate(self.names)})
                    statement = self._statements[alias] = _Statement(first, second, self.names, alias)
        return statement

    def list(self, using=DEFAULT_DB_ALIAS, **keys) -> list:
        """The queryset's instances for these keys."""
        return self._statement(using).run(keys)

    def first(self, using=DEFAULT_DB_ALIAS, **keys):
        """The queryset's first instance for these keys, or None."""
        found = self._statement(using).run(keys)
        return found[0] if found else None

    def count(self, using=DEFAULT_DB_ALIAS, **keys) -> int:
        """How many instances the queryset has for these keys (its rows are not read)."""
        return self._statement(using).count(keys)

    def get_or_404(self, using=DEFAULT_DB_ALIAS, **keys):
        """The one instance for these keys, or Http404 (the queryset is meant to find one row at most)."""
        found = self._statement(using).run(keys)
        if not found:
            raise Http404
        if len(found) > 1:
            raise ValueError(f"{found[0]._meta.model_name}: {len(found)} rows where one at most was meant")
        return found[0]


def give_prefetched(obj, name: str, objs: list) -> None:
    """Leave ``obj``'s reverse foreign key ``name`` answering ``objs`` (a prepared list of its rows), each
    pointing back at ``obj``, as ``prefetch_related(name)`` leaves them: ``obj.<name>.all()`` reads nothing."""
    manager = getattr(obj, name)
    for child in objs:
        setattr(child, manager.field.name, obj)
    queryset = manager.get_queryset()
    queryset._result_cache, queryset._prefetch_done = list(objs), True  # noqa: SLF001 - as prefetch_one_level
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}  # noqa: SLF001
    obj._prefetched_objects_cache[name] = queryset  # noqa: SLF001
