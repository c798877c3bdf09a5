"""Certification in its order: scores after the assessment, certificates after the scores, applications
closed by their own date or the officer's action, never as a side effect of issuing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from certification import services
from certification.models import Application
from certification.tests.factories import hold, session
from certification.tests.test_certificates import _scores_file
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def admitted(s):
    application = services.application_submit(worker=WorkerFactory(), session=s, user=None)
    Application.objects.filter(pk=application.pk).update(status="admitted")
    return application


def test_scores_before_the_assessment_date_are_refused_and_nothing_changes():
    s = session()
    application = admitted(s)
    with pytest.raises(services.CertificationError, match=s.date.isoformat()):
        services.scores_enter(application=application, theory=Decimal(80), practical=Decimal(80), user=None)
    application.refresh_from_db()
    assert (application.status, application.theory_score) == ("admitted", None)


def test_the_score_page_posts_nothing_and_says_why_before_the_assessment(client, role_users):
    s = session()
    application = admitted(s)
    client.force_login(role_users["certification_officer"])
    response = client.post(reverse("certification:scores", args=[application.pk]),
                           {"theory": "80", "practical": "80"}, follow=True)
    page = response.content.decode()
    application.refresh_from_db()
    assert application.status == "admitted"
    assert 'id="scores-refusal"' in page and s.date.isoformat() in page
    assert 'name="theory"' not in page and reverse("certification:scores_import", args=[s.pk]) not in page


def test_the_score_import_before_the_assessment_shows_the_reason_and_imports_nothing(client, role_users):
    s = session()
    application = admitted(s)
    client.force_login(role_users["certification_officer"])
    url = reverse("certification:scores_import", args=[s.pk])
    assert 'id="scores-refusal"' in client.get(url).content.decode()
    response = client.post(url, {"file": _scores_file([[application.worker.id_number, "80", "80"]])})
    assert response.status_code == 200
    application.refresh_from_db()
    assert (application.status, application.theory_score) == ("admitted", None)


def test_scores_are_admitted_on_the_assessment_date():
    s = session()
    application = admitted(s)
    hold(s, days_ago=0)
    assert services.scores_enter(application=application, theory=Decimal(80), practical=Decimal(80),
                                 user=None).status == "passed"
