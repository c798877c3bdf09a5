"""History rows for set-based writes: one INSERT … SELECT copies the current state of many rows
into django-simple-history's table, instead of building a history object per row in Python."""

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


def history_with_changes(records, limit: int = 20) -> list:
    """The latest history records, newest first, each with ``changes``: (field label, before,
    after) against the record before it, status and other read-only fields included, choices and
    related objects in words."""
    records = list(records[: limit + 1])
    for record, previous in zip(records, [*records[1:], None], strict=False):
        record.changes = []
        if previous is None:
            continue
        fields = {f.name: f for f in record.instance_type._meta.fields}
        tracked = [f.name for f in record.tracked_fields]
        for change in record.diff_against(previous, included_fields=tracked, foreign_keys_are_objs=True).changes:
            field = fields.get(change.field)
            choices = dict(field.flatchoices) if field is not None and field.choices else {}
            record.changes.append((field.verbose_name if field else change.field,
                                   choices.get(change.old, change.old), choices.get(change.new, change.new)))
    return records[:limit]
