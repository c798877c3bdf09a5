"""Typing a mobile number on a phone: a numeric keyboard, and spaces or dashes as people write it."""

from zhangwan.accounts.forms import ClaimForm
from zhangwan.registry.forms import MobileField


def test_it_accepts_a_mobile_number_written_with_spaces():
    assert MobileField().clean("139 5152 0200") == "13951520200"
    assert MobileField().clean("139-5152-0200") == "13951520200"


def test_it_offers_a_numeric_keyboard_long_enough_for_the_spaces():
    html = str(ClaimForm()["mobile"])
    assert 'inputmode="numeric"' in html and 'maxlength="13"' in html and 'autocomplete="tel"' in html
