"""A liaison applies for workers with the person picker (zhangwan/picker.py): the session's trade's
practitioners, searched on the server; those who applied already are marked."""

import re

import pytest
from django.urls import reverse

from certification import services
from certification.models import Application
from certification.tests.factories import session
from zhangwan.registry.models import WorkerTrade
from zhangwan.registry.tests.factories import WorkerFactory, trade

pytestmark = pytest.mark.django_db


def _practitioner(organization, **fields):
    worker = WorkerFactory(employer=organization, **fields)
    WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2010)
    return worker


def test_the_liaison_applies_through_the_picker_and_sees_who_applied(client, liaison, organization):
    s = session()
    ours = [_practitioner(organization) for _ in range(3)]
    services.application_submit(worker=ours[0], session=s, user=None)
    client.force_login(liaison)
    url = reverse("certification:apply_for_workers", args=[s.pk])
    rows = client.get(url, {"pick": "rows"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert sorted(int(pk) for pk in re.findall(r'data-picker-id="(\d+)"', rows)) == sorted(w.pk for w in ours)
    assert rows.count("Applied") == 1
    client.post(url, {"workers": f"{ours[1].pk},{ours[2].pk}"})
    assert Application.objects.filter(session=s).count() == 3
