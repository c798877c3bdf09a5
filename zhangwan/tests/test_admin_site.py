"""The admin builds its list of every model only on the pages that show it (zhangwan/admin_site.py)."""

from django.contrib import admin
from django.urls import reverse


def test_an_admin_change_page_does_not_build_the_list_of_every_model(client, role_users, organization, monkeypatch):
    built = []
    build = admin.site.get_app_list
    monkeypatch.setattr(admin.site, "get_app_list", lambda request, app_label=None: built.append(request.path)
                        or build(request, app_label))
    client.force_login(role_users["training_officer"])
    page = client.get(reverse("admin:registry_organization_change", args=[organization.pk]))
    assert page.status_code == 200 and organization.name in page.content.decode()
    assert built == []
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and reverse("admin:registry_organization_changelist") in index.content.decode()
    assert built == [reverse("admin:index")]
