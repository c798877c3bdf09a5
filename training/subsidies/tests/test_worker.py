"""The claim engine in real Celery worker processes: queued from the page, and killed mid-run."""

import datetime

import pytest
from django.urls import reverse

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.tests.processes import run_with_kill, wait_for

from .. import engine
from ..models import Claim, Kind, Run
from ..tasks import compute_claims
from .factories import YEAR, policy
from .test_engine import certificate, insured, snapshot


def sources(count=24):
    for index in range(count):
        certificate(insured(24), issued_on=datetime.date(YEAR, 1 + index % 12, 10))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_officer_starts_a_run_and_the_worker_computes_it(client, worker_queue):
    policy(Kind.SKILL)
    sources(6)
    client.force_login(UserFactory(role=Role.TRAINING_OFFICER))
    response = client.post(reverse("subsidies:run_list"), {
        "period_start": f"{YEAR}-01-01", "period_end": f"{YEAR}-12-31", "claimed_on": f"{YEAR}-12-31"})
    run = Run.objects.get()
    assert response.url == reverse("subsidies:run_detail", args=[run.pk])
    assert wait_for(lambda: Run.objects.get(pk=run.pk).status == "done")
    assert Claim.objects.filter(run=run, status="pending").count() == 6



@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_and_the_job_run_again_leaves_the_claims_of_one_clean_run(settings, not_eager):
    policy(Kind.SKILL)
    policy(Kind.TRAINING)
    sources()
    clean = Run.objects.create(period_start=datetime.date(YEAR, 1, 1), period_end=datetime.date(YEAR, 12, 31),
                               claimed_on=datetime.date(YEAR, 12, 31))
    engine.run_execute(clean.pk)
    expected = snapshot()
    Claim.objects.all().delete()

    run = Run.objects.create(period_start=clean.period_start, period_end=clean.period_end,
                             claimed_on=clean.claimed_on)
    def killed():
        run_now = Run.objects.get(pk=run.pk)
        assert run_now.status == "running" and run_now.steps_done < run_now.steps_total
        assert 0 < Claim.objects.count() < len(expected)

    run_with_kill(settings, compute_claims, [run.pk], started=lambda: Run.objects.get(pk=run.pk).steps_done >= 16,
                  check_killed=killed, done=lambda: Run.objects.get(pk=run.pk).status == "done",
                  ZW_SUBSIDY_STEP_PAUSE="0.3")
    assert snapshot() == expected
