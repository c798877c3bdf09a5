"""The SMS backends chosen by SMS_URL. The Tencent Cloud backend talks to a local HTTP server standing
in for sms.tencentcloudapi.com (the SDK takes a custom endpoint and plain HTTP)."""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhangwan.sms import SmsError, send_sms
from zhangwan.tests.processes import serving


@pytest.fixture
def provider():
    """A fake Tencent Cloud API: records each request, answers with `.reply`."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "body": json.loads(body)})
            payload = json.dumps({"Response": server.reply}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.reply = {"SendStatusSet": [{"SerialNo": "2028:1", "PhoneNumber": "+8613912345678", "Fee": 1,
                                       "Code": "Ok", "Message": "send success", "IsoCode": "CN"}],
                    "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279"}
    server.received = received
    with serving(server):
        yield server


@pytest.fixture
def tencent(settings, provider):
    settings.SMS_URL = f"tencent+http://127.0.0.1:{provider.server_address[1]}"
    settings.SMS_SECRET_ID = "AKIDtest"
    settings.SMS_SECRET_KEY = "secret"
    settings.SMS_APP_ID = "1400000001"
    settings.SMS_SIGN_NAME = "张湾区总工会"
    settings.SMS_TEMPLATES = {**settings.SMS_TEMPLATES, "claim": "2001234"}
    return provider


def test_the_file_backend_writes_one_json_line_a_message(sms_outbox):
    send_sms(mobile="13912345678", template="claim", params={"code": "042117", "minutes": 5})
    send_sms(mobile="13800000000", template="bank_change", params={"code": "900001", "minutes": 5})
    first, second = sms_outbox()
    assert first["mobile"] == "13912345678" and first["params"]["code"] == "042117"
    assert first["text"].startswith("【张湾区总工会】您正在认领") and "042117" in first["text"]
    assert "5分钟内有效" in first["text"]
    assert second["template"] == "bank_change" and "900001" in second["text"]


def test_the_console_backend_prints_the_chinese_text(settings, capsys):
    settings.SMS_URL = "console://"
    send_sms(mobile="13912345678", template="password_reset", params={"code": "123456", "minutes": 5})
    printed = capsys.readouterr().out
    assert "13912345678" in printed and "重置" in printed and "123456" in printed


def test_the_tencent_backend_sends_number_template_sign_and_code(tencent):
    send_sms(mobile="13912345678", template="claim", params={"code": "042117", "minutes": 5})
    (request,) = tencent.received
    assert request["headers"]["X-TC-Action"] == "SendSms"
    assert request["headers"]["Authorization"].startswith("TC3-HMAC-SHA256 Credential=AKIDtest/")
    assert request["body"] == {"PhoneNumberSet": ["+8613912345678"], "SmsSdkAppId": "1400000001",
                               "TemplateId": "2001234", "SignName": "张湾区总工会",
                               "TemplateParamSet": ["042117", "5"]}


def test_a_refused_message_raises_sms_error(tencent):
    tencent.reply = {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "daily limit",
                                        "PhoneNumber": "+8613912345678"}], "RequestId": "x"}
    with pytest.raises(SmsError, match="PhoneNumberDailyLimit"):
        send_sms(mobile="13912345678", template="claim", params={"code": "042117", "minutes": 5})


def test_an_api_error_raises_sms_error(tencent):
    tencent.reply = {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"},
                     "RequestId": "x"}
    with pytest.raises(SmsError, match="AuthFailure"):
        send_sms(mobile="13912345678", template="claim", params={"code": "042117", "minutes": 5})


def test_a_template_without_a_provider_id_is_a_configuration_error(tencent, settings):
    settings.SMS_TEMPLATES = {**settings.SMS_TEMPLATES, "bank_change": ""}
    with pytest.raises(ImproperlyConfigured, match="SMS_TEMPLATE_BANK_CHANGE"):
        send_sms(mobile="13912345678", template="bank_change", params={"code": "042117", "minutes": 5})
    assert tencent.received == []


def test_the_tencent_backend_needs_credentials(settings):
    settings.SMS_URL = "tencent://"
    settings.SMS_SECRET_ID = ""
    with pytest.raises(ImproperlyConfigured, match="SMS_SECRET_ID"):
        send_sms(mobile="13912345678", template="claim", params={"code": "042117", "minutes": 5})


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.SMS_URL = "carrier-pigeon://"
    with pytest.raises(ImproperlyConfigured):
        send_sms(mobile="13912345678", template="claim", params={"code": "042117", "minutes": 5})
