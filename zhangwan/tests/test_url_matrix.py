"""Every URL of the project, opened by every role and by an anonymous visitor.

A URL pattern that is not in EXPECTED (or covered by the admin rule) fails the test: each new
page must say who may open it. Statuses: 200 open, 302 sent elsewhere (login), 403 refused,
404 out of scope, 405 wrong method.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhangwan.accounts.roles import STAFF_ROLES, Role
from zhangwan.registry.models import Employment, WorkerTrade
from zhangwan.registry.tests.factories import WorkerFactory, trade

ANON = "anonymous"
ROLES = [ANON, *Role.values]
STAFF = {r.value for r in STAFF_ROLES}


def only(allowed: set[str], *, ok=200, denied=403, anon=302):
    return {r: anon if r == ANON else ok if r in allowed else denied for r in ROLES}


def everyone(status=200):
    return dict.fromkeys(ROLES, status)


def logged_in(status=200, anon=302):
    return {r: anon if r == ANON else status for r in ROLES}


ROSTER = STAFF | {Role.LIAISON.value}
# url name → (kwargs builder, {role: status}); a builder gets the test's objects.
EXPECTED = {
    "home": (None, everyone()),
    "healthz": (None, everyone()),
    "favicon": (None, everyone(301)),
    "set_language": (None, everyone(302)),
    "accounts:login": (None, {**logged_in(302), ANON: 200}),
    "accounts:logout": (None, everyone(405)),
    "accounts:password_change": (None, logged_in()),
    "accounts:password_done": (None, logged_in()),
    "accounts:claim": (None, {**logged_in(302), ANON: 200}),
    "accounts:claim_password": (None, everyone(302)),
    "accounts:profile": (None, only({Role.WORKER.value})),
    "accounts:profile_edit": (None, only({Role.WORKER.value})),
    "registry:roster": (None, only(ROSTER)),
    "registry:roster_export": (None, only(ROSTER)),
    "registry:roster_import": (None, only({Role.LIAISON.value})),
    "registry:roster_template": (None, only({Role.LIAISON.value})),
    "registry:worker_detail": (lambda o: {"pk": o["own_worker"].pk}, only(ROSTER)),
    "registry:worker_detail#other": (lambda o: {"pk": o["other_worker"].pk},
                                      {**only(ROSTER), Role.LIAISON.value: 404}),
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


@pytest.fixture
def objects(role_users, organization, other_organization):
    own = WorkerFactory(employer=organization)
    Employment.objects.create(worker=own, organization=organization, started_on="2020-01-01")
    WorkerTrade.objects.create(worker=own, trade=trade(), started_year=2015)
    return {"own_worker": own, "other_worker": WorkerFactory(employer=other_organization)}


@pytest.mark.parametrize("entry", sorted(EXPECTED))
def test_url_answers_each_role_as_expected(client, role_users, objects, entry):
    build, expected = EXPECTED[entry]
    url = reverse(entry.split("#")[0], kwargs=build(objects) if build else None)
    seen = {}
    for role in ROLES:
        client.logout()
        if role != ANON:
            client.force_login(role_users[role])
        seen[role] = client.get(url).status_code
    assert seen == expected


# The admin: anonymous visitors and roles that are not staff are sent to the admin login;
# staff see what their role's permissions allow; the auditor changes nothing.
ADMIN_MODELS = {
    "registry_worker": {"view": STAFF, "add": {Role.TRAINING_OFFICER.value, Role.CERTIFICATION_OFFICER.value}},
    "registry_organization": {"view": STAFF, "add": {Role.TRAINING_OFFICER.value, Role.CERTIFICATION_OFFICER.value}},
    "registry_employment": {"view": STAFF, "add": {Role.TRAINING_OFFICER.value, Role.CERTIFICATION_OFFICER.value}},
    "registry_workertrade": {"view": STAFF, "add": {Role.TRAINING_OFFICER.value, Role.CERTIFICATION_OFFICER.value}},
    "registry_trade": {"view": STAFF, "add": set()},
    "accounts_user": {"view": {Role.AUDITOR.value}, "add": set()},
}


def admin_expected(action: str, spec) -> dict:
    allowed = spec["add"] if action == "add" else spec["view"]
    return {r: 302 if r == ANON or r not in STAFF else 200 if r in allowed else 403 for r in ROLES}


def test_every_admin_model_is_in_the_matrix():
    from django.contrib import admin

    registered = {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
    registered -= {"auth_group", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog",
                   "axes_accessattemptexpiration"}
    assert registered - set(ADMIN_MODELS) == set()


@pytest.mark.parametrize("model", sorted(ADMIN_MODELS))
@pytest.mark.parametrize("action", ["changelist", "add", "change", "history"])
def test_admin_answers_each_role_as_expected(client, role_users, objects, model, action):
    from django.apps import apps

    app_label, model_name = model.split("_", 1)
    Model = apps.get_model(app_label, model_name)
    instance = objects["own_worker"] if Model.__name__ == "Worker" else Model.objects.order_by("pk").first()
    kwargs = {"object_id": instance.pk} if action in ("change", "history") else None
    url = reverse(f"admin:{model}_{action}", kwargs=kwargs)
    expected = admin_expected(action, ADMIN_MODELS[model])
    if model == "registry_worker" and action == "history":
        # Worker history shows full identity numbers: only roles allowed to see them.
        full = {Role.TRAINING_OFFICER.value, Role.CERTIFICATION_OFFICER.value, Role.FINANCE_OFFICER.value,
                Role.AUDITOR.value}
        expected = {r: s if s != 200 or r in full else 403 for r, s in expected.items()}
    seen = {}
    for role in ROLES:
        client.logout()
        if role != ANON:
            client.force_login(role_users[role])
        seen[role] = client.get(url).status_code
    assert seen == expected


def test_auditor_sees_a_worker_read_only(client, role_users, objects):
    client.force_login(role_users[Role.AUDITOR.value])
    url = reverse("admin:registry_worker_change", args=[objects["own_worker"].pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    response = client.post(url, {"name": "改名", "mobile": "13900000000"})
    assert response.status_code == 403
    objects["own_worker"].refresh_from_db()
    assert objects["own_worker"].name != "改名"
