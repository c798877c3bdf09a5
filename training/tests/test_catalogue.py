"""The public class catalogue: by default what one can still join (open, or starting soon), a status
filter for the rest, full classes badged as taking a waiting list, the venue once, a month filter
that lists months."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from training import services
from training.models import TrainingBase, TrainingClass
from training.tests.factories import open_class
from zhangwan.registry.tests.factories import OrganizationFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def _catalogue(client, **params):
    return client.get(reverse("training:catalogue"), params, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def _finished(title):
    cls = open_class(title=title, days_ahead=-400)
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.FINISHED)
    return cls


def test_it_shows_classes_open_or_starting_soon_by_default_and_the_rest_by_status(client):
    open_class(title="报名中的班")
    soon = open_class(title="即将开班的班", days_ahead=3)
    TrainingClass.objects.filter(pk=soon.pk).update(status=TrainingClass.Status.CLOSED)
    _finished("2022年已结束的班")
    page = _catalogue(client)
    assert "报名中的班" in page and "即将开班的班" in page and "2022年已结束的班" not in page
    finished = _catalogue(client, status="finished")
    assert "2022年已结束的班" in finished and "报名中的班" not in finished
    assert "seats left" not in finished
    assert "2022年已结束的班" in _catalogue(client, status="all")


def test_a_full_class_is_badged_as_taking_a_waiting_list(client):
    cls = open_class(capacity=1, title="满员的班")
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    page = _catalogue(client)
    assert "Full · waiting list open" in page
    assert ">Open for registration</span>" not in page and "0 of 1 seats left" not in page
    assert "满员的班" in _catalogue(client, status="full")


def test_the_venue_is_printed_once(client):
    host = OrganizationFactory(name="东风商用车有限公司总装配厂")
    base = TrainingBase.objects.create(name="总装配厂产业工人技能培训基地", kind=TrainingBase.Kind.WORKER_BASE,
                                       host=host, designated_on=datetime.date(2022, 3, 1))
    open_class(base=base, venue="总装配厂产业工人技能培训基地")
    card = _catalogue(client).split('class="row g-3"')[1]  # below the filter bar, whose base choice names it
    assert card.count("总装配厂产业工人技能培训基地") == 1


def test_the_month_filter_lists_months_with_classes(client):
    cls = open_class()
    page = _catalogue(client)
    assert 'type="month"' not in page
    month = f"{cls.starts_on:%Y-%m}"
    assert f'<option value="{month}">{cls.starts_on.year}-{cls.starts_on.month:02d}</option>' in page
    assert cls.title in _catalogue(client, month=month)
    assert timezone.localdate().year >= 2026
