"""zhangwan.prepared.execute: a statement is prepared once in each PostgreSQL session and then run by its name,
giving what the plain statement gives; a rollback, a new session or a statement PostgreSQL cannot prepare
changes nothing a caller sees."""

import contextlib

import pytest
from django.db import IntegrityError, InternalError, NotSupportedError, ProgrammingError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from zhangwan import prepared
from zhangwan.accounts.models import User
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.prepared import execute

USERS = 'SELECT "username" FROM "accounts_user" WHERE "id" = %s AND "username" LIKE %s'


def _prepared_here() -> list[str]:
    """The statements this session has prepared (their text after ``PREPARE zw_… AS``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'zw\\_%%' ORDER BY statement")
        return [row[0].split(" AS ", 1)[1] for row in cursor.fetchall()]


def _run(sql, params, keys=None):
    with connection.cursor() as cursor:
        execute(cursor, sql, params, keys)
        return cursor.fetchall()


@pytest.mark.django_db
def test_a_statement_is_prepared_once_then_run_by_name_with_the_plain_statements_rows():
    one, two = UserFactory(username="a%b"), UserFactory(username="ab")
    with CaptureQueriesContext(connection) as queries:
        assert _run(USERS, [one.pk, "a%"]) == [("a%b",)]
        assert _run(USERS, [two.pk, "a%"]) == [("ab",)]
        assert _run(USERS, [two.pk, "x%"]) == []
    names = [q["sql"].split("(")[0] for q in queries.captured_queries]
    assert len(names) == 3 and names[0].startswith("EXECUTE zw_") and len(set(names)) == 1  # no PREPARE counted
    assert _prepared_here().count(USERS.replace("%s", "$1", 1).replace("%s", "$2")) == 1


@pytest.mark.django_db
def test_keys_go_to_their_places_whatever_order_a_set_of_places_iterates_in():
    # Eleven parameters, the keys at places 2 and 9: a set of them iterates 9 first (its table has eight slots
    # and 9 lands in slot 1); the values were sent in that order, each in the other's place.
    sql = "SELECT " + ", ".join(["%s::int"] * 11)
    params = list(range(100, 111))
    assert list(frozenset({2, 9})) == [9, 2]
    assert _run(sql, params, frozenset({2, 9})) == [tuple(params)]
    changed = [100, 101, 7, 103, 104, 105, 106, 107, 108, 8, 110]
    assert _run(sql, changed, {9, 2}) == [tuple(changed)]


@pytest.mark.django_db
@pytest.mark.parametrize("atomic", [False, True], ids=["autocommit", "in a transaction"])
def test_a_session_keeps_so_many_statements_dropping_the_one_run_longest_ago(monkeypatch, atomic):
    user = UserFactory()
    _run(USERS, [user.pk, "%"])
    monkeypatch.setattr(prepared, "SESSION_STATEMENTS", len(prepared._SESSIONS[connection.connection]) + 2)  # noqa: SLF001
    texts = [f'SELECT "username", {n} FROM "accounts_user" WHERE "id" = %s' for n in range(4)]
    with transaction.atomic() if atomic else contextlib.nullcontext():
        assert [_run(text, [user.pk]) for text in texts[:2]] == [[(user.username, 0)], [(user.username, 1)]]
        before = _prepared_here()
        assert _run(USERS, [user.pk, "%"]) == [(user.username,)]  # run last: kept when room is made
        assert [_run(text, [user.pk]) for text in texts[2:]] == [[(user.username, 2)], [(user.username, 3)]]
        after = _prepared_here()
        assert len(after) == len(before)  # no more than so many
        assert {text.replace("%s", "$1") for text in texts[2:]} <= set(after)  # the new ones prepared
        assert USERS.replace("%s", "$1", 1).replace("%s", "$2") in after  # the one run since, kept
        assert _run(texts[0], [user.pk]) == [(user.username, 0)]  # dropped earlier: prepared again
    assert len(_prepared_here()) == len(before)


@pytest.mark.django_db
def test_percent_signs_in_the_text_are_postgresqls_own():
    UserFactory(username="50%off")
    sql = "SELECT \"username\" FROM \"accounts_user\" WHERE \"username\" LIKE '%%\\%%%%' AND \"id\" > %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [0])
        plain = cursor.fetchall()
    assert plain == [("50%off",)] and _run(sql, [0]) == plain and _run(sql, [0]) == plain


@pytest.mark.django_db
def test_a_statement_postgresql_cannot_prepare_runs_as_it_is_and_the_transaction_goes_on():
    with transaction.atomic():
        assert _run("SELECT %s + %s", [1, 2]) == [(3,)]  # unknown + unknown: PostgreSQL refuses the PREPARE
        assert _run("SELECT %s + %s", [3, 4]) == [(7,)]
        user = UserFactory()
        assert _run(USERS, [user.pk, "%"]) == [(user.username,)]
    assert User.objects.filter(pk=user.pk).exists()
    assert "SELECT $1 + $2" not in _prepared_here()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_and_a_new_session_change_nothing_a_caller_sees():
    user = UserFactory()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert _run(USERS, [user.pk, "%"]) == [(user.username,)]  # prepared inside the transaction
        raise ZeroDivisionError
    assert _run(USERS, [user.pk, "%"]) == [(user.username,)]  # PostgreSQL keeps it after the rollback
    connection.close()  # a new session has none of the old one's statements: prepared again
    assert _run(USERS, [user.pk, "%"]) == [(user.username,)]
    assert len(_prepared_here()) == 1


@pytest.mark.django_db
def test_a_broken_transaction_is_refused_as_django_refuses_it():
    user = UserFactory()
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            User.objects.create(pk=user.pk, username="twice")
        with pytest.raises(TransactionManagementError):  # Django's refusal, before PostgreSQL is asked
            _run(USERS, [user.pk, "%"])
        transaction.set_rollback(True)
    with transaction.atomic():
        with pytest.raises(IntegrityError), connection.cursor() as cursor:  # Django unaware: PostgreSQL refuses
            cursor.execute('INSERT INTO "accounts_user" ("id") VALUES (%s)', [user.pk])
        with pytest.raises(InternalError, match="current transaction is aborted"):  # as Django's error
            _run(USERS, [user.pk, "%"])
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_parameters_that_are_no_keys_are_written_into_the_text_as_literals():
    one = UserFactory(username="a%b")
    assert _run(USERS, [one.pk, "a%"], keys=[0]) == [("a%b",)]
    assert _run(USERS, [one.pk, "b%"], keys=[0]) == []  # another constant: another statement
    texts = _prepared_here()
    assert 'SELECT "username" FROM "accounts_user" WHERE "id" = $1 AND "username" LIKE \'a%\'' in texts
    assert 'SELECT "username" FROM "accounts_user" WHERE "id" = $1 AND "username" LIKE \'b%\'' in texts


@pytest.mark.django_db(transaction=True)
def test_a_column_changed_under_a_prepared_statement_is_prepared_again():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE zw_changed (id int, v varchar(10))")
        cursor.execute("INSERT INTO zw_changed VALUES (1, 'short')")
    sql = "SELECT v FROM zw_changed WHERE id = %s"
    assert _run(sql, [1]) == [("short",)]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE zw_changed ALTER v TYPE varchar(20)")
        cursor.execute("UPDATE zw_changed SET v = 'a longer value'")
    assert _run(sql, [1]) == [("a longer value",)]  # "cached plan must not change result type": prepared again
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE zw_changed ALTER v TYPE text")
    with pytest.raises(NotSupportedError), transaction.atomic():  # inside a transaction: the caller's error
        _run(sql, [1])
    with transaction.atomic():
        assert _run(sql, [1]) == [("a longer value",)]  # and the next run prepares it again


@pytest.mark.django_db(transaction=True)
def test_a_statement_that_fails_for_another_reason_fails_as_the_plain_one_and_is_prepared_once_it_can_be():
    sql = "SELECT v FROM zw_later WHERE id = %s"
    with pytest.raises(ProgrammingError, match="zw_later"):
        _run(sql, [1])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE zw_later (id int, v text)")
    assert _run(sql, [1]) == []
    assert "SELECT v FROM zw_later WHERE id = $1" in _prepared_here()
