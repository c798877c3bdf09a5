import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from zhangwan.accounts.models import User
from zhangwan.registry.tests.factories import WorkerFactory

STRONG = "Gongren#2026"


@pytest.fixture
def unclaimed(db, organization):
    return WorkerFactory(employer=organization, name="王小明", mobile="13912345678")


def claim(client, worker, **changes):
    data = {"id_number": worker.id_number, "name": worker.name, "mobile": worker.mobile, **changes}
    return client.post(reverse("accounts:claim"), data)


def test_it_claims_a_record_and_logs_in(client, unclaimed):
    assert claim(client, unclaimed).url == reverse("accounts:claim_password")
    response = client.post(reverse("accounts:claim_password"),
                           {"username": "13912345678", "password1": STRONG, "password2": STRONG})
    assert response.url == reverse("accounts:profile")
    unclaimed.refresh_from_db()
    user = unclaimed.user
    assert user.username == "13912345678" and user.full_name == "王小明"
    assert user.groups.filter(name="worker").exists()
    assert user.password.startswith("argon2") or user.check_password(STRONG)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_lowercase_x_in_the_identity_number_is_accepted(client, organization):
    worker = WorkerFactory(employer=organization, id_number="11010519491231002X", name="李华")
    response = claim(client, worker, id_number="11010519491231002x")
    assert response.status_code == 302


@pytest.mark.parametrize("field, value", [("name", "王大明"), ("mobile", "13900000000")])
def test_a_detail_that_does_not_match_claims_nothing(client, unclaimed, field, value):
    response = claim(client, unclaimed, **{field: value})
    assert response.status_code == 200
    assert "No unclaimed record matches" in response.content.decode() or "没有" in response.content.decode()
    assert client.get(reverse("accounts:claim_password")).status_code == 302
    unclaimed.refresh_from_db()
    assert unclaimed.user is None


def test_an_invalid_identity_number_gets_a_message(client, unclaimed):
    response = claim(client, unclaimed, id_number="123")
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]


def test_a_claimed_record_cannot_be_claimed_again(client, unclaimed):
    unclaimed.user = User.objects.create_user("someone", password=STRONG)
    unclaimed.save()
    assert claim(client, unclaimed).status_code == 200


def test_attempts_are_limited(client, unclaimed):
    for _ in range(10):
        claim(client, unclaimed, name="不对")
    response = claim(client, unclaimed)
    assert response.status_code == 200
    unclaimed.refresh_from_db()
    assert unclaimed.user is None


def test_weak_or_mismatched_passwords_are_refused(client, unclaimed):
    claim(client, unclaimed)
    url = reverse("accounts:claim_password")
    assert client.post(url, {"username": "xm", "password1": "12345678", "password2": "12345678"}).status_code == 200
    assert client.post(url, {"username": "xm", "password1": STRONG, "password2": STRONG + "x"}).status_code == 200
    assert not User.objects.filter(username="xm").exists()


def test_a_taken_username_is_refused(client, unclaimed):
    User.objects.create_user("13912345678", password=STRONG)
    claim(client, unclaimed)
    response = client.post(reverse("accounts:claim_password"),
                           {"username": "13912345678", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 200 and response.context["form"].errors["username"]
    assert Group.objects.get(name="worker").user_set.count() == 0


def test_worker_edits_their_contact_details(client, role_users):
    worker_user = role_users["worker"]
    client.force_login(worker_user)
    response = client.post(reverse("accounts:profile_edit"), {"mobile": "13788889999", "education": "college"})
    assert response.url == reverse("accounts:profile")
    worker_user.worker.refresh_from_db()
    assert worker_user.worker.mobile == "13788889999"
    assert worker_user.worker.history.first().history_user == worker_user


def test_worker_edit_with_a_bad_mobile_changes_nothing(client, role_users):
    worker_user = role_users["worker"]
    before = worker_user.worker.mobile
    client.force_login(worker_user)
    response = client.post(reverse("accounts:profile_edit"), {"mobile": "1234", "education": "college"})
    assert response.status_code == 200 and response.context["form"].errors["mobile"]
    worker_user.worker.refresh_from_db()
    assert worker_user.worker.mobile == before


def test_profile_masks_the_workers_own_identity_number(client, role_users):
    worker = role_users["worker"].worker
    client.force_login(role_users["worker"])
    page = client.get(reverse("accounts:profile")).content.decode()
    assert worker.masked_id_number in page and worker.id_number not in page
