"""Django's model permissions, read once per access generation instead of once per request."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from zhangwan.prepared import execute

from .access_cache import kept


class CachedModelBackend(ModelBackend):
    """ModelBackend whose set of a user's permissions comes from the shared cache (access_cache.py).

    Only the whole set is kept (what ``has_perm`` and ``{{ perms }}`` read); an inactive user has none,
    as in ModelBackend, and object permissions stay ModelBackend's (none)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = kept("permissions", user_obj, super().get_all_permissions)  # noqa: SLF001 - ModelBackend's own memo
        return user_obj._perm_cache  # noqa: SLF001

    def get_user(self, user_id):
        """ModelBackend's, the user read on every request by one statement written once per process and prepared
        once per database session (zhangwan.prepared.execute; the ORM's
        `get()` compiled the query each time: 0.3 ms of processor; `raw()` matched its columns to the fields on
        each read: 0.15 ms), each column converted as the ORM converts it."""
        model = get_user_model()
        alias = router.db_for_read(model)
        statement, names, converters = _reading(model, alias)
        connection = connections[alias]
        with connection.cursor() as cursor:
            execute(cursor, statement, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for i, column, field_converters in converters:
            for convert in field_converters:
                values[i] = convert(values[i], column, connection)
        user = model.from_db(alias, names, values)
        return user if self.user_can_authenticate(user) else None


@cache
def _reading(model, alias):
    """The statement reading a row of ``model`` by its key, its fields' names in the statement's order, and the
    converters of the columns that have any (as the ORM applies them: the backend's, then the field's)."""
    connection = connections[alias]
    quote, fields = connection.ops.quote_name, model._meta.concrete_fields
    statement = (f"SELECT {', '.join(quote(field.column) for field in fields)} FROM {quote(model._meta.db_table)} "
                 f"WHERE {quote(model._meta.pk.column)} = %s")
    converters = []
    for i, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]
        if found:
            converters.append((i, column, found))
    return statement, [field.attname for field in fields], converters
