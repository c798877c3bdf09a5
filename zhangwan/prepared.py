"""Querysets of the busiest pages, compiled to SQL once per process and run again with other keys.

Django builds and compiles a queryset's SQL on every request: on the pages of the mixed load that is about a
fifth of the Python they run (``docs/performance.md`` §9), the same text each time, only the keys changing.
``Prepared(build)`` takes a function of integer keys (``pk``, ``user_id``...) returning a queryset; the first
use per database compiles it twice, with two sets of probe keys no row has, and checks that only the probes'
parameters differ between the two statements: those are the keys' places. Each use then runs the kept text
with the keys put in their places and makes the instances as Django's ``ModelIterable`` does (the row's own
fields, ``select_related`` objects, annotations, the ORM's converters); ``prefetch_related`` lookups are
fetched by Django, as before. ``count`` counts the statement's rows without making them.

``PreparedRows(build)`` does the same for a ``values_list`` queryset: its rows as tuples, converted as the ORM's.

A queryset whose SQL text differs between the probes, that takes a key in a form other than a parameter, or
that reads related objects it already knows (a related manager's) is refused when first used: ``ValueError``,
so a test finds it, not a user. A builder must not branch on a key's value (``if organization_id:``): the probes
are large numbers (or texts: a key of text may also be a ``contains`` lookup's pattern, escaped as the ORM
escapes it), and a branch taken only for 0 or None would go unseen (``competitions.services.judge_entries_of``
takes organization 0 for "none" for that reason). Nothing in a builder may depend on the moment
(``timezone.now()``): it is read once (``zhangwan.pagination.FilteredPages`` keeps a statement per day for that
reason). ``test_prepared.py`` and the pages' tests hold the prepared querysets to the ORM's answer.

The statements run through ``execute``, which has PostgreSQL prepare each once per database session, its keys
as the statement's parameters and its other values written into the text: PostgreSQL then parses and plans it
once per session too, not on every request (``test_server_prepared.py``). A key beyond any integer column finds
nothing without asking.
"""

import hashlib
import itertools
import operator
import re
import threading
import weakref

import psycopg2
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.db.models.query import (
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
    prefetch_related_objects,
)
from django.db.transaction import TransactionManagementError
from django.http import Http404

PROBES = (2_000_000_011, 2_000_000_101)  # keys no table here reaches; one set per compilation
PREPARED = []  # every one made, for the tests

# Server-side statements: the text and name of each statement to prepare (by its SQL, the positions of its
# keys and its other parameters' values), the statements each PostgreSQL session has (by its psycopg2
# connection: name -> text), and the texts PostgreSQL cannot prepare (a parameter whose type nothing in the
# statement decides), which run as they are.
_TEXTS: dict[tuple, tuple[str, str]] = {}
_TEXTS_KEPT = 1_000  # fixed statements only; beyond this many, texts are made again on each run
_SESSIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_UNPREPARABLE: set[str] = set()
# PREPARE refused for the parameters' types alone (the plain statement's literals have types):
# indeterminate type, ambiguous parameter, ambiguous or undefined function or operator, type mismatch.
_UNPREPARABLE_CODES = {"42P18", "42P08", "42725", "42883", "42804"}
_PLACEHOLDER = re.compile(r"%%|%s")
# Statements prepared per PostgreSQL session at most; to prepare another, the one run longest ago is dropped. The
# application's fixed statements are a few dozen; the rest are the lists' shapes (zhangwan.pagination.FilteredPages),
# which a crafted address can multiply: each prepared statement holds its plan in the server's memory.
SESSION_STATEMENTS = 300
BIGINT = range(-(2**63), 2**63)  # a key outside it matches no row; as a parameter PostgreSQL would refuse it


def execute(cursor, sql: str, params, keys=None) -> None:
    """``cursor.execute(sql, params)`` (Django's cursor), run as a statement PostgreSQL prepared in this
    session: parsed and planned once per session instead of on every request. A join of three tables costs
    PostgreSQL 240 µs of processor planned each time and 90 µs prepared (issue 21).

    ``keys`` are the positions of the parameters that change from run to run (all of them if None): only they
    become the statement's parameters; the others are written into its text as the literals the plain
    statement sends, so PostgreSQL reads and plans them as it would there. A key is compared with a column
    or put where the statement decides its type: PostgreSQL gives the parameter that type and converts the
    value to it (a timestamp compared with a date column would be cut to the date). For a statement of fixed
    text, run again and again: each text is one prepared statement in every session that runs it, at most
    ``SESSION_STATEMENTS`` of them a session (the one run longest ago dropped to make room).

    The PREPARE goes by the driver's own cursor, so it is not one of a request's counted queries: each
    session pays it once; Django's log shows ``EXECUTE zw_…(…)``. A statement PostgreSQL cannot prepare runs
    as it is. After a migration changed a column under a prepared statement, PostgreSQL refuses to run it
    (0A000); outside a transaction it is prepared again and run, inside one the error is the caller's (and
    the next run prepares it again). Needs a session of its own: not behind a pooler in transaction mode."""
    params = list(params)
    keys = range(len(params)) if keys is None else sorted(keys)  # in the places' order (a set has its own)
    text, name = _text(cursor, sql, params, keys)
    raw, db = cursor.db.connection, cursor.db
    known = _SESSIONS.get(raw)
    if known is None:
        known = _SESSIONS[raw] = {}
    values = [params[i] for i in keys]
    statement = f"EXECUTE {name}({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {name}"
    for retry in (False, True):
        if known.get(name) != text:
            if text in _UNPREPARABLE:
                cursor.execute(sql, params)
                return
            if name not in known and len(known) >= SESSION_STATEMENTS:
                oldest = next(iter(known))  # the one run longest ago
                _deallocate(db, raw, oldest)
                del known[oldest]
            if not _prepare(db, raw, name, text):
                cursor.execute(sql, params)
                return
            known[name] = text
        else:
            known[name] = known.pop(name)  # run last: the last to make room
        try:
            cursor.execute(statement, values)
            return
        except NotSupportedError as error:
            known.pop(name, None)  # the next run prepares it again (in place of the session's)
            # "cached plan must not change result type" (prepared before a migration): again, once, outside a
            # transaction; inside one the transaction is lost and the error is the caller's.
            if retry or getattr(error.__cause__, "pgcode", None) != "0A000" or not db.get_autocommit():
                raise


def _text(cursor, sql: str, params: list, keys) -> tuple[str, str]:
    """The PREPARE's text (keys as $1, $2…, the other parameters as literals, ``%%`` as ``%``) and its name."""
    constants = tuple((i, repr(value)) for i, value in enumerate(params) if i not in keys)
    index = (sql, tuple(keys), constants)
    found = _TEXTS.get(index)
    if found is not None:
        return found
    numbers, places = itertools.count(1), iter(range(len(params)))
    driver = cursor.cursor  # psycopg2's, for the literals it would send

    def written(match):
        if match.group() == "%%":
            return "%"
        place = next(places)
        return f"${next(numbers)}" if place in keys else driver.mogrify("%s", [params[place]]).decode()

    text = _PLACEHOLDER.sub(written, sql)
    found = (text, "zw_" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest())
    if len(_TEXTS) < _TEXTS_KEPT:
        _TEXTS[index] = found
    return found


def _prepare(db, raw, name: str, text: str) -> bool:
    """PREPARE the statement in this session (in place of one of the same name); False if PostgreSQL cannot,
    the transaction, if any, unharmed. A refusal for the parameters' types is remembered; any other error is
    left to the plain statement, which meets it as the caller's."""
    db.validate_no_broken_transaction()  # as Django's cursor does before any statement
    within = not db.get_autocommit()
    with db.wrap_database_errors, raw.cursor() as driver:
        if within:
            driver.execute("SAVEPOINT zw_prepare")
        try:
            try:
                driver.execute(f"PREPARE {name} AS {text}")
            except psycopg2.errors.DuplicatePreparedStatement:  # this session's, of an earlier text
                if within:
                    driver.execute("ROLLBACK TO SAVEPOINT zw_prepare")
                driver.execute(f"DEALLOCATE {name}")
                driver.execute(f"PREPARE {name} AS {text}")
        except psycopg2.ProgrammingError as error:
            if within:
                driver.execute("ROLLBACK TO SAVEPOINT zw_prepare")
                driver.execute("RELEASE SAVEPOINT zw_prepare")
            if error.pgcode in _UNPREPARABLE_CODES:
                _UNPREPARABLE.add(text)
            return False
        if within:
            driver.execute("RELEASE SAVEPOINT zw_prepare")
    return True


def _deallocate(db, raw, name: str) -> None:
    """Drop one of this session's prepared statements, the transaction, if any, unharmed."""
    within = not db.get_autocommit()
    with db.wrap_database_errors, raw.cursor() as driver:
        if within:
            driver.execute("SAVEPOINT zw_deallocate")
        try:
            driver.execute(f"DEALLOCATE {name}")
        except psycopg2.errors.InvalidSqlStatementName:  # gone already
            if within:
                driver.execute("ROLLBACK TO SAVEPOINT zw_deallocate")
        if within:
            driver.execute("RELEASE SAVEPOINT zw_deallocate")


def _probes(names, probes, which: int) -> dict:
    """The ``which``-th set of probe keys: integers counted from ``probes[which]``, or texts ending in a count."""
    base = probes[which]
    return {n: base + i if isinstance(base, int) else f"{base}{i}" for i, n in enumerate(names)}


def _pattern(text, like: bool):
    """A text key as its parameter: itself, or (``like``) as the ORM writes a ``contains`` lookup's (``icontains``
    too): ``%text%``, the text's own ``%``, ``_`` and ``\\`` escaped first (``_params``)."""
    return f"%{text}%" if like else text


class _Compiled:
    """A queryset's SQL compiled with two sets of probe keys: its text, its parameters and where the keys go
    (the parameters that differ between the two, each the probes of one key); the other parameters are
    constants of the text."""

    def __init__(self, first, second, names, probes, alias):
        self.compiler = compiler = first.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        other_sql, other_params = second.query.get_compiler(using=alias).as_sql()
        if self.sql != other_sql or len(params) != len(other_params):
            raise ValueError(f"{first.model.__name__}: the SQL changes with the keys' values")
        ones, twos = _probes(names, probes, 0), _probes(names, probes, 1)
        self.params, self.slots = list(params), []
        likes = (False, True) if isinstance(probes[0], str) else (False,)  # a text key may be a LIKE's pattern
        for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if one != two:
                slot = next(((position, n, like) for n in names for like in likes
                             if (one, two) == (_pattern(ones[n], like), _pattern(twos[n], like))), None)
                if slot is None:
                    raise ValueError(f"{first.model.__name__}: parameter {position} changes, but is no key")
                self.slots.append(slot)
        if {name for _position, name, _like in self.slots} != set(names):
            raise ValueError(f"{first.model.__name__}: a key is not a parameter of the statement")
        self.keys = frozenset(position for position, _name, _like in self.slots)  # the rest: constants of the text
        self.text_keys = not isinstance(probes[0], int)
        # Django refuses a locking read outside a transaction when it compiles one; compiled once, it is refused here.
        self.locking = bool(first.query.select_for_update)
        self.alias = alias

    def _params(self, keys: dict) -> list | None:
        """The statement's parameters with these keys; None if a key is beyond any key column (no row has it)."""
        params = list(self.params)
        for position, name, like in self.slots:
            key = keys[name]
            if self.text_keys:
                if not isinstance(key, str):
                    raise TypeError(f"{name} is a text key, not {type(key).__name__}")
                if like:
                    key = _pattern(connections[self.alias].ops.prep_for_like_query(key), like)
            elif operator.index(key) not in BIGINT:
                return None
            params[position] = key
        return params

    def _fetch(self, sql: str, params: list, keys=None) -> list[tuple]:
        connection = connections[self.alias]
        if self.locking and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            execute(cursor, sql, params, self.keys if keys is None else keys)
            return cursor.fetchall()


class _Statement(_Compiled):
    """A queryset of instances: its statement, and how its rows become instances."""

    def __init__(self, first, second, names, probes, alias):
        super().__init__(first, second, names, probes, alias)
        compiler = self.compiler
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

    def count(self, keys: dict) -> int:
        params = self._params(keys)
        if params is None:
            return 0
        return self._fetch(f"SELECT COUNT(*) FROM ({self.sql}) AS counted", params)[0][0]  # noqa: S608

    def run(self, keys: dict) -> list:
        params = self._params(keys)
        if params is None:
            return []
        connection = connections[self.alias]
        made = []
        for row in self._fetch(self.sql, params):
            if self.converters:
                row = _converted(row, self.converters, connection)
            obj = self.model.from_db(self.alias, self.attnames, row[self.fields])
            for populator in self.related:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            made.append(obj)
        if self.prefetch and made:
            prefetch_related_objects(made, *self.prefetch)
        return made


def _converted(row, converters, connection) -> list:
    """A row's values with the ORM's converters applied to the columns that have any (``get_converters``)."""
    row = list(row)
    for position, (functions, column) in converters:
        for convert in functions:
            row[position] = convert(row[position], column, connection)
    return row


class _Rows(_Compiled):
    """A ``values_list`` queryset (not flat, not named): its rows as tuples, converted as ``ValuesListIterable``
    converts them."""

    def __init__(self, first, second, names, probes, alias):
        super().__init__(first, second, names, probes, alias)
        if first._iterable_class is not ValuesListIterable:  # noqa: SLF001 - as Django's own iterables read it
            raise ValueError(f"{first.model.__name__}: only a values_list queryset's rows can be prepared")
        if self.locking or first.query.is_sliced:
            raise ValueError(f"{first.model.__name__}: a locking or sliced queryset's rows are not prepared")
        columns = [column[0] for column in self.compiler.select[:self.compiler.col_count]]
        self.converters = list(self.compiler.get_converters(columns).items())

    def run(self, keys: dict) -> list[tuple]:
        params = self._params(keys)
        return [] if params is None else self._rows(self.sql, params, self.keys)

    def page(self, keys: dict, limit: int, offset: int) -> list[tuple]:
        """The rows of one page, as slicing the queryset reads them (``LIMIT`` and ``OFFSET``, here two more keys
        of the statement: one text for every page)."""
        params = self._params(keys)
        if params is None:
            return []
        last = len(params)
        return self._rows(f"{self.sql} LIMIT %s OFFSET %s", [*params, limit, offset], self.keys | {last, last + 1})

    def _rows(self, sql, params, keys) -> list[tuple]:
        found = self._fetch(sql, params, keys)
        if not self.converters:
            return found
        connection = connections[self.alias]
        return [tuple(_converted(row, self.converters, connection)) for row in found]


class _PerDatabase:
    """``build(**keys)`` compiled once per process and database (``statement``: what it is compiled to)."""

    statement: type[_Compiled]

    def __init__(self, build, *names: str, probes=PROBES):
        self.build, self.names, self.probes = build, names, probes
        self._statements, self._lock = {}, threading.Lock()
        PREPARED.append(self)

    def _statement(self, alias):
        statement = self._statements.get(alias)
        if statement is None:
            with self._lock:
                statement = self._statements.get(alias)
                if statement is None:
                    first = self.build(**_probes(self.names, self.probes, 0))
                    second = self.build(**_probes(self.names, self.probes, 1))
                    statement = self._statements[alias] = self.statement(first, second, self.names, self.probes,
                                                                         alias)
        return statement


class Prepared(_PerDatabase):
    """``build(**keys)`` (a queryset of instances), compiled once per process and database."""

    statement = _Statement

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

    def get(self, using=DEFAULT_DB_ALIAS, **keys):
        """The one instance for these keys, as ``QuerySet.get``: the model's DoesNotExist if there is none."""
        statement = self._statement(using)
        return self._one(statement.run(keys), statement.model.DoesNotExist)

    def get_or_404(self, using=DEFAULT_DB_ALIAS, **keys):
        """The one instance for these keys, or Http404 (the queryset is meant to find one row at most)."""
        return self._one(self._statement(using).run(keys), Http404)

    @staticmethod
    def _one(found: list, missing: type[Exception]):
        if not found:
            raise missing
        if len(found) > 1:
            raise ValueError(f"{found[0]._meta.model_name}: {len(found)} rows where one at most was meant")
        return found[0]


class PreparedRows(_PerDatabase):
    """``build(**keys)``, a ``values_list`` queryset, compiled once per process and database and run as a
    statement each session prepares, as ``Prepared`` does for instances; ``probes``: two texts for keys of
    text. Its rows are tuples, each column converted as the ORM converts it (on PostgreSQL integers, text,
    booleans, numbers, dates and times need nothing: the driver's values as they are)."""

    statement = _Rows

    def rows(self, using=DEFAULT_DB_ALIAS, **keys) -> list[tuple]:
        return self._statement(using).run(keys)


def rows_statement(build, *names: str, probes=PROBES, using=DEFAULT_DB_ALIAS):
    """``build(**keys)`` (a ``values_list`` queryset) compiled with probe keys as ``PreparedRows`` compiles it, for
    a caller that keeps statements of its own (``zhangwan.pagination.FilteredPages``): ``.run(keys)`` its rows,
    ``.page(keys, limit, offset)`` a page of them. ValueError where PreparedRows refuses the queryset."""
    return _Rows(build(**_probes(names, probes, 0)), build(**_probes(names, probes, 1)), names, probes, using)


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
