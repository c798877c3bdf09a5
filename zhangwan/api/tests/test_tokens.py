"""Tokens: created on the liaison's and officers' pages (shown once, stored hashed), refused when revoked,
expired, out of scope or from another address; every call recorded."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zhangwan.api.models import ApiCall, ApiToken, Scope, key_digest
from zhangwan.audit import log

pytestmark = pytest.mark.django_db
WORKERS = "/api/v1/workers/"


def test_it_shows_the_secret_once_and_keeps_only_its_hash(client, liaison):
    client.force_login(liaison)
    response = client.post(reverse("api:token_new"), {"name": "HR", "scopes": ["roster.read", "enrollments"]})
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert secret.encode() in response.content and response["Cache-Control"] == "no-store"
    assert token.organization == liaison.organization and token.key_hash == key_digest(secret)
    assert secret not in str(ApiToken.objects.values().get())
    page = client.get(reverse("api:token_detail", args=[token.pk]))
    assert secret.encode() not in page.content and token.prefix.encode() in page.content


def test_an_officer_makes_district_wide_tokens_and_sees_no_organizations(client, role_users, make_api):
    make_api("liaison")
    client.force_login(role_users["training_officer"])
    client.post(reverse("api:token_new"), {"name": "District", "scopes": ["roster.read"]})
    assert ApiToken.objects.get(name="District").organization is None
    assert [t.name for t in client.get(reverse("api:tokens")).context["page"]] == ["District"]


def test_another_organizations_token_is_not_found(client, role_users, make_api, other_organization):
    token, _api = make_api("training_officer")
    client.force_login(role_users["liaison"])
    assert client.get(reverse("api:token_detail", args=[token.pk])).status_code == 404
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_a_revoked_token_is_refused(client, liaison, make_api):
    token, api = make_api()
    assert api.get(WORKERS).status_code == 200
    client.force_login(liaison)
    client.post(reverse("api:token_revoke", args=[token.pk]))
    response = api.get(WORKERS)
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert token.history.filter(history_change_reason="api.token_revoked").exists()


def test_an_expired_or_wrong_token_is_refused(make_api, api):
    token, expired = make_api(expires_at=timezone.now() + datetime.timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert expired.get(WORKERS).status_code == 401
    api.client.defaults["HTTP_AUTHORIZATION"] = f"Bearer zw_{token.prefix}_guessed"
    assert api.get(WORKERS).status_code == 401
    assert not ApiCall.objects.exists()


def test_no_token_no_session_access(client, liaison):
    client.force_login(liaison)
    response = client.get(WORKERS)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_a_missing_scope_is_refused(make_api):
    token, api = make_api(scopes=[Scope.ENROLLMENTS])
    response = api.get(WORKERS)
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"
    assert ApiCall.objects.get().status == 403


def test_an_address_outside_the_allowed_networks_is_refused(make_api):
    _token, api = make_api(networks=["203.0.113.0/24"])
    assert api.get(WORKERS, REMOTE_ADDR="127.0.0.1").status_code == 403
    api.client.defaults["REMOTE_ADDR"] = "203.0.113.9"
    assert api.get(WORKERS).status_code == 200


def test_each_call_is_recorded_and_read_in_the_activity_log(make_api, role_users, liaison):
    token, api = make_api()
    api.get(WORKERS)
    call = ApiCall.objects.get()
    assert (call.token, call.method, call.path, call.status, call.ip) == (token, "GET", WORKERS, 200, "127.0.0.1")
    token.refresh_from_db()
    assert token.last_used_at == call.at
    rows = list(log.entries(log.Filters(model="api.ApiCall")))
    [entry] = log.decorate(rows, role_users["auditor"])
    assert entry.user == liaison and "GET /api/v1/workers/" in entry.record


def test_the_activity_log_reads_api_calls_in_constant_queries(client, role_users, make_api,
                                                              django_assert_max_num_queries):
    _token, api = make_api()
    client.force_login(role_users["auditor"])
    api.get(WORKERS)
    client.get(reverse("audit:activity_log"))  # warm the caches
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("audit:activity_log"))
    first = len(few)
    for _ in range(15):
        api.get(WORKERS)
    with django_assert_max_num_queries(first):
        assert client.get(reverse("audit:activity_log")).status_code == 200


def test_the_token_pages_list_the_calls(client, liaison, make_api):
    token, api = make_api()
    api.get(WORKERS)
    client.force_login(liaison)
    page = client.get(reverse("api:token_detail", args=[token.pk]))
    assert b"/api/v1/workers/" in page.content
    assert client.get(reverse("api:tokens"), {"format": "xlsx"}).status_code == 200
