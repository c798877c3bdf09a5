"""Excel exports are limited per person, whichever list or file they come from."""

from django.urls import reverse

from zhangwan.excel import XLSX_CONTENT_TYPE
from zhangwan.ratelimit import EXPORTS


def export(client):
    return client.get(reverse("certification:certificate_list"), {"format": "xlsx"})


def test_exports_over_the_limit_are_refused_and_the_list_still_opens(client, role_users):
    client.force_login(role_users["certification_officer"])
    for _ in range(EXPORTS.limit):
        assert export(client)["Content-Type"] == XLSX_CONTENT_TYPE
    refused = export(client)
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()
    assert client.get(reverse("certification:certificate_list")).status_code == 200


def test_an_export_at_its_own_xlsx_address_counts_too(client, role_users):
    client.force_login(role_users["liaison"])
    for _ in range(EXPORTS.limit):
        assert client.get(reverse("registry:roster_export")).status_code == 200
    assert client.get(reverse("registry:roster_export")).status_code == 429


def test_one_persons_exports_do_not_hold_up_a_colleague_behind_the_same_proxy(client, role_users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(role_users["certification_officer"])
    for _ in range(EXPORTS.limit + 1):
        export(client)
    client.force_login(role_users["auditor"])
    assert export(client)["Content-Type"] == XLSX_CONTENT_TYPE
