"""Uploaded files as the platform serves them back: a PDF (which may carry JavaScript) or an image is
shown inline but sandboxed, with a type from the platform's own list and no sniffing; a file gone
from storage is the not-found page, not a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competitions.models import InnovationProject, ProjectAttachment
from competitions.tests.factories import competition
from masters.models import Attachment
from masters.tests.factories import nomination, qualified_worker, selection_round
from zhangwan.reports.models import AnnualReport

pytestmark = pytest.mark.django_db
PDF_WITH_SCRIPT = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript "
                   b"/JS (app.alert(document.cookie)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def masters_attachment(liaison, organization, content_type):
    draft = nomination(selection_round(), worker=qualified_worker(employer=organization), status="draft",
                       created_by=liaison, source="organization")
    attachment = Attachment.objects.create(nomination=draft, name="推荐表.pdf", content_type=content_type,
                                           size=len(PDF_WITH_SCRIPT),
                                           file=SimpleUploadedFile("form.pdf", PDF_WITH_SCRIPT))
    return attachment, reverse("masters:attachment_file", args=[attachment.pk])


def project_attachment(liaison, organization, content_type):
    project = InnovationProject.objects.create(title="焊接夹具改进", organization=organization,
                                               competition=competition(kind="innovation", external=True))
    attachment = ProjectAttachment.objects.create(project=project, content_type=content_type,
                                                  size=len(PDF_WITH_SCRIPT),
                                                  file=SimpleUploadedFile("plan.pdf", PDF_WITH_SCRIPT))
    return attachment, reverse("competitions:attachment_download", args=[attachment.pk])


SERVED = {"masters": masters_attachment, "competitions": project_attachment}


def policy(response) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.mark.parametrize("kind", SERVED)
def test_a_pdf_is_shown_inline_in_a_sandbox_without_sniffing(client, liaison, organization, kind):
    _attachment, url = SERVED[kind](liaison, organization, "application/pdf")
    client.force_login(liaison)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_WITH_SCRIPT
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    directives = policy(response)
    assert "sandbox" in directives and directives["sandbox"] == ""  # no allow-scripts, no allow-same-origin
    assert directives["default-src"] == "'none'"


@pytest.mark.parametrize("kind", SERVED)
@pytest.mark.parametrize("stored_type", ["text/html", "image/svg+xml", "application/pdf; charset=x", ""])
def test_a_type_outside_the_platforms_list_is_sent_as_a_plain_download(client, liaison, organization, kind,
                                                                        stored_type):
    _attachment, url = SERVED[kind](liaison, organization, stored_type)
    client.force_login(liaison)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in policy(response)


@pytest.mark.parametrize("kind", SERVED)
def test_a_file_gone_from_storage_answers_the_not_found_page(client, liaison, organization, kind):
    attachment, url = SERVED[kind](liaison, organization, "application/pdf")
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(liaison)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_annual_report_gone_from_storage_answers_the_not_found_page(client, role_users):
    report = AnnualReport.objects.create(year=2022, language="zh-hans", status="done",
                                         requested_by=role_users["auditor"],
                                         file=SimpleUploadedFile("r.xlsx", b"PK\x03\x04 x"))
    client.force_login(role_users["auditor"])
    assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 200
    report.file.storage.delete(report.file.name)
    response = client.get(reverse("reports:report_download", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
