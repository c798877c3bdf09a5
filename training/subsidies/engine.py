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

from certification.models import Certificate
from training.models import Attendance, ClassSession, Course, Enrollment, TrainingClass
from zhangwan.jobs import step_pause
from zhangwan.progress import progress_table
from zhangwan.registry.models import Worker
from zhangwan.sql import compose, statement
from zhangwan.transitions import Transitions

from .models import Application, Claim, InsuredPeriod, Kind, Policy, Rate, Run, ShortageOccupation
from .rules import Refusal

RUN_STATUS = Transitions(Run, progress_table(Run.Status))  # the engine is what moves a run

ENGINE_LOCK = 7_200_317  # pg_advisory_xact_lock key shared by every step of every run
ORDER = {Kind.TRAINING: 0, Kind.LIVING: 1, Kind.SKILL: 2}

# Claims made by this very statement are invisible to it but still in the table's pages: a scan of
# subsidies_claim per row would read them again for every row. So every statement reads the claims
# it needs once, in MATERIALIZED CTEs hashed before the first row is inserted; what is left per row is
# a probe of one key (has this certificate a claim under the policy, which claims name it), and the
# unique keys, not a lookup, keep a source from being claimed twice. Statistics matter little then:
# within a run they are from before the step (see ClaimStatistics).
#
# Names come from the models and every status and reason code is a parameter (CONSTANTS), see
# zhangwan/sql.py; the codes and their words are rules.Refusal.

R = Refusal
CONSTANTS = {
    "pending": Claim.Status.PENDING, "approved": Claim.Status.APPROVED, "ineligible": Claim.Status.INELIGIBLE,
    "valid": Certificate.Status.VALID, "completed": Enrollment.Status.COMPLETED, "failed": Enrollment.Status.FAILED,
    "no_show": Enrollment.Status.NO_SHOW, "present": Attendance.Status.PRESENT, "late": Attendance.Status.LATE,
    **{code.value: code for code in Refusal},
}

# The ids of reversed claims (few: corrections), read once by the unique index on reverses_id.
REVERSED = compose("""reversed AS MATERIALIZED (
    SELECT {r.reverses} AS id FROM {r} WHERE {r.reverses} IS NOT NULL
)""", r=Claim)


def granted(alias: str) -> str:
    """A claim that counts: awaiting review or approved, and not reversed (needs the CTE above)."""
    return compose("""{a.status} IN (%(pending)s, %(approved)s) AND {a.reverses} IS NULL
    AND NOT EXISTS (SELECT 1 FROM reversed rv WHERE rv.id = {a.id})""", a=(Claim, alias))


# The rate that applies to each course (training, living): the most specific one.
RATE = compose("""rate_of AS MATERIALIZED (
    SELECT DISTINCT ON ({co.id}) {co.id} AS course_id, {r.id}, {r.amount}
    FROM {co}
    JOIN {r} ON {r.policy} = %(policy)s AND ({r.level} = {co.level} OR {r.level} IS NULL)
                         AND ({r.trade} = {co.trade} OR {r.trade} IS NULL)
    ORDER BY {co.id}, {r.trade} IS NULL, {r.level} IS NULL
)""", co=Course, r=Rate)

CLAIM_FIELDS = ("policy", "worker", "certificate", "enrollment", "trade", "level", "rate", "quantity", "amount",
                "status", "reasons", "claimed_on", "run", "created_at", "created_by", "reviewed_by", "reviewed_at",
                "review_note", "batch", "reverses", "payee_name", "payee_bank_name", "payee_bank_account")
COLUMNS = compose("INSERT INTO {claim:table} (" + ", ".join(f"{{claim.{f}:name}}" for f in CLAIM_FIELDS) + ")",
                  claim=Claim)


def decided(reasons: str, amount: str, claimed_on: str = "%(claimed_on)s") -> str:
    """What each claim row is made of once its reasons are known (in the order of CLAIM_FIELDS; the
    payee is frozen when the claim enters a batch); amount: a template of what it pays, {r} the rate;
    claimed_on: the claim date (the run's, or the application's)."""
    return compose("""CASE WHEN cardinality({reasons}) = 0 THEN {amount} ELSE 0 END,
    CASE WHEN cardinality({reasons}) = 0 THEN %(pending)s ELSE %(ineligible)s END,
    {reasons}, {claimed_on}, %(run)s, %(now)s, %(user)s, NULL, NULL, '', NULL, NULL, '', '', ''""",
                   reasons=reasons, amount=compose(amount, r=Rate), claimed_on=claimed_on)


DECIDED_ENROLLMENTS = compose("{e.status} IN (%(completed)s, %(failed)s, %(no_show)s)", e=Enrollment)

# A claim's unique key per source, as ON CONFLICT names it.
ON_CERTIFICATE = compose("""ON CONFLICT ({d.policy:name}, {d.certificate:name})
    WHERE {d.enrollment:name} IS NULL AND {d.reverses:name} IS NULL DO NOTHING""", d=Claim)
ON_ENROLLMENT = compose("""ON CONFLICT ({d.policy:name}, {d.enrollment:name})
    WHERE {d.enrollment:name} IS NOT NULL AND {d.reverses:name} IS NULL DO NOTHING""", d=Claim)

# The month's certificates without a claim under this policy, and what the rules need, each read
# once: the granted skill claims (any skill policy, any year: "once per trade and level"; counted per
# holder for the yearly limit), the certificates a training claim paid, the rate per trade and level.
# The skill policies come as constants, %(skill_policies)s: joined to the policy table, the planner
# takes a half of all claims for theirs and scans the table.
SKILL = statement("subsidies.skill", """
WITH issued AS MATERIALIZED (
    -- OFFSET 0 keeps this a probe of the unique key per certificate (the step's, all of them before
    -- the first insert): as an anti-join on statistics from before the step's policy had claims,
    -- it was planned as a nested loop over every claim of the policy (12 s in February).
    SELECT {c.id}, {c.holder}, {c.trade}, {c.level}, {c.issued_on}
    FROM {c}
    WHERE {c.status} = %(valid)s AND {c.issued_on} BETWEEN %(start)s AND %(end)s
      AND NOT EXISTS (SELECT 1 FROM {d} WHERE {d.policy} = %(policy)s AND {d.certificate} = {c.id}
                      AND {d.enrollment} IS NULL AND {d.reverses} IS NULL OFFSET 0)
), {reversed}, skill_granted AS MATERIALIZED (
    -- By the unique keys, which lead with the policy (one for each half): the skill claims lie
    -- together in the table.
    SELECT {s.worker}, {s.trade}, {s.level}, {s.claimed_on}, {s.certificate} FROM {s}
    WHERE {s.policy} = ANY(%(skill_policies)s::bigint[]) AND {s.enrollment} IS NULL AND {granted_s}
    UNION ALL
    SELECT {s.worker}, {s.trade}, {s.level}, {s.claimed_on}, {s.certificate} FROM {s}
    WHERE {s.policy} = ANY(%(skill_policies)s::bigint[]) AND {s.enrollment} IS NOT NULL
      AND {granted_s}
), year_count AS MATERIALIZED (
    -- The claims already granted in each claim year from the step's on: all of them, and those not
    -- for a shortage occupation (the shortage list valid on the certificate's issue date).
    SELECT g.{s.worker:name}, extract(year FROM g.{s.claimed_on:name})::int AS year, count(*) AS n,
           count(*) FILTER (WHERE NOT EXISTS (
               SELECT 1 FROM {pc} JOIN {so} ON {so.trade} = {pc.trade} AND {so.level} = {pc.level}
                                        AND {pc.issued_on} BETWEEN {so.valid_from} AND {so.valid_to}
               WHERE {pc.id} = g.{s.certificate:name})) AS ordinary
    FROM skill_granted g
    WHERE g.{s.claimed_on:name} >= %(year_start)s
    GROUP BY 1, 2
), insured AS MATERIALIZED (
    -- Each holder's insured periods as one multirange: adjacent periods join, so "without a break"
    -- is one range containing the months before the issue date, and the cumulative days are the
    -- sum of the parts before it.
    SELECT {ip.worker}, range_agg(daterange({ip.start}, {ip.end}, '[]')) AS covered
    FROM {ip}
    WHERE {ip.worker} IN (SELECT {c.holder:name} FROM issued)
    GROUP BY {ip.worker}
), training_paid AS MATERIALIZED (
    SELECT {t.certificate} FROM {t}
    WHERE {t.certificate} IN (SELECT {c.id:name} FROM issued) AND {t.enrollment} IS NOT NULL
      AND {granted_t}
), rate_of AS MATERIALIZED (
    SELECT DISTINCT ON ({k.trade}, {k.level}) {k.trade}, {k.level}, {r.id}, {r.amount}
    FROM (SELECT DISTINCT {c.trade:name}, {c.level:name} FROM issued) k
    JOIN {r} ON {r.policy} = %(policy)s AND ({r.level} = {k.level} OR {r.level} IS NULL)
                         AND ({r.trade} = {k.trade} OR {r.trade} IS NULL)
    ORDER BY {k.trade}, {k.level}, {r.trade} IS NULL, {r.level} IS NULL
), candidates AS (
    SELECT {c.id} AS certificate_id, {c.holder} AS worker_id, {c.trade}, {c.level}, {c.issued_on},
           rate_of.{r.id:name} AS rate_id, rate_of.{r.amount:name}, {p.max_per_year}, {p.shortage_extra_per_year},
           coalesce({ap.applied_on}, %(claimed_on)s::date) AS claim_date,
           EXISTS (SELECT 1 FROM {so} WHERE {so.trade} = {c.trade} AND {so.level} = {c.level}
                                        AND {c.issued_on} BETWEEN {so.valid_from} AND {so.valid_to}) AS shortage,
           array_remove(ARRAY[
               CASE WHEN NOT coalesce(CASE
                    WHEN {p.insured_continuously}
                    THEN insured.covered @> daterange(
                             ({c.issued_on} - make_interval(months => {p.min_insured_months}))::date,
                             {c.issued_on}, '[)')
                    ELSE (SELECT sum(upper(part) - lower(part)) FROM unnest(
                              insured.covered * datemultirange(daterange(NULL, {c.issued_on}, '[)'))) part)
                         >= {c.issued_on} - ({c.issued_on} - make_interval(months => {p.min_insured_months}))::date
                    END, FALSE)
                    THEN %(insured_short)s END,
               CASE WHEN coalesce({ap.applied_on}, %(claimed_on)s::date)
                         > {c.issued_on} + make_interval(months => {p.claim_window_months})
                    THEN %(claimed_late)s END,
               CASE WHEN rate_of.{r.id:name} IS NULL THEN %(no_rate)s END,
               CASE WHEN EXISTS (SELECT 1 FROM {h}
                                 WHERE {h.holder} = {c.holder} AND {h.trade} = {c.trade} AND {h.status} = %(valid)s
                                   AND {h.level} BETWEEN 1 AND {c.level} - 1 AND {h.issued_on} <= {c.issued_on})
                    THEN %(higher_level_held)s END,
               CASE WHEN row_number() OVER (PARTITION BY {c.holder}, {c.trade}, {c.level}
                                            ORDER BY {c.issued_on}, {c.id}) > 1
                         OR ({c.holder}, {c.trade}, {c.level}) IN (SELECT {s.worker:name}, {s.trade:name},
                                                                          {s.level:name}
                                                                   FROM skill_granted)
                    THEN %(trade_level_subsidised)s END,
               CASE WHEN {c.id} IN (SELECT {t.certificate:name} FROM training_paid) THEN %(training_subsidised)s END
           ]::varchar[], NULL) AS reasons
    FROM issued c
    JOIN {p} ON {p.id} = %(policy)s
    LEFT JOIN insured ON insured.{ip.worker:name} = {c.holder}
    LEFT JOIN {ap} ON {ap.certificate} = {c.id}
    LEFT JOIN rate_of ON rate_of.{c.trade:name} = {c.trade} AND rate_of.{c.level:name} = {c.level}
), counted AS (
    -- The yearly limit, in issue order within the claim year: certificates not on the shortage list
    -- up to max_per_year, and all of them up to max_per_year + shortage_extra_per_year.
    SELECT candidates.*, coalesce(prior.n, 0) AS prior_n,
           cardinality(reasons) = 0 AND NOT shortage
               AND coalesce(prior.ordinary, 0) + row_number() OVER (
                   PARTITION BY candidates.worker_id, extract(year FROM claim_date),
                                cardinality(reasons) = 0 AND NOT shortage
                   ORDER BY {c.issued_on:name}, certificate_id) > {p.max_per_year:name} AS ordinary_over
    FROM candidates
    LEFT JOIN year_count prior ON prior.{s.worker:name} = candidates.worker_id
                              AND prior.year = extract(year FROM candidates.claim_date)
), limited AS (
    SELECT counted.*,
           CASE WHEN ordinary_over
                     OR (cardinality(reasons) = 0 AND prior_n + row_number() OVER (
                         PARTITION BY worker_id, extract(year FROM claim_date),
                                      cardinality(reasons) = 0 AND NOT ordinary_over
                         ORDER BY {c.issued_on:name}, certificate_id)
                         > {p.max_per_year:name} + {p.shortage_extra_per_year:name})
                THEN reasons || %(yearly_limit)s::varchar ELSE reasons END AS decided
    FROM counted
)
{columns}
SELECT %(policy)s, worker_id, certificate_id, NULL, {c.trade:name}, {c.level:name}, rate_id, NULL,
    {decided}
FROM limited
{on_certificate}
""", c=Certificate, k=Certificate, d=Claim, s=Claim, t=Claim, r=Rate, p=Policy, h=Certificate,
    pc=Certificate, ip=InsuredPeriod, so=ShortageOccupation, reversed=REVERSED, granted_s=granted("s"),
    granted_t=granted("t"),
    ap=Application, columns=COLUMNS, decided=decided("decided", "{r.amount:name}", "claim_date"),
    on_certificate=ON_CERTIFICATE,
    constants=CONSTANTS)

TRAINING = statement("subsidies.training", """
WITH {reversed}, skill_paid AS MATERIALIZED (
    SELECT {s.certificate} FROM {s}
    WHERE {s.policy} = ANY(%(skill_policies)s::bigint[]) AND {s.enrollment} IS NULL
      AND {granted_s}
), {rate}
{columns}
SELECT {p.id}, {e.worker}, cert.{c.id:name}, {e.id}, {co.trade}, {co.level}, rate_of.{r.id:name}, NULL,
    {decided}
FROM {tc}
JOIN {e} ON {e.training_class} = {tc.id}
JOIN {co} ON {co.id} = {tc.course}
JOIN {p} ON {p.id} = %(policy)s
LEFT JOIN rate_of ON rate_of.course_id = {co.id}
LEFT JOIN LATERAL (
    SELECT {c.id} FROM {c}
    WHERE {p.requires_certificate} AND {c.holder} = {e.worker} AND {c.trade} = {co.trade} AND {c.status} = %(valid)s
      AND {c.issued_on} BETWEEN {tc.starts_on} AND {tc.ends_on} + {p.certificate_within_days}
    ORDER BY {c.issued_on}, {c.id} LIMIT 1
) cert ON TRUE
CROSS JOIN LATERAL (SELECT
    coalesce({e.attended_hours}, 0) * 100 < {p.min_attendance_percent} * coalesce({e.required_hours}, 0)
        OR coalesce({e.required_hours}, 0) = 0 AS short,
    {tc.has_exam} AND {e.exam_passed} IS NOT TRUE AS exam_failed
) outcome
CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
    CASE WHEN outcome.short THEN %(attendance_short)s END,
    CASE WHEN outcome.exam_failed THEN %(exam_not_passed)s END,
    CASE WHEN {e.status} <> %(completed)s AND NOT outcome.short AND NOT outcome.exam_failed THEN %(not_completed)s END,
    CASE WHEN {p.requires_certificate} AND cert.{c.id:name} IS NULL THEN %(no_certificate)s END,
    CASE WHEN cert.{c.id:name} IN (SELECT {s.certificate:name} FROM skill_paid) THEN %(skill_subsidised)s END,
    CASE WHEN rate_of.{r.id:name} IS NULL THEN %(no_rate)s END
]::varchar[], NULL) AS reasons) why
WHERE {enrollments} AND {tc.ends_on} BETWEEN %(start)s AND %(end)s
{on_enrollment}
""", s=Claim, p=Policy, e=Enrollment, c=Certificate, co=Course, r=Rate, tc=TrainingClass, reversed=REVERSED,
    granted_s=granted("s"), rate=RATE, columns=COLUMNS, decided=decided("why.reasons", "rate_of.{r.amount:name}"),
    enrollments=DECIDED_ENROLLMENTS, on_enrollment=ON_ENROLLMENT, constants=CONSTANTS)

# Attended days counted for the step's trainees together (one grouped pass over their attendance).
LIVING = statement("subsidies.living", """
WITH enrolled AS MATERIALIZED (
    SELECT {e.id}, {e.worker}, {tc.course}
    FROM {tc}
    JOIN {e} ON {e.training_class} = {tc.id}
    JOIN {w} ON {w.id} = {e.worker} AND {w.poverty_registered}
    WHERE {enrollments} AND {tc.ends_on} BETWEEN %(start)s AND %(end)s
), days AS MATERIALIZED (
    SELECT {a.enrollment}, count(DISTINCT ({s.starts_at} AT TIME ZONE %(tz)s)::date) AS n
    FROM {a} JOIN {s} ON {s.id} = {a.session}
    WHERE {a.enrollment} IN (SELECT {e.id:name} FROM enrolled) AND {a.status} IN (%(present)s, %(late)s)
    GROUP BY {a.enrollment}
), {rate}
{columns}
SELECT {p.id}, {e.worker}, NULL, {e.id}, {co.trade}, {co.level}, rate_of.{r.id:name},
    coalesce(days.n, 0),
    {decided}
FROM enrolled e
JOIN {co} ON {co.id} = e.{tc.course:name}
JOIN {p} ON {p.id} = %(policy)s
LEFT JOIN rate_of ON rate_of.course_id = {co.id}
LEFT JOIN days ON days.{a.enrollment:name} = {e.id}
CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
    CASE WHEN coalesce(days.n, 0) = 0 THEN %(no_attended_day)s END,
    CASE WHEN rate_of.{r.id:name} IS NULL THEN %(no_rate)s END
]::varchar[], NULL) AS reasons) why
{on_enrollment}
""", e=Enrollment, tc=TrainingClass, w=Worker, a=Attendance, s=ClassSession, co=Course, p=Policy, r=Rate,
    rate=RATE, columns=COLUMNS, decided=decided("why.reasons", "rate_of.{r.amount:name} * coalesce(days.n, 0)"),
    enrollments=DECIDED_ENROLLMENTS, on_enrollment=ON_ENROLLMENT, constants=CONSTANTS)

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
    year = min(start, run.claimed_on).year
    params = {
        "policy": policy.pk, "start": start, "end": end, "claimed_on": run.claimed_on, "run": run.pk,
        "now": timezone.now(), "user": run.started_by_id, "tz": settings.TIME_ZONE,
        "year_start": datetime.date(year, 1, 1),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ENGINE_LOCK])
        params["skill_policies"] = list(Policy.objects.filter(kind=Kind.SKILL).values_list("pk", flat=True))
        cursor.execute("SET LOCAL work_mem = '128MB'")  # the IN lists and sorts stay hashed in memory
        # A step is a short statement: compiling it (JIT, up to 1 s: its cost estimate is high) took
        # longer than it saved, and 36 steps pay for it 36 times.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(STATEMENTS[policy.kind].text, STATEMENTS[policy.kind].params(**params))
        return cursor.rowcount


CLAIMS = connection.ops.quote_name(Claim._meta.db_table)


class ClaimStatistics:
    """Once the claims table has grown by half since the planner last counted it, count again (as
    autovacuum would, but within the run). The steps read claims once each, through the unique keys
    and hashed, which keeps their plans whatever the statistics (the December skill step with those
    of before any skill claim runs as fast), so a few refreshes a run are enough: refreshing after
    every 2 % of growth cost 24 ANALYZEs, 4–5 s of a run."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [CLAIMS])
            self.counted = cursor.fetchone()[0]
        self.added = 0

    def grew(self, rows: int) -> None:
        self.added += rows
        if self.added > 5000 and self.added > 0.5 * self.counted:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {CLAIMS}")
            self.counted, self.added = self.counted + self.added, 0


def run_execute(run_id: int) -> Run:
    """Do (or redo) a run. Safe to call again at any point: finished steps insert nothing."""
    run = Run.objects.get(pk=run_id)
    if run.status == Run.Status.DONE:
        return run
    steps = run_steps(run)
    RUN_STATUS.advance(Run.objects.filter(pk=run.pk), Run.Status.RUNNING, steps_total=len(steps), steps_done=0,
                       error="")
    statistics = ClaimStatistics()
    for policy, start, end in steps:
        statistics.grew(step_execute(run, policy, start, end))
        Run.objects.filter(pk=run.pk).update(steps_done=F("steps_done") + 1)
        step_pause("SUBSIDY_STEP_PAUSE")
    RUN_STATUS.advance(Run.objects.filter(pk=run.pk), Run.Status.DONE, finished_at=timezone.now(),
                       claims_created=Claim.objects.filter(run=run).count())
    run.refresh_from_db()
    return run
