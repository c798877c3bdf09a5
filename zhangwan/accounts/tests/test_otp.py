import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from zhangwan.accounts.models import OneTimeCode
from zhangwan.accounts.otp import OtpError, OtpTooSoon, otp_delete_old, otp_send, otp_verify
from zhangwan.sms import SmsError

MOBILE = "13912345678"
CLAIM = OneTimeCode.Purpose.CLAIM


def last_code(sms_outbox):
    return sms_outbox()[-1]["params"]["code"]


def age(seconds):
    """Move every code back in time, as if seconds had passed."""
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(seconds=seconds),
                               expires_at=timezone.now() - timedelta(seconds=seconds) + timedelta(minutes=5))


def test_a_six_digit_code_is_sent_and_stored_hashed(db, sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    (message,) = sms_outbox()
    code = message["params"]["code"]
    assert message["mobile"] == MOBILE and len(code) == 6 and code.isdigit()
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash and stored.expires_at - stored.created_at == timedelta(minutes=5)


def test_the_right_code_matches_once(db, sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    code = last_code(sms_outbox)
    assert otp_verify(mobile=MOBILE, purpose=CLAIM, code=code)
    assert not otp_verify(mobile=MOBILE, purpose=CLAIM, code=code)


def test_a_code_is_for_its_purpose_and_number(db, sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    code = last_code(sms_outbox)
    assert not otp_verify(mobile=MOBILE, purpose=OneTimeCode.Purpose.BANK_CHANGE, code=code)
    assert not otp_verify(mobile="13800000000", purpose=CLAIM, code=code)
    assert otp_verify(mobile=MOBILE, purpose=CLAIM, code=code)


def test_five_wrong_tries_spend_the_code(db, sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    code = last_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert not any(otp_verify(mobile=MOBILE, purpose=CLAIM, code=wrong) for _ in range(5))
    assert not otp_verify(mobile=MOBILE, purpose=CLAIM, code=code)
    assert OneTimeCode.objects.get().tries == 5


def test_a_code_expires_after_five_minutes(db, sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    age(5 * 60 + 1)
    assert not otp_verify(mobile=MOBILE, purpose=CLAIM, code=last_code(sms_outbox))


def test_a_new_code_withdraws_the_earlier_one(db, sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    first = last_code(sms_outbox)
    age(61)
    otp_send(mobile=MOBILE, purpose=CLAIM)
    second = last_code(sms_outbox)
    assert first == second or not otp_verify(mobile=MOBILE, purpose=CLAIM, code=first)
    assert otp_verify(mobile=MOBILE, purpose=CLAIM, code=second)


def test_a_number_gets_one_code_a_minute(db, sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    with pytest.raises(OtpTooSoon):
        otp_send(mobile=MOBILE, purpose=OneTimeCode.Purpose.PASSWORD_RESET)
    assert len(sms_outbox()) == 1
    age(61)
    otp_send(mobile=MOBILE, purpose=CLAIM)
    assert len(sms_outbox()) == 2


def test_a_number_gets_ten_codes_a_day(db, sms_outbox):
    for _ in range(10):
        otp_send(mobile=MOBILE, purpose=CLAIM)
        age(61)
    with pytest.raises(OtpError, match="10"):
        otp_send(mobile=MOBILE, purpose=CLAIM)
    assert len(sms_outbox()) == 10
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    otp_send(mobile=MOBILE, purpose=CLAIM)
    assert len(sms_outbox()) == 11


def test_a_refused_message_records_no_code(db, settings):
    settings.SMS_URL = "tencent+http://127.0.0.1:9"
    settings.SMS_SECRET_ID, settings.SMS_SECRET_KEY, settings.SMS_APP_ID = "id", "key", "1400000001"
    settings.SMS_TEMPLATES = {**settings.SMS_TEMPLATES, "claim": "2001234"}
    with pytest.raises(SmsError):
        otp_send(mobile=MOBILE, purpose=CLAIM)
    assert not OneTimeCode.objects.exists()


def test_old_codes_are_deleted(db, sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(days=1, seconds=1),
                               expires_at=timezone.now() - timedelta(days=1))
    assert otp_delete_old() == 1 and not OneTimeCode.objects.exists()


def run_at_once(count, action):
    """Run action in count threads released together; returns their results or exceptions."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(action())
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread met
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_requests_at_once_send_one_code(sms_outbox):
    results = run_at_once(4, lambda: otp_send(mobile=MOBILE, purpose=CLAIM))
    assert sum(isinstance(r, OneTimeCode) for r in results) == 1
    assert sum(isinstance(r, OtpTooSoon) for r in results) == 3
    assert len(sms_outbox()) == 1 and OneTimeCode.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_code_typed_twice_at_once_matches_once(sms_outbox):
    otp_send(mobile=MOBILE, purpose=CLAIM)
    code = last_code(sms_outbox)
    assert sorted(run_at_once(3, lambda: otp_verify(mobile=MOBILE, purpose=CLAIM, code=code))) == [False, False, True]
