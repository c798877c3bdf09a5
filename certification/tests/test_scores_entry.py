"""Entering scores on the session's page: the rows stay where they are, the officer is brought back to
the row just saved (on its page) and told it was saved; the import's help is about scores only."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from certification.models import Application
from certification.tests.factories import hold, session
from zhangwan.registry.tests.factories import WorkerFactory


def _admitted(s, count):
    hold(s)
    return [Application.objects.create(worker=WorkerFactory(), session=s, status="admitted",
                                       created_at=s.applications_open) for _ in range(count)]


def _row_ids(html):
    return [int(pk) for pk in re.findall(r'id="a(\d+)"', html)]


@pytest.mark.django_db
def test_it_keeps_the_rows_in_place_after_saving_scores(client, role_users):
    s = session()
    applications = _admitted(s, 3)
    client.force_login(role_users["certification_officer"])
    url = reverse("certification:manage_session", args=[s.pk])
    before = _row_ids(client.get(url).content.decode())
    client.post(reverse("certification:scores", args=[applications[0].pk]), {"theory": "80", "practical": "75"})
    client.post(reverse("certification:scores", args=[applications[1].pk]), {"theory": "30", "practical": "75"})
    assert Application.objects.get(pk=applications[0].pk).status == "passed"
    assert _row_ids(client.get(url).content.decode()) == before == [a.pk for a in applications]


@pytest.mark.django_db
def test_it_brings_the_officer_back_to_the_saved_row_on_its_page_and_says_so(client, role_users):
    s = session(capacity=60)
    applications = _admitted(s, 52)
    client.force_login(role_users["certification_officer"])
    last = applications[-1]
    response = client.post(reverse("certification:scores", args=[last.pk]), {"theory": "80", "practical": "75"})
    manage = reverse("certification:manage_session", args=[s.pk])
    assert response.url == f"{manage}?page=2#a{last.pk}"
    page = client.get(response.url).content.decode()
    assert f'id="a{last.pk}"' in page
    assert f"{last.worker.name}" in page and 'class="alert alert-success' in page


@pytest.mark.django_db
def test_the_scores_import_help_speaks_of_scores_only(client, role_users):
    s = session()
    hold(s)
    client.force_login(role_users["certification_officer"])
    with translation.override("zh-hans"):
        page = client.get(reverse("certification:scores_import", args=[s.pk]),
                          HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "身份证号" in page
    assert "证书编号" not in page and "发证机构" not in page
