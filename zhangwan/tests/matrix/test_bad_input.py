"""Every form and upload of the project fed with bad input (the corpus in badinput.py).

For each request: never a 500 (the test client re-raises the view's exception, reported with the
URL, field and value); when the input is refused, a message in the user's language and not one row
of the project's tables changed; when it is accepted, free text is stored whole and never shown
unescaped. A URL of the project that is neither in FORMS nor in PAGES fails the test, as in the
URL matrix: a new form must get its corpus.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.urls import reverse

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import PASSWORD
from zhangwan.registry.models import Trade

from ..flush import table_digests
from . import badinput as bad
from .test_url_matrix import ADMIN_MODELS, ANON, app_of, checkin_token, project_url_names
from .writes import rows_written

PROJECT_APPS = ["registry", "accounts", "competitions", "certification", "training", "subsidies", "masters",
                "reports"]
LO = Role.LIAISON.value
TO = Role.TRAINING_OFFICER.value
CO = Role.COMPETITIONS_OFFICER.value
CE = Role.CERTIFICATION_OFFICER.value
MO = Role.MASTERS_OFFICER.value
FO = Role.FINANCE_OFFICER.value
WO = Role.WORKER.value
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,.'’]+[A-Za-z]+){3,}")


def pk(name):
    return lambda o: {"pk": o[name].pk}


@dataclass
class Form:
    """A URL that takes input: who uses it, its fields by kind, and a valid submission."""

    role: str
    kwargs: object = None  # objects → URL kwargs
    fields: dict = field(default_factory=dict)  # name → kind (badinput.BY_KIND); "raw" is text not stored
    valid: object = None  # objects → a valid submission
    excel: object = None  # objects → (column headers, a good row) of the workbook the upload field takes
    excel_field: str = "file"
    attachment: str | None = None  # the upload field of PDF/JPG/PNG attachments
    prepare: object = None  # (client, objects) → None, run before each request (its writes are undone)
    messages: bool = True  # False: a refusal may be silent (Django's own views)
    foreign: object = None  # objects → {field: id of another organization's object}

    def url(self, name, o):
        return reverse(name.split("#")[0], kwargs=self.kwargs(o) if self.kwargs else None)

    def data(self, o):
        return dict(self.valid(o)) if self.valid else {}


def _shortlisted(client, o):
    from competitions.models import InnovationProject

    InnovationProject.objects.filter(pk=o["project"].pk).update(status=InnovationProject.Status.SHORTLISTED)


def _published(client, o):
    from competitions.models import Competition

    Competition.objects.filter(pk=o["competition"].pk).update(results_published=True)


def _other_worker(*fields):
    return lambda o: dict.fromkeys(fields, o["other_worker"].pk)


def _claim_session(client, o):
    session = client.session
    session["claim_worker_id"] = o["own_worker"].pk
    session.save()


def _claim_pending(client, o):
    session = client.session
    session["claim_pending_worker_id"] = o["other_worker"].pk
    session.save()


def _reset_pending(client, o):
    session = client.session
    session["reset_worker_id"] = 0  # an identity number with no login: every code is wrong
    session.save()


def _reset_link(o):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return {"uidb64": urlsafe_base64_encode(force_bytes(o["a_user"])), "token": "set-password"}


def _reset_token(client, o):
    from django.contrib.auth.tokens import default_token_generator
    from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN

    from zhangwan.accounts.models import User

    session = client.session
    session[INTERNAL_RESET_SESSION_TOKEN] = default_token_generator.make_token(User.objects.get(pk=o["a_user"]))
    session.save()


def _contact_pending(key, address):
    def prepare(client, o):
        session = client.session
        session[key] = address
        session.save()
    return prepare


def _fresh_session(client, o):
    client.cookies.clear()


def _judge_marks(o):
    return {f"part_{p.pk}": "decimal" for p in o["event"].parts.all()}


def a_new_id_number():
    from zhangwan.registry.validators import id_number_check_char

    first = "42030319851203051"
    return first + id_number_check_char(first)


def _roster_sheet(o):
    return (["姓名", "身份证号", "手机号", "文化程度", "参加失业保险时间", "脱贫劳动力", "工种代码",
             "从事本工种起始年份", "入职时间", "班组长"],
            ["王五", a_new_id_number(), "13900000009", "", "2020-01-01", "否", "", "", "", "否"])


def _attendance_sheet(o):
    from django.utils import timezone

    sessions = [timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M") for s in o["class"].sessions.all()]
    return (["报名编号", "姓名", "身份证号", *sessions],
            [o["enrollment"].pk, o["own_worker"].name, o["own_worker"].id_number, "出勤",
             *([""] * (len(sessions) - 1))])  # only the first session has started


def _id_sheet(*headers_and_values):
    return lambda o: (["身份证号", *headers_and_values[::2]],
                      [o["own_worker"].id_number, *headers_and_values[1::2]])


def _certificate_sheet(o):
    return (["证书编号", "身份证号", "工种代码", "等级", "发证日期", "发证机构"],
            ["ZW2025009999", o["own_worker"].id_number, o["certificate"].trade.code, "4", "2025-01-10", "十堰市"])

NEEDS_FIELDS = {"trade": "ref", "level": "choice", "format": "choice", "remark": "text"}


def _needs_answer(trade_pk, **more):
    return {"trade": trade_pk, "level": "", "format": "in_person", "remark": "", **more}


def _another_trade():
    from zhangwan.registry.tests.factories import trade

    return Trade.objects.exclude(pk=trade().pk).order_by("code").values_list("pk", flat=True).first()


def _survey_trade(o):
    return o["survey"].responses.values_list("trade", flat=True).first()


def _target(o):
    """The target trainees field of the survey's trade on the plan-from-answers form."""
    return f"target_{_survey_trade(o)}"


FORMS = {
    # Accounts and roster
    "accounts:login": Form(ANON, fields={"username": "raw", "password": "raw"},
                           valid=lambda o: {"username": WO, "password": "wrong"}),
    "accounts:logout": Form(WO, messages=False),
    "accounts:password_change": Form(WO, fields={"old_password": "raw", "new_password1": "raw",
                                                 "new_password2": "raw"},
                                     valid=lambda o: {"old_password": "x", "new_password1": "Zw-2026-long",
                                                      "new_password2": "Zw-2026-long"}),
    "accounts:claim": Form(ANON, prepare=_fresh_session,
                           fields={"id_number": "id_number", "name": "raw", "mobile": "mobile"},
                           valid=lambda o: {"id_number": o["own_worker"].id_number, "name": o["own_worker"].name,
                                            "mobile": o["own_worker"].mobile}),
    "accounts:claim_code": Form(ANON, prepare=_claim_pending, fields={"code": "int"},
                                valid=lambda o: {"code": "123456"}),
    "accounts:claim_password": Form(ANON, prepare=_claim_session,
                                    fields={"username": "text", "password1": "raw", "password2": "raw"},
                                    valid=lambda o: {"username": "newname", "password1": "Zw-2026-long",
                                                     "password2": "Zw-2026-long"}),
    "accounts:worker_reset": Form(ANON, prepare=_fresh_session, fields={"id_number": "id_number"},
                                  valid=lambda o: {"id_number": o["own_worker"].id_number}),
    "accounts:worker_reset_code": Form(ANON, prepare=_reset_pending,
                                       fields={"code": "int", "new_password1": "raw", "new_password2": "raw"},
                                       valid=lambda o: {"code": "123456", "new_password1": "Zw-2026-long",
                                                        "new_password2": "Zw-2026-long"}),
    "accounts:staff_reset": Form(ANON, fields={"email": "raw"}, valid=lambda o: {"email": "nobody@example.cn"}),
    "accounts:staff_reset_confirm": Form(ANON, kwargs=_reset_link, prepare=_reset_token,
                                         fields={"new_password1": "raw", "new_password2": "raw"},
                                         valid=lambda o: {"new_password1": "Zw-2026-long",
                                                          "new_password2": "Zw-2026-long"}),
    "accounts:profile_edit": Form(WO, fields={"education": "choice"}, valid=lambda o: {"education": "college"}),
    "accounts:email_add": Form(WO, fields={"email": "raw"}, valid=lambda o: {"email": "me@example.cn"}),
    "accounts:email_code": Form(WO, prepare=_contact_pending("contact_new_email", "me@example.cn"),
                                fields={"code": "int"}, valid=lambda o: {"code": "123456"}),
    "accounts:mobile_change": Form(WO, fields={"mobile": "mobile"}, valid=lambda o: {"mobile": "13900000002"}),
    "accounts:mobile_code": Form(WO, prepare=_contact_pending("contact_new_mobile", "13900000002"),
                                 fields={"code": "int"}, valid=lambda o: {"code": "123456"}),
    "accounts:invite": Form(TO, fields={"role": "choice", "full_name": "text", "organization": "ref", "email": "raw",
                                        "mobile": "mobile"},
                            valid=lambda o: {"role": "liaison", "full_name": "李联络",
                                             "organization": o["own_worker"].employer_id,
                                             "email": "li@example.cn", "mobile": ""}),
    "accounts:account_deactivate": Form(TO, lambda o: {"pk": o["liaison_user"]}),
    "accounts:account_reactivate": Form(TO, lambda o: {"pk": o["liaison_user"]}),
    "accounts:account_reset": Form(TO, lambda o: {"pk": o["liaison_user"]}),
    "accounts:invitation_resend": Form(TO, pk("invitation")),
    "accounts:invitation_cancel": Form(TO, pk("invitation")),
    "accounts:invitation_accept": Form(ANON, lambda o: {"token": o["invitation_token"]}, prepare=_fresh_session,
                                       fields={"username": "text", "password1": "raw", "password2": "raw"},
                                       valid=lambda o: {"username": "newliaison", "password1": "Zw-2026-long",
                                                        "password2": "Zw-2026-long"}),
    "accounts:notifications_read": Form(WO, messages=False),
    "set_language": Form(ANON, fields={"language": "choice", "next": "url"}, messages=False,
                         valid=lambda o: {"language": "en", "next": "/"}),
    "registry:roster_import": Form(LO, excel=_roster_sheet),
    # Training
    "training:register_self": Form(WO, pk("class")),
    "training:liaison_register": Form(LO, pk("class"), fields={"workers": "ref"}, excel=_id_sheet(),
                                      valid=lambda o: {"workers": [o["own_worker"].pk]},
                                      foreign=_other_worker("workers")),
    "training:enrollment_cancel": Form(LO, pk("enrollment"), fields={"next": "url"}),
    "training:class_transition": Form(TO, pk("class"), fields={"to": "choice"}, valid=lambda o: {"to": "closed"}),
    "training:class_capacity": Form(TO, pk("class"), fields={"capacity": "int"}, valid=lambda o: {"capacity": 40}),
    "training:attendance_import": Form(TO, pk("class"), excel=_attendance_sheet),
    "training:attendance_mark": Form(TO, lambda o: {"pk": o["session"].pk, "enrollment_pk": o["enrollment"].pk},
                                     fields={"status": "choice", "remark": "text"},
                                     valid=lambda o: {"status": "late", "remark": "堵车"}),
    "training:attendance_all_present": Form(LO, pk("session")),
    "training:check_in": Form(WO, lambda o: {"token": checkin_token(o)}),
    "training:exam_mark": Form(TO, pk("enrollment"), fields={"passed": "choice"}, valid=lambda o: {"passed": "1"}),
    "training:exam_results": Form(TO, pk("second_class"), fields=lambda o: {f"exam-{o['exam_seat'].pk}": "choice"},
                                  valid=lambda o: {f"exam-{o['exam_seat'].pk}": "1"}),
    "training:enrollment_withdraw": Form(TO, pk("enrollment"), fields={"reason": "text"}),
    # The reason is kept (in the history) only once the class has started; the world's class has not.
    "training:staff_register": Form(TO, pk("class"), fields={"id_number": "id_number", "name": "text",
                                                             "mobile": "mobile", "reason": "raw"},
                                    valid=lambda o: {"id_number": "420303199001011233", "name": "李春花",
                                                     "mobile": "13972000041"}),
    "training:staff_register#found": Form(TO, pk("class"), fields={"worker": "ref", "reason": "raw"},
                                          valid=lambda o: {"worker": o["other_worker"].pk}),
    "training:enrollment_move": Form(TO, pk("enrollment"), fields={"to_class": "ref", "reason": "text"},
                                     valid=lambda o: {"to_class": o["second_class"].pk}),
    # Needs answered online, in the open survey: the worker has answered for trade(), so a new answer is
    # for another trade; the liaison's answers have a head count.
    "training:needs_answer": Form(WO, pk("open_survey"), fields=NEEDS_FIELDS,
                                  valid=lambda o: _needs_answer(_another_trade())),
    "training:needs_answer#liaison": Form(LO, pk("open_survey"), fields={**NEEDS_FIELDS, "head_count": "int"},
                                          valid=lambda o: _needs_answer(_another_trade(), head_count="30")),
    "training:needs_answer_change": Form(WO, pk("worker_answer"), fields=NEEDS_FIELDS,
                                         valid=lambda o: _needs_answer(o["worker_answer"].trade_id, format="online")),
    "training:needs_answer_change#organization": Form(
        LO, pk("organization_answer"), fields={**NEEDS_FIELDS, "head_count": "int"},
        valid=lambda o: _needs_answer(o["organization_answer"].trade_id, head_count="9")),
    "training:needs_answer_withdraw": Form(WO, pk("worker_answer")),
    "training:plan_from_needs": Form(TO, pk("survey"),
                                     fields=lambda o: {"trades": "ref", _target(o): "int"},
                                     valid=lambda o: {"trades": [_survey_trade(o)], _target(o): "15"}),
    # Subsidies
    "subsidies:shortage_create": Form(TO, fields={"trade": "ref", "level": "choice", "valid_from": "date",
                                                  "valid_to": "date", "source": "text"},
                                      valid=lambda o: {"trade": o["shortage"].trade_id, "level": 3,
                                                       "valid_from": "2026-01-01", "valid_to": "2026-12-31",
                                                       "source": "紧缺职业目录"}),
    "subsidies:shortage_edit": Form(TO, pk("shortage"), fields={"trade": "ref", "level": "choice",
                                                                "valid_from": "date", "valid_to": "date",
                                                                "source": "text"},
                                    valid=lambda o: {"trade": o["shortage"].trade_id, "level": 4,
                                                     "valid_from": "2026-01-01", "valid_to": "2026-06-30",
                                                     "source": "紧缺职业目录"}),
    "subsidies:insured_import": Form(TO, excel=lambda o: (["身份证号", "参保起始日", "参保截止日"],
                                                          [o["own_worker"].id_number, "2015-01-01", ""])),
    "subsidies:application_list": Form(TO, excel=lambda o: (["证书编号"], [o["certificate"].number])),
    "subsidies:apply": Form(WO, fields={"certificate": "ref"}, valid=lambda o: {"certificate": o["certificate"].pk}),
    "subsidies:application_select": Form(TO, fields={"certificates": "ref"},
                                         valid=lambda o: {"certificates": [o["other_certificate"].pk]}),
    "subsidies:organization_apply": Form(LO, fields={"certificates": "ref"},
                                         valid=lambda o: {"certificates": [o["certificate"].pk]}),
    "subsidies:run_list": Form(TO, fields={"period_start": "date", "period_end": "date", "claimed_on": "date"},
                               valid=lambda o: {"period_start": "2026-01-01", "period_end": "2026-03-31",
                                                "claimed_on": "2026-04-01"}),
    "subsidies:claim_review": Form(TO, fields={"action": "choice", "scope": "choice", "claims": "ref",
                                               "reason": "text", "query": "raw"},
                                   valid=lambda o: {"action": "refuse", "scope": "selected",
                                                    "claims": [o["other_claim"].pk], "reason": "证书已吊销"}),
    "subsidies:claim_reverse": Form(TO, pk("claim"), fields={"reason": "text"}, valid=lambda o: {"reason": "重复发放"}),
    "subsidies:claim_reopen": Form(TO, pk("claim"), fields={"reason": "text"}, valid=lambda o: {"reason": "审核有误"}),
    "subsidies:batch_list": Form(FO, fields={"policy": "ref", "kind": "choice", "organization": "ref", "note": "text"},
                                 valid=lambda o: {"policy": o["policy"].pk, "kind": "payment", "note": "第一批"}),
    "subsidies:policy_budget": Form(TO, pk("policy"), fields={"budget": "decimal"},
                                    valid=lambda o: {"budget": "2000000"}),
    # The matrix's claim is paid, not a reversal: every submission is refused with a message.
    "subsidies:claim_recovered": Form(FO, pk("claim"), fields={"recovered_on": "date", "reference": "text",
                                                               "reason": "text"},
                                      valid=lambda o: {"recovered_on": "2026-01-05", "reference": "HK-1",
                                                       "reason": "柜台退回"}),
    "subsidies:batch_send_back": Form(FO, pk("batch"), fields={"reason": "text"},
                                      valid=lambda o: {"reason": "账号有误"}),
    "subsidies:batch_approve": Form(FO, pk("batch")),
    "subsidies:batch_pay": Form(FO, pk("batch"), fields={"paid_on": "date", "reference": "text"},
                                valid=lambda o: {"paid_on": "2026-01-05", "reference": "BANK-001"}),
    "subsidies:batch_delete": Form(FO, pk("batch")),
    "subsidies:bank_details": Form(WO, fields={"bank_name": "text", "bank_account": "int", "password": "raw"},
                                   valid=lambda o: {"bank_name": "建设银行", "bank_account": "6217000000000001",
                                                    "password": PASSWORD}),
    "subsidies:bank_remind": Form(TO, fields={"claims": "ref", "query": "raw"},
                                  valid=lambda o: {"claims": [o["claim"].pk]}),
    "subsidies:bank_import": Form(LO, excel=lambda o: (["身份证号", "姓名", "开户银行", "银行账号"],
                                                       [o["own_worker"].id_number, o["own_worker"].name, "建设银行",
                                                        "6217000000000001"])),
    "subsidies:worker_bank_details": Form(TO, pk("own_worker"),
                                          fields={"bank_name": "text", "bank_account": "int", "password": "raw"},
                                          valid=lambda o: {"bank_name": "建设银行", "bank_account": "6217000000000001",
                                                           "password": PASSWORD}),
    # Competitions
    "competitions:enter_self": Form(WO, pk("event")),
    # An individual event: the team name is ignored.
    "competitions:liaison_enter": Form(LO, pk("event"), fields={"workers": "ref", "team_name": "raw"},
                                       valid=lambda o: {"workers": [o["own_worker"].pk], "team_name": "一队"},
                                       foreign=_other_worker("workers")),
    "competitions:entry_withdraw": Form(LO, pk("entry")),
    "competitions:judge_sheet": Form(Role.JUDGE.value, pk("entry"), fields=_judge_marks,
                                     valid=lambda o: {f"part_{p.pk}": "50" for p in o["event"].parts.all()}),
    "competitions:results_run": Form(CO, pk("competition")),
    "competitions:results_publish": Form(CO, pk("competition"), fields={"reason": "text"}),
    "competitions:results_withdraw": Form(CO, pk("competition"), fields={"reason": "text"}, prepare=_published,
                                          valid=lambda o: {"reason": "计分有误"}),
    "competitions:result_correct": Form(CO, pk("competition_result"), prepare=_published,
                                        fields={"rank": "int", "tier": "choice", "title": "text", "reason": "text"},
                                        valid=lambda o: {"rank": 2, "tier": "second", "title": "",
                                                         "reason": "录入错误"}),
    "competitions:record_results": Form(CO, pk("external_event"), excel_field="file-file",
                                        excel=_id_sheet("名次", 1, "奖项", "一等奖", "称号", "技术能手"),
                                        fields={"one-id_number": "id_number", "one-rank": "int",
                                                "one-tier": "choice", "one-title": "text"},
                                        valid=lambda o: {"one-id_number": o["own_worker"].id_number, "one-rank": 1,
                                                         "one-tier": "first", "one-title": "技术能手"}),
    "competitions:mark_correct": Form(CO, pk("mark"), fields={"value": "decimal", "reason": "text"},
                                      valid=lambda o: {"value": "55", "reason": "录入错误"}),
    "competitions:project_new": Form(LO, attachment="attachments",
                                     fields={"title": "text", "competition": "ref", "summary": "text", "team": "ref"},
                                     valid=lambda o: {"title": "焊接机器人", "competition": o["project"].competition_id,
                                                      "summary": "摘要", "team": [o["own_worker"].pk]},
                                     foreign=_other_worker("team")),
    # A submitted project: the award is ignored.
    "competitions:project_decide": Form(CO, pk("project"), fields={"to": "choice", "award": "raw"},
                                        valid=lambda o: {"to": "shortlisted", "award": ""}),
    "competitions:project_decide#award": Form(CO, pk("project"), fields={"award": "text"}, prepare=_shortlisted,
                                              valid=lambda o: {"to": "awarded", "award": "二等奖"}),
    # Certification
    "certification:apply": Form(WO, pk("cert_session")),
    "certification:apply_for_workers": Form(LO, pk("cert_session"), fields={"workers": "ref"},
                                            valid=lambda o: {"workers": [o["own_worker"].pk]},
                                            foreign=_other_worker("workers")),
    "certification:application_withdraw": Form(LO, pk("application")),
    "certification:eligibility_run": Form(CE),
    "certification:competition_route": Form(CE),
    "certification:admit": Form(CE, pk("cert_session")),
    "certification:issue": Form(CE, pk("cert_session")),
    "certification:close_applications": Form(CE, pk("cert_session")),
    "certification:scores": Form(CE, pk("application"),
                                 fields={"theory": "decimal", "practical": "decimal", "review": "decimal"},
                                 valid=lambda o: {"theory": "70", "practical": "80", "review": ""}),
    "certification:scores_import": Form(CE, pk("cert_session"), excel=_id_sheet("理论", 70, "实操", 80, "评审", "")),
    "certification:revoke": Form(CE, pk("certificate"), fields={"reason": "text"}, valid=lambda o: {"reason": "冒用"}),
    "certification:reinstate": Form(CE, pk("certificate"), fields={"reason": "text"},
                                    valid=lambda o: {"reason": "复核后证书真实"}),
    "certification:certificates_import": Form(CE, excel=_certificate_sheet),
    # Skills Masters
    "masters:objection_new": Form(ANON, pk("public_nomination"),
                                  fields={"name": "text", "contact": "text", "text": "text"},
                                  valid=lambda o: {"name": "李四", "contact": "13900000000", "text": "业绩不实"}),
    "masters:nomination_new": Form(LO, fields={"nominee": "ref", "trade": "ref", "statement": "text",
                                               "achievements": "text"},
                                   valid=lambda o: {"nominee": o["own_worker"].pk, "trade": o["nomination"].trade_id,
                                                    "statement": "推荐理由", "achievements": "主要业绩"},
                                   foreign=_other_worker("nominee")),
    "masters:nomination_edit": Form(LO, pk("nomination"), fields={"trade": "ref", "statement": "text",
                                                                  "achievements": "text"},
                                    valid=lambda o: {"trade": o["nomination"].trade_id, "statement": "推荐理由",
                                                     "achievements": "主要业绩"}),
    "masters:attachment_upload": Form(LO, pk("nomination"), attachment="file"),
    "masters:nomination_submit": Form(LO, pk("nomination")),
    "masters:nomination_withdraw": Form(LO, pk("nomination")),
    "masters:assignment_add": Form(MO, pk("reviewed_nomination"), fields={"reviewer": "ref"}),
    "masters:shortlist_change": Form(MO, pk("reviewed_nomination"), fields={"reason": "text"},
                                     valid=lambda o: {"reason": "评审意见"}),
    "masters:attachment_delete": Form(LO, pk("masters_attachment")),
    "masters:assignment_remove": Form(MO, pk("assignment")),
    "masters:review_sheet": Form(Role.REVIEWER.value, pk("assignment"),
                                 fields=lambda o: {"comment": "text", **{
                                     f"{k}_{c.pk}": kind for c in o["selection_round"].criteria.all()
                                     for k, kind in (("score", "decimal"), ("comment", "text"))}},
                                 valid=lambda o: {"comment": "好", **{
                                     f"score_{c.pk}": "10" for c in o["selection_round"].criteria.all()}}),
    "masters:review_conflict": Form(Role.REVIEWER.value, pk("assignment"), fields={"reason": "text"},
                                    valid=lambda o: {"reason": "同一车间"}),
    "masters:round_eligibility": Form(MO, pk("selection_round")),
    "masters:round_assign": Form(MO, pk("selection_round")),
    "masters:round_shortlist": Form(MO, pk("selection_round")),
    "masters:tie_decide": Form(MO, pk("selection_round"), fields={"chosen": "ref", "reason": "text"}),
    "masters:round_publicity": Form(MO, pk("selection_round"), fields={"starts": "date"}),
    "masters:round_confer": Form(MO, pk("selection_round")),
    "masters:round_conflicts": Form(MO, pk("selection_round"),
                                    fields={"nomination": "ref", "reviewer": "ref", "reason": "text"},
                                    valid=lambda o: {"nomination": o["reviewed_nomination"].pk,
                                                     "reviewer": o["assignment"].reviewer_id, "reason": "已核实"}),
    "masters:round_ranking": Form(MO, pk("selection_round")),
    "masters:objection_resolve": Form(MO, pk("objection"), fields={"answer": "text", "upheld": "choice"},
                                      valid=lambda o: {"answer": "经核实", "upheld": "no"}),
    "masters:talk_order": Form(LO, pk("talk_topic"),
                               fields={"preferred_date": "date", "expected_audience": "int", "note": "text"},
                               valid=lambda o: {"preferred_date": "2099-01-01", "expected_audience": 50, "note": ""}),
    "masters:talk_manage": Form(MO, pk("talk_order"), fields={"action": "choice", "held_on": "date",
                                                              "speaker": "text", "venue": "text",
                                                              "attendance": "int"},
                                valid=lambda o: {"action": "schedule", "held_on": "2099-01-01", "speaker": "王师傅",
                                                 "venue": "一楼", "attendance": 30}),
    # Reports
    "reports:report_list": Form(TO, fields={"year": "int"}, valid=lambda o: {"year": 2024}),
    "reports:report_delete": Form(TO, pk("report")),
    # API tokens
    "api:token_new": Form(LO, fields={"name": "text", "scopes": "choice", "networks": "text", "expires_on": "date"},
                          valid=lambda o: {"name": "HR", "scopes": ["roster.read"], "networks": "", "expires_on": ""}),
    "api:token_revoke": Form(LO, pk("api_token")),
    "api:webhook_new": Form(LO, fields={"url": "text", "events": "choice"},
                            valid=lambda o: {"url": "https://hr.example.com/zhangwan", "events": ["claim.paid"]}),
    "api:webhook_test": Form(LO, pk("webhook")),
    "api:webhook_enable": Form(LO, pk("webhook")),
    "api:webhook_delete": Form(LO, pk("webhook")),
}
# The rest of the project's pages take no input but their URL and query string (see the test
# that feeds their query strings).
PAGES = {
    "home", "healthz", "favicon", "accounts:password_done", "accounts:password_reset", "accounts:staff_reset_sent",
    "accounts:staff_reset_complete", "accounts:profile", "accounts:notifications",
    "accounts:unread_badge", "accounts:notification_open", "accounts:manage", "accounts:manage_account",
    "accounts:invitations", "registry:roster", "registry:roster_export", "registry:roster_template",
    "registry:worker_detail", "training:catalogue", "training:class_detail", "training:my_classes",
    "training:liaison_enrollments", "training:worker_training", "training:class_list", "training:class_manage",
    "training:class_export", "training:attendance_sheet", "training:session_qr", "training:provider_classes",
    "training:survey_list", "training:survey_detail", "training:plan_detail", "training:needs_surveys",
    "competitions:competition_list", "competitions:competition_detail",
    "competitions:my_entries", "competitions:liaison_entries", "competitions:judge_home", "competitions:judge_event",
    "competitions:project_list", "competitions:attachment_download", "competitions:manage_list",
    "competitions:compare_years", "competitions:manage_competition", "competitions:manage_event",
    "competitions:entry_marks", "certification:session_list", "certification:my_certificates",
    "certification:certificate_print", "certification:verify", "certification:verify_signed",
    "certification:manage_sessions", "certification:manage_session", "certification:certificate_list",
    "subsidies:policy_list", "subsidies:policy_detail", "subsidies:shortage_list", "subsidies:run_detail",
    "subsidies:claim_list", "subsidies:claim_detail", "subsidies:recovery_list", "subsidies:batch_detail",
    "subsidies:batch_bank_file", "subsidies:mine", "subsidies:bank_waiting", "subsidies:bank_template",
    "subsidies:organization", "masters:honour_roll", "masters:publicity", "masters:nomination_list",
    "masters:nomination_detail", "masters:attachment_file", "masters:review_home", "masters:round_list",
    "masters:round_detail", "masters:incentives", "masters:studios", "masters:talk_menu", "masters:talk_orders",
    "reports:report_detail", "reports:report_download", "reports:report_document", "reports:report_pdf",
    "reports:dashboard", "reports:talent_profile",
    "reports:my_profile", "jobs:export_detail", "jobs:export_download",
    "audit:activity_log",
    # The API: JSON for tokens (its own tests: zhangwan/api/tests), the token and webhook pages that only read.
    "api:tokens", "api:token_detail", "api:webhooks", "api:webhook_detail",
    "api_v1:schema", "api_v1:docs", "api_v1:not_found", "api_v1:workers",
    "api_v1:workers_batch", "api_v1:worker", "api_v1:classes", "api_v1:class", "api_v1:class_register",
    "api_v1:enrollments", "api_v1:enrollment", "api_v1:enrollment_cancel", "api_v1:events", "api_v1:event_enter",
    "api_v1:entries", "api_v1:entry_withdraw", "api_v1:results", "api_v1:certificates", "api_v1:certificate_verify",
    "api_v1:claims", "api_v1:claim",
}


def test_every_url_is_a_form_with_a_corpus_or_a_page():
    forms = {name.split("#")[0] for name in FORMS}
    assert forms & PAGES == set()
    assert project_url_names() - forms - PAGES == set()
    assert forms | PAGES <= project_url_names()


# Watching the database and the page ---------------------------------------------------------------

def project_tables() -> list[str]:
    tables = set()
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
            tables.update(f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many)
    return sorted(tables)


def fingerprint(tables) -> dict[str, tuple]:
    """Per table: row count and a hash of every row's text."""
    return table_digests(connection, tables)


def stored_somewhere(tables, value: str) -> bool:
    """Whether a text column of one of these tables holds the value whole."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table not in tables:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, (models.CharField, models.TextField)) and \
                    model._base_manager.filter(**{f"{f.attname}__contains": value}).exists():
                return True
    return False


ERROR_CLASSES = {"alert-danger", "alert-warning", "invalid-feedback", "errorlist", "errornote", "text-danger"}
MESSAGE_CLASSES = ERROR_CLASSES | {"alert-success", "alert-info", "messagelist"}
NOT_MESSAGES = {"a", "button", "summary", "i", "td", "th", "input", "textarea", "select", "option", "label"}
NUL_STAND_IN = "\ue000"  # libxml2 reads a NUL (a bad value echoed) as U+FFFD: kept as it was sent


def page_messages(html: str) -> list[tuple[bool, str]]:
    """The texts of a page's error and status messages, (is_error, text) per message element: an element
    with a message class, not inside another message, not a link, button or cell (NOT_MESSAGES)."""
    if not html.strip():
        return []
    found = []

    def walk(element):
        for child in element:
            if not isinstance(child.tag, str):  # a comment
                continue
            classes = set((child.get("class") or "").split())
            if child.tag not in NOT_MESSAGES and classes & MESSAGE_CLASSES:
                if text := " ".join(child.text_content().split()):
                    found.append((bool(classes & ERROR_CLASSES), text.replace(NUL_STAND_IN, "\x00")))
            else:
                walk(child)

    walk(lxml.html.document_fromstring(html.replace("\x00", NUL_STAND_IN)))
    return found


def language_problem(text: str, language: str, value: str) -> str | None:
    """Why a message is not in the user's language, or None."""
    if language == "en":
        return None if re.search(r"[A-Za-z]{3,}", text) else "no English text"
    rest = text.replace(value.strip(), " ") if value.strip() else text
    rest = re.sub(r"“[^”]*”|\"[^\"]*\"", " ", rest)  # echoed names of files and objects
    if not CJK.search(text):
        return "not in Chinese"
    if ENGLISH_SENTENCE.search(rest):
        return f"English words: {ENGLISH_SENTENCE.search(rest).group(0)[:60]}"
    return None


class Rollback(Exception):
    pass


class Runner:
    """Sends each request inside a savepoint that is rolled back, so every request starts from the
    same objects; collects every problem as (url, field, value, problem)."""

    def __init__(self, client, role_users, built, language):
        self.client, self.role_users, self.o, self.language = client, role_users, built, language
        self.tables = project_tables()
        self.problems, self.requests = [], 0
        self.role, self.baseline, self.counted = None, {}, {}

    def _log_in(self, role):
        """Logged in once per role (outside the savepoints), with the tables as they are then."""
        if role != self.role:
            self.client.logout()
            if role != ANON:
                self.client.force_login(self.role_users[role])
            self.role, (self.baseline, self.counted) = role, self._digests_now()

    def _digests_now(self):
        """The tables' digests as they are now, and rows_written then: only the tables written since the
        baseline was taken are hashed again (rows_written counts rolled-back writes too)."""
        now = rows_written(self.tables)
        moved = [t for t in self.tables if t not in now or now[t] != self.counted.get(t)]
        return {**self.baseline, **fingerprint(moved)}, now

    def attempt(self, name, spec, data, *, field="", value="", kind="", raw_body=None):
        from django.conf import settings

        url = spec.url(name, self.o)
        label = (name, field, value if len(value) < 80 else f"{value[:20]}…({len(value)} characters)")
        self.requests += 1
        self._log_in(spec.role)
        session = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        session = session.value if session else None
        try:
            with transaction.atomic():
                if spec.prepare:
                    spec.prepare(self.client, self.o)
                    before, written = self._digests_now()
                else:
                    before, written = self.baseline, rows_written(self.tables)
                try:
                    response = self._send(url, data, raw_body)
                except Exception as error:  # the view raised: a 500 for the user
                    self.problems.append((*label, f"500: {type(error).__name__}: {str(error)[:120]}"))
                    raise Rollback from None
                now = rows_written(self.tables)
                after = fingerprint([t for t in self.tables if t not in now or now[t] != written[t]])
                changed = [t for t in self.tables if t in after and before[t] != after[t]]
                self._check(label, spec, response, changed, value, kind)
                raise Rollback
        except Rollback:
            pass
        now = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        if (now.value if now else None) != session:
            self.role = None  # logged in or out by the request: log in again

    def _send(self, url, data, raw_body):
        headers = {"HTTP_ACCEPT_LANGUAGE": self.language}
        if raw_body is not None:
            return self.client.post(url, raw_body, content_type="multipart/form-data; boundary=BadInputBoundary",
                                    **headers)
        return self.client.post(url, data, **headers)

    def _next_page(self, label, response, kind):
        """The page the user ends on, following redirects within the site."""
        for _hop in range(4):
            if response.status_code not in (301, 302):
                return response
            target = response["Location"]
            if urlsplit(target).netloc:
                if kind != "url":
                    self.problems.append((*label, f"sent to another site: {target[:60]}"))
                return None
            response = self.client.get(target, HTTP_ACCEPT_LANGUAGE=self.language)
        return response

    def _check(self, label, spec, response, changed, value, kind):
        status = response.status_code
        page = self._next_page(label, response, kind)
        if page is None:
            return
        if status >= 500 or page.status_code >= 500:
            self.problems.append((*label, f"answered {status}, then {page.status_code}"))
            return
        html = "" if getattr(page, "streaming", False) else page.content.decode(errors="replace")
        if page.get("Content-Type", "").startswith("text/html"):
            for markup in bad.MARKUP:
                if markup in html:
                    self.problems.append((*label, f"{markup} shown unescaped"))
        found = page_messages(html)
        errors = [text for error, text in found if error]
        refused = bool(errors) or status in (400, 403, 404, 405, 429)
        if refused and changed:
            self.problems.append((*label, f"refused ({(errors or [status])[0]!s:.60}) but wrote {changed}"))
        if status in (400, 403, 404) and self.language != "en" and not CJK.search(html):
            self.problems.append((*label, f"the {status} page is not in Chinese"))
        if spec.messages and not changed and not found and status not in (400, 403, 404):
            self.problems.append((*label, "nothing written and no message"))
        for _error, text in found:
            why = language_problem(text, self.language, value)
            if why:
                self.problems.append((*label, f"{why}: {text[:100]}"))
        if not refused and changed and kind == "text" and value.strip() and \
                not stored_somewhere(changed, value.strip()):
            self.problems.append((*label, f"accepted but not stored whole (wrote {changed})"))


def assert_no_problems(runner):
    listed = "\n".join(" | ".join(map(repr, problem)) for problem in runner.problems)
    assert not runner.problems, f"{len(runner.problems)} problems in {runner.requests} requests:\n{listed}"


def fields_of(spec, o) -> dict:
    return spec.fields(o) if callable(spec.fields) else spec.fields


def run_fields(runner, names, *, values_for=bad.values_for):
    for name in names:
        spec = FORMS[name]
        fields = fields_of(spec, runner.o)
        if not fields:
            runner.attempt(name, spec, {"junk": "\x00", "next": bad.SCRIPT}, field="junk", value="\x00")
        foreign = spec.foreign(runner.o) if spec.foreign else {}
        for field_name, kind in fields.items():
            values = values_for("text" if kind == "raw" else kind)
            if field_name in foreign:
                values = [*values, str(foreign[field_name])]
            for value in values:
                data = {**spec.data(runner.o), field_name: value}
                runner.attempt(name, spec, data, field=field_name, value=value, kind=kind)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


# One case per app, so that pytest-xdist spreads the forms over its workers.
FORM_APPS = sorted({app_of(name) for name in FORMS})


def forms_of(app: str) -> list[str]:
    return [name for name in FORMS if app_of(name) == app]


@pytest.mark.long
@pytest.mark.parametrize("app", FORM_APPS)
def test_forms_refuse_bad_input_in_chinese(client, role_users, objects, media, app):
    runner = Runner(client, role_users, objects, "zh-hans")
    run_fields(runner, forms_of(app))
    assert_no_problems(runner)


@pytest.mark.parametrize("app", FORM_APPS)
def test_forms_refuse_bad_input_in_english(client, role_users, objects, media, app):
    runner = Runner(client, role_users, objects, "en")
    # A NUL and the kind's first bad value reach the project's own messages; the over-long value's
    # message is Django's (its catalogue), checked in Chinese above, and costs the most to send.
    run_fields(runner, forms_of(app), values_for=lambda kind: ["a\x00b", *bad.BY_KIND[kind][:1]])
    assert_no_problems(runner)


def test_the_runner_sees_every_row_written_since_its_baseline(client, role_users, objects, organization):
    """Only the tables written since the baseline are hashed again: a write to one the runner has not
    touched yet shows as a change, and once rolled back the digests are the baseline's again."""
    runner = Runner(client, role_users, objects, "en")
    runner._log_in(TO)
    table = organization._meta.db_table
    with transaction.atomic():
        type(organization).objects.filter(pk=organization.pk).update(name="Renamed")
        changed, _counts = runner._digests_now()
        assert [t for t in runner.tables if changed[t] != runner.baseline[t]] == [table]
        transaction.set_rollback(True)
    assert runner._digests_now()[0] == runner.baseline == fingerprint(runner.tables)


def test_the_runner_reads_each_message_once_and_as_it_was_sent():
    """Messages are the outermost elements with a message class, links, buttons and cells aside, their
    text as the reader sees it; an echoed NUL stays a NUL (libxml2 would read it as U+FFFD)."""
    html = ('<html><body><ul class="messagelist"><li class="alert-danger">外层 <b>粗体</b></li></ul>'
            '<!-- <div class="alert-info">注释</div> --><a class="text-danger" href="/">链接</a>'
            '<table><tr><td class="alert-warning">单元格<span class="errorlist">a\x00b 无效</span></td></tr></table>'
            '<div class="alert-success">  已 保存  </div><div class="alert-info"> </div></body></html>')
    assert page_messages(html) == [(False, "外层 粗体"), (True, "a\x00b 无效"), (False, "已 保存")]
    assert page_messages("") == []


def test_bad_bytes_in_a_multipart_body_are_refused(client, role_users, objects, media):
    runner = Runner(client, role_users, objects, "zh-hans")
    for name, spec in FORMS.items():
        runner.attempt(name, spec, None, field="every field", value="\\xed\\xa0\\x80",
                       raw_body=bad.multipart_with_bad_bytes(list(fields_of(spec, objects))))
    assert_no_problems(runner)


@pytest.mark.long
def test_bad_workbooks_are_refused(client, role_users, objects, media):
    from zhangwan.registry.roster import max_upload_bytes

    runner = Runner(client, role_users, objects, "zh-hans")
    for name, spec in FORMS.items():
        if spec.excel is None:
            continue
        headers, good_row = spec.excel(objects)
        for what, upload in bad.excel_uploads(headers, good_row, limit=max_upload_bytes(), tmp_path=media):
            with upload:
                runner.attempt(name, spec, {**spec.data(objects), spec.excel_field: upload}, field=spec.excel_field,
                               value=what)
    assert_no_problems(runner)


def test_bad_attachments_are_refused(client, role_users, objects, media):
    from zhangwan.uploads import MAX_ATTACHMENT_BYTES

    runner = Runner(client, role_users, objects, "zh-hans")
    for name, spec in FORMS.items():
        if spec.attachment is None:
            continue
        for what, upload in bad.attachment_uploads(limit=MAX_ATTACHMENT_BYTES, tmp_path=media):
            with upload:
                runner.attempt(name, spec, {**spec.data(objects), spec.attachment: upload}, field=spec.attachment,
                               value=what)
    assert_no_problems(runner)


# The admin forms officers use -------------------------------------------------------------------

# admin change page → the officer who uses it. Each page's own form, filled in as the page shows it,
# is the valid submission; the main form's fields and the first row of each inline get the corpus.
ADMIN_FORMS = {
    "training_trainingclass": (TO, "class"),
    "competitions_competition": (CO, "competition"),
    "competitions_event": (CO, "event"),
    "masters_selectionround": (MO, "selection_round"),
    "registry_organization": (TO, None),
    "registry_worker": (TO, "own_worker"),
    # Every other model an officer can change in the admin: its first object (the URL matrix
    # asserts there is one) and the officer of its field.
    **{model: (sorted(rights["add"])[0], None) for model, rights in ADMIN_MODELS.items()
       if rights["add"] and model not in {"training_trainingclass", "competitions_competition", "competitions_event",
                                          "masters_selectionround", "registry_organization", "registry_worker"}},
}
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


class FormFields(HTMLParser):
    """The fields of a page's form as a browser would submit them, and each field's kind."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data, self.kinds = form_id, False, {}, {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or not a.get("name") and tag != "option":
            return
        name = a.get("name")
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
                return
            self.data[name] = a.get("value", "")
            classes = a.get("class") or ""
            self.kinds[name] = ("date" if "vDateField" in classes else "raw" if "vTimeField" in classes
                                else "decimal" if a.get("type") == "number" else
                                "ref" if a.get("type") == "hidden" else "text")
        elif tag == "select":
            self.select = name
            self.data[name] = [] if "multiple" in a else ""
            self.kinds[name] = "ref" if "autocomplete" in (a.get("class") or "") or name.endswith(
                ("trade", "course", "provider", "base", "competition", "organization", "parent", "judge")) \
                else "choice"
        elif tag == "option" and self.select and "selected" in a:
            if isinstance(self.data[self.select], list):
                self.data[self.select].append(a.get("value", ""))
            else:
                self.data[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""
            self.kinds[name] = "json" if name.endswith("tie_breaks") else "text"

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data.lstrip("\n") if not self.data[self.textarea] else data


# One case per app (not per model: each case makes the objects again), so that pytest-xdist spreads
# them over its workers.
@pytest.mark.long
@pytest.mark.parametrize("app", sorted({model.split("_", 1)[0] for model in ADMIN_FORMS}))
def test_admin_forms_refuse_bad_input(client, role_users, objects, media, app):
    runner = Runner(client, role_users, objects, "zh-hans")
    for model, (role, key) in ADMIN_FORMS.items():
        if model.split("_", 1)[0] == app:
            admin_form_refuses_bad_input(runner, model, role, key)
    assert_no_problems(runner)


def admin_form_refuses_bad_input(runner, model, role, key):
    from django.apps import apps as registry

    client, role_users, objects = runner.client, runner.role_users, runner.o
    app_label, model_name = model.split("_", 1)
    instance = objects[key] if key else registry.get_model(app_label, model_name).objects.order_by("pk").first()
    url = reverse(f"admin:{model}_change", args=[instance.pk])
    client.force_login(role_users[role])
    parser = FormFields(f"{model_name}_form")
    parser.feed(client.get(url).content.decode())
    assert parser.data, f"no form on {url}"
    runner.role = None  # logged in here: the runner logs in again and takes its baseline
    spec = Form(role, fields={}, valid=lambda o, data=dict(parser.data): {**data, "_save": "1"})
    spec.url = lambda name, o, url=url: url
    for field_name, kind in parser.kinds.items():
        if field_name.endswith(MANAGEMENT) or "__prefix__" in field_name or kind == "ref" and (
                field_name.endswith("-id") or field_name.endswith(f"-{model_name}")):
            continue
        if re.search(r"-[1-9][0-9]*-", field_name):
            continue  # the first row of an inline stands for the others
        kind = ("credit_code" if field_name == "credit_code" else "id_number" if field_name == "id_number"
                else kind)
        values = [bad.HUGE, "a\x00b"] if kind in ("text", "raw") else ["\x00", *bad.BY_KIND[kind][:2]]
        for value in values:
            runner.attempt(model, spec, {**spec.data(objects), field_name: value}, field=field_name, value=value,
                           kind=kind)


def test_every_admin_with_autocomplete_fields_survives_forged_ids():
    """Django's own autocomplete widget answers a forged non-numeric id with a 500; every admin
    and inline that has autocomplete fields must use the safe one (zhangwan/admin_autocomplete)."""
    from django.contrib import admin

    from zhangwan.admin_autocomplete import SafeAutocomplete

    admins = [*admin.site._registry.values()]
    admins += [inline for model_admin in list(admins) for inline in model_admin.inlines]
    with_autocomplete = [a for a in admins if getattr(a, "autocomplete_fields", ())]
    assert len(with_autocomplete) >= 20
    assert [a for a in with_autocomplete if not issubclass(a if isinstance(a, type) else type(a), SafeAutocomplete)] \
        == []
