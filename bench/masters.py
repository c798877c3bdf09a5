"""Skills Masters: reviewer assignment for 500 nominations and 60 reviewers, and the set-based
ranking of them.

    .venv/bin/python bench/masters.py [--nominations 500] [--reviewers 60] [--repeat 3] [--keep-db]

Needs PostgreSQL (the server in $DATABASE_URL, as `make bench` sets it). Creates its own database
``zhangwan_bench_masters_<pid>``, migrates it and drops it at the end (also on failure or SIGTERM).

Seeds with bulk_create: 40 organizations; NOMINATIONS workers, each employed by one of them, with a
level-3 certificate and 10+ years in one of 9 trades; REVIEWERS reviewers (logins in the reviewer
role), a third of them working for one of the 40 organizations, each knowing 1–3 trades; one
declared conflict per 10 nominations; a round with 3 reviewers per nomination and two criteria; one
submitted nomination per worker.

Then REPEAT rounds, each from no assignments and every nomination eligible:

    eligibility  masters.services.ranking.eligibility_run (one UPDATE … FROM with the reasons)
    assign       masters.services.review.reviewers_assign: reads the pool and the conflicts, plans
                 (masters.assignment.plan), one bulk INSERT of assignments, the nominations moved
                 under review with their history rows, the reviewers notified (target < 5 s)
    ranking      every assignment scored (bulk, outside the timing), then
                 masters.services.ranking.ranking_compute (one UPDATE … FROM with window functions of the
                 rows whose figures change, and their history rows in one INSERT … SELECT)

and checks the plan: every nomination exactly 3 reviewers, none from its organization or with a
declared conflict, loads differing by at most one. Exit status 1 if a check or the target failed.
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

ASSIGN_TARGET = 5.0
YEAR = 2022


def seed(nominations, reviewers):
    from django.contrib.auth.models import Group

    from certification.models import Certificate
    from masters.models import Conflict, Criterion, Nomination, Reviewer, SelectionRound
    from zhangwan.accounts.models import User
    from zhangwan.accounts.roles import Role
    from zhangwan.registry.models import Organization, Trade, Worker, WorkerTrade

    rng = random.Random(2022)
    trades = list(Trade.objects.order_by("pk")[:9])
    Organization.objects.bulk_create(
        [Organization(name=f"压测企业{i}", credit_code=f"91420303MA{i:07d}X") for i in range(40)])
    organizations = list(Organization.objects.filter(name__startswith="压测企业"))
    workers = Worker.objects.bulk_create([
        Worker(name=f"候选人{i}", id_number=number, birth_date=born, gender="M", mobile=f"139{i:08d}",
               employer=rng.choice(organizations), insured_since=datetime.date(2010, 1, 1))
        for i, (born, number) in enumerate(harness.id_numbers(nominations, first_birthday=datetime.date(1970, 1, 1)))])
    trade_of = {w.pk: rng.choice(trades) for w in workers}
    WorkerTrade.objects.bulk_create([WorkerTrade(worker=w, trade=trade_of[w.pk], started_year=rng.randint(1990, 2012))
                                     for w in workers])
    Certificate.objects.bulk_create([Certificate(number=f"B{w.pk:09d}", holder=w, trade=trade_of[w.pk], level=3,
                                                 issued_on=datetime.date(2015, 6, 1), source="imported")
                                     for w in workers])
    group = Group.objects.get(name=Role.REVIEWER)
    users = User.objects.bulk_create([User(username=f"expert{i}", full_name=f"专家{i}") for i in range(reviewers)])
    group.user_set.add(*users)
    pool = Reviewer.objects.bulk_create([
        Reviewer(user=u, organization=rng.choice(organizations) if i % 3 == 0 else None) for i, u in enumerate(users)])
    knows = Reviewer.trades.through
    knows.objects.bulk_create([knows(reviewer_id=r.pk, trade_id=t.pk)
                               for r in pool for t in rng.sample(trades, rng.randint(1, 3))])
    Conflict.objects.bulk_create([Conflict(reviewer=rng.choice(pool), worker=w, reason="亲属")
                                  for w in rng.sample(workers, nominations // 10)], ignore_conflicts=True)
    round_ = SelectionRound.objects.create(
        name="压测评选", year=YEAR, quota=30, nominations_open=datetime.date(YEAR, 4, 1),
        nominations_close=datetime.date(YEAR, 5, 31), review_opens=datetime.date(YEAR, 6, 1),
        review_closes=datetime.date(YEAR, 6, 30), min_years_in_trade=8)
    Criterion.objects.bulk_create([Criterion(round=round_, name="技能", weight=60, max_score=100),
                                   Criterion(round=round_, name="贡献", weight=40, max_score=100)])
    officer = User.objects.create(username="officer", full_name="干事")
    Nomination.objects.bulk_create([
        Nomination(round=round_, nominee=w, trade=trade_of[w.pk], source="union", organization=w.employer,
                   statement="s", achievements="a", status="submitted", created_by=officer) for w in workers])
    return round_, officer


def reset(round_):
    from django.db import connection

    from masters.models import Assignment, Nomination
    from zhangwan.accounts.models import Notification

    Assignment.objects.all().delete()
    Nomination.objects.filter(round=round_).update(status="submitted", reasons=[], final_score=None, rank=None)
    Nomination.history.all().delete()
    Notification.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def score_everything(round_):
    from masters.models import Assignment, Score

    rng = random.Random(7)
    criteria = list(round_.criteria.all())
    assignments = list(Assignment.objects.filter(nomination__round=round_))
    Score.objects.bulk_create([Score(assignment=a, criterion=c, value=Decimal(rng.randint(50, 100)), max_score=100)
                               for a in assignments for c in criteria])
    for a in assignments:
        a.status, a.submitted_at, a.total = "submitted", datetime.datetime(YEAR, 6, 20, tzinfo=datetime.UTC), \
            Decimal(rng.randint(5000, 10000)) / 100
    Assignment.objects.bulk_update(assignments, ["status", "submitted_at", "total"], batch_size=2000)


def check(round_):
    from masters.assignment import Expert, Nominee, allowed
    from masters.models import Assignment, Reviewer
    from masters.selectors import blocked_pairs, waived_pairs

    problems = []
    pairs = list(Assignment.objects.filter(nomination__round=round_).values_list(
        "nomination_id", "reviewer_id", "nomination__organization_id"))
    per_nomination = Counter(n for n, _r, _o in pairs)
    if set(per_nomination.values()) != {round_.reviewers_per_nomination}:
        problems.append(f"reviewers per nomination: {sorted(set(per_nomination.values()))}")
    experts = {r.pk: Expert(id=r.pk, organization=r.organization_id) for r in Reviewer.objects.all()}
    blocked, waived = blocked_pairs(round_), waived_pairs(round_)
    bad = sum(not allowed(Nominee(id=n, organization=o, trade=0), experts[r], blocked, waived) for n, r, o in pairs)
    if bad:
        problems.append(f"{bad} assignments break a conflict")
    loads = Counter(r for _n, r, _o in pairs)
    values = [loads.get(r, 0) for r in experts]
    if max(values) - min(values) > 1:
        problems.append(f"loads from {min(values)} to {max(values)}")
    return problems, min(values), max(values)


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nominations", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database at the end")
    args = parser.parse_args()
    name = f"zhangwan_bench_masters_{__import__('os').getpid()}"
    harness.setup(name)

    from masters.services import ranking, review

    failures = []
    with harness.throwaway_database(name, keep=args.keep_db):
        when = harness.stamp()
        started = time.perf_counter()
        round_, officer = seed(args.nominations, args.reviewers)
        harness.say(f"seeded {args.nominations} nominations, {args.reviewers} reviewers in "
                    f"{time.perf_counter() - started:.1f} s\n")
        harness.say(f"{'run':>3}  {'eligibility':>11}  {'assign':>8} {'made':>5} {'loads':>7}  "
                    f"{'ranking':>8} {'ranked':>6}")  # ranked: rows whose figures changed (all, after reset)
        times = {"eligibility": [], "assign": [], "ranking": []}
        meter = harness.CpuMeter(db_name=name).start()
        for n in range(1, args.repeat + 1):
            reset(round_)
            t_elig, outcome = timed(ranking.eligibility_run, round_id=round_.pk)
            t_assign, result = timed(review.reviewers_assign, round_=round_, user=officer)
            problems, low, high = check(round_)
            failures += [f"run {n}: {p}" for p in problems]
            if result["short"]:
                failures.append(f"run {n}: {len(result['short'])} nominations short of reviewers")
            score_everything(round_)
            t_rank, ranked = timed(ranking.ranking_compute, round_=round_)
            times["eligibility"].append(t_elig)
            times["assign"].append(t_assign)
            times["ranking"].append(t_rank)
            harness.say(f"{n:>3}  {t_elig * 1000:>8.0f} ms  {t_assign * 1000:>5.0f} ms {result['assigned']:>5} "
                        f"{low:>3}–{high:<3}  {t_rank * 1000:>5.0f} ms {ranked:>6}")
            if outcome["eligible"] != args.nominations:
                failures.append(f"run {n}: {outcome['eligible']} eligible of {args.nominations}")
        meter.stop()
        assign = statistics.median(times["assign"])
        verdict = harness.judge(failures, meter, assign < ASSIGN_TARGET, "assignment",
                                f"takes {assign:.2f} s (target < {ASSIGN_TARGET:.0f} s)")
        harness.say(f"\nmedians: eligibility {statistics.median(times['eligibility']) * 1000:.0f} ms, "
                    f"assignment {assign * 1000:.0f} ms (target < {ASSIGN_TARGET:.0f} s: {verdict}), "
                    f"ranking {statistics.median(times['ranking']) * 1000:.0f} ms")
        harness.say(f"{when}\n{meter.line()}")
    sys.exit(harness.finish(failures))


if __name__ == "__main__":
    main()
