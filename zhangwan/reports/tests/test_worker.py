"""The annual report in real Celery worker processes: a worker killed midway, the job run again."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from training.services import enrollment_register
from training.tests.factories import open_class
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.processes import run_with_kill

from .. import services, workbook
from ..models import AnnualReport
from ..tasks import make_annual_report


def cells(path):
    from zhangwan.reports.management.commands.backup_drill import cells as read

    return read(path)



@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_midway_and_the_job_run_again_gives_the_clean_report(settings, not_eager, organization,
                                                                             tmp_path):
    cls = open_class(provider=organization)
    for _ in range(5):
        enrollment_register(worker=WorkerFactory(employer=organization), training_class=cls, user=None,
                            channel="staff")
    year = cls.starts_on.year
    clean = tmp_path / "clean.xlsx"
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    with translation.override("zh-hans"):
        workbook.build(clean, year, made_by=officer)  # the title rows name who asked, as the job's do
    report = AnnualReport.objects.create(year=year, language="zh-hans", requested_by=officer,
                                         steps_total=len(workbook.SHEETS) + 1)

    def killed():
        stopped = AnnualReport.objects.get(pk=report.pk)
        assert stopped.status == "running" and stopped.steps_done < stopped.steps_total and not stopped.file

    run_with_kill(settings, make_annual_report, [report.pk],
                  started=lambda: AnnualReport.objects.get(pk=report.pk).steps_done >= 3, check_killed=killed,
                  done=lambda: AnnualReport.objects.get(pk=report.pk).status == "done", ZW_REPORT_STEP_PAUSE="0.5")
    report.refresh_from_db()
    assert report.steps_done == report.steps_total
    assert cells(report.file.path) == cells(clean)


@pytest.mark.django_db
def test_a_report_interrupted_long_ago_no_longer_blocks_its_year(role_users, django_capture_on_commit_callbacks):
    stuck = AnnualReport.objects.create(year=2022, language="zh-hans", status="running",
                                        requested_by=role_users["training_officer"])
    AnnualReport.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=False):
        fresh = services.report_start(year=2022, user=role_users["training_officer"], language="zh-hans")
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == ("failed", "interrupted") and fresh.status == "queued"


@pytest.mark.django_db
def test_a_report_being_made_now_still_blocks_its_year(role_users):
    AnnualReport.objects.create(year=2022, language="zh-hans", status="running",
                                requested_by=role_users["training_officer"])
    with pytest.raises(services.ReportError):
        services.report_start(year=2022, user=role_users["training_officer"], language="zh-hans")
