"""A worker adds an e-mail address and changes the mobile number, each confirmed with a one-time code sent
to the new address (zhangwan/accounts/contact.py)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from zhangwan.accounts.contact import CODES_PER_ACCOUNT
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
NEW_MOBILE = "13700001111"


@pytest.fixture
def worker(db):
    return WorkerFactory(user=UserFactory(role=Role.WORKER), mobile="13912345678")


@pytest.fixture
def client_of(worker):
    client = Client()
    client.force_login(worker.user)
    return client


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_it_adds_an_email_address_confirmed_by_the_code_sent_to_it(worker, client_of):
    response = client_of.post(reverse("accounts:email_add"), {"email": "Me@Example.cn"})
    assert response.url == reverse("accounts:email_code")
    (message,) = mail.outbox
    assert message.to == ["me@example.cn"]
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    client_of.post(reverse("accounts:email_code"), {"code": wrong(code)})
    worker.user.refresh_from_db()
    assert worker.user.email == ""
    assert client_of.post(reverse("accounts:email_code"), {"code": code}).url == reverse("accounts:profile")
    worker.user.refresh_from_db()
    assert worker.user.email == "me@example.cn"


def test_an_address_of_another_account_is_refused(worker, client_of):
    UserFactory(email="taken@example.cn")
    response = client_of.post(reverse("accounts:email_add"), {"email": "taken@example.cn"})
    assert response.status_code == 200 and not mail.outbox


def test_it_changes_the_mobile_with_the_code_sent_to_the_new_number(worker, client_of, sms_outbox):
    assert client_of.post(reverse("accounts:mobile_change"), {"mobile": NEW_MOBILE}).url == \
        reverse("accounts:mobile_code")
    (sms,) = sms_outbox()
    assert sms["mobile"] == NEW_MOBILE and sms["template"] == "mobile_change"
    client_of.post(reverse("accounts:mobile_code"), {"code": sms["params"]["code"]})
    worker.refresh_from_db()
    assert worker.mobile == NEW_MOBILE
    assert worker.history.latest().history_change_reason == reason_key("worker.mobile_changed")
    assert worker.history.latest().history_user == worker.user


def test_a_wrong_code_changes_nothing(worker, client_of, sms_outbox):
    client_of.post(reverse("accounts:mobile_change"), {"mobile": NEW_MOBILE})
    response = client_of.post(reverse("accounts:mobile_code"), {"code": wrong(sms_outbox()[0]["params"]["code"])})
    assert response.status_code == 200
    worker.refresh_from_db()
    assert worker.mobile == "13912345678"


def test_the_contact_form_no_longer_changes_the_mobile(worker, client_of):
    client_of.post(reverse("accounts:profile_edit"), {"mobile": NEW_MOBILE, "education": worker.education})
    worker.refresh_from_db()
    assert worker.mobile == "13912345678"


def test_asking_for_codes_is_limited_per_account(worker, client_of, sms_outbox):
    for n in range(CODES_PER_ACCOUNT.limit + 1):
        client_of.post(reverse("accounts:email_add"), {"email": f"me{n}@example.cn"})
    assert len(mail.outbox) == CODES_PER_ACCOUNT.limit
