"""Certification in its order: scores after the assessment, certificates after the scores, applications
closed by their own date or the officer's action, never as a side effect of issuing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from certification import services
from certification.models import Application, AssessmentSession, Certificate
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


def scored(s, theory=80):
    application = Application.objects.create(worker=WorkerFactory(), session=s, status="admitted",
                                             created_at=s.applications_open)
    return services.scores_enter(application=application, theory=Decimal(theory), practical=Decimal(80), user=None)


def test_certificates_before_the_assessment_are_refused_and_the_button_says_why(client, role_users):
    s = session()
    Application.objects.create(worker=WorkerFactory(), session=s, status="passed", theory_score=80,
                               practical_score=80, created_at=s.applications_open)
    with pytest.raises(services.CertificationError, match=s.date.isoformat()):
        services.certificates_issue(session=s, user=None)
    client.force_login(role_users["certification_officer"])
    page = client.post(reverse("certification:issue", args=[s.pk]), follow=True).content.decode()
    assert not Certificate.objects.exists()
    assert 'id="issue-refusal"' in page and 'aria-describedby="issue-refusal"' in page


def test_certificates_are_never_dated_before_the_assessment():
    s = hold(session(), days_ago=5)
    scored(s)
    with pytest.raises(services.CertificationError):
        services.certificates_issue(session=s, user=None, on=s.date - datetime.timedelta(days=1))
    (certificate,) = services.certificates_issue(session=s, user=None, on=s.date)
    assert certificate.issued_on == s.date


def test_certificates_wait_until_every_admitted_applicant_has_scores():
    s = hold(session())
    scored(s)
    waiting = Application.objects.create(worker=WorkerFactory(), session=s, status="admitted",
                                         created_at=s.applications_open)
    with pytest.raises(services.CertificationError, match="1"):
        services.certificates_issue(session=s, user=None)
    assert not Certificate.objects.exists()
    services.scores_enter(application=waiting, theory=Decimal(40), practical=Decimal(80), user=None)
    assert len(services.certificates_issue(session=s, user=None)) == 1
    assert AssessmentSession.objects.get(pk=s.pk).status == "assessed"


def test_issuing_does_not_close_a_session_still_taking_applications():
    s = hold(session())
    AssessmentSession.objects.filter(pk=s.pk).update(applications_close=timezone.now() + datetime.timedelta(days=3))
    s.refresh_from_db()
    scored(s)
    assert len(services.certificates_issue(session=s, user=None)) == 1
    s.refresh_from_db()
    assert s.status == "open" and s.window_open()


def test_applying_after_the_closing_date_is_refused_with_the_date():
    s = session()
    AssessmentSession.objects.filter(pk=s.pk).update(applications_close=timezone.now() - datetime.timedelta(hours=1))
    s.refresh_from_db()
    when = timezone.localtime(s.applications_close).strftime("%Y-%m-%d %H:%M")
    with pytest.raises(services.CertificationError, match=when):
        services.application_submit(worker=WorkerFactory(), session=s, user=None)
    assert not Application.objects.exists()


def test_a_session_past_its_closing_date_is_not_listed_for_applications(client):
    listed, past = session(venue="实训楼A"), session(venue="实训楼B")
    AssessmentSession.objects.filter(pk=past.pk).update(applications_close=timezone.now())
    shown = list(client.get(reverse("certification:session_list")).context["sessions"])
    assert shown == [listed]


def test_the_officer_closes_applications_as_an_action_of_its_own(client, role_users):
    s = session()
    officer = role_users["certification_officer"]
    client.force_login(officer)
    assert 'id="close-applications"' in client.get(reverse("certification:manage_session", args=[s.pk])
                                                   ).content.decode()
    client.post(reverse("certification:close_applications", args=[s.pk]))
    s.refresh_from_db()
    assert s.status == "closed" and s.history.latest().history_user == officer
    with pytest.raises(services.CertificationError):
        services.application_submit(worker=WorkerFactory(), session=s, user=None)
