"""The site in English reads as English: language names in their own language, dates and months in the
English formats."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from certification.models import Certificate
from zhangwan.registry.tests.factories import trade

pytestmark = pytest.mark.django_db


def test_each_language_is_offered_in_its_own_language(client):
    page = client.get(reverse("certification:verify"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="en">English</button>' in page and 'lang="zh-hans">简体中文</button>' in page
    assert "英语" not in page


def test_a_printed_certificates_date_follows_the_language(client, role_users):
    worker = role_users["worker"].worker
    certificate = Certificate.objects.create(number="ZW2026000009", holder=worker, trade=trade(), level=4,
                                             issued_on=datetime.date(2026, 1, 10), source="imported")
    client.force_login(role_users["worker"])
    url = reverse("certification:certificate_print", args=[certificate.pk])
    assert "2026年1月10日" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Jan. 10, 2026" in english and "年" not in english.split("Jan. 10, 2026")[0][-200:]


def test_the_dashboards_months_are_named_alike_in_english():
    from zhangwan.reports.dashboard import trainees_panel
    from zhangwan.reports.figures import Year

    with translation.override("en"):
        months = trainees_panel(Year(2026, None)).chart["categories"]
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
