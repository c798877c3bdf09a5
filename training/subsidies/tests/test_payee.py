"""The payee is frozen on each claim when it enters a disbursement batch: what the two finance
officers approved is what the bank file and the batch pages show, whatever the worker changes later."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.models import Worker
from zhangwan.registry.tests.factories import WorkerFactory

from .. import services
from ..models import Claim
from .factories import claim, policy

OLD_ACCOUNT, NEW_ACCOUNT = "6217000011112222333", "6228480099998888777"


@pytest.fixture
def finance(db):
    return {name: UserFactory(username=name, role=Role.FINANCE_OFFICER) for name in ("maker", "checker")}


def approved_batch_of(worker, finance):
    skill = policy()
    claim(policy=skill, worker=worker)
    batch = services.batch_create(policy=skill, user=finance["maker"])
    return services.batch_approve(batch=batch, user=finance["checker"])


def bank_file_rows(client, batch):
    response = client.get(reverse("subsidies:batch_bank_file", args=[batch.pk]))
    return list(load_workbook(io.BytesIO(response.content)).active.values)


def test_a_batch_freezes_each_payee_in_one_update(finance):
    worker = WorkerFactory(name="王建国", bank_name="中国工商银行", bank_account=OLD_ACCOUNT)
    batch = approved_batch_of(worker, finance)
    assert list(batch.claims.values_list("payee_name", "payee_bank_name", "payee_bank_account")) == [
        ("王建国", "中国工商银行", OLD_ACCOUNT)]


def test_the_bank_file_and_batch_page_keep_the_account_approved_after_the_worker_changes_it(client, finance):
    worker = WorkerFactory(name="王建国", bank_name="中国工商银行", bank_account=OLD_ACCOUNT)
    batch = approved_batch_of(worker, finance)
    client.force_login(finance["maker"])
    before_file = bank_file_rows(client, batch)
    Worker.objects.filter(pk=worker.pk).update(name="王建", bank_name="招商银行", bank_account=NEW_ACCOUNT)
    assert bank_file_rows(client, batch) == before_file
    assert before_file[2][1:5] == ("王建国", worker.id_number, "中国工商银行", OLD_ACCOUNT)
    page = client.get(reverse("subsidies:batch_detail", args=[batch.pk])).content.decode()
    assert OLD_ACCOUNT in page and NEW_ACCOUNT not in page and "招商银行" not in page


def test_the_batch_page_masks_the_frozen_account_for_the_training_officer(client, finance):
    worker = WorkerFactory(bank_name="中国工商银行", bank_account=OLD_ACCOUNT)
    batch = approved_batch_of(worker, finance)
    Worker.objects.filter(pk=worker.pk).update(bank_account=NEW_ACCOUNT)
    client.force_login(UserFactory(role=Role.TRAINING_OFFICER))
    page = client.get(reverse("subsidies:batch_detail", args=[batch.pk])).content.decode()
    assert "6217 **** 2333" in page and OLD_ACCOUNT not in page and "6228 **** 8777" not in page


def test_a_deleted_batch_releases_the_frozen_payee(finance):
    worker = WorkerFactory(bank_name="中国工商银行", bank_account=OLD_ACCOUNT)
    skill = policy()
    made = claim(policy=skill, worker=worker)
    batch = services.batch_create(policy=skill, user=finance["maker"])
    services.batch_delete(batch=batch, user=finance["maker"])
    assert Claim.objects.filter(pk=made.pk).values_list("payee_bank_account", flat=True).get() == ""


def test_the_database_refuses_a_batched_claim_without_a_frozen_account(finance):
    worker = WorkerFactory(bank_name="中国工商银行", bank_account=OLD_ACCOUNT)
    batch = approved_batch_of(worker, finance)
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.claims.update(payee_bank_account="")
