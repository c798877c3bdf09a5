"""The certificate number prefix lives on the issuer (issue 18, "Constants that are policy"): each
assessment body numbers its certificates prefix + year + six digits, "ZW" unless the officer sets
another; each prefix is its own gapless series of the year, and numbers stay unique."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from certification import services
from certification.models import AssessmentBody
from certification.tests.factories import session
from certification.tests.test_certificates import passed
from zhangwan.registry.tests.factories import OrganizationFactory

DAY = datetime.date(2026, 12, 25)


def body(name, prefix):
    return AssessmentBody.objects.create(name=name, organization=OrganizationFactory(), certificate_prefix=prefix)


def issued(s):
    return [c.number for c in services.certificates_issue(session=s, user=None, on=DAY)]


def test_a_body_numbers_with_todays_prefix_by_default():
    assert AssessmentBody().certificate_prefix == "ZW"


@pytest.mark.django_db
def test_each_body_numbers_with_its_own_prefix_in_its_own_series():
    zw = session()
    sy = session(body=body("十堰市职业技能鉴定中心", "SY"), venue="考场二")
    passed(zw), passed(zw), passed(sy)
    assert issued(sy) == ["SY2026000001"]
    assert issued(zw) == ["ZW2026000001", "ZW2026000002"]


@pytest.mark.django_db
def test_bodies_sharing_a_prefix_share_its_series():
    first = session()
    second = session(body=body("东风技师学院认定站", "ZW"), venue="考场二")
    passed(first), passed(second)
    assert issued(first) + issued(second) == ["ZW2026000001", "ZW2026000002"]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "zw", "Z1", "Z-W"])
def test_the_database_refuses_a_prefix_that_could_run_into_the_digits(prefix):
    b = body("十堰市职业技能鉴定中心", "SY")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentBody.objects.filter(pk=b.pk).update(certificate_prefix=prefix)


@pytest.mark.django_db(transaction=True)
def test_numbering_under_concurrent_issues_of_two_prefixes_is_unique_and_gapless():
    sy = body("十堰市职业技能鉴定中心", "SY")
    sessions = []
    for n in range(20):
        s = session(venue=f"考场{n}", **({"body": sy} if n % 2 else {}))
        passed(s)
        sessions.append(s)

    def issue(s):
        try:
            return issued(s)[0]
        finally:
            connection.close()

    with ThreadPoolExecutor(10) as pool:
        numbers = sorted(pool.map(issue, sessions))
    assert numbers == sorted([f"SY2026{n:06d}" for n in range(1, 11)] + [f"ZW2026{n:06d}" for n in range(1, 11)])


@pytest.mark.django_db
def test_importing_a_number_of_a_bodys_own_form_is_refused():
    b = body("十堰市职业技能鉴定中心", "SY")
    with pytest.raises(services.CertificationError, match="SY2025000001"):
        services.certificates_import(rows=[{"number": "SY2025000001"}], user=None)
    assert b.certificate_prefix == "SY"


@pytest.mark.django_db
def test_the_officer_sets_the_prefix_in_the_admin(client, role_users):
    b = body("十堰市职业技能鉴定中心", "SY")
    client.force_login(role_users["certification_officer"])
    page = client.get(reverse("admin:certification_assessmentbody_change", args=[b.pk])).content.decode()
    assert 'name="certificate_prefix"' in page
