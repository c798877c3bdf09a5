"""Notifications are stored as a key and parameters and read in the reader's language
(zhangwan/accounts/notices.py); opening one marks it read."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from training import services as training
from training.tests.factories import open_class
from zhangwan.accounts.models import Notification
from zhangwan.accounts.notifications import notify, tell
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def worker_with_login():
    return WorkerFactory(user=UserFactory(role=Role.WORKER))


def page(user, language):
    client = Client()
    client.force_login(user)
    return client.get(reverse("accounts:notifications"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_it_is_stored_as_a_key_and_read_in_the_readers_language():
    user = UserFactory()
    tell([user], "enrollment.waitlisted", title="焊工培训", position=2)
    note = Notification.objects.get()
    assert note.key == "enrollment.waitlisted" and note.params == {"title": "焊工培训", "position": 2}
    assert note.legacy_title == ""
    assert "On the waiting list: 焊工培训" in page(user, "en")
    assert "候补" in page(user, "zh-hans")


def test_a_translated_parameter_follows_the_reader_too():
    from training.models import Enrollment

    user = UserFactory()
    tell([user], "enrollment.finished", title="焊工培训", attended=8, required=8,
         status=Enrollment.Status.COMPLETED.label)
    note = Notification.objects.get()
    with translation.override("en"):
        assert note.params["status"] == {"msgid": str(Enrollment.Status.COMPLETED.label)}
        assert note.body.endswith(f"Result: {Enrollment.Status.COMPLETED.label}.")
    with translation.override("zh-hans"):
        assert note.body.endswith(f"{Enrollment.Status.COMPLETED.label}。")


def test_texts_already_rendered_are_kept_and_shown_as_they_are():
    user = UserFactory()
    notify([user], title="旧的通知", body="原样显示")
    note = Notification.objects.get()
    assert (note.key, note.legacy_title, note.title, note.body) == ("", "旧的通知", "旧的通知", "原样显示")
    assert "旧的通知" in page(user, "en")


def test_an_unknown_key_is_refused():
    with pytest.raises(KeyError):
        tell([UserFactory()], "no.such.notice")


def test_opening_one_marks_it_read_and_follows_its_link():
    user = UserFactory()
    first, second = tell([user], "enrollment.registered", title="焊工培训", date="2026-12-03",
                         url=reverse("training:catalogue")) + tell([user], "class.cancelled", title="电工")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("accounts:notification_open", args=[first.pk]))
    assert response.url == reverse("training:catalogue")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert client.get(reverse("accounts:notification_open", args=[second.pk])).url == reverse("accounts:notifications")


def test_nobody_opens_someone_elses_notification():
    (note,) = tell([UserFactory()], "class.cancelled", title="电工")
    client = Client()
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_cancelling_a_seat_tells_the_worker():
    cls = open_class(capacity=1)
    worker = worker_with_login()
    seat = training.enrollment_register(worker=worker, training_class=cls, user=worker.user, channel="self")
    Notification.objects.all().delete()
    training.enrollment_cancel(enrollment=seat, user=worker.user)
    note = Notification.objects.get(user=worker.user)
    assert note.key == "enrollment.cancelled" and cls.title in note.title


def test_leaving_the_waiting_list_tells_the_worker():
    cls = open_class(capacity=1)
    training.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    worker = worker_with_login()
    waiting = training.enrollment_register(worker=worker, training_class=cls, user=worker.user, channel="self")
    Notification.objects.all().delete()
    training.enrollment_cancel(enrollment=waiting, user=worker.user)
    note = Notification.objects.get(user=worker.user)
    assert note.key == "enrollment.waitlist_left" and cls.title in note.title


def test_the_email_is_in_the_platforms_language(django_capture_on_commit_callbacks):
    from django.core import mail

    user = UserFactory(email="w@example.cn")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        tell([user], "class.cancelled", title="电工")
    (message,) = mail.outbox
    assert "电工" in message.subject and "Class cancelled" not in message.subject
