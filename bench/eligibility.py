"""Certification eligibility: eligibility_evaluate on 30,000 submitted applications, beside
hand-written SQL doing the same work.

    .venv/bin/python bench/eligibility.py [--workers 30000] [--repeat 3] [--profile] [--keep-db]

Needs PostgreSQL (the server in $DATABASE_URL, as `make bench` sets it). Creates its own database
``zhangwan_bench_elig_<pid>``, migrates it (which seeds the default eligibility rules), and drops it
at the end, also on failure or SIGTERM. No gunicorn: everything runs in this process.

Seeds with bulk_create: WORKERS workers (valid identity numbers, a spread of education), a
WorkerTrade each (a tenth with a second trade) started 1985–2025; certificate histories in their
trades (none for about 45 %, else a chain of levels 5 → 1 with gaps of 1–6 years, some levels
skipped, some issued on 29 February, 2 % revoked, a few in another trade); 600 rights to apply
from competition awards (EligibilityGrant, each on a published competition Result); 105 sessions
(7 trades × levels 5–1 × 3 dates, one of them 29 February 2024); two rules of one trade's own for
level 3 (replacing the general ones for it); and one `submitted` application
per worker — mostly one level above what they hold, some for a level they hold, two up, in a trade
they do not practise, or for the level of their right.

Then REPEAT times, one after the other, from all applications `submitted` (statuses, reasons and
evaluated_at reset; the application history rows deleted; VACUUM ANALYZE before each side):

    service  certification.services.eligibility_evaluate(): reads, decide() per application, one
             UPDATE of status, reasons and evaluated_at, a history row each (record_history), the
             workers' notifications (none here: no bench worker has an account), one transaction
    sql      the same work by hand (WRITE_SQL), one statement in one transaction: decides every
             submitted application from the rules table like services.decide, builds the same
             reasons as jsonb (codes, parameters and order), UPDATEs status, reasons and evaluated_at,
             and INSERTs … SELECTs the updated rows into the history table (record_history's columns,
             reason and type)
    select   the decisions only (DECIDE_SQL, a SELECT of id → eligible, nothing written): printed
             for the record, not the target, since it does a fraction of the work

Each round runs every side twice, at the same settings each time: at the server's defaults (the
planner may switch JIT compilation on, for the statements and for the service's queries alike) and
with `SET jit = off` for the session. Checks that the statuses AND reasons the service wrote equal
the SQL's for every application, and its statuses the SELECT's (0 mismatches), and that each side
wrote one history row per application; prints min and median of each, the ratio service / SQL
doing the same work at each setting (target ≤ 3× for both; the ratio to the SELECT is shown too),
the CPU the rest of the machine used meanwhile (no target is judged above 0.2 core), where the
service's time goes (reads, decide(), the reasons and the UPDATE, the history rows, COMMIT), and a
cProfile with --profile or when the target is missed. Exit status 1 if a check or the target failed.
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

DB_NAME = f"zhangwan_bench_elig_{os.getpid()}"  # two runs on one server never meet
RATIO_TARGET = 3.0
BATCH = 5000
TRADES = ["6-22-02-01", "6-18-02-04", "6-18-01-01", "6-20-03-01", "6-30-99-00", "6-31-01-03", "6-02-06-01"]
SESSION_DATES = [datetime.date(2024, 2, 29), datetime.date(2025, 6, 14), datetime.date(2026, 11, 21)]
GRANTS = 600

# Every submitted application's decision in one statement. %(education)s is the order of
# Worker.Education (services.EDUCATION_ORDER).
DECIDE_SQL = """
SELECT a.id,
       CASE
         WHEN EXISTS (SELECT 1 FROM certification_certificate c
                      WHERE c.holder_id = a.worker_id AND c.trade_id = s.trade_id AND c.status = 'valid'
                        AND c.level <= s.level) THEN FALSE
         WHEN EXISTS (SELECT 1 FROM certification_eligibilitygrant g
                      WHERE g.worker_id = a.worker_id AND g.trade_id = s.trade_id AND g.level = s.level) THEN TRUE
         ELSE EXISTS (
           SELECT 1 FROM certification_eligibilityrule r
           WHERE r.active AND r.level = s.level
             AND (r.trade_id = s.trade_id
                  OR (r.trade_id IS NULL AND NOT EXISTS (
                        SELECT 1 FROM certification_eligibilityrule t
                        WHERE t.active AND t.level = s.level AND t.trade_id = s.trade_id)))
             AND (r.min_trade_years IS NULL
                  OR COALESCE(EXTRACT(YEAR FROM s.date)::int - wt.started_year, 0) >= r.min_trade_years)
             AND (r.previous_level IS NULL OR EXISTS (
                    SELECT 1 FROM certification_certificate p
                    WHERE p.holder_id = a.worker_id AND p.trade_id = s.trade_id AND p.status = 'valid'
                      AND p.level = r.previous_level
                      AND (COALESCE(r.previous_held_years, 0) = 0
                           OR p.issued_on <= (s.date - make_interval(years => r.previous_held_years))::date)))
             AND (r.min_education = ''
                  OR array_position(%(education)s::text[], w.education)
                     >= array_position(%(education)s::text[], r.min_education)))
       END AS eligible
FROM certification_application a
JOIN certification_assessmentsession s ON s.id = a.session_id
JOIN registry_worker w ON w.id = a.worker_id
LEFT JOIN registry_workertrade wt ON wt.worker_id = a.worker_id AND wt.trade_id = s.trade_id
WHERE a.status = 'submitted'
"""


# Every submitted application decided, its status, reasons and evaluated_at written, and a history row
# each, by hand in one statement (one transaction): the same work eligibility_evaluate does, with the
# same reasons as services.decide() (same codes, parameters and order; compared as jsonb).
#   already_held  a valid certificate of the level or higher in the trade; params.level = the highest
#                 held (the smallest number), like min(facts.certificates)
#   competition   a right (EligibilityGrant) for the level
#   rule          the first active rule by id (the trade's own rules replacing the general ones) whose
#                 conditions all hold
#   rule_failed   else one per rule, by id, with details in decide()'s order: trade_years (have =
#                 session year − started year, 0 without the trade), no_certificate / held_too_short
#                 (the earliest valid certificate of the previous level, `since` as an ISO date),
#                 education
#   no_rule       no active rule for the level
# {columns} are the history table's copies of the application's columns (record_history's).
WRITE_SQL = """
WITH pending AS MATERIALIZED (  -- each applicant's facts once
  SELECT a.id, a.worker_id, s.trade_id, s.level, s.date, w.education,
         CASE WHEN wt.started_year IS NULL THEN 0
              ELSE EXTRACT(YEAR FROM s.date)::int - wt.started_year END AS years,
         held.top, held.top <= s.level AS held,
         EXISTS (SELECT 1 FROM certification_eligibilitygrant g
                 WHERE g.worker_id = a.worker_id AND g.trade_id = s.trade_id AND g.level = s.level) AS granted
  FROM certification_application a
  JOIN certification_assessmentsession s ON s.id = a.session_id
  JOIN registry_worker w ON w.id = a.worker_id
  LEFT JOIN registry_workertrade wt ON wt.worker_id = a.worker_id AND wt.trade_id = s.trade_id
  CROSS JOIN LATERAL (SELECT min(c.level) AS top FROM certification_certificate c
                      WHERE c.holder_id = a.worker_id AND c.trade_id = s.trade_id
                        AND c.status = %(valid)s) AS held
  WHERE a.status = %(submitted)s
),
decided AS (
  SELECT p.id,
         CASE WHEN p.held THEN FALSE WHEN p.granted THEN TRUE ELSE r.passed IS NOT NULL END AS eligible,
         CASE WHEN p.held
                THEN jsonb_build_array(jsonb_build_object('code', 'already_held', 'params',
                                                          jsonb_build_object('level', p.top)))
              WHEN p.granted
                THEN jsonb_build_array(jsonb_build_object('code', 'competition', 'params',
                                                          jsonb_build_object('level', p.level)))
              WHEN r.passed IS NOT NULL
                THEN jsonb_build_array(jsonb_build_object('code', 'rule', 'params',
                                                          jsonb_build_object('rule', r.passed)))
              WHEN r.failed IS NOT NULL THEN r.failed
              ELSE jsonb_build_array(jsonb_build_object('code', 'no_rule', 'params',
                                                        jsonb_build_object('level', p.level)))
         END AS reasons
  FROM pending p
  CROSS JOIN LATERAL (  -- the rules, only for those neither holding the level nor granted it
    SELECT (array_agg(x.name ORDER BY x.id) FILTER (WHERE x.details = '[]'::jsonb))[1] AS passed,
           jsonb_agg(jsonb_build_object('code', 'rule_failed', 'params', jsonb_build_object('rule', x.name),
                                        'details', x.details) ORDER BY x.id) AS failed
    FROM (
      SELECT q.id, q.name, to_jsonb(array_remove(ARRAY[
               CASE WHEN q.min_trade_years IS NOT NULL AND p.years < q.min_trade_years
                    THEN jsonb_build_object('code', 'trade_years', 'params',
                                            jsonb_build_object('need', q.min_trade_years,
                                                               'have', GREATEST(p.years, 0))) END,
               CASE WHEN q.previous_level IS NULL THEN NULL
                    WHEN prev.issued IS NULL
                    THEN jsonb_build_object('code', 'no_certificate', 'params',
                                            jsonb_build_object('level', q.previous_level))
                    WHEN COALESCE(q.previous_held_years, 0) <> 0
                         AND prev.issued > (p.date - make_interval(years => q.previous_held_years))::date
                    THEN jsonb_build_object('code', 'held_too_short', 'params',
                                            jsonb_build_object('level', q.previous_level,
                                                               'need', q.previous_held_years,
                                                               'since', to_char(prev.issued, 'YYYY-MM-DD'))) END,
               CASE WHEN q.min_education <> ''
                         AND array_position(%(education)s::text[], p.education)
                             < array_position(%(education)s::text[], q.min_education)
                    THEN jsonb_build_object('code', 'education', 'params',
                                            jsonb_build_object('need', q.min_education)) END
             ]::jsonb[], NULL)) AS details
      FROM certification_eligibilityrule q
      LEFT JOIN LATERAL (  -- the earliest valid certificate of the previous level
        SELECT min(c.issued_on) AS issued FROM certification_certificate c
        WHERE q.previous_level IS NOT NULL AND c.holder_id = p.worker_id AND c.trade_id = p.trade_id
          AND c.status = %(valid)s AND c.level = q.previous_level) AS prev ON TRUE
      WHERE NOT COALESCE(p.held, FALSE) AND NOT p.granted
        AND q.active AND q.level = p.level
        AND (q.trade_id = p.trade_id
             OR (q.trade_id IS NULL AND NOT EXISTS (
                   SELECT 1 FROM certification_eligibilityrule t
                   WHERE t.active AND t.level = p.level AND t.trade_id = p.trade_id)))
    ) AS x
  ) AS r
),
updated AS (
  UPDATE certification_application a
  SET status = CASE WHEN d.eligible THEN %(eligible)s ELSE %(ineligible)s END,
      reasons = d.reasons, evaluated_at = %(now)s
  FROM decided d
  WHERE a.id = d.id
  RETURNING a.*
)
INSERT INTO certification_historicalapplication
  ({columns}, history_date, history_change_reason, history_type, history_user_id)
SELECT {columns}, %(now)s, %(reason)s, '~', NULL FROM updated
"""

# --- database ---------------------------------------------------------------------------------

# --- seed -------------------------------------------------------------------------------------

def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def some_day(rng, year):
    """A day of the year; now and then 29 February (of a leap year), to test whole years."""
    if year % 4 == 0 and rng.random() < 0.05:
        return datetime.date(year, 2, 29)
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def seed(count: int):
    from django.utils import timezone

    from certification.models import (
        Application,
        AssessmentBody,
        AssessmentSession,
        Certificate,
        EligibilityGrant,
        EligibilityRule,
    )
    from competitions.models import Competition, Entry, Event, Result, Tier, Upgrade
    from zhangwan.registry.models import Organization, Trade, Worker, WorkerTrade
    from zhangwan.registry.validators import credit_code_check_char

    rng = random.Random(20261125)
    code = "91420303BENCH0001"
    org = Organization.objects.create(name="压测鉴定单位", credit_code=code + credit_code_check_char(code),
                                      kind=Organization.Kind.ENTERPRISE)
    educations = [value for value, _label in Worker.Education.choices]
    workers = Worker.objects.bulk_create(
        [Worker(name=f"职工{n:05d}", id_number=number, birth_date=born, gender="M" if int(number[16]) % 2 else "F",
                mobile=f"166{n:08d}", employer=org,
                education=rng.choices(educations, weights=(2, 20, 40, 25, 11, 2))[0])
         for n, (born, number) in enumerate(harness.id_numbers(count, first_birthday=datetime.date(1966, 1, 1),
                                                               days=14000))],
        batch_size=BATCH)
    trades = [Trade.objects.get(code=c) for c in TRADES]

    # Trades: one each, a tenth a second one.
    primary, since, worker_trades = {}, {}, []
    for w in workers:
        first = rng.choice(trades)
        primary[w.pk] = first
        for t in [first] + ([rng.choice([t for t in trades if t != first])] if rng.random() < 0.1 else []):
            since[(w.pk, t.pk)] = max(w.birth_date.year + 18, rng.randint(1985, 2025))
            worker_trades.append(WorkerTrade(worker=w, trade=t, started_year=since[(w.pk, t.pk)]))
    WorkerTrade.objects.bulk_create(worker_trades, batch_size=BATCH)

    # Certificate histories: a chain 5 → highest, gaps of 1–6 years, some levels skipped.
    certificates, highest = [], {}
    for w in workers:
        t = primary[w.pk]
        top = rng.choices([None, 5, 4, 3, 2, 1], weights=(45, 20, 17, 11, 5, 2))[0]
        if top is not None:
            year = since[(w.pk, t.pk)] + rng.randint(1, 4)
            for level in range(5, top - 1, -1):
                if level != top and rng.random() < 0.2:
                    continue  # skipped (got the next one by years or elsewhere)
                if year > 2026:
                    break
                certificates.append((w, t, level, some_day(rng, year)))
                highest[w.pk] = level
                year += rng.randint(1, 6)
        if rng.random() < 0.03:  # one in a trade the application is not for
            other = rng.choice([x for x in trades if x != t])
            certificates.append((w, other, rng.randint(2, 5), some_day(rng, rng.randint(2000, 2025))))
    rows = []
    for n, (w, t, level, day) in enumerate(certificates):
        revoked = rng.random() < 0.02
        rows.append(Certificate(number=f"BENCH{n:08d}", holder=w, trade=t, level=level, issued_on=day,
                                issuer_name="压测", source=Certificate.Source.IMPORTED,
                                status=Certificate.Status.REVOKED if revoked else Certificate.Status.VALID,
                                revoked_reason="压测撤销" if revoked else ""))
    Certificate.objects.bulk_create(rows, batch_size=BATCH)

    # Rights from competition awards, each on a Result of a published competition.
    competition = Competition.objects.create(name="压测职业技能大赛", year=2025, level=Competition.Level.CITY,
                                             starts_on=datetime.date(2025, 10, 1), ends_on=datetime.date(2025, 10, 3),
                                             external=True, results_published=True)
    events = {t.pk: Event.objects.create(competition=competition, name=t.name_zh, trade=t) for t in trades}
    granted_workers = rng.sample(workers, GRANTS)
    entries = Entry.objects.bulk_create([Entry(event=events[primary[w.pk].pk], worker=w, organization=org, bib=n + 1)
                                         for n, w in enumerate(granted_workers)], batch_size=BATCH)
    results = Result.objects.bulk_create([Result(entry=e, rank=n + 1, tier=Tier.SECOND, upgrade=Upgrade.APPLY_UP,
                                                 recorded=True) for n, e in enumerate(entries)], batch_size=BATCH)
    grants, grant_level = [], {}
    for w, r in zip(granted_workers, results, strict=True):
        level = max(1, highest.get(w.pk, 5) - 1) if w.pk in highest else 4
        grant_level[w.pk] = level
        grants.append(EligibilityGrant(worker=w, trade=primary[w.pk], level=level, competition_result=r,
                                       granted_on=datetime.date(2025, 11, 1)))
    EligibilityGrant.objects.bulk_create(grants, batch_size=BATCH)

    # Sessions: every trade × level × date.
    code = "91420303BENCH0002"
    body_org = Organization.objects.create(name="压测认定机构", credit_code=code + credit_code_check_char(code),
                                           kind=Organization.Kind.SCHOOL)
    body = AssessmentBody.objects.create(name="压测职业技能等级认定中心", organization=body_org)
    opens = timezone.make_aware(datetime.datetime(2023, 1, 1))
    sessions = AssessmentSession.objects.bulk_create(
        [AssessmentSession(body=body, trade=t, level=level, date=day, venue="压测考场", capacity=count,
                           applications_open=opens, applications_close=opens + datetime.timedelta(days=30))
         for t in trades for level in (5, 4, 3, 2, 1) for day in SESSION_DATES])
    by_key = {(s.trade_id, s.level, s.date): s for s in sessions}

    # One trade's own rules for level 3, which replace the general ones for it (services.decide).
    EligibilityRule.objects.bulk_create([
        EligibilityRule(level=3, trade=trades[1], name="本工种：取得四级证书后工作满3年且从事本职业满5年",
                        previous_level=4, previous_held_years=3, min_trade_years=5),
        EligibilityRule(level=3, trade=trades[1], name="本工种：高中以上学历，从事本职业工作满10年",
                        min_trade_years=10, min_education=Worker.Education.SENIOR),
    ])

    # One application per worker.
    applications, kinds = [], Counter()
    for w in workers:
        t = primary[w.pk]
        held = highest.get(w.pk)
        u = rng.random()
        if w.pk in grant_level and u < 0.7:
            kind, level = "right", grant_level[w.pk]
        elif u < 0.05:
            kind, level = "other trade", rng.randint(1, 5)
            t = rng.choice([x for x in trades if x != t])
        elif u < 0.15:
            kind, level = "held", held or 5
        elif u < 0.25:
            kind, level = "two up", (held or 6) - 2
        elif u < 0.32:
            kind, level = "any", rng.randint(1, 5)
        else:
            kind, level = "next", (held or 6) - 1
        level = min(5, max(1, level))
        kinds[kind] += 1
        applications.append(Application(worker=w, session=by_key[(t.pk, level, rng.choice(SESSION_DATES))]))
    Application.objects.bulk_create(applications, batch_size=BATCH)
    harness.vacuum("registry_worker", "registry_workertrade", "certification_certificate",
                   "certification_eligibilitygrant", "certification_assessmentsession", "certification_application",
                   "certification_eligibilityrule")
    return {"workers": len(workers), "worker trades": len(worker_trades), "certificates": len(rows),
            "revoked": sum(c.status == Certificate.Status.REVOKED for c in rows), "grants": len(grants),
            "sessions": len(sessions), "applications": len(applications)}, kinds


# --- measurements -----------------------------------------------------------------------------

def reset():
    """Every application submitted again, undecided; the history rows of the runs gone."""
    from django.db import connection

    from certification.models import Application

    table, history = Application._meta.db_table, Application.history.model._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET status = 'submitted', reasons = '[]'::jsonb, evaluated_at = NULL")
        cur.execute(f"DELETE FROM {history}")
    harness.vacuum(table, history)


def sql_decisions():
    """The statement's rows, at the session's settings (see jit_session)."""
    from django.db import connection, transaction

    from certification.services import EDUCATION_ORDER

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(DECIDE_SQL, {"education": EDUCATION_ORDER})
        return cur.fetchall()


def sql_write():
    """WRITE_SQL in one transaction (committed, like the service's): how many history rows it wrote."""
    from django.db import connection, transaction
    from django.utils import timezone

    from certification.models import Application, Certificate
    from certification.services import EDUCATION_ORDER
    from zhangwan.history import HISTORY_FIELDS, reason_key

    history = Application.history.model._meta
    columns = ", ".join(connection.ops.quote_name(f.column) for f in history.concrete_fields
                        if f.name not in HISTORY_FIELDS)
    params = {"education": EDUCATION_ORDER, "valid": Certificate.Status.VALID,
              "submitted": Application.Status.SUBMITTED, "eligible": Application.Status.ELIGIBLE,
              "ineligible": Application.Status.INELIGIBLE, "now": timezone.now(),
              "reason": reason_key("application.eligibility")}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(WRITE_SQL.replace("{columns}", columns), params)
        return cur.rowcount


def written():
    """Every application's (status, reasons) and how many history rows there are."""
    from certification.models import Application

    rows = Application.objects.values_list("pk", "status", "reasons")
    return {pk: (status, reasons) for pk, status, reasons in rows}, Application.history.count()


def compare_written(by_sql, by_service):
    """Applications whose status or reasons differ between what WRITE_SQL and the service wrote."""
    mismatches = 0
    for pk, (status, reasons) in by_service.items():
        if by_sql.get(pk) != (status, reasons):
            mismatches += 1
            if mismatches <= 5:
                harness.say(f"  mismatch: application {pk}: service {status} {reasons}; SQL {by_sql.get(pk)}")
    return mismatches + len(by_sql.keys() - by_service.keys())


def jit_session(on: bool):
    """Both sides run at the same settings: the server's defaults (the planner may switch JIT on), or
    `jit = off` for the whole session (every statement of the service and the hand-written one)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("RESET jit" if on else "SET jit = off")


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def compare(sql_rows):
    """(mismatches, compared, decisions): the statuses eligibility_evaluate wrote against the query's."""
    from certification.models import Application

    stored = dict(Application.objects.values_list("pk", "status"))
    mismatches, decisions = 0, Counter()
    for pk, eligible in sql_rows:
        status = stored.get(pk)
        decisions[status] += 1
        if status != ("eligible" if eligible else "ineligible"):
            mismatches += 1
            if mismatches <= 5:
                reasons = Application.objects.get(pk=pk).reasons
                harness.say(f"  mismatch: application {pk}: service {status}, SQL eligible={eligible}; {reasons}")
    mismatches += len(stored) - len(sql_rows)
    return mismatches, len(sql_rows), decisions


@contextlib.contextmanager
def patched(owner, name, seconds: Counter, label):
    """Add the time spent in owner.name to seconds[label] while the block runs."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[label] += time.perf_counter() - started

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


def breakdown():
    """One instrumented run: seconds in each step of eligibility_evaluate, and its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certification import services

    reset()
    seconds = Counter()
    with contextlib.ExitStack() as stack:
        for name, label in (("_eligibility_facts", "read"), ("decide", "decide"), ("_write_decisions", "write"),
                            ("record_history", "history"), ("_tell_decisions", "tell")):
            stack.enter_context(patched(services, name, seconds, label))
        queries = stack.enter_context(CaptureQueriesContext(connection))
        total, decided = timed(services.eligibility_evaluate)
    return total, decided, seconds, queries.captured_queries


def profile(top=22):
    from certification import services

    reset()
    profiler = cProfile.Profile()
    profiler.enable()
    services.eligibility_evaluate()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    out.write("--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(12)
    return out.getvalue()


def row(label, seconds, note=""):
    harness.say(f"  {label:<54} {seconds * 1000:7.0f} ms" + (f"   ({note})" if note else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run in any case")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database at the end")
    args = parser.parse_args()
    harness.setup(DB_NAME)

    from certification import services

    failures = []
    with harness.throwaway_database(DB_NAME, keep=args.keep_db):
        when = harness.stamp()
        started = time.perf_counter()
        counts, kinds = seed(args.workers)
        harness.say("seeded " + ", ".join(f"{n} {what}" for what, n in counts.items())
                    + f" in {time.perf_counter() - started:.1f} s")
        harness.say("applications: " + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()) + "\n")

        sides = ("service", "sql", "select")
        times = {(side, jit): [] for side in sides for jit in (True, False)}
        harness.say(f"{'run':>3}  {'settings':<9} {'select':>8} {'sql':>8} {'written':>7}  "
                    f"{'service':>8} {'decided':>7}")
        mismatches = {"select": 0, "sql": 0}
        first_decisions = None
        with harness.CpuMeter(db_name=DB_NAME) as cpu:
            for n in range(1, args.repeat + 1):
                for jit in (True, False):
                    jit_session(jit)
                    reset()
                    t_select, rows = timed(sql_decisions)
                    t_sql, sql_history = timed(sql_write)
                    by_sql, _count = written()
                    reset()
                    t_service, decided = timed(services.eligibility_evaluate)
                    by_service, service_history = written()
                    jit_session(True)
                    for side, t in (("service", t_service), ("sql", t_sql), ("select", t_select)):
                        times[side, jit].append(t)
                    setting = "defaults" if jit else "jit=off"
                    harness.say(f"{n:>3}  {setting:<9} {t_select * 1000:>5.0f} ms {t_sql * 1000:>5.0f} ms "
                                f"{sql_history:>7}  {t_service * 1000:>5.0f} ms {decided:>7}")
                    expected = counts["applications"]
                    if {len(rows), sql_history, decided, service_history} != {expected}:
                        failures.append(f"run {n} ({setting}): of {expected} applications the SELECT decided "
                                        f"{len(rows)}, the SQL wrote {sql_history} history rows, the service "
                                        f"decided {decided} and wrote {service_history}")
                    found, compared, decisions = compare(rows)
                    mismatches["select"] += found
                    mismatches["sql"] += compare_written(by_sql, by_service)
                    first_decisions = first_decisions or decisions
        harness.say(f"\n{compared} applications compared in each of {2 * args.repeat} runs: statuses and reasons "
                    f"written by eligibility_evaluate vs by the SQL, {mismatches['sql']} mismatches; statuses vs "
                    f"the decisions-only SELECT, {mismatches['select']} mismatches; "
                    + ", ".join(f"{s} {c}" for s, c in sorted(first_decisions.items())))
        if mismatches["sql"]:
            failures.append(f"{mismatches['sql']} statuses or reasons differ between eligibility_evaluate and the SQL")
        if mismatches["select"]:
            failures.append(f"{mismatches['select']} decisions differ between eligibility_evaluate and the SELECT")

        harness.say(f"\n{when}; {args.repeat} runs at each setting\n{cpu.line()}")
        ratios = {}
        for jit, label in ((True, "server defaults, both sides"), (False, "jit = off, both sides")):
            service, sql, select = (times[side, jit] for side in sides)
            ratios[jit] = statistics.median(service) / statistics.median(sql)
            harness.say(f"{label}:\n"
                        f"  eligibility_evaluate:             {harness.summary(service)}\n"
                        f"  SQL, decide and write (same work): {harness.summary(sql)}\n"
                        f"  SQL, decisions-only SELECT:       {harness.summary(select)}\n"
                        f"  ratio service / SQL doing the same work (medians): {ratios[jit]:.1f}×   "
                        f"(service / decisions-only SELECT, not the target: "
                        f"{statistics.median(service) / statistics.median(select):.1f}×)")
        worst = max(ratios.values())
        harness.say(f"worse of the two equal-work ratios: {worst:.1f}×; target ≤ {RATIO_TARGET:.0f}×: "
                    f"{cpu.verdict(worst <= RATIO_TARGET)}")
        ratio = worst
        if cpu.disturbed:
            failures.append(f"disturbed run ({cpu.other:.2f} cores of other work): the target is not judged")
        elif worst > RATIO_TARGET:
            failures.append(f"eligibility_evaluate takes {worst:.1f}× the SQL query (target ≤ {RATIO_TARGET:.0f}×)")

        total, decided, seconds, queries = breakdown()
        in_db = sum(float(q["time"]) for q in queries)  # every statement, reads and writes, with the fetch

        def db(prefix):
            return sum(float(q["time"]) for q in queries if q["sql"].lstrip().startswith(prefix))

        update, insert, commit = db("UPDATE"), db("INSERT"), db("COMMIT")
        reads = in_db - update - insert - commit
        harness.say(f"\nwhere one run's {total * 1000:.0f} ms go (server defaults; {len(queries)} statements "
                    f"taking {in_db * 1000:.0f} ms with their fetches; {decided} applications):")
        row("_eligibility_facts: reads, then the facts by applicant", seconds["read"],
            f"{reads * 1000:.0f} ms of it the {sum(q['sql'].lstrip().startswith('SELECT') for q in queries)} SELECTs")
        row("rules, loop, Facts objects", total - sum(seconds.values()) - commit)
        row(f"decide() × {decided} in Python", seconds["decide"])
        row("_write_decisions: reasons as JSON, one UPDATE", seconds["write"],
            f"{update * 1000:.0f} ms of it the UPDATE … FROM unnest")
        row("record_history: one INSERT … SELECT", seconds["history"], f"{insert * 1000:.0f} ms of it the INSERT")
        row("_tell_decisions (no bench worker has an account)", seconds["tell"])
        row("COMMIT", commit)
        slow = sorted(((float(q["time"]), q["sql"]) for q in queries), reverse=True)
        harness.say("  slowest statements: " + "; ".join(f"{t * 1000:.0f} ms {' '.join(s.split())[:60]}…"
                                                    for t, s in slow[:3]))
        if args.profile or ratio > RATIO_TARGET:
            harness.say("\ncProfile of one run:\n" + profile())

    return harness.finish(failures)


if __name__ == "__main__":
    sys.exit(main())
