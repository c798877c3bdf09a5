"""Officers manage the accounts of their own dimension by invitation (zhangwan/accounts/managing.py)."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhangwan.accounts.models import Invitation, Notification, User
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import PASSWORD, UserFactory
from zhangwan.audit.log import tracked_models
from zhangwan.tests.xlsx import exported_rows

NEW = "Another-str0ng-pass"


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.TRAINING_OFFICER, full_name="培训干事", email="officer@example.cn")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite(client, organization, **extra):
    data = {"role": Role.LIAISON, "full_name": "李联络", "organization": organization.pk,
            "email": "li@example.cn", "mobile": "", **extra}
    return client.post(reverse("accounts:invite"), data)


def link_in(message_body) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message_body).group(1)


def accept(client, link, username="li.lianluo"):
    return client.post(link, {"username": username, "password1": NEW, "password2": NEW})


def test_it_invites_a_liaison_who_opens_their_account_with_the_link(officer, organization):
    response = invite(logged_in(officer), organization)
    assert response.url == reverse("accounts:invitations")
    (message,) = mail.outbox
    link = link_in(message.body)
    invitation = Invitation.objects.get()
    assert invitation.created_by == officer and invitation.is_pending
    assert link.rsplit("/", 2)[-2] not in invitation.token_hash  # only the hash is stored
    visitor = Client()
    assert "李联络" in visitor.get(link).content.decode()
    response = accept(visitor, link)
    user = User.objects.get(username="li.lianluo")
    assert response.url == reverse("home") and user.check_password(NEW)
    assert set(user.groups.values_list("name", flat=True)) == {Role.LIAISON}
    assert user.organization == organization and user.email == "li@example.cn" and not user.is_staff
    invitation.refresh_from_db()
    assert invitation.is_accepted and invitation.user == user
    assert Notification.objects.get(user=officer).key == "account.invitation_accepted"
    assert [h.history_change_reason for h in invitation.history.order_by("history_id")] == \
        ["invitation.sent", "invitation.accepted"]


def test_it_opens_a_link_once(officer, organization):
    invite(logged_in(officer), organization)
    link = link_in(mail.outbox[0].body)
    accept(Client(), link)
    assert Client().get(link).status_code == 404
    assert accept(Client(), link, username="someone.else").status_code == 404
    assert User.objects.filter(groups__name=Role.LIAISON).count() == 1


def test_it_refuses_an_expired_link(officer, organization):
    invite(logged_in(officer), organization)
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=8),
                              expires_at=timezone.now() - timedelta(seconds=1))
    response = accept(Client(), link_in(mail.outbox[0].body))
    assert response.status_code == 404 and "已过期" in response.content.decode()
    assert not User.objects.filter(username="li.lianluo").exists()


def test_it_sends_by_sms_when_only_a_mobile_is_given(officer, organization, sms_outbox):
    invite(logged_in(officer), organization, email="", mobile="13912345678")
    (sms,) = sms_outbox()
    assert sms["mobile"] == "13912345678" and sms["template"] == "invitation"
    assert accept(Client(), sms["params"]["link"].split("testserver", 1)[1]).status_code == 302


def test_it_resends_a_new_link_and_the_old_one_stops_working(officer, organization):
    client = logged_in(officer)
    invite(client, organization)
    invitation = Invitation.objects.get()
    client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    old, new = (link_in(m.body) for m in mail.outbox)
    assert old != new
    assert Client().get(old).status_code == 404 and Client().get(new).status_code == 200


def test_it_cancels_an_invitation(officer, organization):
    client = logged_in(officer)
    invite(client, organization)
    invitation = Invitation.objects.get()
    assert "<strong>李联络</strong>" in client.get(reverse("accounts:invitations")).content.decode()
    client.post(reverse("accounts:invitation_cancel", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.is_cancelled and Client().get(link_in(mail.outbox[0].body)).status_code == 404
    assert "<strong>李联络</strong>" not in client.get(reverse("accounts:invitations")).content.decode()


@pytest.mark.parametrize("role", [Role.JUDGE, Role.TRAINING_OFFICER, Role.AUDITOR, Role.WORKER])
def test_an_officer_cannot_invite_outside_their_dimension(officer, organization, role):
    response = invite(logged_in(officer), organization, role=role)
    assert response.status_code == 200 and not Invitation.objects.exists() and not mail.outbox


def test_an_officer_cannot_touch_another_officers_invitations(officer, organization, client):
    invite(logged_in(officer), organization)
    invitation = Invitation.objects.get()
    judges_officer = logged_in(UserFactory(role=Role.COMPETITIONS_OFFICER))
    assert judges_officer.post(reverse("accounts:invitation_cancel", args=[invitation.pk])).status_code == 404
    assert judges_officer.post(reverse("accounts:invitation_resend", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending and len(mail.outbox) == 1


def test_an_officer_manages_only_accounts_wholly_in_their_dimension(officer, organization):
    liaison = UserFactory(role=Role.LIAISON, organization=organization, full_name="自己人")
    judge = UserFactory(role=Role.JUDGE, full_name="裁判")
    also_officer = UserFactory(role=Role.LIAISON, organization=organization, full_name="兼任")
    also_officer.groups.add(Group.objects.get(name=Role.CERTIFICATION_OFFICER))
    client = logged_in(officer)
    page = client.get(reverse("accounts:manage")).content.decode()
    assert "自己人" in page and "裁判" not in page and "兼任" not in page
    for other in (judge, also_officer):
        assert client.get(reverse("accounts:manage_account", args=[other.pk])).status_code == 404
        assert client.post(reverse("accounts:account_deactivate", args=[other.pk])).status_code == 404
        other.refresh_from_db()
        assert other.is_active
    assert client.get(reverse("accounts:manage_account", args=[liaison.pk])).status_code == 200


def test_deactivation_ends_the_sessions_and_reactivation_restores_with_history(officer, organization):
    liaison = UserFactory(role=Role.LIAISON, organization=organization)
    session = logged_in(liaison)
    client = logged_in(officer)
    client.post(reverse("accounts:account_deactivate", args=[liaison.pk]))
    liaison.refresh_from_db()
    assert not liaison.is_active
    assert session.get(reverse("accounts:notifications")).status_code == 302
    assert Client().post(reverse("accounts:login"), {"username": liaison.username, "password": PASSWORD}
                         ).status_code == 200  # the form again: not logged in
    client.post(reverse("accounts:account_reactivate", args=[liaison.pk]))
    liaison.refresh_from_db()
    assert liaison.is_active
    history = client.get(reverse("accounts:manage_account", args=[liaison.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    entries = LogEntry.objects.filter(object_id=str(liaison.pk), user=officer)
    assert entries.count() == 2 and "培训干事" in history.content.decode()


def test_an_officer_sends_a_reset_to_an_account_in_their_scope(officer, organization):
    liaison = UserFactory(role=Role.LIAISON, organization=organization, email="li@example.cn")
    logged_in(officer).post(reverse("accounts:account_reset", args=[liaison.pk]))
    (message,) = mail.outbox
    assert message.to == ["li@example.cn"] and "/accounts/reset/" in message.body
    assert LogEntry.objects.filter(object_id=str(liaison.pk), user=officer).exists()


def test_the_masters_officer_invites_an_expert_into_the_reviewer_pool(organization):
    from masters.models import Reviewer

    masters_officer = UserFactory(role=Role.MASTERS_OFFICER)
    client = logged_in(masters_officer)
    invite(client, organization, role=Role.REVIEWER, full_name="王专家", email="wang@example.cn")
    accept(Client(), link_in(mail.outbox[0].body), username="wang.expert")
    reviewer = Reviewer.objects.get(user__username="wang.expert")
    assert reviewer.active and reviewer.organization == organization
    client.post(reverse("accounts:account_deactivate", args=[reviewer.user_id]))
    reviewer.refresh_from_db()
    assert not reviewer.active


def test_the_list_searches_filters_and_exports_in_constant_queries(officer, organization,
                                                                    django_assert_max_num_queries):
    for n in range(3):
        UserFactory(role=Role.LIAISON, organization=organization, full_name=f"联络员{n}", is_active=n != 2)
    client = logged_in(officer)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("accounts:manage"), {"q": "联络员1"}).content.decode()
    assert "联络员1" in page and "联络员0" not in page
    inactive = client.get(reverse("accounts:manage"), {"is_active": "false"}).content.decode()
    assert "联络员2" in inactive and "联络员0" not in inactive
    response = client.get(reverse("accounts:manage"), {"format": "xlsx"})
    names = [row[0] for row in exported_rows(response)[1:]]
    assert sorted(names) == ["联络员0", "联络员1", "联络员2"]


def test_invitations_show_in_the_auditors_activity_log():
    assert Invitation in tracked_models()


def test_a_non_officer_is_refused(role_users):
    for role in (Role.LIAISON, Role.WORKER, Role.CERTIFICATION_OFFICER, Role.AUDITOR):
        assert logged_in(role_users[role]).get(reverse("accounts:manage")).status_code == 403
