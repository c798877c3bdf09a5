"""``Model.validate_constraints()`` asking the database about all of a model's check constraints at once.

A model form validates its instance against the model's constraints (``full_clean``). Django asks the
database about each ``CheckConstraint`` in a query of its own, inside a savepoint of its own when a
transaction is open: three statements a constraint. A training class has five, an event's form and its
inline rows about ten, so saving one of them in the admin cost 30 of its 46 statements. ``install()``
(RegistryConfig.ready) gives every model with two check constraints or more a ``validate_constraints``
that asks about them in one query (one savepoint), each as ``COALESCE(condition, true)`` as Django
asks it. The answer is Django's in every case: the same errors in the same order, a constraint on a field
the form leaves out skipped, and, should the database refuse the query (a value it cannot compare),
each constraint asked again as Django asks it, which counts a refused one as kept.
"""

from contextlib import nullcontext

from django.apps import apps
from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, Model, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def broken_checks(model_class, instance, checks, exclude, using) -> set[int] | None:
    """The ids of the CHECKS the instance's values break, asked in one query; None when they cannot be
    asked together (a value that is itself an expression Django cannot resolve, or the database refusing
    the query): then each is asked as Django asks it."""
    query = Query(None)
    against = instance._get_field_expression_map(meta=model_class._meta, exclude=exclude)  # noqa: SLF001 - as CheckConstraint.validate reads it
    try:
        for name, value in against.items():
            query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
    except FieldError:
        return None
    asked = []
    for check in checks:
        alias = f"_check_{len(asked)}"
        while alias in against:  # never a field's name
            alias += "_"
        try:
            query.add_annotation(Coalesce(Q(check.condition), True, output_field=BooleanField()), alias)
        except FieldError:  # a field left out of the form: Django skips the constraint too
            continue
        asked.append(check)
    if not asked:
        return set()
    in_transaction = connections[using].in_atomic_block
    try:
        with transaction.atomic(using=using) if in_transaction else nullcontext():
            kept = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        return None
    return {id(check) for check, answer in zip(asked, kept, strict=True) if not answer}


def validate_constraints(self, exclude=None):
    """Django's ``Model.validate_constraints``, with the check constraints of each model class asked at once."""
    using = router.db_for_write(self.__class__, instance=self)
    errors = {}
    for model_class, constraints in self.get_constraints():
        checks = [c for c in constraints if type(c) is CheckConstraint]
        broken = broken_checks(model_class, self, checks, exclude, using) if len(checks) > 1 else None
        asked = {id(c) for c in checks} if broken is not None else set()
        for constraint in constraints:
            try:
                if id(constraint) not in asked:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                elif id(constraint) in broken:
                    raise ValidationError(constraint.get_violation_error_message(),
                                          code=constraint.violation_error_code)
            except ValidationError as e:
                if getattr(e, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(e)
                else:
                    errors = e.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def install():
    """Every model with a class (its own or a parent) of two check constraints or more, that does not validate
    its constraints its own way."""
    for model in apps.get_models(include_auto_created=True):
        classes = [model, *model._meta.get_parent_list()]
        most = max(sum(type(c) is CheckConstraint for c in m._meta.constraints) for m in classes)
        if most > 1 and model.validate_constraints is Model.validate_constraints:
            model.validate_constraints = validate_constraints
