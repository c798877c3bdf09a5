"""Every URL of the project, opened by every role and by an anonymous visitor.

A URL pattern that is not in EXPECTED (or covered by the admin rule) fails the test: each new
page must say who may open it. Statuses: 200 open, 302 sent elsewhere (login), 403 refused,
404 out of scope, 405 wrong method.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhangwan.accounts.roles import OFFICERS, STAFF_ROLES, Role

ANON = "anonymous"
ROLES = [ANON, *Role.values]
STAFF = {r.value for r in STAFF_ROLES}


def checkin_token(objects) -> str:
    """A fresh check-in code of the matrix's session under way (codes expire in minutes)."""
    from training.checkin import token_for

    return token_for(objects["session"])


def only(allowed: set[str], *, ok=200, denied=403, anon=302):
    return {r: anon if r == ANON else ok if r in allowed else denied for r in ROLES}


def everyone(status=200):
    return dict.fromkeys(ROLES, status)


def logged_in(status=200, anon=302):
    return {r: anon if r == ANON else status for r in ROLES}


ROSTER = STAFF | {Role.LIAISON.value}
TRAINING_READERS = {Role.TRAINING_OFFICER.value, Role.AUDITOR.value}
RESPONDENTS = {Role.WORKER.value, Role.LIAISON.value}
COMPETITION_READERS = {Role.COMPETITIONS_OFFICER.value, Role.AUDITOR.value}
CERTIFICATION_READERS = {Role.CERTIFICATION_OFFICER.value, Role.AUDITOR.value}
SUBSIDY_READERS = {Role.TRAINING_OFFICER.value, Role.FINANCE_OFFICER.value, Role.AUDITOR.value}
MASTERS_READERS = {Role.MASTERS_OFFICER.value, Role.AUDITOR.value}
NOMINATORS = {Role.WORKER.value, Role.LIAISON.value, Role.MASTERS_OFFICER.value}
ACCOUNT_MANAGERS = {Role.TRAINING_OFFICER.value, Role.COMPETITIONS_OFFICER.value, Role.MASTERS_OFFICER.value}
OFFICER_ROLES = {r.value for r in OFFICERS}
TOKEN_KEEPERS = OFFICER_ROLES | {Role.LIAISON.value}
# url name → (kwargs builder, {role: status}); a builder gets the test's objects.
EXPECTED = {
    "home": (None, {**everyone(), **dict.fromkeys(STAFF | {Role.LIAISON.value}, 302)}),  # to the dashboard
    "healthz": (None, everyone()),
    "favicon": (None, everyone(301)),
    "set_language": (None, everyone(302)),
    "accounts:login": (None, {**logged_in(302), ANON: 200}),
    "accounts:logout": (None, everyone(405)),
    "accounts:password_change": (None, logged_in()),
    "accounts:password_done": (None, logged_in()),
    "accounts:claim": (None, {**logged_in(302), ANON: 200}),
    "accounts:claim_code": (None, everyone(302)),
    "accounts:claim_password": (None, everyone(302)),
    # Password reset: open to everyone (a signed-in user may reset too); the code page needs step 1,
    # a link with a wrong token says so (200).
    "accounts:password_reset": (None, everyone()),
    "accounts:worker_reset": (None, everyone()),
    "accounts:worker_reset_code": (None, everyone(302)),
    "accounts:staff_reset": (None, everyone()),
    "accounts:staff_reset_sent": (None, everyone()),
    "accounts:staff_reset_confirm": (lambda o: {"uidb64": "MQ", "token": "wrong-token"}, everyone()),
    "accounts:staff_reset_complete": (None, everyone()),
    "accounts:profile": (None, only({Role.WORKER.value})),
    "accounts:profile_edit": (None, only({Role.WORKER.value})),
    "registry:roster": (None, only(ROSTER)),
    "registry:roster_export": (None, only(ROSTER)),
    "registry:roster_import": (None, only({Role.LIAISON.value})),
    "registry:roster_template": (None, only({Role.LIAISON.value})),
    "registry:worker_detail": (lambda o: {"pk": o["own_worker"].pk}, only(ROSTER)),
    "registry:worker_detail#other": (lambda o: {"pk": o["other_worker"].pk},
                                      {**only(ROSTER), Role.LIAISON.value: 404}),
    "accounts:notifications": (None, logged_in()),
    "accounts:notifications_read": (None, everyone(405)),
    "accounts:unread_badge": (None, logged_in()),
    # Opening one's own notification marks it read and follows its link; another's is not found.
    "accounts:notification_open": (lambda o: {"pk": o["notification"].pk},
                                   {**logged_in(404), Role.WORKER.value: 302}),
    # A worker's e-mail and mobile: the code pages need the first step.
    "accounts:email_add": (None, only({Role.WORKER.value})),
    "accounts:email_code": (None, only({Role.WORKER.value}, ok=302)),
    "accounts:mobile_change": (None, only({Role.WORKER.value})),
    "accounts:mobile_code": (None, only({Role.WORKER.value}, ok=302)),
    # Account management: each officer their own dimension (the liaison is the training officer's).
    "accounts:manage": (None, only(ACCOUNT_MANAGERS)),
    "accounts:manage_account": (lambda o: {"pk": o["liaison_user"]},
                                {**only(ACCOUNT_MANAGERS), Role.COMPETITIONS_OFFICER.value: 404,
                                 Role.MASTERS_OFFICER.value: 404}),
    "accounts:account_deactivate": (lambda o: {"pk": o["liaison_user"]}, everyone(405)),
    "accounts:account_reactivate": (lambda o: {"pk": o["liaison_user"]}, everyone(405)),
    "accounts:account_reset": (lambda o: {"pk": o["liaison_user"]}, everyone(405)),
    "accounts:invite": (None, only(ACCOUNT_MANAGERS)),
    "accounts:invitations": (None, only(ACCOUNT_MANAGERS)),
    "accounts:invitation_resend": (lambda o: {"pk": o["invitation"].pk}, everyone(405)),
    "accounts:invitation_cancel": (lambda o: {"pk": o["invitation"].pk}, everyone(405)),
    # The invitee's page: open to the link's holder; a signed-in user is sent home.
    "accounts:invitation_accept": (lambda o: {"token": o["invitation_token"]}, {**logged_in(302), ANON: 200}),
    "accounts:invitation_accept#wrong": (lambda o: {"token": "wrong-token"}, everyone(404)),
    # Training
    "training:catalogue": (None, everyone()),
    "training:class_detail": (lambda o: {"pk": o["class"].pk}, everyone()),
    "training:class_detail#draft": (lambda o: {"pk": o["draft_class"].pk}, everyone(404)),
    "training:register_self": (lambda o: {"pk": o["class"].pk}, everyone(405)),
    "training:liaison_register": (lambda o: {"pk": o["class"].pk}, only({Role.LIAISON.value})),
    "training:my_classes": (None, only({Role.WORKER.value})),
    "training:liaison_enrollments": (None, only({Role.LIAISON.value})),
    "training:enrollment_cancel": (lambda o: {"pk": o["enrollment"].pk}, everyone(405)),
    "training:worker_training": (lambda o: {"pk": o["own_worker"].pk}, only(TRAINING_READERS | {Role.LIAISON.value})),
    "training:worker_training#other": (lambda o: {"pk": o["other_worker"].pk},
                                        {**only(TRAINING_READERS | {Role.LIAISON.value}), Role.LIAISON.value: 404}),
    "training:class_list": (None, only(TRAINING_READERS)),
    "training:class_manage": (lambda o: {"pk": o["class"].pk}, only(TRAINING_READERS)),
    "training:class_transition": (lambda o: {"pk": o["class"].pk}, everyone(405)),
    "training:class_capacity": (lambda o: {"pk": o["class"].pk}, everyone(405)),
    "training:class_export": (lambda o: {"pk": o["class"].pk}, only(TRAINING_READERS)),
    "training:attendance_import": (lambda o: {"pk": o["class"].pk}, only({Role.TRAINING_OFFICER.value})),
    # The class's provider is the liaison's organization: its liaison takes attendance too.
    "training:attendance_sheet": (lambda o: {"pk": o["session"].pk}, only(TRAINING_READERS | {Role.LIAISON.value})),
    "training:attendance_mark": (lambda o: {"pk": o["session"].pk, "enrollment_pk": o["enrollment"].pk},
                                 everyone(405)),
    "training:attendance_all_present": (lambda o: {"pk": o["session"].pk}, everyone(405)),
    "training:session_qr": (lambda o: {"pk": o["session"].pk}, only({Role.TRAINING_OFFICER.value, Role.LIAISON.value})),
    "training:check_in": (lambda o: {"token": checkin_token(o)}, only({Role.WORKER.value})),
    "training:provider_classes": (None, only({Role.LIAISON.value})),
    "training:exam_mark": (lambda o: {"pk": o["enrollment"].pk}, everyone(405)),
    "training:exam_results": (lambda o: {"pk": o["second_class"].pk},
                              only({Role.TRAINING_OFFICER.value, Role.LIAISON.value})),
    # Classes without an exam have no results page.
    "training:exam_results#no-exam": (lambda o: {"pk": o["class"].pk},
                                      only({Role.TRAINING_OFFICER.value, Role.LIAISON.value}, ok=404)),
    "training:enrollment_withdraw": (lambda o: {"pk": o["enrollment"].pk}, everyone(405)),
    "training:staff_register": (lambda o: {"pk": o["class"].pk}, only({Role.TRAINING_OFFICER.value})),
    "training:enrollment_move": (lambda o: {"pk": o["enrollment"].pk}, everyone(405)),
    "training:survey_list": (None, only(TRAINING_READERS)),
    "training:survey_detail": (lambda o: {"pk": o["survey"].pk}, only(TRAINING_READERS)),
    "training:plan_detail": (lambda o: {"year": o["plan"].year}, only(TRAINING_READERS)),
    "training:plan_from_needs": (lambda o: {"pk": o["survey"].pk}, only({Role.TRAINING_OFFICER.value})),
    # Needs answered online: a worker's answers are theirs, a liaison's their organization's; others' 404.
    "training:needs_surveys": (None, only(RESPONDENTS)),
    "training:needs_answer": (lambda o: {"pk": o["open_survey"].pk}, only(RESPONDENTS)),
    "training:needs_answer#closed": (lambda o: {"pk": o["survey"].pk}, only(RESPONDENTS)),
    "training:needs_answer_change": (lambda o: {"pk": o["worker_answer"].pk},
                                     {**only(RESPONDENTS), Role.LIAISON.value: 404}),
    "training:needs_answer_change#organization": (lambda o: {"pk": o["organization_answer"].pk},
                                                  {**only(RESPONDENTS), Role.WORKER.value: 404}),
    "training:needs_answer_change#other": (lambda o: {"pk": o["other_answer"].pk}, only(RESPONDENTS, ok=404)),
    "training:needs_answer_withdraw": (lambda o: {"pk": o["worker_answer"].pk}, everyone(405)),
    # Competitions
    "competitions:competition_list": (None, everyone()),
    "competitions:competition_detail": (lambda o: {"pk": o["competition"].pk}, everyone()),
    "competitions:my_entries": (None, only({Role.WORKER.value})),
    "competitions:enter_self": (lambda o: {"pk": o["event"].pk}, everyone(405)),
    "competitions:liaison_enter": (lambda o: {"pk": o["event"].pk}, only({Role.LIAISON.value})),
    "competitions:liaison_entries": (None, only({Role.LIAISON.value})),
    "competitions:entry_withdraw": (lambda o: {"pk": o["entry"].pk}, everyone(405)),
    "competitions:judge_home": (None, only({Role.JUDGE.value})),
    "competitions:judge_event": (lambda o: {"pk": o["event"].pk}, only({Role.JUDGE.value})),
    "competitions:judge_event#other": (lambda o: {"pk": o["other_event"].pk}, {**only({Role.JUDGE.value}),
                                                                              Role.JUDGE.value: 404}),
    "competitions:judge_sheet": (lambda o: {"pk": o["entry"].pk}, only({Role.JUDGE.value})),
    "competitions:judge_sheet#other": (lambda o: {"pk": o["other_entry"].pk}, {**only({Role.JUDGE.value}),
                                                                              Role.JUDGE.value: 404}),
    "competitions:project_list": (None, only(STAFF | {Role.LIAISON.value})),
    "competitions:project_new": (None, only({Role.LIAISON.value})),
    "competitions:project_decide": (lambda o: {"pk": o["project"].pk}, everyone(405)),
    "competitions:attachment_download": (lambda o: {"pk": o["attachment"].pk}, only(STAFF | {Role.LIAISON.value})),
    "competitions:attachment_download#other": (lambda o: {"pk": o["other_attachment"].pk},
                                               {**only(STAFF | {Role.LIAISON.value}), Role.LIAISON.value: 404}),
    "competitions:manage_list": (None, only(COMPETITION_READERS)),
    "competitions:compare_years": (None, only(COMPETITION_READERS)),
    "competitions:manage_competition": (lambda o: {"pk": o["competition"].pk}, only(COMPETITION_READERS)),
    "competitions:results_run": (lambda o: {"pk": o["competition"].pk}, everyone(405)),
    "competitions:results_publish": (lambda o: {"pk": o["competition"].pk}, everyone(405)),
    "competitions:results_withdraw": (lambda o: {"pk": o["competition"].pk}, everyone(405)),
    "competitions:result_correct": (lambda o: {"pk": o["competition_result"].pk},
                                    only({Role.COMPETITIONS_OFFICER.value})),
    "competitions:manage_event": (lambda o: {"pk": o["event"].pk}, only(COMPETITION_READERS)),
    "competitions:record_results": (lambda o: {"pk": o["external_event"].pk}, only({Role.COMPETITIONS_OFFICER.value})),
    "competitions:entry_marks": (lambda o: {"pk": o["entry"].pk}, only(COMPETITION_READERS)),
    "competitions:mark_correct": (lambda o: {"pk": o["mark"].pk}, only({Role.COMPETITIONS_OFFICER.value})),
    # Certification
    "certification:session_list": (None, everyone()),
    "certification:apply": (lambda o: {"pk": o["cert_session"].pk}, everyone(405)),
    "certification:apply_for_workers": (lambda o: {"pk": o["cert_session"].pk}, only({Role.LIAISON.value})),
    "certification:my_certificates": (None, only({Role.WORKER.value})),
    "certification:application_withdraw": (lambda o: {"pk": o["application"].pk}, everyone(405)),
    "certification:certificate_print": (lambda o: {"pk": o["certificate"].pk},
                                        only(STAFF | {Role.LIAISON.value, Role.WORKER.value})),
    "certification:certificate_print#other": (lambda o: {"pk": o["other_certificate"].pk},
                                              {**only(STAFF | {Role.LIAISON.value, Role.WORKER.value}),
                                               Role.LIAISON.value: 404, Role.WORKER.value: 404}),
    "certification:verify": (None, everyone()),
    "certification:verify_signed": (lambda o: {"number": o["certificate"].number, "token": o["token"]}, everyone()),
    "certification:manage_sessions": (None, only(CERTIFICATION_READERS)),
    "certification:eligibility_run": (None, everyone(405)),
    "certification:competition_route": (None, everyone(405)),
    "certification:manage_session": (lambda o: {"pk": o["cert_session"].pk}, only(CERTIFICATION_READERS)),
    "certification:admit": (lambda o: {"pk": o["cert_session"].pk}, everyone(405)),
    "certification:issue": (lambda o: {"pk": o["cert_session"].pk}, everyone(405)),
    "certification:close_applications": (lambda o: {"pk": o["cert_session"].pk}, everyone(405)),
    "certification:scores": (lambda o: {"pk": o["application"].pk}, everyone(405)),
    "certification:scores_import": (lambda o: {"pk": o["cert_session"].pk}, only({Role.CERTIFICATION_OFFICER.value})),
    "certification:certificate_list": (None, only(CERTIFICATION_READERS)),
    "certification:revoke": (lambda o: {"pk": o["certificate"].pk}, only({Role.CERTIFICATION_OFFICER.value})),
    "certification:reinstate": (lambda o: {"pk": o["certificate"].pk}, only({Role.CERTIFICATION_OFFICER.value})),
    "certification:certificates_import": (None, only({Role.CERTIFICATION_OFFICER.value})),
    # Subsidies
    "subsidies:policy_list": (None, only(SUBSIDY_READERS)),
    "subsidies:policy_detail": (lambda o: {"pk": o["policy"].pk}, only(SUBSIDY_READERS)),
    "subsidies:policy_budget": (lambda o: {"pk": o["policy"].pk}, everyone(405)),
    "subsidies:shortage_list": (None, only(SUBSIDY_READERS)),
    "subsidies:shortage_create": (None, only({Role.TRAINING_OFFICER.value})),
    "subsidies:shortage_edit": (lambda o: {"pk": o["shortage"].pk}, only({Role.TRAINING_OFFICER.value})),
    "subsidies:insured_import": (None, only({Role.TRAINING_OFFICER.value})),
    "subsidies:application_list": (None, only(TRAINING_READERS)),
    "subsidies:application_select": (None, only({Role.TRAINING_OFFICER.value})),
    "subsidies:apply": (None, only({Role.WORKER.value})),
    "subsidies:organization_apply": (None, only({Role.LIAISON.value})),
    "subsidies:run_list": (None, only(TRAINING_READERS)),
    "subsidies:run_detail": (lambda o: {"pk": o["run"].pk}, only(TRAINING_READERS)),
    "subsidies:claim_list": (None, only(SUBSIDY_READERS)),
    "subsidies:claim_review": (None, everyone(405)),
    "subsidies:claim_detail": (lambda o: {"pk": o["claim"].pk},
                               only(SUBSIDY_READERS | {Role.WORKER.value, Role.LIAISON.value})),
    "subsidies:claim_detail#other": (lambda o: {"pk": o["other_claim"].pk},
                                     {**only(SUBSIDY_READERS | {Role.WORKER.value, Role.LIAISON.value}),
                                      Role.WORKER.value: 404, Role.LIAISON.value: 404}),
    "subsidies:claim_reverse": (lambda o: {"pk": o["claim"].pk}, everyone(405)),
    "subsidies:claim_reopen": (lambda o: {"pk": o["claim"].pk}, everyone(405)),
    "subsidies:claim_recovered": (lambda o: {"pk": o["claim"].pk}, everyone(405)),
    "subsidies:recovery_list": (None, only(SUBSIDY_READERS)),
    "subsidies:batch_list": (None, only(SUBSIDY_READERS)),
    "subsidies:batch_detail": (lambda o: {"pk": o["batch"].pk}, only(SUBSIDY_READERS)),
    "subsidies:batch_approve": (lambda o: {"pk": o["batch"].pk}, everyone(405)),
    "subsidies:batch_pay": (lambda o: {"pk": o["batch"].pk}, everyone(405)),
    "subsidies:batch_delete": (lambda o: {"pk": o["batch"].pk}, everyone(405)),
    "subsidies:batch_send_back": (lambda o: {"pk": o["batch"].pk}, everyone(405)),
    "subsidies:batch_bank_file": (lambda o: {"pk": o["batch"].pk}, only({Role.FINANCE_OFFICER.value})),
    "subsidies:mine": (None, only({Role.WORKER.value})),
    "subsidies:bank_details": (None, only({Role.WORKER.value})),
    "subsidies:bank_waiting": (None, only(SUBSIDY_READERS | {Role.LIAISON.value})),
    "subsidies:bank_remind": (None, everyone(405)),
    "subsidies:bank_import": (None, only({Role.LIAISON.value})),
    "subsidies:bank_template": (None, only({Role.LIAISON.value})),
    "subsidies:worker_bank_details": (lambda o: {"pk": o["own_worker"].pk},
                                      only({Role.TRAINING_OFFICER.value, Role.FINANCE_OFFICER.value})),
    # A background export is its requester's alone (here the finance officer's).
    "audit:activity_log": (None, only({Role.AUDITOR.value})),
    # API tokens: a liaison keeps their organization's, a union officer the district-wide ones (the
    # liaison's token is not theirs: 404).
    "api:tokens": (None, only(TOKEN_KEEPERS)),
    "api:token_new": (None, only(TOKEN_KEEPERS)),
    "api:token_detail": (lambda o: {"pk": o["api_token"].pk},
                         {**only({Role.LIAISON.value}), **dict.fromkeys(OFFICER_ROLES, 404)}),
    "api:token_revoke": (lambda o: {"pk": o["api_token"].pk}, everyone(405)),
    # Webhooks: kept like tokens (the liaison's webhook is not an officer's: 404).
    "api:webhooks": (None, only(TOKEN_KEEPERS)),
    "api:webhook_new": (None, only(TOKEN_KEEPERS)),
    "api:webhook_detail": (lambda o: {"pk": o["webhook"].pk},
                           {**only({Role.LIAISON.value}), **dict.fromkeys(OFFICER_ROLES, 404)}),
    **{f"api:webhook_{name}": (lambda o: {"pk": o["webhook"].pk}, everyone(405))
       for name in ("test", "enable", "delete")},
    # The API answers tokens only: a session (or none) is 401, whoever holds it. Its schema and docs are public.
    "api_v1:schema": (None, everyone()),
    "api_v1:docs": (None, everyone()),
    "api_v1:not_found": (lambda o: {"rest": "nothing-here"}, everyone(404)),
    **{f"api_v1:{name}": (None, everyone(401)) for name in (
        "workers", "workers_batch", "classes", "enrollments", "events", "entries", "results", "certificates",
        "certificate_verify", "claims")},
    **{f"api_v1:{name}": (lambda o: {"pk": 1}, everyone(401)) for name in (
        "worker", "class", "class_register", "enrollment", "enrollment_cancel", "event_enter", "entry_withdraw",
        "claim")},
    "jobs:export_detail": (lambda o: {"pk": o["export"].pk}, only({Role.FINANCE_OFFICER.value}, denied=404)),
    "jobs:export_download": (lambda o: {"pk": o["export"].pk}, only({Role.FINANCE_OFFICER.value}, denied=404)),
    "subsidies:organization": (None, only({Role.LIAISON.value})),
    # Skills Masters
    "masters:honour_roll": (None, everyone()),
    "masters:publicity": (None, everyone()),
    "masters:objection_new": (lambda o: {"pk": o["public_nomination"].pk}, everyone()),
    "masters:objection_new#not_public": (lambda o: {"pk": o["nomination"].pk}, everyone(404)),
    "masters:nomination_list": (None, only(NOMINATORS | MASTERS_READERS)),
    "masters:nomination_new": (None, only(NOMINATORS)),
    "masters:nomination_detail": (lambda o: {"pk": o["nomination"].pk}, only(NOMINATORS | MASTERS_READERS)),
    "masters:nomination_detail#other": (lambda o: {"pk": o["reviewed_nomination"].pk},
                                        {**only(NOMINATORS | MASTERS_READERS), Role.WORKER.value: 404,
                                         Role.LIAISON.value: 404}),
    # The draft was made by the liaison for their organization: only they may change it.
    "masters:nomination_edit": (lambda o: {"pk": o["nomination"].pk},
                                {**only(NOMINATORS, denied=403), Role.WORKER.value: 404,
                                 Role.MASTERS_OFFICER.value: 404}),
    "masters:attachment_upload": (lambda o: {"pk": o["nomination"].pk}, everyone(405)),
    "masters:nomination_submit": (lambda o: {"pk": o["nomination"].pk}, everyone(405)),
    "masters:nomination_withdraw": (lambda o: {"pk": o["nomination"].pk}, everyone(405)),
    "masters:assignment_add": (lambda o: {"pk": o["reviewed_nomination"].pk}, everyone(405)),
    "masters:shortlist_change": (lambda o: {"pk": o["reviewed_nomination"].pk}, everyone(405)),
    "masters:attachment_file": (lambda o: {"pk": o["masters_attachment"].pk},
                                {**only(NOMINATORS | MASTERS_READERS | {Role.REVIEWER.value}),
                                 Role.REVIEWER.value: 404}),
    "masters:attachment_file#reviewed": (lambda o: {"pk": o["reviewed_attachment"].pk},
                                         {**only(NOMINATORS | MASTERS_READERS | {Role.REVIEWER.value}),
                                          Role.WORKER.value: 404, Role.LIAISON.value: 404}),
    "masters:attachment_delete": (lambda o: {"pk": o["masters_attachment"].pk}, everyone(405)),
    "masters:assignment_remove": (lambda o: {"pk": o["assignment"].pk}, everyone(405)),
    "masters:review_home": (None, only({Role.REVIEWER.value})),
    "masters:review_sheet": (lambda o: {"pk": o["assignment"].pk}, only({Role.REVIEWER.value})),
    # Blind review: another reviewer's sheet is not found.
    "masters:review_sheet#other": (lambda o: {"pk": o["other_assignment"].pk},
                                   {**only({Role.REVIEWER.value}), Role.REVIEWER.value: 404}),
    "masters:review_conflict": (lambda o: {"pk": o["assignment"].pk}, everyone(405)),
    "masters:round_list": (None, only(MASTERS_READERS)),
    "masters:round_detail": (lambda o: {"pk": o["selection_round"].pk}, only(MASTERS_READERS)),
    "masters:round_eligibility": (lambda o: {"pk": o["selection_round"].pk}, everyone(405)),
    "masters:round_assign": (lambda o: {"pk": o["selection_round"].pk}, everyone(405)),
    "masters:round_conflicts": (lambda o: {"pk": o["selection_round"].pk}, only(MASTERS_READERS)),
    "masters:round_ranking": (lambda o: {"pk": o["selection_round"].pk}, only(MASTERS_READERS)),
    "masters:round_shortlist": (lambda o: {"pk": o["selection_round"].pk}, everyone(405)),
    "masters:tie_decide": (lambda o: {"pk": o["selection_round"].pk}, everyone(405)),
    "masters:round_publicity": (lambda o: {"pk": o["selection_round"].pk}, everyone(405)),
    "masters:round_confer": (lambda o: {"pk": o["selection_round"].pk}, everyone(405)),
    "masters:objection_resolve": (lambda o: {"pk": o["objection"].pk}, everyone(405)),
    "masters:incentives": (None, only(MASTERS_READERS | {Role.FINANCE_OFFICER.value})),
    "masters:studios": (None, only(MASTERS_READERS | {Role.FINANCE_OFFICER.value})),
    "masters:talk_menu": (None, only(MASTERS_READERS | {Role.LIAISON.value})),
    "masters:talk_order": (lambda o: {"pk": o["talk_topic"].pk}, only({Role.LIAISON.value})),
    "masters:talk_orders": (None, only(MASTERS_READERS)),
    "masters:talk_manage": (lambda o: {"pk": o["talk_order"].pk}, only(MASTERS_READERS)),
    # Reports
    "reports:report_list": (None, only(STAFF)),
    "reports:report_detail": (lambda o: {"pk": o["report"].pk}, only(STAFF)),
    "reports:report_download": (lambda o: {"pk": o["report"].pk}, only(STAFF)),
    "reports:report_document": (lambda o: {"pk": o["report"].pk}, only(STAFF)),
    "reports:report_pdf": (lambda o: {"pk": o["report"].pk}, only(STAFF)),
    "reports:report_delete": (lambda o: {"pk": o["report"].pk}, everyone(405)),
    "reports:dashboard": (None, only(STAFF | {Role.LIAISON.value})),
    # The talent profile: staff, the worker's liaison, and the worker themself; own_worker is not the
    # worker role's record, so that worker finds no such page.
    "reports:talent_profile": (lambda o: {"pk": o["own_worker"].pk},
                               {**only(ROSTER | {Role.WORKER.value}), Role.WORKER.value: 404}),
    "reports:talent_profile#other": (lambda o: {"pk": o["other_worker"].pk},
                                     {**only(ROSTER | {Role.WORKER.value}), Role.LIAISON.value: 404,
                                      Role.WORKER.value: 404}),
    # The certificate's holder is the worker role's own record.
    "reports:talent_profile#self": (lambda o: {"pk": o["certificate"].holder_id}, only(ROSTER | {Role.WORKER.value})),
    "reports:my_profile": (None, only({Role.WORKER.value})),
}


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def project_url_names():
    return {name for name, _p in url_names() if not name.startswith("admin:")}


def test_every_url_is_in_the_matrix():
    covered = {name.split("#")[0] for name in EXPECTED}
    assert project_url_names() - covered == set()


def mismatches(role_clients, objects, table):
    """Every (url name, role, expected, seen) where a page answered otherwise than expected."""
    wrong = []
    for entry, (build, expected) in sorted(table.items()):
        url = reverse(entry.split("#")[0], kwargs=build(objects) if build else None)
        seen = statuses(role_clients, url)
        wrong += [(entry, role, expected[role], seen[role]) for role in ROLES if seen[role] != expected[role]]
    return wrong


def app_of(name: str) -> str:
    """The app of a URL name: its namespace, or "project" for the pages of no app (home, healthz)."""
    return name.split(":")[0] if ":" in name else "project"


# One case per app, so that pytest-xdist spreads the pages over its workers.
@pytest.mark.parametrize("app", sorted({app_of(name) for name in EXPECTED}))
def test_every_page_answers_each_role_as_expected(role_clients, objects, app):
    # One walk over the app's pages (one set of objects): the list names every page and role that is wrong.
    pages = {name: spec for name, spec in EXPECTED.items() if app_of(name) == app}
    assert mismatches(role_clients, objects, pages) == []


# The admin: anonymous visitors and roles that are not staff are sent to the admin login;
# staff see what their role's permissions allow; the auditor changes nothing.
EDITORS = {Role.TRAINING_OFFICER.value, Role.CERTIFICATION_OFFICER.value}
FULL_ID = {Role.TRAINING_OFFICER.value, Role.CERTIFICATION_OFFICER.value, Role.FINANCE_OFFICER.value,
           Role.AUDITOR.value}
# model → which roles may view, add, change and delete it (change includes view).
ADMIN_MODELS = {
    "registry_worker": {"view": STAFF, "add": EDITORS, "delete": set()},
    "registry_organization": {"view": STAFF, "add": EDITORS, "delete": set()},
    "registry_employment": {"view": STAFF, "add": EDITORS, "delete": EDITORS},
    "registry_workertrade": {"view": STAFF, "add": EDITORS, "delete": EDITORS},
    "registry_trade": {"view": STAFF, "add": set(), "delete": set()},
    "registry_transferrequest": {"view": {Role.TRAINING_OFFICER.value, Role.AUDITOR.value}, "add": set(),
                                 "delete": set()},
    "accounts_user": {"view": {Role.AUDITOR.value}, "add": set(), "delete": set()},
    **{f"training_{m}": {"view": STAFF, "add": {Role.TRAINING_OFFICER.value}, "delete": {Role.TRAINING_OFFICER.value}}
       for m in ["trainingbase", "needssurvey", "needsresponse", "trainingplan", "course", "trainingclass",
                 "mentorship"]},
    # Seats and marks change only through the pages' services: no adding or deleting here.
    "training_enrollment": {"view": STAFF, "add": set(), "delete": set()},
    "training_attendance": {"view": STAFF, "add": set(), "delete": set()},
    **{f"competitions_{m}": {"view": STAFF, "add": {Role.COMPETITIONS_OFFICER.value},
                             "delete": {Role.COMPETITIONS_OFFICER.value}}
       for m in ["competition", "event", "organizeraward", "innovationproject"]},
    "competitions_entry": {"view": STAFF, "add": set(), "delete": set()},
    "competitions_result": {"view": STAFF, "add": set(), "delete": set()},
    **{f"certification_{m}": {"view": STAFF, "add": {Role.CERTIFICATION_OFFICER.value},
                              "delete": {Role.CERTIFICATION_OFFICER.value}}
       for m in ["assessmentbody", "eligibilityrule", "assessmentsession"]},
    # Applications and certificates change only through the pages' services.
    **{f"certification_{m}": {"view": STAFF, "add": set(), "delete": set()}
       for m in ["application", "certificate", "eligibilitygrant"]},
    **{f"subsidies_{m}": {"view": SUBSIDY_READERS, "add": {Role.TRAINING_OFFICER.value},
                          "delete": {Role.TRAINING_OFFICER.value}} for m in ["policy", "shortageoccupation"]},
    "subsidies_insuredperiod": {"view": {Role.TRAINING_OFFICER.value, Role.AUDITOR.value},
                                "add": {Role.TRAINING_OFFICER.value}, "delete": set()},
    # Claims, batches and payments change only through the pages' services (separation of duties).
    **{f"subsidies_{m}": {"view": SUBSIDY_READERS, "add": set(), "delete": set()}
       for m in ["claim", "batch", "payment"]},
    "subsidies_run": {"view": TRAINING_READERS, "add": set(), "delete": set()},
    **{f"masters_{m}": {"view": STAFF, "add": {Role.MASTERS_OFFICER.value}, "delete": {Role.MASTERS_OFFICER.value}}
       for m in ["selectionround", "reviewer", "holiday", "incentivepolicy", "incentivegrant", "masterstudio",
                 "talktopic"]},
    # Nominations, reviews, objections, titles and talk orders change only through the pages' services.
    **{f"masters_{m}": {"view": STAFF, "add": set(), "delete": set()}
       for m in ["nomination", "assignment", "conflictwaiver", "objection", "mastertitle", "talkorder"]},
    "reports_annualreport": {"view": {Role.AUDITOR.value}, "add": set(), "delete": set()},
}
ADMIN_ACTIONS = ["changelist", "add", "change", "history", "delete", "simple_history"]
NOT_STAFF = {r: 302 for r in ROLES if r not in STAFF}
# Site-level admin pages: (kwargs builder, expected statuses).
ADMIN_SITE = {
    "admin:index": (None, {**NOT_STAFF, **dict.fromkeys(STAFF, 200)}),
    "admin:login": (None, {**dict.fromkeys(ROLES, 200), **dict.fromkeys(STAFF, 302)}),
    "admin:logout": (None, {**NOT_STAFF, **dict.fromkeys(STAFF, 405)}),
    # Setting another user's password: superusers only.
    "admin:auth_user_password_change": (lambda o: {"id": o["a_user"]},
                                        {**NOT_STAFF, **dict.fromkeys(STAFF, 403)}),
    "admin:password_change": (None, {**NOT_STAFF, **dict.fromkeys(STAFF, 200)}),
    "admin:password_change_done": (None, {**NOT_STAFF, **dict.fromkeys(STAFF, 200)}),
    "admin:jsi18n": (None, {**NOT_STAFF, **dict.fromkeys(STAFF, 200)}),
    # Without its query parameters the autocomplete refuses everyone who reaches it.
    "admin:autocomplete": (None, {**NOT_STAFF, **dict.fromkeys(STAFF, 403)}),
    "admin:app_list": (lambda o: {"app_label": "registry"}, {**NOT_STAFF, **dict.fromkeys(STAFF, 200)}),
    "admin:app_list#accounts": (lambda o: {"app_label": "accounts"},
                                {**NOT_STAFF, **dict.fromkeys(STAFF, 404), Role.AUDITOR.value: 200}),
    # No registry model has a public page to jump to.
    "admin:view_on_site": (lambda o: {"content_type_id": o["worker_type"], "object_id": o["own_worker"].pk},
                           {**NOT_STAFF, **dict.fromkeys(STAFF, 404)}),
}


def statuses(role_clients, url, method="get"):
    return {role: getattr(role_clients(role), method)(url).status_code for role in ROLES}


def admin_expected(model: str, action: str) -> dict:
    spec = ADMIN_MODELS[model]
    allowed = spec[action] if action in ("add", "delete") else spec["view"]
    if model == "registry_worker" and action in ("history", "simple_history"):
        allowed = allowed & FULL_ID  # the history shows full identity numbers
    return {**NOT_STAFF, **{r: 200 if r in allowed else 403 for r in STAFF}}


def test_every_admin_url_is_in_the_matrix():
    from django.contrib import admin

    registered = {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
    registered -= {"auth_group", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog",
                   "axes_accessattemptexpiration"}
    assert registered - set(ADMIN_MODELS) == set()
    others = {"auth_group", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog",
              "axes_accessattemptexpiration"}
    model_urls = {f"admin:{m}_{a}" for m in registered | others for a in ADMIN_ACTIONS}
    site_urls = {name.split("#")[0] for name in ADMIN_SITE}
    admin_urls = {name for name, _p in url_names() if name.startswith("admin:")}
    assert admin_urls - model_urls - site_urls == set()


def test_admin_site_pages_answer_each_role_as_expected(role_clients, objects):
    assert mismatches(role_clients, objects, ADMIN_SITE) == []


NO_HISTORY_PAGES = {"accounts_user", "training_needssurvey", "training_needsresponse", "subsidies_run",
                    "masters_holiday", "masters_reviewer", "masters_talktopic", "reports_annualreport"}
ADMIN_PAGES = [(m, a) for m in sorted(ADMIN_MODELS) for a in ADMIN_ACTIONS
               if not (a == "simple_history" and m in NO_HISTORY_PAGES)]


# One case per app (not per model: each case makes the objects again), so that pytest-xdist spreads
# the ~3,000 requests over its workers.
@pytest.mark.parametrize("app", sorted({model.split("_", 1)[0] for model in ADMIN_MODELS}))
def test_admin_model_pages_answer_each_role_as_expected(role_clients, objects, app):
    from django.apps import apps

    wrong = []
    for model, action in ADMIN_PAGES:
        app_label, model_name = model.split("_", 1)
        if app_label != app:
            continue
        Model = apps.get_model(app_label, model_name)
        instance = objects["own_worker"] if Model.__name__ == "Worker" else Model.objects.order_by("pk").first()
        assert instance is not None, f"the matrix needs a {model} object"
        args = [instance.pk] if action in ("change", "history", "delete") else []
        if action == "simple_history":
            instance.save()  # rows seeded by a migration have no history record yet
            args = [instance.pk, instance.history.order_by("pk").first().pk]
        seen = statuses(role_clients, reverse(f"admin:{model}_{action}", args=args))
        expected = admin_expected(model, action)
        wrong += [(model, action, role, expected[role], seen[role]) for role in ROLES if seen[role] != expected[role]]
    assert wrong == []


def test_admin_models_of_other_apps_are_for_superusers_only(role_clients):
    for name in ["admin:auth_group_changelist", "admin:axes_accessattempt_changelist"]:
        seen = statuses(role_clients, reverse(name))
        assert seen == {**NOT_STAFF, **{r: 403 for r in STAFF if r != Role.AUDITOR.value},
                        Role.AUDITOR.value: 200}


def test_auditor_sees_a_worker_read_only(client, role_users, objects):
    client.force_login(role_users[Role.AUDITOR.value])
    url = reverse("admin:registry_worker_change", args=[objects["own_worker"].pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    response = client.post(url, {"name": "改名", "mobile": "13900000000"})  # a forged form
    assert response.status_code == 403
    objects["own_worker"].refresh_from_db()
    assert objects["own_worker"].name != "改名"


# The person picker (zhangwan/picker.py) answers on its page's own URL: ?pick=rows (a page of matches)
# and ?pick=ids (every free match). Each role gets from them what it gets from the page; a bad query
# string is no filter, never a 500; a picker of one person has nothing to "choose all" of (400).
PICKER_PAGES = {"training:liaison_register": True, "competitions:liaison_enter": True,
                "certification:apply_for_workers": True, "competitions:project_new": True,
                "masters:nomination_new": False}  # url name → chooses several people
BAD_PICKER_QUERIES = [{"page": "-1"}, {"page": "x" * 50}, {"trade": "x"}, {"trade": "9" * 30}, {"leader": "2"},
                      {"q": "\x00" + "张" * 500}, {"q": "420303********1234"}]


@pytest.mark.parametrize("name", sorted(PICKER_PAGES))
def test_the_picker_answers_each_role_as_its_page_does(role_clients, objects, name):
    build, expected = EXPECTED[name]
    url = reverse(name, kwargs=build(objects) if build else None)
    assert statuses(role_clients, f"{url}?pick=rows") == expected
    with_ids = statuses(role_clients, f"{url}?pick=ids")
    several = PICKER_PAGES[name]
    assert with_ids == {r: s if s != 200 or several or r == Role.WORKER.value else 400 for r, s in expected.items()}
    allowed = sorted(r for r, s in expected.items() if s == 200)
    for params in BAD_PICKER_QUERIES:
        for what in ("rows", "ids") if several else ("rows",):
            response = role_clients(allowed[0]).get(url, {"pick": what, **params})
            assert response.status_code == 200, (params, what)
