"""Demo certification data for the district's 30,000 workers.

Three assessment bodies with their accreditations; the 2021 and 2022 assessment sessions of every
trade and level (assessed: applications passed, failed or found not eligible, scores, certificates
numbered ZW{year}{n:06d} like certificates_issue does, and the year counters left at the last
number used); the certificates workers brought from before the system (recorded as issued
elsewhere) that made the applicants of the higher levels eligible; the competition route of 2022
(services.competition_route_apply on 2022-12-20: the published awards become certificates and
rights to apply one level up); and a few sessions open for applications now (winter 2026/27),
with submitted applications waiting for the eligibility run.

Consistent with the default eligibility rules (certification.seed.DEFAULT_RULES): every status and
every reason recorded is what services.decide gives for the worker's certificates and years in
the trade (WorkerTrade.started_year) at the session's date. Applicants of a session have the
session's trade.

Deterministic: workers are taken in identity-number order with generators seeded by year, trade
and level, and the plan depends on the registry only, so what already exists does not shift what
follows. Idempotent: bodies are matched by name, accreditations by (body, trade, level), sessions
by (body, trade, level, date); applications and certificates are inserted only with a session
inserted in the same run, certificates from before the system by number. The demo worker (the
lowest-id worker of the demo liaison's organization) is given nothing here.
"""

import datetime
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from django.db.models import Count

from certification import services
from certification.models import (
    CERTIFICATE_PREFIX,
    PASS_MARK,
    Accreditation,
    Application,
    AssessmentBody,
    AssessmentSession,
    Certificate,
    CertificateCounter,
    EligibilityGrant,
    EligibilityRule,
)
from certification.seed import DEFAULT_RULES
from zhangwan.accounts.models import User
from zhangwan.history import bulk_insert_with_history, stamp
from zhangwan.registry.models import Organization, Trade, Worker, WorkerTrade

SEED = 2022
TZ = ZoneInfo("Asia/Shanghai")
BATCH = 5000
REASON = "demo"

ASSEMBLY = "东风商用车有限公司总装配厂"  # the demo liaison's and the demo worker's employer
DONGFENG_GROUP = {"东风汽车有限公司", ASSEMBLY, "东风商用车有限公司车身厂", "东风商用车有限公司车架厂",
                  "东风商用车有限公司车轮厂", "东风商用车有限公司发动机厂", "东风汽车有限公司铸造一厂",
                  "东风锻造有限公司", "东风汽车传动轴有限公司", "东风汽车有限公司设备制造厂",
                  "东风汽车有限公司动力设备厂", "东风技师学院"}

# Trades of the seed, by code (the teacher and the safety officer are not assessed in skill levels).
AUTO, WELD, CNC, MACHINE, ROBOT, ELEC, TEA = (
    "6-22-02-01", "6-18-02-04", "6-18-01-01", "6-20-03-01", "6-30-99-00", "6-31-01-03", "6-02-06-01")

COLLEGE_BODY = "十堰职业技术学院职业技能等级认定中心"
DONGFENG_BODY = "东风汽车有限公司职业技能等级认定站"
CENTRE_BODY = "张湾区职业技术培训中心认定站"
# name → (organization, registration code, venue)
BODIES = {
    COLLEGE_BODY: ("十堰职业技术学院", "S000042030001", "十堰职业技术学院实训楼（北京北路18号）"),
    DONGFENG_BODY: ("东风汽车有限公司", "Y000042030001", "东风汽车有限公司职业技能等级认定站（车城路东风大道2号）"),
    CENTRE_BODY: ("张湾区职业技术培训中心", "S000042030002", "张湾区职业技术培训中心实训基地（花果路36号）"),
}
# body → {trade: levels it may assess}
ACCREDITATIONS = {
    COLLEGE_BODY: {AUTO: (5, 4, 3, 2), CNC: (5, 4, 3, 2), MACHINE: (5, 4, 3, 2), ROBOT: (5, 4, 3, 2),
                   ELEC: (5, 4, 3, 2), WELD: (5, 4, 3)},
    DONGFENG_BODY: {AUTO: (5, 4, 3, 2, 1), WELD: (5, 4, 3, 2, 1), CNC: (5, 4, 3, 2, 1), MACHINE: (5, 4, 3, 2, 1),
                    ROBOT: (5, 4, 3, 2), ELEC: (5, 4, 3, 2, 1)},
    CENTRE_BODY: {WELD: (5, 4, 3), ELEC: (5, 4, 3), TEA: (5, 4, 3), ROBOT: (5, 4)},
}

# Certificates passed in the year, by level, shared among the trades assessed at that level.
PASSES = {2021: {5: 760, 4: 520, 3: 280, 2: 72, 1: 14}, 2022: {5: 860, 4: 590, 3: 320, 2: 84, 1: 16}}
TRADE_SHARE = {AUTO: 22, WELD: 18, ELEC: 16, CNC: 14, MACHINE: 12, ROBOT: 10, TEA: 8}
PASS_RATE = {5: 0.86, 4: 0.78, 3: 0.70, 2: 0.62, 1: 0.55}
INELIGIBLE_SHARE = {5: 0.05, 4: 0.10, 3: 0.12, 2: 0.14, 1: 0.15}
RETRY_SHARE = 0.4  # of the year before's failed applicants, who try the same level again
# Why the not eligible are not (see Plan.near_miss), and how often.
NEAR_MISSES, NEAR_MISS_WEIGHTS = ("short", "none", "skip", "eager", "again"), (4, 3, 2, 3, 1)
# Years in the trade an applicant of the level typically has (taken first; others if these run short).
TYPICAL_YEARS = {5: (1, 5), 4: (3, 14), 3: (8, 22), 2: (12, 28), 1: (16, 37)}
FLOOR = datetime.date(1995, 1, 1)  # the first certificates recorded (the qualification system, 1994)
CUTOFF = datetime.date(2020, 12, 31)  # certificates until then were issued before the system
IMPORTED_AT = datetime.datetime(2021, 1, 18, 10, 0, tzinfo=TZ)
OLD_ISSUERS = ("十堰市职业技能鉴定指导中心", "东风汽车公司职业技能鉴定中心")

# Open for applications now: (trade, level, body, date, capacity, applications).
OPEN_WINDOW = (datetime.datetime(2026, 11, 1, 9, 0, tzinfo=TZ), datetime.datetime(2026, 12, 31, 17, 0, tzinfo=TZ))
OPEN_APPLIED_UNTIL = datetime.datetime(2026, 11, 24, 18, 0, tzinfo=TZ)
OPEN_SESSIONS = [
    (WELD, 5, CENTRE_BODY, datetime.date(2027, 1, 9), 30, 8),
    (AUTO, 4, DONGFENG_BODY, datetime.date(2027, 1, 16), 40, 12),
    (ELEC, 4, CENTRE_BODY, datetime.date(2027, 1, 23), 40, 9),
    (ROBOT, 4, COLLEGE_BODY, datetime.date(2027, 2, 20), 30, 7),
    (WELD, 3, DONGFENG_BODY, datetime.date(2027, 2, 27), 30, 8),
    (CNC, 2, DONGFENG_BODY, datetime.date(2027, 2, 27), 20, 5),
]
COMPETITION_ROUTE_ON = datetime.date(2022, 12, 20)

EDUCATION = [value for value, _label in Worker.Education.choices]


def default_rules() -> dict[int, list[EligibilityRule]]:
    """The default rules as unsaved rows, by level, in the order the seed creates them."""
    rules = defaultdict(list)
    for level, name, fields in DEFAULT_RULES:
        rules[int(level)].append(EligibilityRule(level=level, name=name, **fields))
    return dict(rules)


RULES = default_rules()


# Dates ---------------------------------------------------------------------------------------

def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def random_day(rng, lo: datetime.date, hi: datetime.date) -> datetime.date:
    return lo + datetime.timedelta(days=rng.randint(0, (hi - lo).days))


def saturdays(year: int, first: tuple, last: tuple) -> list[datetime.date]:
    """Saturdays from first to last (month, day), without the National Day week."""
    day, end = datetime.date(year, *first), datetime.date(year, *last)
    day += datetime.timedelta(days=(5 - day.weekday()) % 7)
    days = []
    while day <= end:
        if not (day.month == 10 and day.day <= 7):
            days.append(day)
        day += datetime.timedelta(days=7)
    return days


# Eligibility, as the rules say it -------------------------------------------------------------

def education_ok(education: str, rule: EligibilityRule) -> bool:
    return not rule.min_education or EDUCATION.index(education) >= EDUCATION.index(rule.min_education)


@cache
def earliest(since: int, education: str, level: int) -> datetime.date | None:
    """The first day a worker in the trade since `since` can pass `level` (not before FLOOR)."""
    best = None
    for rule in RULES[level]:
        if not education_ok(education, rule):
            continue
        day = FLOOR
        if rule.min_trade_years is not None:
            day = max(day, datetime.date(since + rule.min_trade_years, 1, 1))
        if rule.previous_level is not None:
            before = earliest(since, education, rule.previous_level)
            if before is None:
                continue
            day = max(day, add_years(before, rule.previous_held_years or 0))
        best = day if best is None else min(best, day)
    return best


def prerequisites(rng, since: int, education: str, level: int, on: datetime.date) -> dict | None:
    """Certificates (level → day, none after CUTOFF) that make the worker eligible for `level` on
    `on` by one of the rules (drawn at random among those that can be met), or None."""
    rules = list(RULES[level])
    rng.shuffle(rules)
    for rule in rules:
        if not education_ok(education, rule):
            continue
        if rule.min_trade_years is not None and on.year - since < rule.min_trade_years:
            continue
        if rule.previous_level is None:
            return {}
        lo = earliest(since, education, rule.previous_level)
        hi = min(add_years(on, -(rule.previous_held_years or 0)), CUTOFF)
        if lo is None or lo > hi:
            continue
        day = random_day(rng, lo, hi)
        below = prerequisites(rng, since, education, rule.previous_level, day)
        if below is not None:
            return {**below, rule.previous_level: day}
    return None


# The plan ------------------------------------------------------------------------------------

@dataclass
class WorkerRow:
    pk: int
    id_number: str
    employer: str  # organization name
    education: str
    trades: dict  # trade code → year started


@dataclass
class Planned:
    worker: WorkerRow
    status: str
    reasons: list
    created_at: datetime.datetime = None
    scores: tuple = (None, None, None)
    number: str = ""  # of the certificate, for the passed


@dataclass
class SessionPlan:
    body: str
    trade: str
    level: int
    date: datetime.date
    opens: datetime.datetime
    closes: datetime.datetime
    status: str
    capacity: int = 0
    issued_on: datetime.date | None = None
    applications: list = field(default_factory=list)

    @property
    def key(self):
        return (self.body, self.trade, self.level, self.date)

    @property
    def evaluated_at(self):
        return at(self.closes.date() + datetime.timedelta(days=1), 10)

    @property
    def venue(self):
        return BODIES[self.body][2]


class Plan:
    """The assessed years: sessions with their applicants, and each worker's certificates."""

    def __init__(self, workers: list[WorkerRow], exclude: set):
        self.workers = workers
        self.exclude = exclude
        self.by_trade = {code: [w for w in workers if code in w.trades and w.pk not in exclude]
                         for code in TRADE_SHARE}
        self.held = defaultdict(dict)  # (worker pk, trade) → {level: day} (the earliest)
        self.imported = []  # (worker, trade, level, day)
        self.used = set()  # workers with a plan (any year)
        self.applied = defaultdict(set)  # year → workers who applied that year
        self.passed = defaultdict(list)  # (year, trade, level) → workers
        self.failed = defaultdict(list)
        self.sessions: list[SessionPlan] = []

    # facts and decisions

    def facts(self, w, code, on, extra=None):
        held = {level: day for level, day in self.held[(w.pk, code)].items() if day <= on}
        for level, day in (extra or {}).items():
            held[level] = min(day, held.get(level, day))
        return services.Facts(w.trades[code], held, set(), w.education)

    def decide(self, w, code, level, session, extra=None):
        facts = self.facts(w, code, session.evaluated_at.date(), extra)
        return services.decide(level, RULES[level], facts, session.date)

    def give(self, w, code, certificates: dict, imported: bool):
        held = self.held[(w.pk, code)]
        for level, day in certificates.items():
            held[level] = min(day, held.get(level, day))
            if imported:
                self.imported.append((w, code, level, day))

    # choosing applicants

    def candidates(self, rng, code, level, session, fits):
        """Unused workers of the trade who fit, those with the level's typical years first, those of
        Dongfeng first for Dongfeng's own station; each group in random order."""
        year = session.date.year
        low, high = TYPICAL_YEARS[level]
        pool = [w for w in self.by_trade[code] if w.pk not in self.used and fits(w)]
        typical = [w for w in pool if low <= year - w.trades[code] <= high]
        other = [w for w in pool if not low <= year - w.trades[code] <= high]
        groups = [typical, other]
        if session.body == DONGFENG_BODY:
            groups = [[w for w in g if w.employer in DONGFENG_GROUP] for g in groups] + \
                     [[w for w in g if w.employer not in DONGFENG_GROUP] for g in groups]
        for group in groups:
            yield from rng.sample(group, len(group))

    def eligible_applicants(self, rng, session, count, retries):
        code, level, year = session.trade, session.level, session.date.year
        chosen = []
        while retries and len(chosen) < count // 3:
            w = retries.pop()
            eligible, reasons = self.decide(w, code, level, session)
            assert eligible, (w, level, reasons)
            chosen.append((w, reasons))
        for w in self.candidates(rng, code, level, session,
                                 lambda w: year - w.trades[code] >= 1 and not self.held[(w.pk, code)]):
            if len(chosen) >= count:
                break
            certificates = prerequisites(rng, w.trades[code], w.education, level, session.date)
            if certificates is None:
                continue
            eligible, reasons = self.decide(w, code, level, session, certificates)
            assert eligible, (w, level, certificates, reasons)
            self.give(w, code, certificates, imported=True)
            self.used.add(w.pk)
            chosen.append((w, reasons))
        return chosen

    def ineligible_applicants(self, rng, session, count):
        """Near misses: too few years in the trade, the previous certificate held too short or
        missing, a level skipped, a level already held, or an eager try one level up after passing
        the year before."""
        code, level, year = session.trade, session.level, session.date.year
        chosen = []
        attempts = 0
        while len(chosen) < count and attempts < 40 * count:
            attempts += 1
            kind = rng.choices(NEAR_MISSES, weights=NEAR_MISS_WEIGHTS)[0]
            w, certificates = self.near_miss(rng, kind, session)
            if w is None:
                continue
            eligible, reasons = self.decide(w, code, level, session, certificates)
            if eligible or w.pk in self.applied[year] or any(w is c for c, _r in chosen):
                continue
            self.give(w, code, certificates, imported=True)
            self.used.add(w.pk)
            chosen.append((w, reasons))
        return chosen

    def near_miss(self, rng, kind, session):
        code, level, day, year = session.trade, session.level, session.date, session.date.year
        if kind in ("eager", "again"):
            earlier = self.passed.get((year - 1, code, level + (kind == "eager")), [])
            earlier = [w for w in earlier if w.pk not in self.applied[year]]
            return (rng.choice(earlier), {}) if earlier else (None, None)
        if kind == "none":
            if level == 5:  # started in the trade this year (in July: only for autumn sessions)
                fits = (lambda w: w.trades[code] == year) if day.month >= 8 else (lambda w: False)
            elif level == 4:
                fits = lambda w: 1 <= year - w.trades[code] <= 5  # noqa: E731
            else:
                fits = lambda w: year - w.trades[code] >= 8  # noqa: E731
            for w in self.candidates(rng, code, level, session, lambda w: not self.held[(w.pk, code)] and fits(w)):
                return w, {}
            return None, None
        if level == 5:
            return None, None
        previous = level + 1
        if kind == "skip" and previous == 5:
            return None, None
        # (Level 4 by years in the trade: only those with fewer than 6 are near misses.)
        for w in self.candidates(rng, code, level, session,
                                 lambda w: 1 <= year - w.trades[code] <= (5 if level == 4 else 99)
                                 and not self.held[(w.pk, code)]):
            since = w.trades[code]
            if kind == "skip":  # holds the level below the previous one only
                lo, hi = earliest(since, w.education, previous + 1), CUTOFF
            else:  # "short": the previous level, held less long than the rules want
                held = max((r.previous_held_years or 0) for r in RULES[level] if r.previous_level == previous)
                lo = earliest(since, w.education, previous)
                lo = lo and max(lo, add_years(day, -held) + datetime.timedelta(days=1))
                hi = min(day - datetime.timedelta(days=90), CUTOFF)
            if lo is None or lo > hi:
                continue
            got = random_day(rng, lo, hi)
            top = previous + 1 if kind == "skip" else previous
            below = prerequisites(rng, since, w.education, top, got)
            if below is None:
                continue
            return w, {**below, top: got}
        return None, None

    # the years

    def plan_year(self, year):
        rng = random.Random(f"{SEED}/certification/{year}")
        specs = []
        for level, total in PASSES[year].items():
            trades = [code for code in TRADE_SHARE
                      if any(level in levels.get(code, ()) for levels in ACCREDITATIONS.values())]
            share = sum(TRADE_SHARE[code] for code in trades)
            for code in trades:
                passes = round(total * TRADE_SHARE[code] / share)
                if passes:
                    specs.append((code, level, passes))
        sessions = []
        spring, autumn = saturdays(year, (4, 10), (5, 29)), saturdays(year, (9, 11), (11, 20))
        for code, level, passes in specs:
            srng = random.Random(f"{SEED}/certification/{year}/{code}/{level}")
            bodies = sorted(b for b, trades in ACCREDITATIONS.items() if level in trades.get(code, ()))
            srng.shuffle(bodies)
            seasons = [spring] if code == TEA else [spring, autumn] if level >= 4 and passes >= 60 else [autumn]
            split = [passes] if len(seasons) == 1 else [passes * 9 // 20, passes - passes * 9 // 20]
            for n, (days, count) in enumerate(zip(seasons, split, strict=True)):
                day = srng.choice(days)
                opens = at(day - datetime.timedelta(days=60), 9)
                closes = at(day - datetime.timedelta(days=14), 17)
                session = SessionPlan(bodies[n % len(bodies)], code, level, day, opens, closes,
                                      AssessmentSession.Status.ASSESSED)
                session.issued_on = day + datetime.timedelta(days=srng.randint(21, 28))
                sessions.append((session, count, srng))
        sessions.sort(key=lambda s: (s[0].date, s[0].trade, -s[0].level))
        retries = {}
        for (code, level), workers in ((k[1:], v) for k, v in self.failed.items() if k[0] == year - 1):
            pool = [w for w in workers if rng.random() < RETRY_SHARE]
            rng.shuffle(pool)
            retries[(code, level)] = pool
        for session, passes, srng in sessions:
            self.fill(session, passes, srng, retries.get((session.trade, session.level), []))
            self.sessions.append(session)

    def fill(self, session, passes, rng, retries):
        code, level, year = session.trade, session.level, session.date.year
        wanted = max(passes + 1, round(passes / PASS_RATE[level]))
        eligible = self.eligible_applicants(rng, session, wanted, retries)
        passes = min(passes, len(eligible))
        ineligible = self.ineligible_applicants(rng, session, round(len(eligible) * INELIGIBLE_SHARE[level]))
        passing = set(rng.sample(range(len(eligible)), passes))
        span = (session.closes - session.opens).total_seconds()
        for n, (w, reasons) in enumerate(eligible):
            status = Application.Status.PASSED if n in passing else Application.Status.FAILED
            session.applications.append(Planned(w, status, reasons, scores=scores(rng, level, n in passing)))
            (self.passed if n in passing else self.failed)[(year, code, level)].append(w)
            if n in passing:
                self.give(w, code, {level: session.issued_on}, imported=False)
        for w, reasons in ineligible:
            session.applications.append(Planned(w, Application.Status.INELIGIBLE, reasons))
        for a in session.applications:
            a.created_at = session.opens + datetime.timedelta(seconds=rng.uniform(0, span))
            self.applied[year].add(a.worker.pk)
            self.used.add(a.worker.pk)
        session.applications.sort(key=lambda a: a.created_at)
        admitted = len(eligible)
        session.capacity = max(10, math.ceil((admitted + rng.randint(0, 12)) / 10) * 10)

    def number(self) -> Counter:
        """Certificate numbers of each year in the order of issue, like certificates_issue gives them;
        returns the last number of each year."""
        last = Counter()
        for session in sorted(self.sessions, key=lambda s: (s.issued_on, s.date, s.trade, -s.level)):
            year = session.issued_on.year
            for a in session.applications:
                if a.status == Application.Status.PASSED:
                    last[year] += 1
                    a.number = f"{CERTIFICATE_PREFIX}{year}{last[year]:06d}"  # the demo's bodies keep it
        return last


def scores(rng, level: int, passed: bool) -> tuple:
    """(theory, practical, review): all needed ≥ 60 if passed, at least one below if not; a review
    score for technician levels and above."""
    review = level <= 2
    parts = 3 if review else 2
    values = [min(98.0, max(60.0, rng.gauss(77, 8))) for _ in range(parts)]
    if not passed:
        failing = rng.choices(range(parts), weights=(4, 5, 2)[:parts])[0]
        values = [min(95.0, max(38.0, rng.gauss(68, 10))) for _ in range(parts)]
        values[failing] = rng.uniform(35, 59.5)
    out = [Decimal(f"{round(v * 2) / 2:.1f}") for v in values]
    if not passed and all(v >= PASS_MARK for v in out):
        out[failing] = Decimal("59.0")
    return tuple(out) + ((None,) if not review else ())


def old_number(year: int, level: int, n: int) -> str:
    """A qualification certificate number of before the system."""
    return f"{year}420300{level}{n:05d}"


def plan_assessed(workers: list[WorkerRow], exclude: set) -> Plan:
    plan = Plan(workers, exclude)
    for year in (2021, 2022):
        plan.plan_year(year)
    plan.last = plan.number()
    return plan


# The database --------------------------------------------------------------------------------

def insert(model, objs, user=None, history=True):
    if objs:
        if history:
            bulk_insert_with_history(model, objs, user=user, reason=REASON, batch_size=BATCH)
        else:
            model.objects.bulk_create(objs, batch_size=BATCH)
    return objs


def load_workers(orgs) -> list[WorkerRow]:
    names = {o.pk: name for name, o in orgs.items()}
    trades = defaultdict(dict)
    for worker_id, code, since in WorkerTrade.objects.values_list("worker_id", "trade__code", "started_year"):
        trades[worker_id][code] = since
    return [WorkerRow(pk, id_number, names.get(employer, ""), education, trades[pk])
            for pk, id_number, employer, education in Worker.objects.order_by("id_number")
            .values_list("pk", "id_number", "employer_id", "education") if pk in trades]


def load_bodies(orgs, trades, officer):
    existing = AssessmentBody.objects.in_bulk(field_name="name")
    new = []
    for name, (org, code, _venue) in BODIES.items():
        if name not in existing:
            body = AssessmentBody(name=name, organization=orgs[org], registration_code=code)
            stamp(body, when=at(datetime.date(2020, 12, 1), 10))
            new.append(body)
    insert(AssessmentBody, new, user=officer)
    bodies = AssessmentBody.objects.in_bulk(field_name="name")
    have = set(Accreditation.objects.values_list("body_id", "trade_id", "level"))
    rows = [Accreditation(body=bodies[name], trade=trades[code], level=level)
            for name, by_trade in ACCREDITATIONS.items() for code, levels in by_trade.items() for level in levels
            if (bodies[name].pk, trades[code].pk, level) not in have]
    Accreditation.objects.bulk_create(rows)
    return bodies, len(new), len(rows)


def insert_sessions(plans, bodies, trades, officer, liaison):
    """The planned sessions not yet there, with their applications (and nothing for those there).
    Returns the new sessions' plans."""
    existing = set(AssessmentSession.objects.values_list("body__name", "trade__code", "level", "date"))
    todo = [p for p in plans if p.key not in existing]
    sessions = []
    for p in todo:
        admitted = sum(a.status in (Application.Status.PASSED, Application.Status.FAILED) for a in p.applications)
        session = AssessmentSession(body=bodies[p.body], trade=trades[p.trade], level=p.level, date=p.date,
                                    venue=p.venue, capacity=p.capacity, applications_open=p.opens,
                                    applications_close=p.closes, status=p.status, admitted_count=admitted)
        stamp(session, when=p.opens - datetime.timedelta(days=7))
        sessions.append(session)
    insert(AssessmentSession, sessions, user=officer)
    applications = []
    for p, session in zip(todo, sessions, strict=True):
        for a in p.applications:
            theory, practical, review = a.scores
            row = Application(worker_id=a.worker.pk, session=session, status=a.status, reasons=a.reasons,
                              theory_score=theory, practical_score=practical, review_score=review,
                              applied_by=liaison if a.worker.employer == ASSEMBLY and liaison else officer,
                              created_at=a.created_at,
                              evaluated_at=p.evaluated_at if a.status != Application.Status.SUBMITTED else None)
            stamp(row, user=row.applied_by, when=a.created_at)
            applications.append(row)
            a.row = row
    insert(Application, applications)
    return todo, sessions


def insert_certificates(plan, todo, sessions, officer):
    certificates = []
    for p, session in zip(todo, sessions, strict=True):
        for a in p.applications:
            if a.number:
                c = Certificate(number=a.number, holder_id=a.worker.pk, trade=session.trade, level=p.level,
                                issued_on=p.issued_on, body=session.body, source=Certificate.Source.ASSESSMENT,
                                application=a.row)
                stamp(c, when=at(p.issued_on, 10))
                certificates.append(c)
    insert(Certificate, certificates, user=officer)
    return len(certificates)


def insert_imported(plan, trades, officer):
    """Certificates from before the system, numbered by year and level in the order of issue."""
    rows, seq = [], Counter()
    for w, code, level, day in sorted(plan.imported, key=lambda r: (r[3], r[2], r[0].id_number)):
        seq[(day.year, level)] += 1
        issuer = OLD_ISSUERS[1] if w.employer in DONGFENG_GROUP and code != TEA else OLD_ISSUERS[0]
        rows.append(Certificate(number=old_number(day.year, level, seq[(day.year, level)]), holder_id=w.pk,
                                trade=trades[code], level=level, issued_on=day, issuer_name=issuer,
                                source=Certificate.Source.IMPORTED))
    existing = set(Certificate.objects.filter(source=Certificate.Source.IMPORTED).values_list("number", flat=True))
    new = [c for c in rows if c.number not in existing]
    for c in new:
        stamp(c, when=IMPORTED_AT)
    insert(Certificate, new, user=officer)
    return len(new)


def update_counters(last: Counter):
    """Each year's counter at least at the last number the demo gave, so later issues continue."""
    for year, number in last.items():
        counter, _created = CertificateCounter.objects.get_or_create(prefix=CERTIFICATE_PREFIX, year=year)
        if counter.last < number:
            counter.last = number
            counter.save(update_fields=["last"])


def competition_route(out):
    """The awards published up to 2022 become certificates and rights (services.competition_route_apply,
    dated 2022-12-20). Skipped if awards of later competitions are waiting: those are the officer's."""
    from competitions.models import Result, Upgrade

    pending = Result.objects.filter(entry__event__competition__results_published=True, entry__worker__isnull=False,
                                    upgrade__in=[Upgrade.APPLY_UP, Upgrade.CERTIFY_UP], certificate__isnull=True,
                                    eligibility_grant__isnull=True)
    if not pending.exists():
        return 0, 0
    if pending.filter(entry__event__competition__year__gt=COMPETITION_ROUTE_ON.year).exists():
        out("  competition route skipped: awards of competitions after 2022 are waiting for the officer")
        return 0, 0
    return services.competition_route_apply(user=None, on=COMPETITION_ROUTE_ON)


def plan_open(workers, exclude):
    """The open sessions, with applicants drawn from the database's certificates and rights: mostly
    workers the rules will find eligible (those with a right from a competition first), some not."""
    held = defaultdict(dict)
    for holder, code, level, issued in (Certificate.objects.filter(status=Certificate.Status.VALID)
                                        .values_list("holder_id", "trade__code", "level", "issued_on")):
        held[(holder, code)][level] = min(issued, held[(holder, code)].get(level, issued))
    granted = defaultdict(set)
    for worker, code, level in EligibilityGrant.objects.values_list("worker_id", "trade__code", "level"):
        granted[(worker, code)].add(level)
    rng = random.Random(f"{SEED}/certification/open")
    plans, taken = [], set(exclude)
    for code, level, body, day, capacity, count in OPEN_SESSIONS:
        session = SessionPlan(body, code, level, day, *OPEN_WINDOW, AssessmentSession.Status.OPEN, capacity)
        eligible, not_eligible, rights = [], [], []
        for w in workers:
            if code not in w.trades or w.pk in taken or w.trades[code] >= day.year:
                continue
            if body == DONGFENG_BODY and w.employer not in DONGFENG_GROUP:
                continue
            facts = services.Facts(w.trades[code], held[(w.pk, code)], granted[(w.pk, code)], w.education)
            ok, reasons = services.decide(level, RULES[level], facts, day)
            if ok:
                (rights if level in facts.granted else eligible).append(w)
            elif reasons[0]["code"] != "already_held":
                not_eligible.append(w)
        ours = [w for w in eligible if w.employer == ASSEMBLY]  # the liaison's: some of theirs first
        picked = rights[:2] + rng.sample(ours, min(len(ours), count // 3))
        picked += rng.sample(not_eligible, min(len(not_eligible), count // 4))
        rest = [w for w in eligible if w not in picked]
        picked += rng.sample(rest, min(len(rest), count - len(picked)))
        span = (OPEN_APPLIED_UNTIL - OPEN_WINDOW[0]).total_seconds()
        for w in picked:
            taken.add(w.pk)
            created = OPEN_WINDOW[0] + datetime.timedelta(seconds=rng.uniform(0, span))
            session.applications.append(Planned(w, Application.Status.SUBMITTED, [], created_at=created))
        session.applications.sort(key=lambda a: a.created_at)
        plans.append(session)
    return plans


def summary(out, route, elapsed):
    by = Counter()
    for row in (Certificate.objects.filter(status=Certificate.Status.VALID)
                .values("source", "issued_on__year", "level").annotate(n=Count("pk"))):
        year = row["issued_on__year"]
        by[(row["source"] if year >= 2021 else "earlier", year if year >= 2021 else None, row["level"])] += row["n"]

    def levels(source, year):
        counts = [by[(source, year, level)] for level in (5, 4, 3, 2, 1)]
        return f"{sum(counts)} (" + ", ".join(f"L{level} {n}" for level, n in zip((5, 4, 3, 2, 1), counts,
                                                                                       strict=True)) + ")"

    for year in sorted({k[1] for k in by if k[1]}):
        route_part = (f"; competition route {levels(Certificate.Source.COMPETITION, year)}"
                      if any(by[(Certificate.Source.COMPETITION, year, lv)] for lv in (5, 4, 3, 2, 1)) else "")
        other = sum(n for (s, y, _lv), n in by.items() if y == year and s == Certificate.Source.IMPORTED)
        out(f"  {year}: certificates by assessment {levels(Certificate.Source.ASSESSMENT, year)}{route_part}"
            + (f"; {other} recorded from elsewhere" if other else ""))
    out(f"  before 2021 (issued elsewhere, recorded): {levels('earlier', None)}")
    sessions = Counter(AssessmentSession.objects.values_list("status", flat=True))
    applications = Counter(Application.objects.values_list("status", flat=True))
    out(f"  {sum(sessions.values())} sessions (" + ", ".join(f"{s} {n}" for s, n in sorted(sessions.items()))
        + f"), {sum(applications.values())} applications ("
        + ", ".join(f"{s} {n}" for s, n in sorted(applications.items())) + ")")
    counters = ", ".join(f"{c.prefix}{c.year}: {c.last}" for c in CertificateCounter.objects.order_by("prefix", "year"))
    out(f"  certificate counters {counters}; competition route this run: {route[0]} certificates, "
        f"{route[1]} rights to apply ({EligibilityGrant.objects.count()} in all) in {elapsed:.1f} s")


def load(out):
    started = time.monotonic()
    orgs = Organization.objects.in_bulk(field_name="name")
    trades = Trade.objects.in_bulk(field_name="code")
    if {org for org, _code, _venue in BODIES.values()} - set(orgs) or set(TRADE_SHARE) - set(trades) \
            or ASSEMBLY not in orgs:
        out("  skipped: load the registry demo data and the seed trades first")
        return
    officer = User.objects.filter(username="certification").first()
    liaison = User.objects.filter(username="liaison").first()
    demo_worker = Worker.objects.filter(employer=orgs[ASSEMBLY]).order_by("pk").values_list("pk", flat=True).first()
    exclude = {demo_worker}
    workers = load_workers(orgs)
    bodies, new_bodies, new_accreditations = load_bodies(orgs, trades, officer)

    plan = plan_assessed(workers, exclude)
    todo, sessions = insert_sessions(plan.sessions, bodies, trades, officer, liaison)
    issued = insert_certificates(plan, todo, sessions, officer)
    imported = insert_imported(plan, trades, officer) if todo else 0
    update_counters(plan.last)
    route = competition_route(out)

    open_existing = set(AssessmentSession.objects.filter(status=AssessmentSession.Status.OPEN)
                        .values_list("body__name", "trade__code", "level", "date"))
    open_new = 0
    if any((b, c, lv, d) not in open_existing for c, lv, b, d, *_rest in OPEN_SESSIONS):
        open_todo, _open_sessions = insert_sessions(plan_open(workers, exclude), bodies, trades, officer, liaison)
        open_new = len(open_todo)
    out(f"  {len(bodies)} assessment bodies ({new_bodies} new), {new_accreditations} new accreditations; "
        f"{len(todo) + open_new} new sessions, {issued} new certificates by assessment, {imported} recorded "
        "from before 2021")
    summary(out, route, time.monotonic() - started)

