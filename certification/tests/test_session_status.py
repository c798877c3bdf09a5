import pytest
from django.urls import reverse

from certification import services
from certification.models import AssessmentSession
from certification.tests.factories import session as make_session

pytestmark = pytest.mark.django_db


def test_the_admin_cannot_edit_a_session_status(admin_client):
    session = make_session(status=AssessmentSession.Status.OPEN)
    form = admin_client.get(reverse("admin:certification_assessmentsession_change", args=[session.pk]))
    assert 'name="status"' not in form.content.decode()


def test_an_assessed_session_cannot_reopen(admin_user):
    session = make_session(status=AssessmentSession.Status.ASSESSED)
    with pytest.raises(services.CertificationError):
        services.session_transition(session=session, to=AssessmentSession.Status.OPEN, user=admin_user)


def test_closing_a_session_is_in_its_history(admin_user):
    session = make_session(status=AssessmentSession.Status.OPEN)
    services.session_transition(session=session, to=AssessmentSession.Status.CLOSED, user=admin_user)
    record = session.history.latest()
    assert (record.status, record.history_user, record.history_change_reason) == ("closed", admin_user, "status")
