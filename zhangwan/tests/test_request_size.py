"""The application refuses a request body over REQUEST_BODY_MAX_BYTES before anything reads it:
413 with a page in the user's language, nothing parsed, stored or recorded. Uploads within the
limit work as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from masters.models import Attachment
from masters.tests.factories import nomination, qualified_worker, selection_round

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "incoming"
    settings.MEDIA_ROOT.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return tmp_path


@pytest.fixture
def upload_url(liaison, organization):
    draft = nomination(selection_round(), worker=qualified_worker(employer=organization), status="draft",
                       created_by=liaison, source="organization")
    return reverse("masters:attachment_upload", args=[draft.pk])


def pdf(size):
    return SimpleUploadedFile("推荐表.pdf", b"%PDF-1.4\n" + b"0" * (size - 9))


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.parametrize(("language", "text"), [("en", "too large"), ("zh-hans", "过大")])
def test_a_30_mb_post_is_refused_with_413_in_the_users_language_and_nothing_is_written(
        client, liaison, media, upload_url, language, text):
    client.force_login(liaison)
    response = client.post(upload_url, {"file": pdf(30 * MB)}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 413
    page = response.content.decode()
    assert text in page and "20 MB" in page
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_body_over_the_limit_is_refused_on_any_url_even_logged_out(client, db, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    response = client.post(reverse("accounts:login"), {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413


def test_an_upload_within_the_limit_is_stored(client, liaison, media, upload_url):
    client.force_login(liaison)
    response = client.post(upload_url, {"file": pdf(8 * MB)})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.size == 8 * MB and attachment.file.read(5) == b"%PDF-"
