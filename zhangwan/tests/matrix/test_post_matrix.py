"""The URL matrix for writes: every URL of the project, and the admin's add, change and delete
pages, posted to by every role and by anonymous visitors. A role the URL is not for changes
nothing in the database, whatever it posts: the auditor nowhere, finance only what it pays, the
officers only in their own field (separation of duties). Each post runs in a savepoint that is
rolled back, so every role meets the same objects."""

import html
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import resolve, reverse

from zhangwan.accounts.roles import Role
from zhangwan.tests.matrix.test_url_matrix import ADMIN_MODELS, ANON, EXPECTED, ROLES, app_of
from zhangwan.tests.matrix.writes import rows_written

pytestmark = pytest.mark.django_db

R = Role
# Open to every visitor, or only about the visitor themself; objections during publicity are
# open to the public by design.
PERSONAL = {"accounts:logout", "accounts:notifications_read", "set_language", "accounts:login",
            "accounts:password_change", "accounts:claim", "accounts:claim_code",
            "accounts:claim_password", "accounts:worker_reset", "accounts:worker_reset_code",
            "accounts:staff_reset", "accounts:staff_reset_confirm", "admin:logout",
            "admin:login", "admin:password_change", "masters:objection_new", "accounts:email_add",
            "accounts:email_code", "accounts:mobile_change", "accounts:mobile_code", "accounts:invitation_accept"}
ACCOUNT_MANAGERS = {R.TRAINING_OFFICER, R.COMPETITIONS_OFFICER, R.MASTERS_OFFICER}
NOMINATORS = {R.WORKER, R.LIAISON, R.MASTERS_OFFICER}

# Who may act through each URL that takes a POST (a page with a form, or an action); every other
# role and anonymous visitors must change nothing there.
ACTORS = {
    "accounts:profile_edit": {R.WORKER},
    "accounts:invite": ACCOUNT_MANAGERS,
    # The liaison and the invitation of the matrix are the training officer's.
    "accounts:account_deactivate": {R.TRAINING_OFFICER},
    "accounts:account_reactivate": {R.TRAINING_OFFICER},
    "accounts:account_reset": {R.TRAINING_OFFICER},
    "accounts:invitation_resend": {R.TRAINING_OFFICER},
    "accounts:invitation_cancel": {R.TRAINING_OFFICER},
    "registry:roster_import": {R.LIAISON},
    "training:register_self": {R.WORKER},
    "training:liaison_register": {R.LIAISON},
    "training:enrollment_cancel": {R.WORKER, R.LIAISON, R.TRAINING_OFFICER},
    "training:class_transition": {R.TRAINING_OFFICER},
    "training:class_capacity": {R.TRAINING_OFFICER},
    "training:attendance_import": {R.TRAINING_OFFICER},
    "training:attendance_mark": {R.TRAINING_OFFICER, R.LIAISON},
    "training:attendance_all_present": {R.TRAINING_OFFICER, R.LIAISON},
    "training:check_in": {R.WORKER},
    "training:exam_mark": {R.TRAINING_OFFICER},
    "training:exam_results": {R.TRAINING_OFFICER, R.LIAISON},
    "training:enrollment_withdraw": {R.TRAINING_OFFICER},
    "training:staff_register": {R.TRAINING_OFFICER},
    "training:enrollment_move": {R.TRAINING_OFFICER},
    "training:plan_from_needs": {R.TRAINING_OFFICER},
    "training:needs_answer": {R.WORKER, R.LIAISON},
    "training:needs_answer_change": {R.WORKER, R.LIAISON},
    "training:needs_answer_withdraw": {R.WORKER, R.LIAISON},
    "competitions:enter_self": {R.WORKER},
    "competitions:entry_withdraw": {R.WORKER, R.LIAISON, R.COMPETITIONS_OFFICER},
    "competitions:liaison_enter": {R.LIAISON},
    "competitions:project_new": {R.LIAISON},
    "competitions:judge_sheet": {R.JUDGE},
    "competitions:mark_correct": {R.COMPETITIONS_OFFICER},
    "competitions:record_results": {R.COMPETITIONS_OFFICER},
    "competitions:project_decide": {R.COMPETITIONS_OFFICER},
    "competitions:results_run": {R.COMPETITIONS_OFFICER},
    "competitions:results_publish": {R.COMPETITIONS_OFFICER},
    "competitions:results_withdraw": {R.COMPETITIONS_OFFICER},
    "competitions:result_correct": {R.COMPETITIONS_OFFICER},
    "certification:apply": {R.WORKER, R.LIAISON},
    "certification:apply_for_workers": {R.LIAISON},
    "certification:scores_import": {R.CERTIFICATION_OFFICER},
    "certification:certificates_import": {R.CERTIFICATION_OFFICER},
    "certification:revoke": {R.CERTIFICATION_OFFICER},
    "certification:reinstate": {R.CERTIFICATION_OFFICER},
    "certification:application_withdraw": {R.WORKER, R.LIAISON},
    "certification:eligibility_run": {R.CERTIFICATION_OFFICER},
    "certification:competition_route": {R.CERTIFICATION_OFFICER},
    "certification:admit": {R.CERTIFICATION_OFFICER},
    "certification:issue": {R.CERTIFICATION_OFFICER},
    "certification:close_applications": {R.CERTIFICATION_OFFICER},
    "certification:scores": {R.CERTIFICATION_OFFICER},
    # Separation of duties: the training officer computes, reviews and reverses claims; finance
    # makes, approves (another finance officer than the maker) and pays batches.
    "subsidies:shortage_create": {R.TRAINING_OFFICER},
    "subsidies:shortage_edit": {R.TRAINING_OFFICER},
    "subsidies:insured_import": {R.TRAINING_OFFICER},
    "subsidies:application_list": {R.TRAINING_OFFICER},
    "subsidies:application_select": {R.TRAINING_OFFICER},
    "subsidies:apply": {R.WORKER},
    "subsidies:organization_apply": {R.LIAISON},
    "subsidies:run_list": {R.TRAINING_OFFICER},
    "subsidies:claim_review": {R.TRAINING_OFFICER},
    "subsidies:claim_reverse": {R.TRAINING_OFFICER},
    "subsidies:claim_reopen": {R.TRAINING_OFFICER},
    "subsidies:policy_budget": {R.TRAINING_OFFICER},
    "subsidies:claim_recovered": {R.FINANCE_OFFICER},
    "subsidies:batch_send_back": {R.FINANCE_OFFICER},
    "subsidies:batch_list": {R.FINANCE_OFFICER},
    "subsidies:batch_approve": {R.FINANCE_OFFICER},
    "subsidies:batch_pay": {R.FINANCE_OFFICER},
    "subsidies:batch_delete": {R.FINANCE_OFFICER},
    "subsidies:bank_details": {R.WORKER},
    "subsidies:bank_remind": {R.TRAINING_OFFICER, R.FINANCE_OFFICER},
    "subsidies:bank_import": {R.LIAISON},
    "subsidies:worker_bank_details": {R.TRAINING_OFFICER, R.FINANCE_OFFICER},
    "masters:nomination_new": NOMINATORS,
    "masters:nomination_edit": NOMINATORS,
    "masters:attachment_upload": NOMINATORS,
    "masters:nomination_submit": NOMINATORS,
    "masters:nomination_withdraw": NOMINATORS,
    "masters:attachment_delete": NOMINATORS,
    "masters:round_ranking": {R.MASTERS_OFFICER},
    "masters:assignment_add": {R.MASTERS_OFFICER},
    "masters:assignment_remove": {R.MASTERS_OFFICER},
    "masters:shortlist_change": {R.MASTERS_OFFICER},
    "masters:review_conflict": {R.REVIEWER},
    "masters:review_sheet": {R.REVIEWER},
    "masters:round_eligibility": {R.MASTERS_OFFICER},
    "masters:round_assign": {R.MASTERS_OFFICER},
    "masters:round_shortlist": {R.MASTERS_OFFICER},
    "masters:tie_decide": {R.MASTERS_OFFICER},
    "masters:round_publicity": {R.MASTERS_OFFICER},
    "masters:round_confer": {R.MASTERS_OFFICER},
    "masters:objection_resolve": {R.MASTERS_OFFICER},
    "masters:round_conflicts": {R.MASTERS_OFFICER},
    "masters:talk_order": {R.LIAISON},
    "masters:talk_manage": {R.MASTERS_OFFICER},
    "reports:report_list": {R.TRAINING_OFFICER, R.COMPETITIONS_OFFICER, R.CERTIFICATION_OFFICER, R.MASTERS_OFFICER},
    "reports:report_delete": {R.TRAINING_OFFICER, R.COMPETITIONS_OFFICER, R.CERTIFICATION_OFFICER, R.MASTERS_OFFICER},
    # API tokens: the liaison for their organization, a union officer for the district.
    "api:token_new": {R.LIAISON, R.TRAINING_OFFICER, R.COMPETITIONS_OFFICER, R.CERTIFICATION_OFFICER,
                      R.MASTERS_OFFICER},
    "api:token_revoke": {R.LIAISON, R.TRAINING_OFFICER, R.COMPETITIONS_OFFICER, R.CERTIFICATION_OFFICER,
                         R.MASTERS_OFFICER},
    **dict.fromkeys(["api:webhook_new", "api:webhook_test", "api:webhook_enable", "api:webhook_delete"],
                    {R.LIAISON, R.TRAINING_OFFICER, R.COMPETITIONS_OFFICER, R.CERTIFICATION_OFFICER,
                     R.MASTERS_OFFICER}),
}


def post_changes(client, url, data):
    """(status, tables the post wrote to), the changes rolled back afterwards."""
    with transaction.atomic():
        before = rows_written()
        status = client.post(url, data).status_code
        after = rows_written()
        transaction.set_rollback(True)
    return status, sorted(t for t, count in after.items() if count != before.get(t, 0))



def project_urls(made):
    return [(name, reverse(name.split("#")[0], kwargs=build(made) if build else None), expected)
            for name, (build, expected) in sorted(EXPECTED.items())]


# One case per app, so that pytest-xdist spreads the requests over its workers.
@pytest.mark.parametrize("app", sorted({app_of(name) for name in EXPECTED}))
def test_no_role_changes_anything_through_a_url_that_is_not_its_own(role_clients, objects, app):
    """Each write URL posted to by every role but its actors; each read-only page posted to by a
    role that may read it: nothing written, and a refusal where the role may not be there."""
    wrong = []
    for name, url, expected in project_urls(objects):
        base = name.split("#")[0]
        if app_of(name) != app:
            continue
        if base in PERSONAL:
            continue
        if base in ACTORS:
            roles = [r for r in ROLES if r not in {a.value for a in ACTORS[base]}]
        else:
            roles = [next((r for r in ROLES if expected[r] == 200), ANON)]
        for role in roles:
            status, changed = post_changes(role_clients(role), url, {})
            # A read-only page may answer a POST like a GET (the GET matrix covers who reaches it).
            refused = base not in ACTORS or (status in (302, 403, 404, 405) if role == ANON
                                             else status in (403, 404, 405))
            if changed or not refused or status >= 500:
                wrong.append((name, role, status, changed))
    assert wrong == []


def test_every_write_url_names_its_actors(role_clients, objects):
    """A URL is a write path when it takes only POSTs (405 to a GET) or a page posts a form to it;
    each must be in ACTORS (or be personal), so the walk above knows who else must be refused."""
    writes = {name.split("#")[0] for name, (_b, expected) in EXPECTED.items() if set(expected.values()) == {405}}
    for _name, url, expected in project_urls(objects):
        for role in ROLES:
            if expected[role] == 200:
                response = role_clients(role).get(url)
                if "text/html" in response.get("Content-Type", "") and not response.streaming:
                    writes |= posted_to(response.content.decode(), url)
    assert sorted(writes - set(ACTORS) - PERSONAL) == []


def posted_to(page: str, here: str) -> set[str]:
    """The URL names that the page's POST forms send to."""
    names = set()
    for form in re.finditer(r"<form\b[^>]*>", page, re.I):
        tag = form.group(0)
        if not re.search(r"method=[\"']?post", tag, re.I):
            continue
        action = re.search(r"action=[\"']([^\"']*)", tag)
        target = html.unescape(action.group(1)) if action and action.group(1) else here
        match = resolve(urlsplit(target).path)
        names.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    return names


def test_the_auditor_and_finance_change_nothing_in_the_admin(role_clients, objects):
    wrong = []
    for model in sorted(ADMIN_MODELS):
        app_label, model_name = model.split("_", 1)
        Model = apps.get_model(app_label, model_name)
        instance = objects["own_worker"] if Model.__name__ == "Worker" else Model.objects.order_by("pk").first()
        for role in (R.AUDITOR.value, R.FINANCE_OFFICER.value):
            for action, args in (("add", []), ("change", [instance.pk]), ("delete", [instance.pk])):
                url = reverse(f"admin:{model}_{action}", args=args)
                data = {"post": "yes"} if action == "delete" else {}
                status, changed = post_changes(role_clients(role), url, data)
                if changed or status != 403:
                    wrong.append((model, action, role, status, changed))
    assert wrong == []
