"""One idiom for acting on a service from a view: every app's refusal is a ServiceError, and
refusal_to shows it (flashed, on a form, or kept) while the rest of the block is skipped."""

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware

from certification.services import CertificationError
from competitions.services import CompetitionError
from masters.services.lifecycle import MastersError
from training.services import TrainingError
from training.subsidies.services import SubsidyError
from zhangwan.accounts.otp import OtpError, OtpTooSoon
from zhangwan.accounts.services import ClaimError
from zhangwan.actions import refusal_to
from zhangwan.errors import ServiceError
from zhangwan.registry.services import RegistryError
from zhangwan.reports.services import ReportError


@pytest.fixture
def request_(rf):
    request = rf.post("/")
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    return request


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


@pytest.mark.parametrize("error", [CertificationError, CompetitionError, MastersError, TrainingError, SubsidyError,
                                   OtpError, ClaimError, RegistryError, ReportError])
def test_every_apps_refusal_is_a_service_error(error):
    assert issubclass(error, ServiceError)


def test_it_flashes_a_refusal_and_skips_the_rest_of_the_block(request_):
    with refusal_to(request_) as refusal:
        raise MastersError("The round is closed.")
        messages.success(request_, "done")  # never reached
    assert [(m.level, m.message) for m in get_messages(request_)] == [(messages.ERROR, "The round is closed.")]
    assert refusal and refusal.message == "The round is closed."


def test_a_refusal_that_only_informs_is_flashed_as_information(request_):
    with refusal_to(request_):
        raise OtpTooSoon("A code was sent less than a minute ago.")
    assert [m.level for m in get_messages(request_)] == [messages.INFO]


def test_a_block_that_goes_through_flashes_only_its_own_message(request_):
    with refusal_to(request_) as refusal:
        messages.success(request_, "done")
    assert [m.message for m in get_messages(request_)] == ["done"]
    assert not refusal


def test_it_shows_a_refusal_on_the_form_or_on_one_field():
    form, field_form = NoteForm({}), NoteForm({})
    with refusal_to(form):
        raise TrainingError("The class is full.")
    with refusal_to(field_form, field="note"):
        raise TrainingError("Wrong note.")
    assert form.non_field_errors() == ["The class is full."]
    assert field_form.errors == {"note": ["Wrong note."]}


def test_without_a_target_the_refusal_is_only_kept():
    with refusal_to() as refusal:
        raise SubsidyError("Over budget.")
    assert refusal.message == "Over budget."


def test_other_errors_are_not_swallowed(request_):
    with pytest.raises(ValueError), refusal_to(request_):
        raise ValueError("a bug")
    assert list(get_messages(request_)) == []
