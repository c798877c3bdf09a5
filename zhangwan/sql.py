"""Raw SQL written with the models' own names, for the set-based jobs where it is the fast way.

A statement is a template whose names are filled once, at import, from the models: with
``n=Nomination``, ``{n}`` is the table with its alias (``"masters_nomination" n``), ``{n:table}`` the
table alone, ``{n.nominee}`` the aliased column (``n."nominee_id"``) and ``{n.nominee:name}`` the
column alone. Status values and the other constants the SQL compares with are query parameters
(``%(valid)s``), taken from the models' ``TextChoices``: none is typed in the SQL. A renamed table or
column is followed; a field or status that no longer exists fails at import, and
zhangwan/tests/test_sql_names.py runs every statement registered here through the planner and looks
for typed status values.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection

STATEMENTS: dict[str, "Statement"] = {}


class Table:
    """A model under an alias in a statement."""

    def __init__(self, model, alias: str):
        self.model, self.alias = model, alias

    def __format__(self, spec: str) -> str:
        table = connection.ops.quote_name(self.model._meta.db_table)
        return table if spec == "table" else f"{table} {self.alias}"

    def __getattr__(self, name: str) -> "Column":
        return Column(self, name)


@dataclass(frozen=True)
class Column:
    table: Table
    name: str

    def __format__(self, spec: str) -> str:
        column = connection.ops.quote_name(self.table.model._meta.get_field(self.name).column)
        return column if spec == "name" else f"{self.table.alias}.{column}"


def compose(template: str, **names) -> str:
    """The template with its names filled: a model is a table under its keyword as alias, a
    (model, alias) pair one under another alias, text (a composed fragment) goes in as it is."""
    def filled(alias, value):
        if isinstance(value, str):
            return value
        model, alias = value if isinstance(value, tuple) else (value, alias)
        return Table(model, alias)

    return template.format(**{key: filled(key, value) for key, value in names.items()})


@dataclass(frozen=True)
class Statement:
    """A composed statement and the constants it is run with (statuses, reason codes)."""

    name: str
    text: str
    constants: dict = field(default_factory=dict)

    def params(self, **values) -> dict:
        return {**self.constants, **values}


def statement(name: str, template: str, *, constants: dict | None = None, **names) -> Statement:
    """Compose a statement and register it under name for the test of names."""
    STATEMENTS[name] = Statement(name, compose(template, **names), {k: str(v) for k, v in (constants or {}).items()})
    return STATEMENTS[name]


def array_literal(values: Iterable) -> str:
    """A PostgreSQL array literal (``'{1,2,3}'``, cast in the SQL: ``%(ids)s::bigint[]``) of integers or
    plain words such as status values, which need no quoting. For tens of thousands of values it is
    read far faster than the ``ARRAY[…]`` expression psycopg makes of a list."""
    return "{" + ",".join(map(str, values)) + "}"


# Loading many rows -------------------------------------------------------------------------------

NULL = r"\N"


def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows (values in the order of `fields`, field names) with PostgreSQL's COPY: how a loader
    writes hundreds of thousands of rows that keep no history (the demo's attendance), with no model
    instance per row. The other columns take their database defaults (the primary key its next value)."""
    opts = model._meta
    columns = ", ".join(connection.ops.quote_name(opts.get_field(name).column) for name in fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([NULL if value is None else value for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) "
                                  f"FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer)


def copy_instances(model, objs: Sequence) -> Sequence:
    """`copy_rows` for unsaved instances: their primary keys are taken from the table's sequence first
    and set on them, so rows pointing at them can follow."""
    if not objs:
        return objs
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [opts.db_table, opts.pk.column, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    fields = opts.concrete_fields
    copy_rows(model, [f.name for f in fields], ([getattr(obj, f.attname) for f in fields] for obj in objs))
    return objs
