"""History rows for set-based writes: one INSERT … SELECT copies the current state of many rows
into django-simple-history's table, instead of building a history object per row in Python."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.utils import timezone

HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def record_history(model, pks, *, reason: str, user=None, history_type: str = "~") -> int:
    """Copy rows of model with these primary keys into its history table ('+' created, '~' changed)."""
    pks = list(pks)
    if not pks:
        return 0
    history = model.history.model._meta
    columns = [f.column for f in history.concrete_fields if f.name not in HISTORY_FIELDS]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT INTO {quote(history.db_table)} ({names}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {names}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), reason[:100], history_type, getattr(user, "pk", None), pks])
        return cursor.rowcount


def update_with_history(queryset, *, reason: str, user=None, **changes) -> list[int]:
    """Lock the rows of the queryset, change them in one UPDATE and copy them into history; returns
    their ids. Inside the caller's transaction."""
    pks = list(queryset.select_for_update().values_list("pk", flat=True))
    queryset.model.objects.filter(pk__in=pks).update(**changes)
    record_history(queryset.model, pks, reason=reason, user=user)
    return pks


def history_with_changes(records, limit: int = 20) -> list:
    """The latest history records, newest first, each with ``changes``: (field label, before,
    after) against the record before it — read-only fields such as status included, choices and
    related objects in words."""
    records = list(records[: limit + 1])
    for record, previous in zip(records, [*records[1:], None], strict=False):
        record.changes = []
        if previous is None:
            continue
        for field in record.tracked_fields:
            before, after = getattr(previous, field.attname), getattr(record, field.attname)
            if before != after:
                record.changes.append((field.verbose_name, _shown(previous, field, before),
                                       _shown(record, field, after)))
    return records[:limit]


def _shown(record, field, value):
    if value is None:
        return None
    if field.is_relation:
        try:
            return getattr(record, field.name)
        except ObjectDoesNotExist:
            return value
    return dict(field.flatchoices).get(value, value) if field.choices else value
