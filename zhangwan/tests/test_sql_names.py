"""The raw SQL follows the models: every registered statement (zhangwan/sql.py) is planned by the
database built from the models, so a table or column it names that no longer exists fails here by
name; no status value is typed in it; and the reason codes it writes are the ones that have words."""

import re

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection

import certification.services
import masters.rules
import training.subsidies.engine
import training.subsidies.services
from certification.models import Certificate
from training.subsidies.rules import Refusal
from zhangwan.sql import STATEMENTS, compose

PARAM = re.compile(r"%\((\w+)\)s")
LITERAL = re.compile(r"'([^']+)'")
MODULES = [certification.services, masters.rules, training.subsidies.engine, training.subsidies.services]


def choice_values() -> dict[str, str]:
    """Every value of every model field's choices (history types included) → where it is declared."""
    values = {}
    for model in sorted(apps.get_models(), key=lambda m: m.__name__.startswith("Historical")):
        for field in model._meta.concrete_fields:
            for value, _label in field.flatchoices if field.choices else ():
                if isinstance(value, str) and value:
                    values.setdefault(value, f"{model.__name__}.{field.name}")
    return values


def test_the_modules_register_their_statements():
    assert {name.split(".")[0] for name in STATEMENTS} == {"certification", "masters", "subsidies"}
    assert {"certification.eligibility", "masters.eligibility", "masters.ranking", "subsidies.skill",
            "subsidies.training", "subsidies.living", "subsidies.claim_creation"} <= set(STATEMENTS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_the_database_knows_every_name(name):
    """EXPLAIN plans the statement without running it: a renamed table or column, or a parameter
    without a value, fails here with the statement's name."""
    statement = STATEMENTS[name]
    params = dict.fromkeys(PARAM.findall(statement.text)) | statement.constants
    with connection.cursor() as cursor:
        try:
            cursor.execute("EXPLAIN " + statement.text, params)
        except Exception as error:  # noqa: BLE001 - the message is the point
            pytest.fail(f"{name}: {error}")


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_no_status_value_is_typed_in_the_sql(name):
    declared = choice_values()
    typed = [f"'{value}' ({declared[value]})" for value in LITERAL.findall(STATEMENTS[name].text) if value in declared]
    assert not typed, f"{name} types {', '.join(typed)}: pass the TextChoices member as a parameter"


def test_every_reason_with_words_is_written_by_a_statement():
    written = {key for s in STATEMENTS.values() for key in PARAM.findall(s.text) if key in s.constants}
    assert set(Refusal.values) <= written, set(Refusal.values) - written
    decided_by_sql = {masters.rules.Reason.LEVEL, masters.rules.Reason.YEARS, masters.rules.Reason.AWARD,
                      masters.rules.Reason.EMPLOYMENT}
    assert decided_by_sql <= set(STATEMENTS["masters.eligibility"].constants.values())


def test_a_statement_follows_a_renamed_table_column_and_status(monkeypatch):
    template = "SELECT {c.holder} FROM {c} WHERE {c.status} = %(valid)s"
    monkeypatch.setattr(Certificate._meta, "db_table", "certification_renamed")
    monkeypatch.setattr(Certificate._meta.get_field("holder"), "column", "owner_id")
    assert compose(template, c=Certificate) == (
        'SELECT c."owner_id" FROM "certification_renamed" c WHERE c."status" = %(valid)s')
    assert STATEMENTS["masters.eligibility"].constants["valid"] == Certificate.Status.VALID.value


def test_a_field_that_is_gone_fails_at_once():
    with pytest.raises(FieldDoesNotExist):
        compose("SELECT {c.owner} FROM {c}", c=Certificate)
