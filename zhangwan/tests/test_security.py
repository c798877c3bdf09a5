"""Security settings as a user (or an attacker) meets them: the Content-Security-Policy header and
templates that need no inline script, production cookies and HSTS, sessions that expire, uploads
that no static or media URL serves."""

import datetime
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from zhangwan.accounts.tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("zhangwan/*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def test_every_page_sends_a_policy_without_inline_scripts(client, db):
    response = client.get(reverse("training:catalogue"))
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"
    assert policy["form-action"] == "'self'"


def test_no_template_has_inline_script_event_handlers_or_javascript_urls():
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(templates) > 50
    found = []
    for path in templates:
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def test_production_settings_secure_cookies_hsts_and_shared_cache():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhangwan.settings_production",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "skills.zhangwan.example"}
    code = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({"
            "k: getattr(s, k) for k in ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
            "'SESSION_COOKIE_HTTPONLY', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
            "'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_AGE', 'X_FRAME_OPTIONS']} | "
            "{'cache': s.CACHES['default']['BACKEND']}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    values = json.loads(result.stdout)
    assert values == {
        "DEBUG": False, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_AGE": 8 * 3600, "X_FRAME_OPTIONS": "DENY", "cache": "zhangwan.cache.ResilientRedisCache",
    }


@pytest.mark.django_db
def test_a_session_lasts_eight_hours_and_then_asks_for_the_password_again(client):
    UserFactory(username="officer", role="training_officer")
    response = client.post(reverse("accounts:login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]
    page = reverse("training:class_list")
    assert client.get(page).status_code == 200

    session = Session.objects.get()
    assert session.expire_date - timezone.now() > datetime.timedelta(hours=7, minutes=59)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))  # eight hours later
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_uploads_live_outside_the_static_files_and_no_url_serves_them(client, settings, tmp_path):
    media = Path(settings.MEDIA_ROOT).resolve()
    for static in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        assert not media.is_relative_to(static.resolve())
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "nominations").mkdir()
    (tmp_path / "nominations" / "cv.pdf").write_bytes(b"%PDF-1.4 secret")
    for url in ("/media/nominations/cv.pdf", "/static/nominations/cv.pdf", "/nominations/cv.pdf"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))
