"""What a person scanning a certificate, or coming back from printing one, is told."""

import datetime

import pytest
from django.urls import reverse

from certification.models import Certificate
from zhangwan.registry.tests.factories import WorkerFactory, trade

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(db):
    holder = WorkerFactory(name="王建国")
    return Certificate.objects.create(number="ZW2026000042", holder=holder, trade=trade(), level=3,
                                      issued_on=datetime.date(2026, 3, 5), source="imported",
                                      issuer_name="十堰市职业技能鉴定中心")


def test_the_check_names_whose_certificate_it_is_masked(client, held):
    page = client.get(reverse("certification:verify"), {"number": held.number, "name": "王建国"},
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    start = page.index('id="verdict"')
    verdict = page[start:page.index("<form", start)]  # the form keeps what was typed
    assert "王*国" in verdict and "王建国" not in verdict
    assert "焊工" in verdict and held.get_level_display() in verdict
    assert "十堰市职业技能鉴定中心" in verdict and "2026-03-05" in verdict


def test_the_home_page_tiles_lead_somewhere_and_the_check_is_linked(client):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for name in ["training:catalogue", "competitions:competition_list", "certification:session_list",
                 "masters:honour_roll", "certification:verify"]:
        assert f'href="{reverse(name)}"' in page, name


def test_back_from_a_printed_certificate_goes_to_the_certificates(client, role_users):
    own = Certificate.objects.create(number="ZW2026000043", holder=role_users["worker"].worker, trade=trade(),
                                     level=4, issued_on=datetime.date(2026, 1, 10), source="imported")
    client.force_login(role_users["worker"])
    page = client.get(reverse("certification:certificate_print", args=[own.pk])).content.decode()
    assert f'href="{reverse("certification:my_certificates")}" id="back"' in page
    client.force_login(role_users["certification_officer"])
    page = client.get(reverse("certification:certificate_print", args=[own.pk])).content.decode()
    assert f'href="{reverse("certification:certificate_list")}" id="back"' in page
