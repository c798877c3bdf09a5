"""Applying for the skill-improvement subsidy: the worker on a phone, the liaison for the
organization's workers, staff for a list; the application's date is the claim date."""

import datetime
import itertools

from django.urls import reverse

from certification.models import Certificate
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import WorkerFactory, trade
from zhangwan.registry.tests.xlsx import workbook_file

from ..models import Application

numbers = itertools.count(1)


def certificate(worker, **fields) -> Certificate:
    return Certificate.objects.create(number=f"AP{next(numbers):08d}", holder=worker, trade=trade(), level=4,
                                      issued_on=fields.pop("issued_on", datetime.date(2024, 6, 1)),
                                      source="imported", **fields)


def test_a_worker_applies_on_a_phone_once_and_sees_why_the_button_is_then_disabled(client, role_users):
    user = role_users["worker"]
    own, other = certificate(user.worker), certificate(WorkerFactory())
    client.force_login(user)
    page = client.get(reverse("subsidies:apply"), HTTP_USER_AGENT="iPhone").content.decode()
    assert own.number in page and other.number not in page
    assert client.post(reverse("subsidies:apply"), {"certificate": own.pk}).status_code == 302
    application = Application.objects.get()
    assert (application.certificate, application.channel, application.applied_on, application.applied_by) == (
        own, "worker", datetime.date.today(), user)
    assert application.history.get().history_change_reason == reason_key("application.subsidy")
    again = client.get(reverse("subsidies:apply")).content.decode()
    assert "disabled" in again and "已于" in again
    assert client.post(reverse("subsidies:apply"), {"certificate": other.pk}).status_code == 404
    assert Application.objects.count() == 1


def test_a_liaison_applies_for_the_organizations_workers_only(client, role_users, other_organization):
    liaison = role_users["liaison"]
    ours = certificate(WorkerFactory(employer_id=liaison.organization_id))
    theirs = certificate(WorkerFactory(employer=other_organization))
    client.force_login(liaison)
    assert theirs.number not in client.get(reverse("subsidies:organization_apply")).content.decode()
    client.post(reverse("subsidies:organization_apply"), {"certificates": [ours.pk, theirs.pk]})
    assert list(Application.objects.values_list("certificate_id", "channel")) == [(ours.pk, "liaison")]


def test_staff_apply_for_a_list_from_excel_and_an_unknown_number_applies_nothing(client, role_users):
    first, second = certificate(WorkerFactory()), certificate(WorkerFactory())
    client.force_login(role_users["training_officer"])
    bad = workbook_file([[first.number], ["NOPE0001"]], headers=["证书编号"])
    page = client.post(reverse("subsidies:application_list"), {"file": bad}).content.decode()
    assert "没有该编号的证书" in page and not Application.objects.exists()
    good = workbook_file([[first.number], [second.number]], headers=["Certificate number"])
    assert client.post(reverse("subsidies:application_list"), {"file": good}).status_code == 302
    assert sorted(Application.objects.values_list("certificate_id", "channel")) == [
        (first.pk, "staff"), (second.pk, "staff")]


def test_staff_apply_for_certificates_they_select_by_number(client, role_users):
    first, second = certificate(WorkerFactory()), certificate(WorkerFactory())
    client.force_login(role_users["training_officer"])
    found = client.get(reverse("subsidies:application_select"), {"number": first.number}).content.decode()
    assert first.number in found and second.number not in found
    assert client.post(reverse("subsidies:application_select"), {"certificates": [first.pk]}).status_code == 302
    assert list(Application.objects.values_list("certificate_id", "channel")) == [(first.pk, "staff")]
