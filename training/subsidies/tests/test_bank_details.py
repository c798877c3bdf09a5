"""A worker changes where subsidies are paid: only with their password, with history, told to
them, and to finance while a batch holding one of their claims is not paid yet."""

import pytest
from django.urls import reverse

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import PASSWORD, UserFactory
from zhangwan.registry.models import Worker
from zhangwan.registry.tests.factories import WorkerFactory

from .factories import approved_batch, claim, policy

OLD, NEW = "6217000011112222333", "6228480099998888777"
URL = "subsidies:bank_details"


@pytest.fixture
def worker(db):
    return WorkerFactory(bank_name="中国工商银行", bank_account=OLD, user=UserFactory(role=Role.WORKER))


@pytest.fixture
def finance(db):
    return [UserFactory(role=Role.FINANCE_OFFICER) for _ in range(2)]


def change(client, worker, password=PASSWORD, **fields):
    client.force_login(worker.user)
    return client.post(reverse(URL), {"bank_name": "招商银行", "bank_account": NEW, "password": password, **fields},
                       follow=True)


def test_a_wrong_password_saves_nothing_and_says_why(client, worker):
    response = change(client, worker, password="not-my-password")
    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()
    worker.refresh_from_db()
    assert (worker.bank_name, worker.bank_account) == ("中国工商银行", OLD)
    assert not worker.user.notifications.exists()


def test_a_change_is_kept_in_history_with_who_and_why(client, worker):
    change(client, worker)
    record = Worker.objects.get(pk=worker.pk).history.latest()
    assert (record.bank_account, record.history_user, record.history_change_reason) == (
        NEW, worker.user, "worker.bank_details")
    assert record.prev_record.bank_account == OLD


def test_the_worker_is_told_of_the_change(client, worker, mailoutbox, django_capture_on_commit_callbacks):
    worker.user.email = "wang@example.com"
    worker.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        change(client, worker)
    notice = worker.user.notifications.get()
    assert "银行账户" in notice.title and "6228 **** 8777" in notice.body and NEW not in notice.body
    assert len(mailoutbox) == 1


def test_finance_is_told_when_a_batch_holding_the_workers_claim_is_not_paid(client, worker, finance):
    approved_batch([claim(policy=policy(), worker=worker)], made_by=finance[0], approved_by=finance[1])
    change(client, worker)
    for officer in finance:
        assert "银行账户" in officer.notifications.get().title


def test_finance_is_not_told_when_the_workers_batches_are_paid(client, worker, finance):
    approved_batch([claim(policy=policy(), worker=worker)], made_by=finance[0], approved_by=finance[1], paid=True)
    change(client, worker)
    assert not any(officer.notifications.exists() for officer in finance)
    assert Worker.objects.get(pk=worker.pk).bank_account == NEW


def test_the_contact_form_no_longer_changes_the_bank_account(client, worker):
    client.force_login(worker.user)
    client.post(reverse("accounts:profile_edit"), {"mobile": "13900000001", "education": "college",
                                                   "bank_name": "招商银行", "bank_account": NEW})
    worker.refresh_from_db()
    assert (worker.education, worker.bank_account) == ("college", OLD)


def test_officers_cannot_type_bank_details_in_the_admin(client, worker):
    client.force_login(UserFactory(role=Role.TRAINING_OFFICER))
    page = client.get(reverse("admin:registry_worker_change", args=[worker.pk])).content.decode()
    assert 'name="bank_account"' not in page and 'name="bank_name"' not in page
