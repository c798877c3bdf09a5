"""A long claims export is written by a background job, with progress, for the requester only."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.jobs.models import ExportJob
from zhangwan.registry.tests.factories import OrganizationFactory, WorkerFactory

from .factories import claim, policy


@pytest.fixture
def claims(db):
    skill = policy()
    employer = OrganizationFactory()
    kept = [claim(policy=skill, worker=WorkerFactory(employer=employer), status="pending") for _ in range(4)]
    claim(policy=skill, status="pending")  # another employer's: filtered out
    claim(policy=skill)  # approved: filtered out
    return employer, kept


def workbook_rows(content):
    return list(load_workbook(io.BytesIO(content)).active.values)[1:]  # below the title row


def test_a_long_export_runs_as_a_job_and_gives_the_rows_the_page_shows(client, claims, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.EXPORT_DIRECT_ROWS = 3
    employer, kept = claims
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    client.force_login(officer)
    query = {"status": "pending", "employer": employer.pk}
    page = client.get(reverse("subsidies:claim_list"), query)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("subsidies:claim_list"), {**query, "format": "xlsx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:export_detail", args=[job.pk])
    assert (job.status, job.percent, job.rows_done, job.rows_total) == ("done", 100, 4, 4)
    progress = client.get(reverse("jobs:export_detail", args=[job.pk])).content.decode()
    assert "100%" in progress and reverse("jobs:export_download", args=[job.pk]) in progress
    download = client.get(reverse("jobs:export_download", args=[job.pk]))
    rows = workbook_rows(b"".join(download.streaming_content))
    assert sorted(r[0] for r in rows[1:]) == sorted(c.pk for c in kept)
    assert [c.pk for c in page.context["page"]] == sorted((c.pk for c in kept), reverse=True)


def test_only_the_requester_can_see_or_download_the_export(client, claims, settings,
                                                          django_capture_on_commit_callbacks):
    settings.EXPORT_DIRECT_ROWS = 0
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("subsidies:claim_list"), {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert client.get(reverse("jobs:export_download", args=[job.pk])).status_code == 200
    for other in (UserFactory(role=Role.FINANCE_OFFICER), UserFactory(role=Role.AUDITOR)):
        client.force_login(other)
        assert client.get(reverse("jobs:export_download", args=[job.pk])).status_code == 404
        assert client.get(reverse("jobs:export_detail", args=[job.pk])).status_code == 404


def test_a_liaisons_export_job_keeps_to_their_organization(client, claims, settings,
                                                          django_capture_on_commit_callbacks):
    settings.EXPORT_DIRECT_ROWS = 0
    employer, kept = claims
    client.force_login(UserFactory(role=Role.LIAISON, organization=employer))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("subsidies:organization"), {"format": "xlsx"})
    job = ExportJob.objects.get()
    rows = workbook_rows(b"".join(client.get(reverse("jobs:export_download", args=[job.pk])).streaming_content))
    assert sorted(r[0] for r in rows[1:]) == sorted(c.pk for c in kept)


def test_a_short_export_is_answered_at_once(client, claims):
    client.force_login(UserFactory(role=Role.TRAINING_OFFICER))
    response = client.get(reverse("subsidies:claim_list"), {"format": "xlsx"})
    assert response.status_code == 200 and len(workbook_rows(response.content)) == 7
    assert not ExportJob.objects.exists()


def test_running_the_job_twice_writes_one_file_once(claims, settings):
    from zhangwan.jobs.exports import export_make, export_start
    from zhangwan.jobs.tasks import make_export

    officer = UserFactory(role=Role.AUDITOR)
    job = export_start(name="subsidy-claims", user=officer, params="status=pending", language="zh-hans")
    make_export(job.pk)
    first = ExportJob.objects.get(pk=job.pk)
    assert export_make(job.pk).file.name == first.file.name and first.rows_done == 5


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_the_export(client, settings, worker_queue):
    from zhangwan.tests.processes import wait_for

    settings.EXPORT_DIRECT_ROWS = 0
    skill = policy()
    made = [claim(policy=skill) for _ in range(3)]
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    response = client.get(reverse("subsidies:claim_list"), {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert wait_for(lambda: ExportJob.objects.get(pk=job.pk).finished, seconds=60)
    download = client.get(reverse("jobs:export_download", args=[job.pk]))
    assert sorted(r[0] for r in workbook_rows(b"".join(download.streaming_content))[1:]) == [c.pk for c in made]
