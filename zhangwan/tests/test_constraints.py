"""A model's check constraints are validated in one query (zhangwan/constraints.py), with Django's answers."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.db.models import F, Model
from django.test.utils import CaptureQueriesContext

from training.models import TrainingClass
from zhangwan.constraints import validate_constraints

pytestmark = pytest.mark.django_db
BATCHED = [m for m in apps.get_models(include_auto_created=True) if m.validate_constraints is validate_constraints]


def errors(validate, instance, exclude=None):
    try:
        validate(instance, exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return {}


def djangos(instance, exclude=None):
    return errors(Model.validate_constraints, instance, exclude)


def ours(instance, exclude=None):
    return errors(type(instance).validate_constraints, instance, exclude)


def a_class(**values):
    today = datetime.date(2026, 3, 2)
    now = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    fields = {"title": "焊工班", "capacity": 30, "confirmed_count": 0, "registration_opens": now,
              "registration_closes": now + datetime.timedelta(days=7), "starts_on": today, "ends_on": today,
              "completion_percent": 80}
    return TrainingClass(**{**fields, **values})


def test_the_models_with_several_check_constraints_validate_them_at_once():
    assert {"training.TrainingClass", "subsidies.Policy", "subsidies.Claim", "competitions.Event"} <= {
        m._meta.label for m in BATCHED}


@pytest.mark.parametrize("values", [
    {},
    {"capacity": 0},
    {"capacity": 10, "confirmed_count": 11},
    {"ends_on": datetime.date(2026, 3, 1), "completion_percent": 0},
    {"capacity": -1, "confirmed_count": 5, "completion_percent": 101, "ends_on": datetime.date(2026, 1, 1)},
    {"capacity": None, "completion_percent": None},  # unknown: kept, as in the database
])
def test_a_class_gets_djangos_errors_in_the_same_order_from_one_query(values):
    instance = a_class(**values)
    with CaptureQueriesContext(connection) as asked:
        found = ours(instance)
    assert found == djangos(instance)
    checks = [q["sql"] for q in asked.captured_queries if '"_check' in q["sql"]]
    assert len(checks) == 1 and len(asked.captured_queries) == 3  # the query, in its savepoint


def test_a_constraint_on_a_field_left_out_is_skipped_as_django_skips_it():
    instance = a_class(capacity=0, confirmed_count=5, ends_on=datetime.date(2026, 1, 1))
    assert ours(instance, exclude={"capacity"}) == djangos(instance, exclude={"capacity"})
    assert "class_capacity_positive" not in str(ours(instance, exclude={"capacity"}))
    assert ours(instance, exclude={"capacity"})


def test_a_refused_query_is_asked_again_constraint_by_constraint_as_django_asks_it():
    def refuse_the_batch(execute, sql, params, many, context):
        if '"_check_0"' in sql:
            raise DatabaseError("refused")
        return execute(sql, params, many, context)

    instance = a_class(capacity=0, ends_on=datetime.date(2026, 1, 1))
    with connection.execute_wrapper(refuse_the_batch), CaptureQueriesContext(connection) as asked:
        found = ours(instance)
    assert found == djangos(instance) != {}
    assert sum('"_check"' in (q["sql"] or "") for q in asked.captured_queries) == 5  # each of the five, as Django


def test_a_value_that_is_an_expression_is_asked_as_django_asks_it():
    instance = a_class(capacity=F("confirmed_count") + 1, ends_on=datetime.date(2026, 1, 1))
    assert ours(instance) == djangos(instance)


@pytest.mark.parametrize("model", BATCHED, ids=lambda m: m._meta.label)
def test_every_batched_model_answers_as_django_for_an_empty_instance(model):
    instance = model()
    every_field = {f.name for f in model._meta.get_fields()}
    assert ours(instance) == djangos(instance)
    assert ours(instance, exclude=every_field) == djangos(instance, exclude=every_field) == {}
