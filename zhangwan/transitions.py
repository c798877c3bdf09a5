"""Status transitions: one table per model, declared in its app's service module, and the one way a
status moves.

    CLASS_STATUS = Transitions(TrainingClass, {Status.DRAFT: {Status.OPEN, …}, …}, error=TrainingError,
                               message=_("A class that is “%(current)s” cannot become “%(target)s”."))
    CLASS_STATUS.move(cls, Status.OPEN, user=user)                   # one object: check, set, save with history
    CLASS_STATUS.update(claims, Status.APPROVED, user=user, reason="claim.approved", reviewed_by=user)
                                                                      # set-based: only rows in an allowed from-state

``move`` raises the app's ``ServiceError`` subclass with the translated "cannot become" message;
``update`` filters the queryset on the states allowed to become the target (rows in other states are
left as they are, as a set-based review always did) and writes history through ``zhangwan.history``.
Each table must name every choice of the model's ``Status`` (a final state maps to an empty set);
``zhangwan/tests/test_transitions.py`` walks every model with a status and checks it has a table.
Templates ask the model (``claim.is_pending``), never compare the status with a string.
"""

from django.utils.translation import gettext_lazy

from zhangwan.errors import ServiceError
from zhangwan.history import save_with_history, update_with_history

TABLES: dict[type, "Transitions"] = {}  # model → its table, for the coverage test


class Transitions:
    def __init__(self, model, table: dict, *, error: type[ServiceError] = ServiceError, message=None,
                 field: str = "status"):
        self.model, self.table, self.error, self.field = model, table, error, field
        self.message = message or gettext_lazy("Something that is “%(current)s” cannot become “%(target)s”.")
        TABLES[model] = self

    @property
    def choices(self):
        return self.model._meta.get_field(self.field).choices

    def label(self, value) -> str:
        return str(dict(self.choices).get(value, value))

    def allowed(self, current) -> set:
        """The states an object in ``current`` may move to."""
        return self.table[current]

    def sources(self, target) -> list:
        """The states from which an object may move to ``target``."""
        return sorted(state for state, targets in self.table.items() if target in targets)

    def check(self, current, target) -> None:
        if target not in self.table.get(current, ()):
            raise self.error(str(self.message) % {"current": self.label(current), "target": self.label(target)})

    def assign(self, obj, target) -> None:
        """Check the move and set the status, for a caller that saves many objects at once
        (``bulk_update_with_history``)."""
        self.check(getattr(obj, self.field), target)
        setattr(obj, self.field, target)

    def move(self, obj, target, *, user, reason: str = "status", detail: str = "", update_fields=()):
        """Check the move, set the status and save it (with these other fields) with its history row."""
        self.assign(obj, target)
        return save_with_history(obj, user=user, reason=reason, detail=detail,
                                 update_fields=[self.field, *update_fields] if obj.pk else None)

    def update(self, queryset, target, *, user, reason: str = "status", detail: str = "", **changes) -> list[int]:
        """Move the rows of the queryset that may become ``target`` in one UPDATE with history; returns
        their ids. Inside the caller's transaction."""
        allowed = queryset.filter(**{f"{self.field}__in": self.sources(target)})
        return update_with_history(allowed, reason=reason, detail=detail, user=user,
                                   **{self.field: target}, **changes)

    def advance(self, queryset, target, **changes) -> int:
        """``update`` for a model that keeps no history (a background job's progress): one UPDATE of the
        rows that may become ``target``; returns how many moved."""
        return queryset.filter(**{f"{self.field}__in": self.sources(target)}).update(**{self.field: target},
                                                                                     **changes)
