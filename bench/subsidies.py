"""Subsidy claim engine: training.subsidies.engine.run_execute on a year of 1,000,000 enrollments and
300,000 certificates, beside hand-written SQL that makes the same claims, and the peak memory of a
real Celery worker doing the run.

    .venv/bin/python bench/subsidies.py [--enrollments 1000000] [--certificates 300000]
        [--workers 200000] [--repeat 3] [--budget 4] [--no-celery] [--explain] [--verbose] [--keep-db]

Needs PostgreSQL and Redis (the servers in $DATABASE_URL and $REDIS_URL, as `make bench` sets them;
Redis only for the Celery round). Creates its own database ``zhangwan_bench_subsidies_<pid>`` (so two
runs at once never meet), migrates it (which seeds the trades), and drops it at the end, also on
failure or SIGTERM. About 25 minutes on 2 cores when the engine meets its target.

Seeds with INSERT … SELECT from generate_series (deterministic: a hash of the row number, the
function ``bench_u`` made in the bench database), for the year YEAR (2024):

- WORKERS workers (valid identity numbers), 20 % poverty-registered, each with a bank account;
  insured since a day spread over the 13 years up to the end of the year (so about one in ten
  insured for less than 12 months when a certificate is issued), 5 % never insured;
- 45 courses (the 9 trades of the registry × target level 5, 4, 3, 2 or none); ENROLLMENTS / 50
  finished classes starting from 1 December of the year before to the end of the year, 3–14 days
  long (so some end outside the year), 30 % with an exam, capacity 60 (confirmed_count 0); four
  sessions each (two on the first day, so days are counted, not sessions);
- ENROLLMENTS enrollments, five classes per worker: 80 % completed, 12 % failed, 8 % no-show, with
  attended and required hours (one in ten completed trainees under 80 %, 0.5 % without hours) and
  the exam result where the class had one; attendance rows (present, late, absent, excused) only
  for the poverty-registered workers' enrollments, 3 % of those without any;
- CERTIFICATES valid certificates: 40 % obtained after a completed class (its trade and level,
  within 40 days of its end), 5 % for 3,000 workers with five certificates each in the year (five
  trades: the yearly limit of 3), 5 % a second certificate of the same trade and level (the same
  month or a later one), 5 % one level lower than one already held, the rest any worker, trade and
  level (5 / 4 / 3 mostly, some 2 and 1, which the policy does not pay) from 1 July of the year
  before;
- three policies for the year with large budgets: skill improvement (level 5 ¥1,000, 4 ¥1,500,
  3 ¥2,000; at least 12 months insured, 3 a year, claimed within 12 months), training (¥500 a
  trainee at any level, 80 % attendance, a certificate in the class's trade within 180 days
  required), living expenses (¥100 an attended day).

Then REPEAT rounds, one after the other, each of the two from an empty, analysed claims table
(TRUNCATE, VACUUM ANALYZE, CHECKPOINT before each):

    sql       three hand-written INSERT … SELECT statements (training, living, skill), one per
              kind for the whole year, with ANALYZE before the skill one; they assume an empty
              claims table (no rerun guards) and reproduce the engine's month-by-month order for
              the skill subsidy with window functions (see SKILL_SQL)
    engine    a Run for the year (claimed on 20 January of the next year) and
              engine.run_execute(run.pk) in this process, as the Celery task calls it: one
              INSERT … SELECT per policy and month (36 steps), progress updates, whatever ANALYZE
              the engine does; the time of its steps is summed by policy kind. An engine run still
              going after BUDGET × the first SQL run (at least MIN_BUDGET s) is cancelled — the
              target is missed anyway — and the later rounds time the SQL only.

Each statement commits on its own, so the times include the deferred foreign-key checks. Checks
that every run's claims equal the first SQL run's (policy, worker, certificate, enrollment, trade,
level, rate, days, amount, status, reasons, claim date; EXCEPT ALL both ways: 0 differences). Then,
unless --no-celery, the same run through a real Celery worker (``celery -A zhangwan worker
--pool=solo`` on a queue of its own, bench.settings, this database):
training.subsidies.tasks.compute_claims.apply_async, wait for the Run to be done (at most as long as
the engine's budget; CELERY_WATCH s if the engine already missed it, then its statement is
cancelled), and the worker's peak resident memory (VmHWM of /proc/<pid>/status; with the solo pool
it is one process).

Prints min and median of each, the ratio engine / SQL (medians; target ≤ 1.5×), the worker's peak
memory (target < 300 MB), the claims by kind, status and reason, the engine's time per step when
the ratio target is missed, and with --explain the plans (EXPLAIN only: running them can take long)
of two engine steps as planned in a run: January's training step and December's skill step. Exit
status 1 if a check or a target failed.
"""

import argparse
import contextlib
import datetime
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

DB_NAME = f"zhangwan_bench_subsidies_{os.getpid()}"  # two runs at once (30 minutes each) never meet
RATIO_TARGET = 1.5
MEMORY_TARGET_MB = 300
BUDGET_FACTOR = 4.0  # an engine run is cancelled after this many times the first SQL run…
MIN_BUDGET = 120  # …but never before this many seconds
CELERY_WATCH = 180  # seconds to watch the worker when the engine has already missed its budget
YEAR = 2024
CLASS_SIZE = 50  # enrollments per class
HEAVY_WORKERS = 3000  # workers with five certificates in the year
PRIMES = [7919, 7927, 7933, 7937, 7949]

# Uniform in [0, 1) from a row number and a salt: the same data on every run, whatever the plan.
BENCH_U = """
CREATE FUNCTION bench_u(n bigint, salt int) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8(n * 1009 + salt) & 2147483647)::float8 / 2147483648.0 $$
"""

WORKERS_SQL = """
INSERT INTO registry_worker (name, id_number, birth_date, gender, mobile, employer_id, education, insured_since,
    poverty_registered, team_leader, bank_name, bank_account, user_id, created_at, updated_at)
SELECT '压测职工' || n,
       f.first17 || substr('10X98765432', (SELECT sum(substr(f.first17, i, 1)::int
                                                      * (ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])[i])
                                           FROM generate_series(1, 17) i)::int %% 11 + 1, 1),
       b.born, CASE WHEN substr(f.first17, 17, 1)::int %% 2 = 1 THEN 'M' ELSE 'F' END,
       '166' || lpad(n::text, 8, '0'),
       (%(employers)s::bigint[])[1 + mod(n, cardinality(%(employers)s::bigint[]))],
       (ARRAY['primary', 'junior', 'senior', 'college', 'bachelor', 'postgraduate'])[1 + floor(bench_u(n, 1) * 6)::int],
       CASE WHEN bench_u(n, 2) < 0.05 THEN NULL
            ELSE %(insured_from)s::date + floor(bench_u(n, 3) * (%(year_end)s::date - %(insured_from)s::date))::int END,
       bench_u(n, 4) < 0.2, FALSE, '中国工商银行十堰分行', '6222' || lpad(n::text, 15, '0'), NULL, now(), now()
FROM generate_series(0::bigint, %(workers)s - 1) n
CROSS JOIN LATERAL (SELECT DATE '1966-01-01' + mod(n, 14000)::int AS born) b
CROSS JOIN LATERAL (SELECT '420303' || to_char(b.born, 'YYYYMMDD') || (n / 14000 + 100)::text AS first17) f
"""

CLASSES_SQL = """
INSERT INTO training_trainingclass (course_id, title, provider_id, union_class, base_id, venue, capacity,
    registration_opens, registration_closes, starts_on, ends_on, audience, has_exam, status, confirmed_count,
    description, created_at, completion_percent)
SELECT (%(courses)s::bigint[])[1 + floor(bench_u(k, 11) * cardinality(%(courses)s::bigint[]))::int],
       '压测培训班' || k, %(provider)s, FALSE, NULL, '压测培训中心', %(capacity)s,
       (d.starts_on - 30)::timestamp AT TIME ZONE %(tz)s, (d.starts_on - 1)::timestamp AT TIME ZONE %(tz)s,
       d.starts_on, d.starts_on + 2 + floor(bench_u(k, 13) * 12)::int, 'everyone', bench_u(k, 14) < 0.3,
       'finished', 0, '', now(), 80
FROM generate_series(0::bigint, %(classes)s - 1) k
CROSS JOIN LATERAL (SELECT %(first_start)s::date + floor(bench_u(k, 12) * %(span)s)::int AS starts_on) d
ORDER BY k
"""

SESSIONS_SQL = """
INSERT INTO training_classsession (training_class_id, starts_at, ends_at, hours, topic)
SELECT tc.id, (tc.starts_on + s.day + s.at) AT TIME ZONE %(tz)s,
       (tc.starts_on + s.day + s.at + interval '3 hours') AT TIME ZONE %(tz)s, 3.0, s.topic
FROM training_trainingclass tc
CROSS JOIN (VALUES (0, time '09:00', '第一天上午'), (0, time '14:00', '第一天下午'),
                   (1, time '09:00', '第二天'), (2, time '09:00', '第三天')) AS s(day, at, topic)
"""

# Enrollment n: worker n mod WORKERS, its k-th class (k = n div WORKERS) at (worker × PRIME + k × STEP)
# mod CLASSES, so a worker's classes differ and every class gets the same number of trainees.
ENROLLMENTS_SQL = """
INSERT INTO training_enrollment (worker_id, training_class_id, status, queue_number, channel, registered_by_id,
    created_at, confirmed_at, cancelled_at, exam_passed, attended_hours, required_hours)
SELECT x.worker_id, tc.id, st.status, NULL, 'self', NULL,
       (tc.starts_on - 10)::timestamp AT TIME ZONE %(tz)s, (tc.starts_on - 9)::timestamp AT TIME ZONE %(tz)s, NULL,
       CASE WHEN NOT tc.has_exam OR st.status = 'no_show' THEN NULL
            WHEN st.status = 'completed' THEN bench_u(x.n, 23) < 0.95
            ELSE bench_u(x.n, 23) < 0.4 END,
       CASE WHEN bench_u(x.n, 24) < 0.005 THEN NULL
            WHEN st.status = 'no_show' THEN 0
            WHEN st.status = 'completed' AND bench_u(x.n, 25) < 0.9
                 THEN round(co.hours * (0.8 + 0.2 * bench_u(x.n, 26))::numeric, 1)
            WHEN st.status = 'completed' THEN round(co.hours * (0.5 + 0.3 * bench_u(x.n, 26))::numeric, 1)
            ELSE round(co.hours * (0.3 + 0.6 * bench_u(x.n, 26))::numeric, 1) END,
       co.hours
FROM (SELECT n, %(w0)s + mod(n, %(workers)s) AS worker_id,
             %(c0)s + mod(mod(n, %(workers)s) * %(prime)s + (n / %(workers)s) * %(step)s, %(classes)s) AS class_id
      FROM generate_series(0::bigint, %(enrollments)s - 1) n) x
JOIN training_trainingclass tc ON tc.id = x.class_id
JOIN training_course co ON co.id = tc.course_id
CROSS JOIN LATERAL (SELECT CASE WHEN bench_u(x.n, 21) < 0.80 THEN 'completed'
                                WHEN bench_u(x.n, 21) < 0.92 THEN 'failed' ELSE 'no_show' END AS status) st
"""

ATTENDANCE_SQL = """
INSERT INTO training_attendance (enrollment_id, session_id, status, remark, marked_by_id, marked_at)
SELECT e.id, s.id,
       CASE WHEN e.status = 'no_show' THEN 'absent'
            WHEN bench_u(e.id * 100003 + s.id, 31) < 0.82 THEN 'present'
            WHEN bench_u(e.id * 100003 + s.id, 31) < 0.90 THEN 'late'
            WHEN bench_u(e.id * 100003 + s.id, 31) < 0.96 THEN 'absent'
            ELSE 'excused' END,
       '', NULL, s.ends_at
FROM training_enrollment e
JOIN registry_worker w ON w.id = e.worker_id AND w.poverty_registered
JOIN training_classsession s ON s.training_class_id = e.training_class_id
WHERE bench_u(e.id, 32) >= 0.03
"""

CERTIFICATE_COLUMNS = """INSERT INTO certification_certificate (number, holder_id, trade_id, level, issued_on, body_id,
    issuer_name, source, application_id, competition_result_id, status, revoked_reason, revoked_at)"""

# After a completed class: its trade and level, within 40 days of its end.
CERTS_AFTER_CLASS_SQL = f"""
{CERTIFICATE_COLUMNS}
SELECT 'BA' || lpad(e.id::text, 10, '0'), e.worker_id, co.trade_id, coalesce(co.level, 5),
       tc.ends_on + floor(bench_u(e.id, 42) * 40)::int, NULL, '压测鉴定中心', 'assessment', NULL, NULL, 'valid', '',
       NULL
FROM training_enrollment e
JOIN training_trainingclass tc ON tc.id = e.training_class_id
JOIN training_course co ON co.id = tc.course_id
WHERE e.status = 'completed' AND bench_u(e.id, 41) < %(share)s
"""

# Five in the year, in five trades, for HEAVY_WORKERS workers spread over the registry.
CERTS_HEAVY_SQL = f"""
{CERTIFICATE_COLUMNS}
SELECT 'BH' || lpad((d * 5 + j)::text, 10, '0'), %(w0)s + d * %(every)s,
       (%(trades)s::bigint[])[1 + mod(d + j, cardinality(%(trades)s::bigint[]))],
       CASE WHEN bench_u(d * 5 + j, 51) < 0.8 THEN 5 ELSE 4 END,
       %(year_start)s::date + floor(bench_u(d * 5 + j, 52) * (%(year_end)s::date - %(year_start)s::date + 1))::int,
       NULL, '压测鉴定中心', 'assessment', NULL, NULL, 'valid', '', NULL
FROM generate_series(0::bigint, %(heavy)s - 1) d CROSS JOIN generate_series(0, 4) j
"""

CERTS_RANDOM_SQL = f"""
{CERTIFICATE_COLUMNS}
SELECT 'BR' || lpad(n::text, 10, '0'), %(w0)s + floor(bench_u(n, 61) * %(workers)s)::bigint,
       (%(trades)s::bigint[])[1 + floor(bench_u(n, 62) * cardinality(%(trades)s::bigint[]))::int],
       CASE WHEN bench_u(n, 63) < 0.45 THEN 5 WHEN bench_u(n, 63) < 0.73 THEN 4 WHEN bench_u(n, 63) < 0.90 THEN 3
            WHEN bench_u(n, 63) < 0.97 THEN 2 ELSE 1 END,
       %(from)s::date + floor(bench_u(n, 64) * (%(year_end)s::date - %(from)s::date + 1))::int,
       NULL, '压测鉴定中心', CASE WHEN bench_u(n, 65) < 0.05 THEN 'competition' ELSE 'imported' END,
       NULL, NULL, 'valid', '', NULL
FROM generate_series(0::bigint, %(count)s - 1) n
"""

# A second one of the same trade and level (same month or later), or one level lower than one held.
CERTS_AGAIN_SQL = f"""
{CERTIFICATE_COLUMNS}
SELECT %(prefix)s || lpad(c.id::text, 10, '0'), c.holder_id, c.trade_id, c.level + %(lower)s,
       least(%(year_end)s::date, c.issued_on + %(lower)s + floor(bench_u(c.id, %(salt)s) * %(days)s)::int),
       NULL, '压测鉴定中心', 'imported', NULL, NULL, 'valid', '', NULL
FROM certification_certificate c
WHERE c.number LIKE 'BR%%' AND c.issued_on >= %(year_start)s AND c.level <= 5 - %(lower)s
ORDER BY bench_u(c.id, %(salt)s + 1)
LIMIT %(count)s
"""

CLAIM_COLUMNS = """INSERT INTO subsidies_claim (policy_id, worker_id, certificate_id, enrollment_id, trade_id, level,
    rate_id, quantity, amount, status, reasons, claimed_on, run_id, created_at, created_by_id, reviewed_by_id,
    reviewed_at, review_note, batch_id, reverses_id, payee_name, payee_bank_name, payee_bank_account,
    recovery_reference, recovery_note)"""


def decided(reasons, amount):
    return f"""CASE WHEN cardinality({reasons}) = 0 THEN {amount} ELSE 0 END,
       CASE WHEN cardinality({reasons}) = 0 THEN 'pending' ELSE 'ineligible' END,
       {reasons}, %(claimed_on)s, %(run)s, %(now)s, %(user)s, NULL, NULL, '', NULL, NULL, '', '', '', '', ''"""


# A claim that counts (awaiting review or approved, not reversed).
GRANTED = """{a}.status IN ('pending', 'approved') AND {a}.reverses_id IS NULL
                   AND NOT EXISTS (SELECT 1 FROM subsidies_claim rv WHERE rv.reverses_id = {a}.id)"""

# The rate that applies, one per course (training, living) or per trade and level (skill): the
# most specific one, in the engine's order (trade before level).
RATE_ORDER = "r.trade_id IS NULL, r.level IS NULL"

TRAINING_SQL = f"""
WITH rate_of AS (
    SELECT DISTINCT ON (co.id) co.id AS course_id, r.id, r.amount
    FROM training_course co
    JOIN subsidies_rate r ON r.policy_id = %(policy)s AND (r.level = co.level OR r.level IS NULL)
                         AND (r.trade_id = co.trade_id OR r.trade_id IS NULL)
    ORDER BY co.id, {RATE_ORDER}
)
{CLAIM_COLUMNS}
SELECT p.id, e.worker_id, cert.id, e.id, co.trade_id, co.level, rate_of.id, NULL,
       {decided("why.reasons", "rate_of.amount")}
FROM subsidies_policy p
JOIN training_trainingclass tc ON tc.ends_on BETWEEN %(start)s AND %(end)s
JOIN training_course co ON co.id = tc.course_id
JOIN training_enrollment e ON e.training_class_id = tc.id AND e.status IN ('completed', 'failed', 'no_show')
LEFT JOIN rate_of ON rate_of.course_id = co.id
LEFT JOIN LATERAL (
    SELECT c.id FROM certification_certificate c
    WHERE p.requires_certificate AND c.holder_id = e.worker_id AND c.trade_id = co.trade_id AND c.status = 'valid'
      AND c.issued_on BETWEEN tc.starts_on AND tc.ends_on + p.certificate_within_days
    ORDER BY c.issued_on, c.id LIMIT 1
) cert ON TRUE
CROSS JOIN LATERAL (SELECT
    coalesce(e.attended_hours, 0) * 100 < p.min_attendance_percent * coalesce(e.required_hours, 0)
        OR coalesce(e.required_hours, 0) = 0 AS short,
    tc.has_exam AND e.exam_passed IS NOT TRUE AS exam_failed) o
CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
    CASE WHEN o.short THEN 'attendance_short' END,
    CASE WHEN o.exam_failed THEN 'exam_not_passed' END,
    CASE WHEN e.status <> 'completed' AND NOT o.short AND NOT o.exam_failed THEN 'not_completed' END,
    CASE WHEN p.requires_certificate AND cert.id IS NULL THEN 'no_certificate' END,
    CASE WHEN cert.id IS NOT NULL AND EXISTS (
        SELECT 1 FROM subsidies_claim s WHERE s.certificate_id = cert.id AND s.enrollment_id IS NULL
          AND {GRANTED.format(a="s")}) THEN 'skill_subsidised' END,
    CASE WHEN rate_of.id IS NULL THEN 'no_rate' END
]::varchar[], NULL) AS reasons) why
WHERE p.id = %(policy)s
"""

LIVING_SQL = f"""
WITH rate_of AS (
    SELECT DISTINCT ON (co.id) co.id AS course_id, r.id, r.amount
    FROM training_course co
    JOIN subsidies_rate r ON r.policy_id = %(policy)s AND (r.level = co.level OR r.level IS NULL)
                         AND (r.trade_id = co.trade_id OR r.trade_id IS NULL)
    ORDER BY co.id, {RATE_ORDER}
), days AS (
    SELECT a.enrollment_id, count(DISTINCT (s.starts_at AT TIME ZONE %(tz)s)::date) AS n
    FROM training_attendance a JOIN training_classsession s ON s.id = a.session_id
    WHERE a.status IN ('present', 'late')
    GROUP BY a.enrollment_id
)
{CLAIM_COLUMNS}
SELECT p.id, e.worker_id, NULL, e.id, co.trade_id, co.level, rate_of.id, coalesce(days.n, 0),
       {decided("why.reasons", "rate_of.amount * coalesce(days.n, 0)")}
FROM subsidies_policy p
JOIN training_trainingclass tc ON tc.ends_on BETWEEN %(start)s AND %(end)s
JOIN training_course co ON co.id = tc.course_id
JOIN training_enrollment e ON e.training_class_id = tc.id AND e.status IN ('completed', 'failed', 'no_show')
JOIN registry_worker w ON w.id = e.worker_id AND w.poverty_registered
LEFT JOIN rate_of ON rate_of.course_id = co.id
LEFT JOIN days ON days.enrollment_id = e.id
CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
    CASE WHEN coalesce(days.n, 0) = 0 THEN 'no_attended_day' END,
    CASE WHEN rate_of.id IS NULL THEN 'no_rate' END
]::varchar[], NULL) AS reasons) why
WHERE p.id = %(policy)s
"""

# The skill subsidy for the whole period at once, deciding what the engine decides month by month.
# The engine refuses a certificate as "trade_level_subsidised" when an earlier certificate of the
# same holder, trade and level is in the same month (granted or not) or was granted in an earlier
# month, and as "yearly_limit" when it would be granted but the holder already has max_per_year
# granted. Granted are therefore exactly the `first_open` certificates — the first of their holder,
# trade and level that is first in its month and refused by no other rule — of which the holder has
# fewer than max_per_year before it (in issued_on, id order).
SKILL_SQL = f"""
WITH rate_of AS (
    SELECT DISTINCT ON (t.id, l.level) t.id AS trade_id, l.level, r.id, r.amount
    FROM registry_trade t CROSS JOIN generate_series(1, 5) AS l(level)
    JOIN subsidies_rate r ON r.policy_id = %(policy)s AND (r.level = l.level OR r.level IS NULL)
                         AND (r.trade_id = t.id OR r.trade_id IS NULL)
    ORDER BY t.id, l.level, {RATE_ORDER}
), facts AS (
    SELECT c.id, c.holder_id AS worker_id, c.trade_id, c.level, c.issued_on, rate_of.id AS rate_id, rate_of.amount,
           p.max_per_year,
           w.insured_since IS NULL
               OR w.insured_since > c.issued_on - make_interval(months => p.min_insured_months) AS insured_short,
           %(claimed_on)s > c.issued_on + make_interval(months => p.claim_window_months) AS claimed_late,
           rate_of.id IS NULL AS no_rate,
           EXISTS (SELECT 1 FROM certification_certificate h
                   WHERE h.holder_id = c.holder_id AND h.trade_id = c.trade_id AND h.status = 'valid'
                     AND h.level BETWEEN 1 AND c.level - 1 AND h.issued_on <= c.issued_on) AS higher_level_held,
           EXISTS (SELECT 1 FROM subsidies_claim t
                   WHERE t.certificate_id = c.id AND t.enrollment_id IS NOT NULL
                     AND {GRANTED.format(a="t")}) AS training_subsidised,
           row_number() OVER (PARTITION BY c.holder_id, c.trade_id, c.level, date_trunc('month', c.issued_on::timestamp)
                              ORDER BY c.issued_on, c.id) = 1 AS month_first
    FROM certification_certificate c
    JOIN registry_worker w ON w.id = c.holder_id
    JOIN subsidies_policy p ON p.id = %(policy)s
    LEFT JOIN rate_of ON rate_of.trade_id = c.trade_id AND rate_of.level = c.level
    WHERE c.status = 'valid' AND c.issued_on BETWEEN %(start)s AND %(end)s
), opened AS (
    SELECT facts.*, month_first AND NOT (insured_short OR claimed_late OR no_rate OR higher_level_held
                                         OR training_subsidised) AS open
    FROM facts
), firsts AS (
    SELECT opened.*, open AND row_number() OVER (PARTITION BY worker_id, trade_id, level, open
                                                 ORDER BY issued_on, id) = 1 AS first_open
    FROM opened
), counted AS (
    SELECT firsts.*, coalesce(count(*) FILTER (WHERE first_open) OVER (
               PARTITION BY worker_id ORDER BY issued_on, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
           AS before
    FROM firsts
), granted AS (
    SELECT counted.*, first_open AND before < max_per_year AS granted FROM counted
), decided AS (
    SELECT granted.*, NOT month_first OR coalesce(bool_or(granted) OVER (
               PARTITION BY worker_id, trade_id, level ORDER BY issued_on, id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), FALSE) AS trade_level
    FROM granted
), reasoned AS (
    SELECT decided.*, array_remove(ARRAY[
        CASE WHEN insured_short THEN 'insured_short' END,
        CASE WHEN claimed_late THEN 'claimed_late' END,
        CASE WHEN no_rate THEN 'no_rate' END,
        CASE WHEN higher_level_held THEN 'higher_level_held' END,
        CASE WHEN trade_level THEN 'trade_level_subsidised' END,
        CASE WHEN training_subsidised THEN 'training_subsidised' END,
        CASE WHEN NOT (insured_short OR claimed_late OR no_rate OR higher_level_held OR trade_level
                       OR training_subsidised) AND before >= max_per_year THEN 'yearly_limit' END
    ]::varchar[], NULL) AS reasons
    FROM decided
)
{CLAIM_COLUMNS}
SELECT %(policy)s, worker_id, id, NULL, trade_id, level, rate_id, NULL, {decided("reasons", "amount")}
FROM reasoned
"""

BASELINE = [("training", TRAINING_SQL), ("living", LIVING_SQL), ("skill", SKILL_SQL)]

# What a claim is, for comparing two runs (not its id, run or creation time).
CLAIM_KEY = ("policy_id, worker_id, certificate_id, enrollment_id, trade_id, level, rate_id, quantity, amount, "
             "status, reasons, claimed_on")


# --- seed -------------------------------------------------------------------------------------

def execute(sql, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params or {})
        return cur.rowcount


def scalar(sql, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params or {})
        return cur.fetchone()[0]


def consecutive_ids(table, first, count):
    """The rows just inserted have the ids first..first+count-1 (the seeding maps row numbers to ids)."""
    low, high, n = (scalar(f"SELECT ARRAY[min(id), max(id), count(*)] FROM {table} WHERE id >= %s", [first]))
    if n != count or high - low + 1 != count:
        raise RuntimeError(f"{table}: expected {count} consecutive ids from {first}, got {n} in {low}..{high}")
    return low


def timed_step(label, sql, params=None):
    started = time.perf_counter()
    rows = execute(sql, params)
    harness.say(f"  {label:<42} {rows:>9,} rows  {time.perf_counter() - started:6.1f} s")
    return rows


def seed(args):
    from django.conf import settings

    from training.models import Course
    from training.subsidies.models import Kind, Policy, Rate
    from zhangwan.registry.models import Organization, Trade
    from zhangwan.registry.validators import credit_code_check_char

    tz = settings.TIME_ZONE
    year_start, year_end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    execute(BENCH_U)
    counts = {}

    def org(n, name, kind):
        code = f"91420303BENCH{n:04d}"
        return Organization(name=name, credit_code=code + credit_code_check_char(code), kind=kind)

    employers = Organization.objects.bulk_create(
        [org(n, f"压测企业{n:02d}", Organization.Kind.ENTERPRISE) for n in range(1, 21)])
    provider = org(99, "压测职业培训学校", Organization.Kind.SCHOOL)
    provider.save()
    trades = list(Trade.objects.order_by("code"))
    hours = {5: 32, 4: 48, 3: 64, 2: 80, None: 16}
    courses = Course.objects.bulk_create(
        [Course(title=f"{t.name_zh}{'' if level is None else f' {level}级'}压测课程", trade=t, level=level,
                hours=Decimal(hours[level])) for t in trades for level in (5, 4, 3, 2, None)])

    workers = args.workers
    classes = max(1, math.ceil(args.enrollments / CLASS_SIZE))
    per_worker = math.ceil(args.enrollments / workers)
    if per_worker > classes:
        raise SystemExit("more enrollments per worker than classes")
    prime = next(p for p in PRIMES if math.gcd(p, classes) == 1)
    step = classes // per_worker
    capacity = per_worker * math.ceil(workers / classes) + 10

    first = scalar("SELECT coalesce(max(id), 0) + 1 FROM registry_worker")
    counts["workers"] = timed_step("workers", WORKERS_SQL, {
        "employers": [o.pk for o in employers], "workers": workers,
        "insured_from": datetime.date(YEAR - 12, 1, 1), "year_end": year_end})
    w0 = consecutive_ids("registry_worker", first, workers)
    # The engine reads insured periods (the social-insurance office's list): one open period each.
    counts["insured periods"] = timed_step("insured periods", """
INSERT INTO subsidies_insuredperiod (worker_id, start, "end", imported_at)
SELECT id, insured_since, NULL, now() FROM registry_worker
WHERE id >= %(first)s AND insured_since IS NOT NULL""", {"first": first})

    first = scalar("SELECT coalesce(max(id), 0) + 1 FROM training_trainingclass")
    counts["classes"] = timed_step("finished classes", CLASSES_SQL, {
        "courses": [c.pk for c in courses], "provider": provider.pk, "capacity": capacity, "tz": tz,
        "classes": classes, "first_start": datetime.date(YEAR - 1, 12, 1),
        "span": (year_end - datetime.date(YEAR - 1, 12, 1)).days - 2})
    c0 = consecutive_ids("training_trainingclass", first, classes)
    counts["sessions"] = timed_step("class sessions", SESSIONS_SQL, {"tz": tz})
    counts["enrollments"] = timed_step("enrollments", ENROLLMENTS_SQL, {
        "tz": tz, "w0": w0, "c0": c0, "workers": workers, "classes": classes, "prime": prime, "step": step,
        "enrollments": args.enrollments})
    harness.vacuum("registry_worker", "training_trainingclass", "training_classsession", "training_enrollment")
    counts["attendance"] = timed_step("attendance (poverty-registered only)", ATTENDANCE_SQL)

    trade_ids = [t.pk for t in trades]
    total = args.certificates
    completed = scalar("SELECT count(*) FROM training_enrollment WHERE status = 'completed'")
    after_class = timed_step("certificates after a class", CERTS_AFTER_CLASS_SQL,
                             {"share": min(1.0, 0.4 * total / max(1, completed))})
    heavy = min(HEAVY_WORKERS, workers, max(0, (total - after_class) // 20))
    five = timed_step(f"certificates: {heavy} workers × 5 in the year", CERTS_HEAVY_SQL, {
        "w0": w0, "every": max(1, workers // max(1, heavy)), "trades": trade_ids, "heavy": heavy,
        "year_start": year_start, "year_end": year_end})
    again = total // 20
    rest = total - after_class - five - 2 * again
    if rest < again:
        raise SystemExit("too few certificates for this many enrollments: raise --certificates")
    randoms = timed_step("certificates: any worker, trade and level", CERTS_RANDOM_SQL, {
        "w0": w0, "workers": workers, "trades": trade_ids, "count": rest,
        "from": datetime.date(YEAR - 1, 7, 1), "year_end": year_end})
    same = timed_step("certificates: the same trade and level again", CERTS_AGAIN_SQL, {
        "prefix": "BS", "lower": 0, "salt": 71, "days": 90, "count": again, "year_start": year_start,
        "year_end": year_end})
    lower = timed_step("certificates: a level lower than one held", CERTS_AGAIN_SQL, {
        "prefix": "BL", "lower": 1, "salt": 73, "days": 60, "count": again, "year_start": year_start,
        "year_end": year_end})
    counts["certificates"] = after_class + five + randoms + same + lower
    counts["certificates in the year"] = scalar(
        "SELECT count(*) FROM certification_certificate WHERE issued_on BETWEEN %s AND %s", [year_start, year_end])

    budget = Decimal("900000000000.00")
    common = {"valid_from": year_start, "valid_to": year_end, "budget": budget, "basis": "压测"}
    skill = Policy.objects.create(kind=Kind.SKILL, name=f"{YEAR}年技能提升补贴（压测）", **common)
    training = Policy.objects.create(kind=Kind.TRAINING, name=f"{YEAR}年职业培训补贴（压测）",
                                     requires_certificate=True, **common)
    living = Policy.objects.create(kind=Kind.LIVING, name=f"{YEAR}年生活费补贴（压测）", **common)
    Rate.objects.bulk_create([Rate(policy=skill, level=5, amount=Decimal(1000)),
                              Rate(policy=skill, level=4, amount=Decimal(1500)),
                              Rate(policy=skill, level=3, amount=Decimal(2000)),
                              Rate(policy=training, amount=Decimal(500)),
                              Rate(policy=living, amount=Decimal(100))])
    harness.vacuum("registry_worker", "training_trainingclass", "training_classsession", "training_enrollment",
                   "training_attendance", "training_course", "certification_certificate", "subsidies_policy",
                   "subsidies_rate")
    return counts


# --- measurements -----------------------------------------------------------------------------

def reset():
    """No claims; fresh statistics (an empty, analysed table); the dirty pages of the last run written out."""
    execute("TRUNCATE subsidies_claim CASCADE")
    harness.vacuum("subsidies_claim")
    execute("CHECKPOINT")


def new_run():
    from training.subsidies.models import Run

    return Run.objects.create(period_start=datetime.date(YEAR, 1, 1), period_end=datetime.date(YEAR, 12, 31),
                              claimed_on=datetime.date(YEAR + 1, 1, 20))


class Watchdog:
    """After `seconds`, cancel the statements of the given backends (a callable returning their pids)
    once a second until stopped: the engine is then interrupted whatever step it is in."""

    def __init__(self, seconds, backends):
        import threading

        self.seconds, self.backends = seconds, backends
        self.fired = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        if self._stop.wait(self.seconds):
            return
        self.fired = True
        with contextlib.closing(harness._admin_connection()) as conn, conn.cursor() as cur:  # noqa: SLF001 - the bench's own harness
            while not self._stop.is_set():
                cur.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = ANY(%s)",
                            [self.backends()])
                self._stop.wait(1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        return False


@contextlib.contextmanager
def step_times(steps: list, verbose=False):
    """Record (kind, first day, seconds, rows) of every engine step while the block runs."""
    from training.subsidies import engine

    original = engine.step_execute

    def wrapper(run, policy, start, end):
        started = time.perf_counter()
        rows = original(run, policy, start, end)
        steps.append((policy.kind, start, time.perf_counter() - started, rows))
        if verbose:
            harness.say(f"     step {policy.kind:<9} {start:%Y-%m}  {steps[-1][2]:7.2f} s  {rows:>9,} claims")
        return rows

    engine.step_execute = wrapper
    try:
        yield
    finally:
        engine.step_execute = original


def run_engine(budget, verbose=False):
    """run_execute in this process: (seconds, claims, steps); claims None when the budget ran out
    and the run was cancelled (seconds is then the budget)."""
    from django.db import OperationalError, connection

    from training.subsidies import engine

    run, steps = new_run(), []
    backend = scalar("SELECT pg_backend_pid()")
    with step_times(steps, verbose), Watchdog(budget, lambda: [backend]) as watchdog:
        started = time.perf_counter()
        try:
            run = engine.run_execute(run.pk)
        except OperationalError:
            if not watchdog.fired:
                raise
    seconds = time.perf_counter() - started
    if watchdog.fired:
        connection.close()  # a cancel may have hit between statements: start afresh
        return seconds, None, steps
    if run.status != "done":
        raise RuntimeError(f"run {run.pk} ended {run.status}: {run.error}")
    return seconds, run.claims_created, steps


def baseline_params(policy, run, start=None, end=None):
    from django.conf import settings
    from django.utils import timezone

    return {"policy": policy.pk, "start": start or max(run.period_start, policy.valid_from),
            "end": end or min(run.period_end, policy.valid_to), "claimed_on": run.claimed_on, "run": run.pk,
            "now": timezone.now(), "user": None, "tz": settings.TIME_ZONE}


def engine_session(cur):
    """The session settings the engine's steps run with (training/subsidies/engine.py step_execute):
    the baseline runs with the same, so that the ratio compares the statements, not the settings."""
    cur.execute("SET LOCAL work_mem = '128MB'")
    cur.execute("SET LOCAL jit = off")


def run_baseline():
    """The three statements, each in its own transaction: (seconds, claims, seconds by kind)."""
    from django.db import connection, transaction

    from training.subsidies.models import Policy

    run = new_run()
    policies = {p.kind: p for p in Policy.objects.all()}
    by_kind, claims = {}, 0
    started = time.perf_counter()
    for kind, sql in BASELINE:
        t = time.perf_counter()
        if kind == "skill":
            with connection.cursor() as cur:
                cur.execute("ANALYZE subsidies_claim")
        with transaction.atomic(), connection.cursor() as cur:
            engine_session(cur)
            cur.execute(sql, baseline_params(policies[kind], run))
            claims += cur.rowcount
        by_kind[kind] = time.perf_counter() - t
    return time.perf_counter() - started, claims, by_kind


def keep_reference():
    execute("DROP TABLE IF EXISTS bench_reference")
    execute(f"CREATE TABLE bench_reference AS SELECT {CLAIM_KEY} FROM subsidies_claim")


def differences():
    """(claims only in subsidies_claim, claims only in the reference): multisets, EXCEPT ALL."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(f"""SELECT (SELECT count(*) FROM (SELECT {CLAIM_KEY} FROM subsidies_claim EXCEPT ALL
                                                      SELECT {CLAIM_KEY} FROM bench_reference) a),
                               (SELECT count(*) FROM (SELECT {CLAIM_KEY} FROM bench_reference EXCEPT ALL
                                                      SELECT {CLAIM_KEY} FROM subsidies_claim) b)""")
        return cur.fetchone()


def claim_summary():
    """[(kind, status, claims, amount)], Counter of (kind, reason)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""SELECT p.kind, c.status, count(*), sum(c.amount) FROM subsidies_claim c
                       JOIN subsidies_policy p ON p.id = c.policy_id GROUP BY 1, 2 ORDER BY 1, 2""")
        statuses = cur.fetchall()
        cur.execute("""SELECT p.kind, r.reason, count(*) FROM subsidies_claim c
                       JOIN subsidies_policy p ON p.id = c.policy_id CROSS JOIN unnest(c.reasons) AS r(reason)
                       GROUP BY 1, 2""")
        reasons = Counter({(kind, reason): n for kind, reason, n in cur.fetchall()})
    return statuses, reasons


# --- the Celery worker --------------------------------------------------------------------------

def proc_status(pid):
    """VmRSS and VmHWM of a process in kB, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM") if k in fields}


def descendants(pid):
    children, found = defaultdict(list), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                text = Path(f"/proc/{entry}/stat").read_text()
                children[int(text[text.rindex(")") + 2:].split()[1])].append(int(entry))
    todo = list(children[pid])
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children[p]
    return found


def worker_memory(pid):
    """(peak, current) resident kB of the worker and any child processes (none with the solo pool)."""
    peak = current = 0
    for p in [pid, *descendants(pid)]:
        status = proc_status(p)
        if status:
            peak += status.get("VmHWM", 0)
            current += status.get("VmRSS", 0)
    return peak, current


class CeleryWorker:
    """`celery -A zhangwan worker --pool=solo` on a queue of its own, against the bench database."""

    def __init__(self):
        self.queue = f"bench-subsidies-{uuid.uuid4().hex[:10]}"
        self.log = Path(tempfile.mkstemp(prefix="zhangwan-bench-celery-", suffix=".log")[1])
        self.proc = None

    def start(self, timeout=90):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": harness.SETTINGS, "DATABASE_NAME": DB_NAME,
               "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-m", "celery", "-A", "zhangwan", "worker", "-Q", self.queue, "--pool", "solo",
               "--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
               "-n", f"{self.queue}@%h"]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=harness.ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.proc.returncode}:\n{self.log_text()}")
            if " ready." in self.log_text():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"the Celery worker was not ready within {timeout} s:\n{self.log_text()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if not self.alive():
            return
        self.proc.terminate()  # warm shutdown
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the session this script started for it
            self.proc.wait(timeout=10)

    def log_text(self, tail=100_000):
        try:
            return self.log.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


def other_backends():
    """The bench database's backends other than this process's: the Celery worker's."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB_NAME])
        return [pid for (pid,) in cur.fetchall()]


def run_celery(budget):
    """The run through a real worker. Returns seconds from queueing to done (or to the budget), claims
    (None if cancelled at the budget), the worker's peak and idle resident kB, and the steps it did."""
    from training.subsidies.models import Run
    from training.subsidies.tasks import compute_claims

    worker, cancelled = CeleryWorker(), False
    try:
        worker.start()
        _peak, idle = worker_memory(worker.proc.pid)
        harness.say(f"  worker pid {worker.proc.pid} ready on queue {worker.queue}: {idle / 1024:.0f} MB resident")
        run = new_run()
        started = time.perf_counter()
        result = compute_claims.apply_async(args=[run.pk], queue=worker.queue)
        while True:
            status, steps_done = Run.objects.filter(pk=run.pk).values_list("status", "steps_done").get()
            if status in (Run.Status.DONE, Run.Status.FAILED):
                break
            if not worker.alive():
                raise RuntimeError(f"the Celery worker died (exit {worker.proc.returncode}):\n{worker.log_text()}")
            if time.perf_counter() - started > budget:
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        peak, _current = worker_memory(worker.proc.pid)
        if status == Run.Status.DONE:
            value = result.get(timeout=60)
            result.forget()
            run.refresh_from_db()
            return {"seconds": seconds, "claims": run.claims_created, "task": value, "peak": peak, "idle": idle,
                    "steps": steps_done}
        if status == Run.Status.FAILED:
            raise RuntimeError(f"run {run.pk} failed in the worker: {run.error}\n{worker.log_text()}")
        cancelled, backends = True, other_backends()
        with Watchdog(0, lambda: backends), contextlib.suppress(Exception):  # the task raises, the worker idles
            result.get(timeout=60, propagate=False)
        result.forget()
        return {"seconds": seconds, "claims": None, "task": None, "peak": peak, "idle": idle, "steps": steps_done}
    finally:
        worker.stop()
        text = worker.log_text()
        if not cancelled and ("Traceback" in text or "ERROR" in text):
            harness.say(f"  the worker's log holds errors: {worker.log}\n{text[-3000:]}")
        else:
            worker.log.unlink(missing_ok=True)


# --- plans ------------------------------------------------------------------------------------

def explain_all():
    """EXPLAIN (the plan only: running them can take very long) of two engine steps as the engine
    plans them in a run from an empty claims table: January's training step (the first of the run),
    and December's skill step with the claims of January to November in but the statistics of
    before the skill steps (the engine refreshes them when the claims table has grown by half: not
    during the skill steps of this benchmark)."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from training.subsidies import engine
    from training.subsidies.models import Policy

    policies = {p.kind: p for p in Policy.objects.all()}
    reset()
    run = new_run()

    def engine_plan(kind, start, end, label):
        params = {"policy": policies[kind].pk, "start": start, "end": end, "claimed_on": run.claimed_on,
                  "run": run.pk, "now": timezone.now(), "user": None, "tz": settings.TIME_ZONE,
                  "year_start": datetime.date(run.claimed_on.year, 1, 1),
                  "year_end": datetime.date(run.claimed_on.year + 1, 1, 1), "skill_policies": [policies["skill"].pk]}
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")  # as the engine's steps
            cur.execute("EXPLAIN " + engine.STATEMENTS[kind], params)
            harness.say(f"\n--- {label} ---\n" + "\n".join(row[0] for row in cur.fetchall()))

    engine_plan("training", datetime.date(YEAR, 1, 1), datetime.date(YEAR, 1, 31),
                f"engine, training, January {YEAR}: the first step, on the empty analysed claims table")
    for kind in ("training", "living"):
        execute(dict(BASELINE)[kind], baseline_params(policies[kind], run))
    execute("ANALYZE subsidies_claim")  # what the engine does after the living steps
    execute(SKILL_SQL, baseline_params(policies["skill"], run, end=datetime.date(YEAR, 11, 30)))
    engine_plan("skill", datetime.date(YEAR, 12, 1), datetime.date(YEAR, 12, 31),
                f"engine, skill, December {YEAR}: claims of the earlier months in, statistics from before them")
    reset()


# --- report -----------------------------------------------------------------------------------

def print_steps(steps, title):
    harness.say(f"\n{title} (seconds, claims):")
    by_kind = defaultdict(list)
    for kind, start, seconds, rows in steps:
        by_kind[kind].append(f"{start:%m}: {seconds:6.2f} s {rows:>7,}")
    for kind, cells in by_kind.items():
        harness.say(f"  {kind:<9}" + "\n           ".join("   ".join(cells[i:i + 4]) for i in range(0, len(cells), 4)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enrollments", type=int, default=1_000_000)
    parser.add_argument("--certificates", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=BUDGET_FACTOR,
                        help=f"cancel an engine run after this many times the first SQL run (default {BUDGET_FACTOR})")
    parser.add_argument("--no-celery", action="store_true", help="skip the run through a Celery worker")
    parser.add_argument("--explain", action="store_true", help="print the plans of two engine steps as run")
    parser.add_argument("--verbose", action="store_true", help="print every engine step as it finishes")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database at the end")
    args = parser.parse_args()
    harness.setup(DB_NAME)

    failures = []
    with harness.throwaway_database(DB_NAME, keep=args.keep_db):
        when = harness.stamp()
        started = time.perf_counter()
        harness.say("seeding:")
        counts = seed(args)
        harness.say("seeded " + ", ".join(f"{n:,} {what}" for what, n in counts.items())
                    + f" in {time.perf_counter() - started:.0f} s\n")

        engine_times, sql_times, engine_kinds, sql_kinds, overheads = [], [], defaultdict(list), defaultdict(list), []
        total_differences, budget, cancelled_steps = 0, None, None
        meter = harness.CpuMeter(db_name=DB_NAME).start()
        harness.say(f"{'run':>3}  {'sql':>9} {'claims':>9}  {'engine':>9} {'claims':>9}  "
                    "differences from the first SQL run")
        for n in range(1, args.repeat + 1):
            reset()
            t_sql, sql_claims, by_kind = run_baseline()
            sql_times.append(t_sql)
            for kind, seconds in by_kind.items():
                sql_kinds[kind].append(seconds)
            if n == 1:
                keep_reference()
                statuses, reasons = claim_summary()
                budget = max(MIN_BUDGET, args.budget * t_sql)
                sql_diff = (0, 0)
            else:
                sql_diff = differences()
            cells = f"{n:>3}  {t_sql:>7.1f} s {sql_claims:>9,}  "
            diff = f"SQL {sql_diff[0]}+{sql_diff[1]}"
            total_differences += sum(sql_diff)
            if cancelled_steps is not None:
                harness.say(cells + f"{'-':>9} {'-':>9}  {diff}")
                continue
            reset()
            if args.verbose:
                harness.say(cells + f"engine (cancelled after {budget:.0f} s):")
            t_engine, engine_claims, steps = run_engine(budget, args.verbose)
            if engine_claims is None:
                cancelled_steps = steps
                harness.say(cells + f"> {budget:>5.0f} s {'-':>9}  {diff}; engine cancelled at the budget "
                            f"({args.budget:g}× the first SQL run) after {len(steps)} of 36 steps")
                continue
            engine_times.append(t_engine)
            for kind in ("training", "living", "skill"):
                engine_kinds[kind].append(sum(s for k, _day, s, _rows in steps if k == kind))
            overheads.append(t_engine - sum(s for _k, _day, s, _rows in steps))
            engine_diff = differences()
            total_differences += sum(engine_diff)
            harness.say(cells + f"{t_engine:>7.1f} s {engine_claims:>9,}  {diff}, engine "
                        f"{engine_diff[0]}+{engine_diff[1]}")
            if engine_claims != sql_claims:
                failures.append(f"run {n}: the engine made {engine_claims:,} claims, the SQL {sql_claims:,}")
        meter.stop()
        if total_differences:
            failures.append(f"{total_differences} claims differ from the first SQL run's")

        harness.say("\nclaims (kind, status: count, amount):")
        for kind, status, count, amount in statuses:
            harness.say(f"  {kind:<9} {status:<11} {count:>9,}  ¥{amount:>15,.2f}")
        harness.say("reasons: " + "; ".join(
            f"{kind}: " + ", ".join(f"{reason} {n:,}" for (k, reason), n in reasons.most_common() if k == kind)
            for kind in ("training", "living", "skill")))

        harness.say(f"\n{when}; {args.repeat} runs\n{meter.line()}")
        harness.say(f"hand-written SQL:    {harness.summary(sql_times)}   (3 statements + ANALYZE)")
        if cancelled_steps is None:
            ratio = statistics.median(engine_times) / statistics.median(sql_times)
            harness.say(f"engine.run_execute:  {harness.summary(engine_times)}   "
                        f"(36 steps; outside them: median {statistics.median(overheads) * 1000:.0f} ms)")
            for kind in ("training", "living", "skill"):
                e, s = statistics.median(engine_kinds[kind]), statistics.median(sql_kinds[kind])
                harness.say(f"  {kind:<9} engine median {e * 1000:7.0f} ms   SQL median {s * 1000:7.0f} ms   "
                            f"{e / s:4.2f}×")
            verdict = harness.judge(failures, meter, ratio <= RATIO_TARGET, "engine / SQL",
                                    f"the engine takes {ratio:.2f}× the hand-written SQL (target ≤ {RATIO_TARGET}×)")
            harness.say(f"ratio engine / SQL (medians): {ratio:.2f}×, "
                        f"(mins): {min(engine_times) / min(sql_times):.2f}×; target ≤ {RATIO_TARGET}×: {verdict}")
            if ratio > RATIO_TARGET:
                print_steps(steps, "the engine's steps in its last run")
        else:
            ratio = budget / statistics.median(sql_times)
            harness.say(f"engine.run_execute:  cancelled after {budget:.0f} s, {len(cancelled_steps)} of 36 steps done")
            verdict = harness.judge(failures, meter, False, "engine / SQL",
                                    f"the engine did not finish within {args.budget:g}× the hand-written SQL "
                                    f"(target ≤ {RATIO_TARGET}×): cancelled after {len(cancelled_steps)} of 36 steps")
            harness.say(f"ratio engine / SQL (medians): > {ratio:.2f}×; target ≤ {RATIO_TARGET}×: {verdict}")
            print_steps(cancelled_steps, "the steps the engine finished before it was cancelled")

        if not args.no_celery:
            # When the engine already missed its budget, watch the worker only long enough to see it work.
            limit = budget if cancelled_steps is None else min(budget, CELERY_WATCH)
            harness.say(f"\nthe same run through a Celery worker (--pool=solo), for at most {limit:.0f} s:")
            reset()
            got = run_celery(limit)
            if got["claims"] is not None:
                celery_diff = differences()
                harness.say(f"  queued to done {got['seconds']:.1f} s, {got['claims']:,} claims (task returned "
                            f"{got['task']:,}), {celery_diff[0]}+{celery_diff[1]} differences from the first SQL run")
                if sum(celery_diff):
                    failures.append(f"the Celery run's claims differ from the first SQL run's: {celery_diff}")
                over = "the whole run"
            else:
                harness.say(f"  cancelled after {got['seconds']:.0f} s with {got['steps']} of 36 steps done")
                over = f"the {got['seconds']:.0f} s it ran, {got['steps']} steps: a partial run"
            peak = got["peak"] / 1024
            harness.say(f"  worker peak resident memory (VmHWM) over {over}: {peak:.0f} MB (idle before the task "
                        f"{got['idle'] / 1024:.0f} MB); target < {MEMORY_TARGET_MB} MB: "
                        f"{'met' if peak < MEMORY_TARGET_MB else 'MISSED'}")
            if peak >= MEMORY_TARGET_MB:
                failures.append(f"the Celery worker peaked at {peak:.0f} MB (target < {MEMORY_TARGET_MB} MB)")

        if args.explain:
            explain_all()

    return harness.finish(failures)


if __name__ == "__main__":
    sys.exit(main())
