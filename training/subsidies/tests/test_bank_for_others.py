"""Bank details for workers who never log in: the list of approved claims waiting for them, reminders
(once a claim a day), an officer entering one worker's details, a liaison importing them from Excel.
Once a worker has bank details, their approved claims are payable as the batch flow expects."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import PASSWORD, UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.models import Worker
from zhangwan.registry.tests.factories import WorkerFactory

from .. import services
from ..models import BankReminder, Claim
from .factories import claim, policy

pytestmark = pytest.mark.django_db
ACCOUNT = "6228480099998888777"


@pytest.fixture
def skill():
    return policy()


@pytest.fixture
def officer():
    return UserFactory(role=Role.TRAINING_OFFICER)


def waiting(skill, organization, n=1, **fields):
    return [claim(policy=skill, worker=WorkerFactory(employer=organization, bank_account="", **fields))
            for _ in range(n)]


def workbook(*rows, headers=("身份证号", "姓名", "开户银行", "银行账号")) -> SimpleUploadedFile:
    book = Workbook()
    for row in (headers, *rows):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("bank.xlsx", buffer.getvalue())


# The list ------------------------------------------------------------------------------------

def test_the_list_shows_approved_unbatched_claims_of_workers_without_bank_details(client, officer, skill,
                                                                                   organization):
    shown = waiting(skill, organization)[0]
    paid_to = claim(policy=skill, worker=WorkerFactory(bank_account="6217000011112222333", name="有账户"))
    pending = claim(policy=skill, worker=WorkerFactory(bank_account="", name="待审核"), status=Claim.Status.PENDING)
    client.force_login(officer)
    page = client.get(reverse("subsidies:bank_waiting")).content.decode()
    assert shown.worker.name in page and shown.worker.masked_id_number in page
    assert paid_to.worker.name not in page and pending.worker.name not in page
    assert shown.worker.id_number not in page


def test_the_list_exports_what_it_shows_to_excel(client, officer, skill, organization):
    shown = waiting(skill, organization)[0]
    client.force_login(officer)
    response = client.get(reverse("subsidies:bank_waiting"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert shown.worker.name in values and shown.worker.id_number not in values


def test_the_list_filters_by_search(client, officer, skill, organization):
    first, second = waiting(skill, organization, 2)
    client.force_login(officer)
    page = client.get(reverse("subsidies:bank_waiting"), {"q": first.worker.name}).content.decode()
    assert first.worker.name in page and second.worker.name not in page


def test_the_list_costs_the_same_queries_for_many_claims(client, officer, skill, organization,
                                                         django_assert_max_num_queries):
    waiting(skill, organization, 3)
    client.force_login(officer)
    client.get(reverse("subsidies:bank_waiting"))
    waiting(skill, organization, 25)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("subsidies:bank_waiting")).status_code == 200


def test_a_liaison_sees_only_their_organizations_claims(client, liaison, skill, organization, other_organization):
    own, other = waiting(skill, organization)[0], waiting(skill, other_organization)[0]
    client.force_login(liaison)
    page = client.get(reverse("subsidies:bank_waiting")).content.decode()
    assert own.worker.name in page and other.worker.name not in page


# Reminders -----------------------------------------------------------------------------------

def test_a_reminder_notifies_a_worker_with_an_account_and_texts_one_without(
        client, officer, skill, organization, liaison, sms_outbox, django_capture_on_commit_callbacks):
    with_login = claim(policy=skill, worker=WorkerFactory(employer=organization, bank_account="",
                                                          user=UserFactory(role=Role.WORKER)))
    without = waiting(skill, organization)[0]
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subsidies:bank_remind"), {"claims": [with_login.pk, without.pk]})
    assert "银行" in with_login.worker.user.notifications.get().title
    assert [m["mobile"] for m in sms_outbox()] == [without.worker.mobile]
    assert without.worker.name in liaison.notifications.get().body
    assert BankReminder.objects.count() == 2


def test_a_second_reminder_the_same_day_sends_nothing(officer, skill, organization, sms_outbox,
                                                      django_capture_on_commit_callbacks):
    claims = Claim.objects.filter(pk__in=[c.pk for c in waiting(skill, organization)])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bank_reminders_send(claims=claims, user=officer) == 1
        assert services.bank_reminders_send(claims=claims, user=officer) == 0
    assert len(sms_outbox()) == 1 and BankReminder.objects.count() == 1


def test_the_database_refuses_two_reminders_of_a_claim_on_one_day(officer, skill, organization):
    reminder = BankReminder.objects.create(claim=waiting(skill, organization)[0], sent_by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        BankReminder.objects.create(claim=reminder.claim, sent_on=reminder.sent_on, sent_by=officer)


def test_a_reminder_skips_claims_no_longer_waiting(officer, skill):
    done = claim(policy=skill, worker=WorkerFactory(bank_account="6217000011112222333"))
    assert services.bank_reminders_send(claims=Claim.objects.filter(pk=done.pk), user=officer) == 0


# An officer enters one worker's details -------------------------------------------------------

def test_an_officer_enters_bank_details_and_the_claims_become_payable(client, officer, skill, organization):
    pending = waiting(skill, organization)[0]
    assert not services.payable_claims(skill).exists()
    client.force_login(officer)
    url = reverse("subsidies:worker_bank_details", args=[pending.worker.pk])
    client.post(url, {"bank_name": "中国农业银行", "bank_account": ACCOUNT, "password": PASSWORD})
    worker = Worker.objects.get(pk=pending.worker.pk)
    assert worker.bank_account == ACCOUNT
    assert worker.history.latest().history_change_reason == reason_key("worker.bank_details_by_staff")
    assert list(services.payable_claims(skill)) == [pending]


def test_the_officer_needs_their_password_again(client, officer, skill, organization):
    pending = waiting(skill, organization)[0]
    client.force_login(officer)
    client.post(reverse("subsidies:worker_bank_details", args=[pending.worker.pk]),
                {"bank_name": "中国农业银行", "bank_account": ACCOUNT, "password": "wrong"})
    assert Worker.objects.get(pk=pending.worker.pk).bank_account == ""


def test_the_training_officer_sees_only_the_masked_account(client, officer):
    worker = WorkerFactory(bank_name="中国农业银行", bank_account=ACCOUNT)
    client.force_login(officer)
    page = client.get(reverse("subsidies:worker_bank_details", args=[worker.pk])).content.decode()
    assert worker.masked_bank_account in page and ACCOUNT not in page


# A liaison imports them ------------------------------------------------------------------------

def test_a_liaison_imports_bank_details_with_history_and_claims_become_payable(client, liaison, skill,
                                                                               organization):
    first, second = waiting(skill, organization, 2)
    client.force_login(liaison)
    client.post(reverse("subsidies:bank_import"), {"file": workbook(
        [first.worker.id_number, first.worker.name, "中国工商银行", ACCOUNT],
        [second.worker.id_number, second.worker.name, "中国建设银行", "6217000011112222333"])})
    assert Worker.objects.get(pk=first.worker.pk).bank_account == ACCOUNT
    record = Worker.objects.get(pk=second.worker.pk).history.latest()
    assert (record.history_user, record.history_change_reason) == (liaison, "worker.bank_details_imported")
    assert set(services.payable_claims(skill)) == {first, second}


def test_one_bad_row_imports_nothing_and_lists_the_problem(client, liaison, skill, organization):
    first, second = waiting(skill, organization, 2)
    client.force_login(liaison)
    response = client.post(reverse("subsidies:bank_import"), {"file": workbook(
        [first.worker.id_number, first.worker.name, "中国工商银行", ACCOUNT],
        [second.worker.id_number, second.worker.name, "中国建设银行", "62170000"])})
    page = response.content.decode()
    assert "import-errors" in page and "12" in page
    assert not Worker.objects.exclude(bank_account="").exists()


def test_a_worker_of_another_organization_is_refused(client, liaison, skill, other_organization):
    other = waiting(skill, other_organization)[0]
    client.force_login(liaison)
    client.post(reverse("subsidies:bank_import"), {"file": workbook(
        [other.worker.id_number, other.worker.name, "中国工商银行", ACCOUNT])})
    assert Worker.objects.get(pk=other.worker.pk).bank_account == ""


def test_a_name_that_does_not_match_the_number_is_refused(client, liaison, skill, organization):
    own = waiting(skill, organization)[0]
    client.force_login(liaison)
    client.post(reverse("subsidies:bank_import"), {"file": workbook(
        [own.worker.id_number, "别人", "中国工商银行", ACCOUNT])})
    assert Worker.objects.get(pk=own.worker.pk).bank_account == ""


def test_the_import_page_shows_only_masked_accounts(client, liaison, organization):
    worker = WorkerFactory(employer=organization, bank_name="中国农业银行", bank_account=ACCOUNT)
    client.force_login(liaison)
    page = client.get(reverse("subsidies:bank_import")).content.decode()
    assert ACCOUNT not in page and worker.masked_bank_account in page


def test_the_template_has_a_text_formatted_identity_number_column(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("subsidies:bank_template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == ["身份证号", "姓名", "开户银行", "银行账号"]
    assert sheet["A2"].number_format == "@"
