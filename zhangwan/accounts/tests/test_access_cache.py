"""Roles and model permissions read once, then kept in the shared cache until who holds what changes
(zhangwan/accounts/access_cache.py)."""

from unittest.mock import patch

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhangwan.accounts import access_cache
from zhangwan.accounts.models import User
from zhangwan.accounts.roles import Role, user_roles
from zhangwan.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD_CLASS = "training.add_trainingclass"
NEW_CLASS = "/admin/training/trainingclass/add/"


def fresh(user):
    """The user as the next request loads them: no per-request memo."""
    return User.objects.get(pk=user.pk)


def queries_of(call, *args):
    with CaptureQueriesContext(connection) as queries:
        answer = call(*args)
    return answer, len(queries)


def test_a_second_request_checks_roles_and_permissions_without_a_query():
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    officer_roles = {Role.TRAINING_OFFICER.value}
    assert queries_of(check, fresh(officer)) == ((True, officer_roles), 3)  # groups, two permission reads
    assert queries_of(check, fresh(officer)) == ((True, officer_roles), 0)


def check(user):
    return user.has_perm(ADD_CLASS), user_roles(user)


def fresh_check(user):
    return check(fresh(user))


def access_queries_of(call, *args):
    """The answer and the queries that read who holds what (groups and permissions)."""
    with CaptureQueriesContext(connection) as queries:
        answer = call(*args)
    return answer, len([q for q in queries if '"auth_group' in q["sql"] or '"auth_permission' in q["sql"]])


def test_the_officers_class_list_asks_three_queries_fewer_once_roles_and_permissions_are_kept(client):
    client.force_login(UserFactory(role=Role.TRAINING_OFFICER))
    assert access_queries_of(client.get, "/training/manage/classes/")[1] == 3
    response, second = access_queries_of(client.get, "/training/manage/classes/")
    assert NEW_CLASS in response.content.decode() and second == 0


def cache_reads_of(call, *args):
    """The answer and the round trips to the cache (a get or a get_many each, not the gets a local cache's
    get_many makes of itself)."""
    reads, inside = [], []

    def counted(method):
        def read(*a, **k):
            if not inside:
                reads.append(a)
            inside.append(1)
            try:
                return method(*a, **k)
            finally:
                inside.pop()
        return read

    with patch.object(cache, "get_many", counted(cache.get_many)), patch.object(cache, "get", counted(cache.get)):
        answer = call(*args)
    return answer, len(reads)


def test_roles_and_permissions_come_back_from_the_cache_in_one_round_trip():
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    fresh_check(officer)
    assert cache_reads_of(fresh_check, officer) == ((True, {Role.TRAINING_OFFICER.value}), 1)
    user = fresh(officer)  # the other order: permissions asked first
    assert cache_reads_of(lambda: (user.has_perm(ADD_CLASS), user_roles(user)))[1] == 1


def test_a_change_made_by_this_request_is_seen_by_its_next_check():
    """The permissions fetched with the roles are not used once the same request changed who holds what."""
    worker = UserFactory(role=Role.WORKER)
    fresh_check(worker)
    user = fresh(worker)
    assert user_roles(user) == {Role.WORKER.value}  # the permissions fetched too, waiting on the user
    Group.objects.get(name=Role.WORKER).permissions.add(Permission.objects.get(codename="add_trainingclass"))
    assert user.has_perm(ADD_CLASS)


def test_a_role_taken_away_is_gone_from_the_next_request(client):
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    client.force_login(officer)
    assert NEW_CLASS in client.get("/training/manage/classes/").content.decode()
    officer.groups.remove(Group.objects.get(name=Role.TRAINING_OFFICER))
    assert client.get("/training/manage/classes/").status_code == 403
    assert fresh_check(officer) == (False, set())


def test_a_permission_taken_from_a_role_is_gone_for_its_members_at_once(client):
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    client.force_login(officer)
    assert NEW_CLASS in client.get("/training/manage/classes/").content.decode()
    permission = Permission.objects.get(content_type__app_label="training", codename="add_trainingclass")
    Group.objects.get(name=Role.TRAINING_OFFICER).permissions.remove(permission)
    response = client.get("/training/manage/classes/")
    assert response.status_code == 200 and NEW_CLASS not in response.content.decode()


def test_a_permission_given_to_one_user_and_a_superuser_flag_count_from_the_next_request():
    user = UserFactory(role=Role.WORKER)
    assert fresh_check(user) == (False, {Role.WORKER.value})
    user.user_permissions.add(Permission.objects.get(content_type__app_label="training", codename="add_trainingclass"))
    assert fresh_check(user)[0] is True
    other = UserFactory(role=Role.WORKER)
    assert fresh_check(other)[0] is False
    User.objects.filter(pk=other.pk).update(is_superuser=True)  # no signal: the flag is part of the key
    assert fresh_check(other)[0] is True


def test_rows_read_while_a_change_commits_are_not_kept_past_it():
    """A request reads the old rows; the change commits (a new generation) before it writes them to the
    cache: its entry carries the generation it started under, so the next request reads again."""
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    reads = []

    def read_old_rows_then_the_change_commits(user):
        reads.append(user.pk)
        rows = {"old"}
        access_cache.new_generation()
        return rows

    assert access_cache.kept("test", officer, read_old_rows_then_the_change_commits) == {"old"}
    access_cache.kept("test", officer, read_old_rows_then_the_change_commits)
    assert reads == [officer.pk, officer.pk]


def test_what_a_transaction_reads_after_its_change_is_not_kept_when_it_rolls_back():
    """A service gives a role, reads the user's roles in the same transaction (they include it), then
    fails: the role was never given, and no later request may see it."""
    worker = UserFactory(role=Role.WORKER)

    class Failed(Exception):
        pass

    with pytest.raises(Failed), transaction.atomic():
        worker.groups.add(Group.objects.get(name=Role.TRAINING_OFFICER))
        assert fresh_check(worker) == (True, {Role.WORKER.value, Role.TRAINING_OFFICER.value})
        raise Failed
    assert fresh_check(worker) == (False, {Role.WORKER.value})
    assert queries_of(check, fresh(worker))[1] == 0  # kept again once the transaction is over


def test_with_the_cache_not_answering_every_request_reads_the_database(settings):
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for _ in range(2):  # every read a miss, every write dropped
        assert queries_of(check, fresh(officer)) == ((True, {Role.TRAINING_OFFICER.value}), 3)  # groups, permissions
