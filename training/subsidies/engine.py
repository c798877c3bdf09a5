"""The claim engine: each policy's claims for a period made by one INSERT … SELECT per month.

Every candidate source (a certificate, or an enrollment in a finished class) gets one claim: awaiting
review with the rate that grants it, or not eligible with the code of every rule that refused it
(rules.py turns the codes into words). The unique keys (policy, certificate) and (policy, enrollment)
make a rerun, two runs at once, or a run redone after its worker was killed leave exactly the claims
of one clean run: each step is one transaction that inserts only sources without a claim.

Steps run in order (training, then living, then skill; month by month) under one advisory lock,
because the yearly limit and "once per trade and level" count the claims earlier steps made, and a
skill claim is refused for a certificate the training subsidy already paid.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from zhangwan.jobs import step_pause

from .models import Claim, Kind, Policy, Run

ENGINE_LOCK = 7_200_317  # pg_advisory_xact_lock key shared by every step of every run
ORDER = {Kind.TRAINING: 0, Kind.LIVING: 1, Kind.SKILL: 2}

# Claims made by this very statement are invisible to it but still in the table's pages: a scan of
# subsidies_claim per row would read them again for every row. So every statement reads the claims
# it needs once, in MATERIALIZED CTEs hashed before the first row is inserted; what is left per row is
# a probe of one key (has this certificate a claim under the policy, which claims name it), and the
# unique keys, not a lookup, keep a source from being claimed twice. Statistics matter little then:
# within a run they are from before the step (see ClaimStatistics).

# The ids of reversed claims (few: corrections), read once by the unique index on reverses_id.
REVERSED = """reversed AS MATERIALIZED (
    SELECT r.reverses_id AS id FROM subsidies_claim r WHERE r.reverses_id IS NOT NULL
)"""

# A claim that counts: awaiting review or approved, and not reversed (needs the CTE above).
GRANTED = """{alias}.status IN ('pending', 'approved') AND {alias}.reverses_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM reversed rv WHERE rv.id = {alias}.id)"""

# The rate that applies to each course (training, living): the most specific one.
RATE = """rate_of AS MATERIALIZED (
    SELECT DISTINCT ON (co.id) co.id AS course_id, r.id, r.amount
    FROM training_course co
    JOIN subsidies_rate r ON r.policy_id = %(policy)s AND (r.level = co.level OR r.level IS NULL)
                         AND (r.trade_id = co.trade_id OR r.trade_id IS NULL)
    ORDER BY co.id, r.trade_id IS NULL, r.level IS NULL
)"""

COLUMNS = """INSERT INTO subsidies_claim (policy_id, worker_id, certificate_id, enrollment_id, trade_id, level, rate_id,
    quantity, amount, status, reasons, claimed_on, run_id, created_at, created_by_id, reviewed_by_id, reviewed_at,
    review_note, batch_id, reverses_id)"""

# What each claim row is made of once its reasons are known.
DECIDED = """CASE WHEN cardinality({reasons}) = 0 THEN {amount} ELSE 0 END,
    CASE WHEN cardinality({reasons}) = 0 THEN 'pending' ELSE 'ineligible' END,
    {reasons}, %(claimed_on)s, %(run)s, %(now)s, %(user)s, NULL, NULL, '', NULL, NULL"""

DECIDED_ENROLLMENTS = "e.status IN ('completed', 'failed', 'no_show')"

# The month's certificates without a claim under this policy, and what the rules need, each read
# once: the granted skill claims (any skill policy, any year: "once per trade and level"; counted per
# holder for the yearly limit), the certificates a training claim paid, the rate per trade and level.
# The skill policies come as constants, %(skill_policies)s: joined to the policy table, the planner
# takes a half of all claims for theirs and scans the table.
SKILL = f"""
WITH issued AS MATERIALIZED (
    -- OFFSET 0 keeps this a probe of the unique key per certificate (the step's, all of them before
    -- the first insert): as an anti-join on statistics from before the step's policy had claims,
    -- it was planned as a nested loop over every claim of the policy (12 s in February).
    SELECT c.id, c.holder_id, c.trade_id, c.level, c.issued_on
    FROM certification_certificate c
    WHERE c.status = 'valid' AND c.issued_on BETWEEN %(start)s AND %(end)s
      AND NOT EXISTS (SELECT 1 FROM subsidies_claim d WHERE d.policy_id = %(policy)s AND d.certificate_id = c.id
                      AND d.enrollment_id IS NULL AND d.reverses_id IS NULL OFFSET 0)
), {REVERSED}, skill_granted AS MATERIALIZED (
    -- By the unique keys, which lead with the policy (one for each half): the skill claims lie
    -- together in the table.
    SELECT s.worker_id, s.trade_id, s.level, s.claimed_on FROM subsidies_claim s
    WHERE s.policy_id = ANY(%(skill_policies)s::bigint[]) AND s.enrollment_id IS NULL AND {GRANTED.format(alias="s")}
    UNION ALL
    SELECT s.worker_id, s.trade_id, s.level, s.claimed_on FROM subsidies_claim s
    WHERE s.policy_id = ANY(%(skill_policies)s::bigint[]) AND s.enrollment_id IS NOT NULL
      AND {GRANTED.format(alias="s")}
), year_count AS MATERIALIZED (
    SELECT worker_id, count(*) AS n FROM skill_granted
    WHERE claimed_on >= %(year_start)s AND claimed_on < %(year_end)s
    GROUP BY worker_id
), training_paid AS MATERIALIZED (
    SELECT t.certificate_id FROM subsidies_claim t
    WHERE t.certificate_id IN (SELECT id FROM issued) AND t.enrollment_id IS NOT NULL
      AND {GRANTED.format(alias="t")}
), rate_of AS MATERIALIZED (
    SELECT DISTINCT ON (k.trade_id, k.level) k.trade_id, k.level, r.id, r.amount
    FROM (SELECT DISTINCT trade_id, level FROM issued) k
    JOIN subsidies_rate r ON r.policy_id = %(policy)s AND (r.level = k.level OR r.level IS NULL)
                         AND (r.trade_id = k.trade_id OR r.trade_id IS NULL)
    ORDER BY k.trade_id, k.level, r.trade_id IS NULL, r.level IS NULL
), candidates AS (
    SELECT c.id AS certificate_id, c.holder_id AS worker_id, c.trade_id, c.level, c.issued_on,
           rate_of.id AS rate_id, rate_of.amount, p.max_per_year,
           array_remove(ARRAY[
               CASE WHEN w.insured_since IS NULL
                         OR w.insured_since > c.issued_on - make_interval(months => p.min_insured_months)
                    THEN 'insured_short' END,
               CASE WHEN %(claimed_on)s > c.issued_on + make_interval(months => p.claim_window_months)
                    THEN 'claimed_late' END,
               CASE WHEN rate_of.id IS NULL THEN 'no_rate' END,
               CASE WHEN EXISTS (SELECT 1 FROM certification_certificate h
                                 WHERE h.holder_id = c.holder_id AND h.trade_id = c.trade_id AND h.status = 'valid'
                                   AND h.level BETWEEN 1 AND c.level - 1 AND h.issued_on <= c.issued_on)
                    THEN 'higher_level_held' END,
               CASE WHEN row_number() OVER (PARTITION BY c.holder_id, c.trade_id, c.level
                                            ORDER BY c.issued_on, c.id) > 1
                         OR (c.holder_id, c.trade_id, c.level) IN (SELECT worker_id, trade_id, level
                                                                   FROM skill_granted)
                    THEN 'trade_level_subsidised' END,
               CASE WHEN c.id IN (SELECT certificate_id FROM training_paid) THEN 'training_subsidised' END
           ]::varchar[], NULL) AS reasons
    FROM issued c
    JOIN registry_worker w ON w.id = c.holder_id
    JOIN subsidies_policy p ON p.id = %(policy)s
    LEFT JOIN rate_of ON rate_of.trade_id = c.trade_id AND rate_of.level = c.level
), limited AS (
    SELECT candidates.*,
           CASE WHEN cardinality(reasons) = 0
                     AND coalesce(prior.n, 0) + row_number() OVER (
                         PARTITION BY candidates.worker_id, cardinality(reasons) = 0
                         ORDER BY issued_on, certificate_id) > max_per_year
                THEN reasons || 'yearly_limit'::varchar ELSE reasons END AS decided
    FROM candidates
    LEFT JOIN year_count prior ON prior.worker_id = candidates.worker_id
)
{COLUMNS}
SELECT %(policy)s, worker_id, certificate_id, NULL, trade_id, level, rate_id, NULL,
    {DECIDED.format(reasons="decided", amount="amount")}
FROM limited
ON CONFLICT (policy_id, certificate_id) WHERE enrollment_id IS NULL AND reverses_id IS NULL DO NOTHING
"""

TRAINING = f"""
WITH {REVERSED}, skill_paid AS MATERIALIZED (
    SELECT s.certificate_id FROM subsidies_claim s
    WHERE s.policy_id = ANY(%(skill_policies)s::bigint[]) AND s.enrollment_id IS NULL
      AND {GRANTED.format(alias="s")}
), {RATE}
{COLUMNS}
SELECT p.id, e.worker_id, cert.id, e.id, co.trade_id, co.level, rate_of.id, NULL,
    {DECIDED.format(reasons="why.reasons", amount="rate_of.amount")}
FROM training_trainingclass tc
JOIN training_enrollment e ON e.training_class_id = tc.id
JOIN training_course co ON co.id = tc.course_id
JOIN subsidies_policy p ON p.id = %(policy)s
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
    tc.has_exam AND e.exam_passed IS NOT TRUE AS exam_failed
) outcome
CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
    CASE WHEN outcome.short THEN 'attendance_short' END,
    CASE WHEN outcome.exam_failed THEN 'exam_not_passed' END,
    CASE WHEN e.status <> 'completed' AND NOT outcome.short AND NOT outcome.exam_failed THEN 'not_completed' END,
    CASE WHEN p.requires_certificate AND cert.id IS NULL THEN 'no_certificate' END,
    CASE WHEN cert.id IN (SELECT certificate_id FROM skill_paid) THEN 'skill_subsidised' END,
    CASE WHEN rate_of.id IS NULL THEN 'no_rate' END
]::varchar[], NULL) AS reasons) why
WHERE {DECIDED_ENROLLMENTS} AND tc.ends_on BETWEEN %(start)s AND %(end)s
ON CONFLICT (policy_id, enrollment_id) WHERE enrollment_id IS NOT NULL AND reverses_id IS NULL DO NOTHING
"""

# Attended days counted for the step's trainees together (one grouped pass over their attendance).
LIVING = f"""
WITH enrolled AS MATERIALIZED (
    SELECT e.id, e.worker_id, tc.course_id
    FROM training_trainingclass tc
    JOIN training_enrollment e ON e.training_class_id = tc.id
    JOIN registry_worker w ON w.id = e.worker_id AND w.poverty_registered
    WHERE {DECIDED_ENROLLMENTS} AND tc.ends_on BETWEEN %(start)s AND %(end)s
), days AS MATERIALIZED (
    SELECT a.enrollment_id, count(DISTINCT (s.starts_at AT TIME ZONE %(tz)s)::date) AS n
    FROM training_attendance a JOIN training_classsession s ON s.id = a.session_id
    WHERE a.enrollment_id IN (SELECT id FROM enrolled) AND a.status IN ('present', 'late')
    GROUP BY a.enrollment_id
), {RATE}
{COLUMNS}
SELECT p.id, e.worker_id, NULL, e.id, co.trade_id, co.level, rate_of.id, coalesce(days.n, 0),
    {DECIDED.format(reasons="why.reasons", amount="rate_of.amount * coalesce(days.n, 0)")}
FROM enrolled e
JOIN training_course co ON co.id = e.course_id
JOIN subsidies_policy p ON p.id = %(policy)s
LEFT JOIN rate_of ON rate_of.course_id = co.id
LEFT JOIN days ON days.enrollment_id = e.id
CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
    CASE WHEN coalesce(days.n, 0) = 0 THEN 'no_attended_day' END,
    CASE WHEN rate_of.id IS NULL THEN 'no_rate' END
]::varchar[], NULL) AS reasons) why
ON CONFLICT (policy_id, enrollment_id) WHERE enrollment_id IS NOT NULL AND reverses_id IS NULL DO NOTHING
"""

STATEMENTS = {Kind.SKILL: SKILL, Kind.TRAINING: TRAINING, Kind.LIVING: LIVING}


def months(start: datetime.date, end: datetime.date):
    """(first, last) day pairs covering start..end, cut at both ends."""
    first = start
    while first <= end:
        last = min(first.replace(day=1) + relativedelta(months=1) - datetime.timedelta(days=1), end)
        yield first, last
        first = last + datetime.timedelta(days=1)


def run_steps(run: Run) -> list[tuple[Policy, datetime.date, datetime.date]]:
    policies = Policy.objects.filter(valid_from__lte=run.period_end, valid_to__gte=run.period_start)
    steps = []
    for policy in sorted(policies, key=lambda p: (ORDER[p.kind], p.valid_from, p.pk)):
        start, end = max(run.period_start, policy.valid_from), min(run.period_end, policy.valid_to)
        steps += [(policy, first, last) for first, last in months(start, end)]
    return steps


def step_execute(run: Run, policy: Policy, start: datetime.date, end: datetime.date) -> int:
    """One policy's claims for sources dated start..end: one statement, one transaction."""
    year = run.claimed_on.year
    params = {
        "policy": policy.pk, "start": start, "end": end, "claimed_on": run.claimed_on, "run": run.pk,
        "now": timezone.now(), "user": run.started_by_id, "tz": settings.TIME_ZONE,
        "year_start": datetime.date(year, 1, 1), "year_end": datetime.date(year + 1, 1, 1),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ENGINE_LOCK])
        params["skill_policies"] = list(Policy.objects.filter(kind=Kind.SKILL).values_list("pk", flat=True))
        cursor.execute("SET LOCAL work_mem = '128MB'")  # the IN lists and sorts stay hashed in memory
        # A step is a short statement: compiling it (JIT, up to 1 s: its cost estimate is high) took
        # longer than it saved, and 36 steps pay for it 36 times.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(STATEMENTS[policy.kind], params)
        return cursor.rowcount


class ClaimStatistics:
    """Once the claims table has grown by half since the planner last counted it, count again (as
    autovacuum would, but within the run). The steps read claims once each, through the unique keys
    and hashed, which keeps their plans whatever the statistics (the December skill step with those
    of before any skill claim runs as fast), so a few refreshes a run are enough: refreshing after
    every 2 % of growth cost 24 ANALYZEs, 4–5 s of a run."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'subsidies_claim'::regclass")
            self.counted = cursor.fetchone()[0]
        self.added = 0

    def grew(self, rows: int) -> None:
        self.added += rows
        if self.added > 5000 and self.added > 0.5 * self.counted:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE subsidies_claim")
            self.counted, self.added = self.counted + self.added, 0


def run_execute(run_id: int) -> Run:
    """Do (or redo) a run. Safe to call again at any point: finished steps insert nothing."""
    run = Run.objects.get(pk=run_id)
    if run.status == Run.Status.DONE:
        return run
    steps = run_steps(run)
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, steps_total=len(steps), steps_done=0, error="")
    statistics = ClaimStatistics()
    for policy, start, end in steps:
        statistics.grew(step_execute(run, policy, start, end))
        Run.objects.filter(pk=run.pk).update(steps_done=F("steps_done") + 1)
        step_pause("SUBSIDY_STEP_PAUSE")
    Run.objects.filter(pk=run.pk).update(status=Run.Status.DONE, finished_at=timezone.now(),
                                         claims_created=Claim.objects.filter(run=run).count())
    run.refresh_from_db()
    return run
