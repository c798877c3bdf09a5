"""Faults: a real Celery worker killed with SIGKILL in the middle of each long job (results,
certification eligibility, masters eligibility; the claim engine's and the annual report's are in
their apps' test_worker.py), then the job run again: what is left equals what one clean run leaves."""

from decimal import Decimal

import pytest

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.tests.processes import run_with_kill

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def in_transaction():
    """Another backend of this database is inside a transaction, waiting: the job at its pause."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND state = 'idle in transaction'")
        return cursor.fetchone()[0] > 0


def test_results_killed_midway_then_rerun_equal_a_clean_run(settings, not_eager, organization):
    from competitions import services
    from competitions.models import Result
    from competitions.tasks import compute_results
    from competitions.tests.factories import competition, event, marking, welder

    contest = competition()
    events = [event(comp=contest, name=f"赛项{i}", judges=3, rules={"first": 1, "second": 1}) for i in range(3)]
    for ev in events:
        judges = [a.judge for a in ev.judges.order_by("pk")]
        for n in range(3):
            entry = services.entry_create(event=ev, organization=organization, user=None, worker=welder(organization))
            with marking(contest):
                for j, judge in enumerate(judges):
                    services.sheet_save(entry=entry, judge=judge, submit=True, marks={
                        p.pk: Decimal(60 + 7 * n + j) for p in ev.parts.all()})

    def snapshot():
        return sorted(Result.objects.values_list("entry_id", "final_score", "rank", "tier"))

    compute_results(contest.pk)
    clean = snapshot()
    Result.objects.all().delete()

    def killed():
        done = Result.objects.values("entry__event").distinct().count()
        assert 0 < done < len(events), done

    run_with_kill(settings, compute_results, [contest.pk], started=lambda: Result.objects.exists(), check_killed=killed,
                  ZW_JOB_STEP_PAUSE="1.5")
    assert snapshot() == clean


def test_certification_eligibility_killed_midway_then_rerun_equals_a_clean_run(settings, not_eager):
    from certification import services
    from certification.models import Application
    from certification.tasks import evaluate_eligibility
    from certification.tests.factories import session
    from zhangwan.registry.models import WorkerTrade
    from zhangwan.registry.tests.factories import WorkerFactory, trade

    s = session(level=5)
    for started in (2000, 2010, 2026, None, 2015, 2026):
        worker = WorkerFactory()
        if started:
            WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=started)
        services.application_submit(worker=worker, session=s, user=None)

    def snapshot():
        return sorted(Application.objects.values_list("pk", "status", "reasons"))

    services.eligibility_evaluate(session_id=s.pk)
    clean = snapshot()
    Application.objects.update(status="submitted", reasons=[], evaluated_at=None)
    def killed():  # the transaction died with the worker: nothing decided
        assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}

    run_with_kill(settings, evaluate_eligibility, [s.pk], started=in_transaction, check_killed=killed,
                  ZW_JOB_STEP_PAUSE="1.5")
    assert snapshot() == clean


def test_masters_eligibility_killed_midway_then_rerun_equals_a_clean_run(settings, not_eager):
    from masters.models import Nomination
    from masters.services.ranking import eligibility_run
    from masters.tasks import check_eligibility
    from masters.tests.factories import nomination, qualified_worker, selection_round

    round_ = selection_round()
    officer = UserFactory(role=Role.MASTERS_OFFICER)
    for worker in (qualified_worker(), qualified_worker(level=4), qualified_worker(started_year=2020)):
        nomination(round_, worker=worker, created_by=officer)

    def snapshot():
        return sorted(Nomination.objects.values_list("pk", "status", "reasons"))

    eligibility_run(round_id=round_.pk)
    clean = snapshot()
    Nomination.objects.update(status="submitted", reasons=[])

    def killed():
        assert set(Nomination.objects.values_list("status", flat=True)) == {"submitted"}

    run_with_kill(settings, check_eligibility, [round_.pk], started=in_transaction, check_killed=killed,
                  ZW_JOB_STEP_PAUSE="1.5")
    assert snapshot() == clean
