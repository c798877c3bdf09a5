"""Text messages to mobile numbers, through one backend chosen by ``settings.SMS_URL``:

    console://                 print each message on standard output (the development default)
    file:///path/to/dir        append each message as one JSON line to <dir>/sms.jsonl (tests read codes back)
    tencent://                 Tencent Cloud SMS (API 2021-01-11) at sms.tencentcloudapi.com over HTTPS
    tencent://host[:port]      the same API at another endpoint; tencent+http://host:port over plain HTTP

Messages are templates: a provider in mainland China sends only texts whose template and sign name
it has approved, so the platform sends a template id and its parameters. The texts below are the
templates as registered (Chinese, like every SMS the union sends); the console and file backends
show them filled in. Template ids, sign name, app id and credentials come from the environment
(see settings.py and the README).
"""

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Template key → text as registered with the provider; {code} and {minutes} are its parameters, in
# this order (the provider's templates number them {1} and {2}); "bank_reminder" takes {count} and {amount}.
TEMPLATES = {
    "claim": "您正在认领张湾区职工技能人才平台账号，验证码{code}，{minutes}分钟内有效。"
             "如非本人操作，请勿告知他人。",
    "password_reset": "您正在重置张湾区职工技能人才平台登录密码，验证码{code}，{minutes}分钟内有效。"
                      "如非本人操作，请忽略。",
    "mobile_change": "您正在更换张湾区职工技能人才平台绑定的手机号码，验证码{code}，{minutes}分钟内有效。"
                     "如非本人操作，请勿告知他人。",
    "bank_change": "您正在修改张湾区职工技能人才平台的补贴收款银行账户，验证码{code}，{minutes}分钟内有效。"
                   "如非本人操作，请立即联系所在单位工会。",
    "invitation": "您受邀开通张湾区职工技能人才平台{role}账号，请在{days}天内打开链接设置用户名和密码：{link}"
                  "（链接仅可使用一次）。",
    "bank_reminder": "您有{count}笔已批准的职工技能补贴（共{amount}元）因未登记收款银行账户暂未发放，"
                     "请尽快联系所在单位工会或张湾区总工会登记。",
}


class SmsError(Exception):
    """The message could not be handed to the provider."""


@dataclass(frozen=True)
class Sms:
    mobile: str
    template: str
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return f"【{settings.SMS_SIGN_NAME}】" + TEMPLATES[self.template].format(**self.params)


def send_sms(*, mobile: str, template: str, params: dict) -> None:
    """Send one templated message; raises SmsError when the backend refuses it."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown SMS template {template!r}")
    get_backend(settings.SMS_URL).send(Sms(mobile=mobile, template=template, params=dict(params)))


class ConsoleBackend:
    def send(self, sms: Sms) -> None:
        sys.stdout.write(f"[SMS] {sms.mobile}: {sms.text}\n")
        sys.stdout.flush()


class FileBackend:
    """One JSON line a message in <dir>/sms.jsonl; an append of one short line is atomic, so several
    processes may write at once."""

    def __init__(self, directory: str):
        self.path = Path(directory) / "sms.jsonl"

    def send(self, sms: Sms) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({**asdict(sms), "text": sms.text}, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def read_outbox(directory) -> list[dict]:
    """The messages a FileBackend wrote to directory, oldest first."""
    path = Path(directory) / "sms.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class TencentBackend:
    """Tencent Cloud SMS through its official SDK (tencentcloud-sdk-python-sms)."""

    def __init__(self, *, endpoint: str | None, scheme: str):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        missing = [name for name in ("SMS_SECRET_ID", "SMS_SECRET_KEY", "SMS_APP_ID")
                   if not getattr(settings, name)]
        if missing:
            raise ImproperlyConfigured(f"SMS_URL is tencent:// but {', '.join(missing)} not set")
        profile = ClientProfile(httpProfile=HttpProfile(protocol=scheme, endpoint=endpoint, reqTimeout=10))
        profile.disable_region_breaker = True
        self.client = sms_client.SmsClient(
            credential.Credential(settings.SMS_SECRET_ID, settings.SMS_SECRET_KEY), settings.SMS_REGION, profile)

    def send(self, sms: Sms) -> None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        template_id = settings.SMS_TEMPLATES.get(sms.template)
        if not template_id:
            raise ImproperlyConfigured(f"no provider template id for SMS template {sms.template!r} "
                                       f"(SMS_TEMPLATE_{sms.template.upper()})")
        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = template_id
        request.TemplateParamSet = [str(value) for value in sms.params.values()]
        request.PhoneNumberSet = [f"+86{sms.mobile}"]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            raise SmsError(f"{error.get_code()}: {error.get_message()}") from error
        statuses = response.SendStatusSet or []
        if not statuses or statuses[0].Code != "Ok":
            detail = f"{statuses[0].Code}: {statuses[0].Message}" if statuses else "no send status"
            raise SmsError(detail)


def get_backend(url: str):
    parts = urlsplit(url)
    if parts.scheme == "console":
        return ConsoleBackend()
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("SMS_URL file:// needs a directory, e.g. file:///var/lib/zhangwan/sms")
        return FileBackend(parts.path)
    if parts.scheme in ("tencent", "tencent+https", "tencent+http"):
        return TencentBackend(endpoint=parts.netloc or None,
                              scheme="http" if parts.scheme == "tencent+http" else "https")
    raise ImproperlyConfigured(f"SMS_URL {url!r}: use console://, file:///dir or tencent://")
