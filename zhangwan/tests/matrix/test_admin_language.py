"""The admin in Chinese: every page an officer or the superuser opens shows no English the project
controls (labels, headings, buttons, help, reasons, statuses, the axes section, the two-list picker's
JavaScript catalogue). Words that are data, proper names or abbreviations are allowed (ALLOWED).

Each officer walks the admin index and the changelist, add form, one change form and history page
of every model it may change; the superuser walks those pages of every model (a read-only role's pages
are the same ones without their buttons)."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from zhangwan.accounts.roles import STAFF_ROLES
from zhangwan.accounts.tests.factories import UserFactory

# Proper names, abbreviations and codes that stay as they are in Chinese text.
ALLOWED = {"ID", "IP", "URL", "HTTP", "Excel", "PDF", "QR", "SMS", "GET", "POST", "ZW", "UTC", "API", "JSON",
           "Argon", "PBKDF", "SHA", "sha", "argon", "pbkdf", "Django", "OK", "Ctrl", "Control", "Command", "Mac",
           "Web", "AM", "PM", "CSV", "xlsx", "jpg", "png", "pdf", "HH", "MM", "YYYY", "DD",
           "theory", "practical"}  # the last two: the matrix world's scoring parts, typed in by an officer
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
FILE_NAME = re.compile(r"\S*/\S*|\S+\.(pdf|png|jpe?g|xlsx)\b")  # an uploaded file's name or path is data
SKIPPED_TAGS = {"script", "style", "textarea", "code"}


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes (not scripts, styles, typed-in data) and the labels of
    buttons and placeholders."""

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.parts.append(a["value"])
        if a.get("placeholder"):
            self.parts.append(a["placeholder"])

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def english_words(html: str, data: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = FILE_NAME.sub(" ", text)
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def data_strings() -> set[str]:
    """What the pages show as data rather than as the project's words: the text typed into the
    records (names, numbers, references, usernames, file names, trades' English names, a browser's
    user agent), never a field with choices (a code shown instead of its label is the project's)."""
    from django.db import models

    values = set()
    for model in admin.site._registry:
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, (models.CharField, models.TextField, models.FileField, models.GenericIPAddressField))
                 and not f.choices]
        for row in model.objects.values_list(*names)[:200] if names else []:
            values |= {str(v) for v in row if v}
    return values | password_summaries()


def password_summaries() -> set[str]:
    """What the user page shows of each password: the hasher's name, its salt and hash half masked."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import identify_hasher

    values = set()
    for encoded in get_user_model().objects.values_list("password", flat=True)[:200]:
        try:
            values |= {str(v) for v in identify_hasher(encoded).safe_summary(encoded).values()}
        except ValueError:  # an unusable password has no hasher
            continue
    return values


def pages_for(user, everything: bool) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if not model_admin.has_view_permission(request):
            continue
        if not (everything or model_admin.has_change_permission(request) or model_admin.has_add_permission(request)):
            continue  # what only the superuser's walk opens: the same pages, read-only
        urls.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{name}_add"))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            urls += [reverse(f"{name}_change", args=[obj.pk]), reverse(f"{name}_history", args=[obj.pk])]
    return urls


def walk(client, user, everything):
    data, wrong = data_strings(), {}
    for url in pages_for(user, everything):
        response = client.get(url, headers={"accept-language": "zh-hans"})
        assert response.status_code == 200, url
        if words := english_words(response.content.decode(), data):
            wrong[url] = sorted(words)
    return wrong


@pytest.mark.parametrize("role", sorted(r.value for r in STAFF_ROLES))
def test_an_officers_admin_pages_are_all_chinese(client, role_users, objects, role):
    client.force_login(role_users[role])
    assert walk(client, role_users[role], everything=False) == {}


def test_the_superusers_admin_pages_are_all_chinese(client, objects):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    objects["policy"].save()  # a history page with a row in it
    client.force_login(superuser)
    assert walk(client, superuser, everything=True) == {}


def js_catalogue(client) -> dict:
    script = client.get(reverse("admin:jsi18n"), headers={"accept-language": "zh-hans"}).content.decode()
    return json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.S).group(1))


def test_the_two_list_picker_speaks_chinese(client, role_users):
    client.force_login(role_users["competitions_officer"])
    catalogue = js_catalogue(client)
    for msgid in ["Choose all %s", "Remove all %s", "Choose", "Remove", "Choose all", "Remove all",
                  'Choose %s by selecting them and then select the "Choose" arrow button.',
                  'Remove %s by selecting them and then select the "Remove" arrow button.',
                  "Type into this box to filter down the list of available %s."]:
        assert re.search(r"[\u4e00-\u9fff]", catalogue.get(msgid, "")), msgid
