"""Mixed load: 50 simulated users — visitors, workers, judges, expert reviewers, staff — for 60 s
against gunicorn on loopback, beside a bare view under the same users.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--stress-seconds 30] [--warmup 5]
                                   [--think 0.5 2.0] [--worker-class sync|gthread] [--keep-db]

Needs PostgreSQL and Redis (the servers in $DATABASE_URL and $REDIS_URL, as `make bench` sets them).
Creates its own database ``zhangwan_bench_load_<pid>``, migrates it, runs ``manage.py load_demo``,
adds what the load needs (set-based: worker accounts, open classes, a competition in marking with
judges, nominations in review with reviewers), starts gunicorn (4 sync workers, ``bench.settings``,
as production runs) and drops the database at the end, also on failure.

Each user is a thread with a session of its own (made directly, no login page) and a share of the
users per role (MIX): visitors browse the catalogue and classes anonymously; workers browse, register
for an open class and cancel again; judges open a score sheet, save a draft, then submit it; reviewers
open a nomination, save a draft of their scores, then submit them; staff open the dashboard. Between
two actions a user thinks for a random 0.5–2 s; a redirect after a POST is followed at once, and a
logged-in page loads its notification badge (htmx) at once, as a browser does. Each POST must answer
302 with no error message (the messages cookie is decoded); every GET must answer 200.

Phases, each with fresh threads for the same users: an uncounted warm-up; the mixed load with think
time (the target: no errors, p95 under 500 ms for every kind of page); the bare view (``/bench/bare/``,
every middleware, no view work) with the same users and think time — the floor; then, as a stress
figure with no latency target, the same two with no think time (STRESS_SECONDS, 0 skips them).
The mix's throughput without think time is printed as a share of the bare view's (target ≥ 15 %),
and every latency as a multiple of the bare view's p95 under the same users. Each phase prints the
CPU the rest of the machine used meanwhile (harness.CpuMeter); above 0.2 core in a phase, its targets
are "not judged" and the exit status is 1. Exit status 1 also if any request failed in any phase, or
a target was missed.
"""

import argparse
import datetime
import functools
import http.client
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

DB_NAME = f"zhangwan_bench_load_{os.getpid()}"
P95_TARGET = 0.500
STRESS_RATIO_TARGET = 0.15  # the mix's throughput without think time, of the bare view's under the same stress
# Share of the users per role, in percent.
MIX = {"visitor": 20, "worker": 40, "judge": 16, "reviewer": 16, "staff": 8}
STAFF_LOGINS = ["training", "competitions", "masters", "liaison"]  # demo users with the dashboard
KINDS = ["catalogue", "class detail", "register", "cancel", "my classes", "judge sheet", "judge marks",
         "judge event", "review sheet", "review scores", "review home", "dashboard", "badge"]
BENCH_CLASSES = 10
CANCEL = re.compile(rb'action="(/training/enrollments/\d+/cancel/)"')
TIMEOUT = 30


class PhaseOver(Exception):
    """The phase's time is up: the user stops before starting another request."""


# --- setup, set-based -------------------------------------------------------------------------

def _accounts(prefix: str, count: int, role: str):
    """COUNT users in the role's group, with unusable passwords (sessions are made directly)."""
    from django.contrib.auth.models import Group

    from zhangwan.accounts.models import User

    users = [User(username=f"{prefix}-{n:03d}", full_name=f"压测{prefix}{n}", password="!bench") for n in range(count)]
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith=f"{prefix}-").order_by("username"))
    group = Group.objects.get(name=role)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])
    return users


def seed_workers(count: int):
    """Worker accounts, each with a roster entry, employed by a demo organization."""
    from zhangwan.accounts.roles import Role
    from zhangwan.registry.models import Organization, Worker
    from zhangwan.registry.validators import id_number_check_char

    users = _accounts("load-worker", count, Role.WORKER)
    employer = Organization.objects.order_by("pk").first()
    workers = []
    for n, user in enumerate(users):
        born = datetime.date(1985, 1, 1) + datetime.timedelta(days=n)
        first17 = f"420399{born:%Y%m%d}{n % 1000:03d}"  # an area code the demo does not use
        workers.append(Worker(name=user.full_name, id_number=first17 + id_number_check_char(first17),
                              mobile=f"1390000{n:04d}", employer=employer, user=user))
    for worker in workers:
        worker.fill_derived_fields()  # birth date and gender, as save() does
    Worker.objects.bulk_create(workers)
    return users


def seed_classes(officer):
    """BENCH_CLASSES open classes starting in two weeks: half roomy, half with 3 seats (so that
    registrations also join the waiting list and cancellations promote someone)."""
    from django.utils import timezone

    from training.models import ClassSession, Course, TrainingClass
    from zhangwan.history import bulk_create_with_history
    from zhangwan.registry.models import Organization

    now = timezone.now()
    starts = timezone.localdate() + datetime.timedelta(days=14)
    course, provider = Course.objects.order_by("pk").first(), Organization.objects.order_by("pk").first()
    classes = bulk_create_with_history([
        TrainingClass(course=course, title=f"压测班 {n + 1}", provider=provider, venue="压测教室",
                      capacity=40 if n % 2 else 3, registration_opens=now - datetime.timedelta(days=1),
                      registration_closes=now + datetime.timedelta(days=7), starts_on=starts,
                      ends_on=starts + datetime.timedelta(days=1), status=TrainingClass.Status.OPEN)
        for n in range(BENCH_CLASSES)], TrainingClass, user=officer, reason="bench")
    first = timezone.make_aware(datetime.datetime.combine(starts, datetime.time(9)))
    ClassSession.objects.bulk_create([
        ClassSession(training_class=c, starts_at=first, ends_at=first + datetime.timedelta(hours=4), hours=4,
                     topic="理论") for c in classes])
    return [c.pk for c in classes]


def seed_competition(judges, entries_per_event: int, officer):
    """A competition in marking: an event per four judges (the first its chief), two scoring parts
    each, ENTRIES_PER_EVENT entries of demo workers. Returns {judge pk: (event pk, [entry pk], [part pk])}."""
    from django.utils import timezone

    from competitions.models import Competition, Entry, Event, JudgeAssignment, ScoringPart
    from zhangwan.history import bulk_create_with_history
    from zhangwan.registry.models import Trade, Worker

    today = timezone.localdate()
    competition = Competition.objects.create(
        name="压测职业技能大赛", year=today.year + 1, level=Competition.Level.DISTRICT,
        starts_on=today, ends_on=today + datetime.timedelta(days=1))
    trade = Trade.objects.order_by("code").first()
    panels = [judges[i:i + 4] for i in range(0, len(judges), 4)]
    events = Event.objects.bulk_create([Event(competition=competition, name=f"压测项目 {n + 1}", trade=trade)
                                        for n in range(len(panels))])
    parts = ScoringPart.objects.bulk_create([
        ScoringPart(event=e, code=code, name=name, weight=weight, order=order)
        for e in events for order, (code, name, weight) in enumerate(
            [("theory", "理论知识", Decimal(30)), ("practical", "实际操作", Decimal(70))])])
    JudgeAssignment.objects.bulk_create([JudgeAssignment(event=e, judge=j, chief=n == 0)
                                         for e, panel in zip(events, panels, strict=True)
                                         for n, j in enumerate(panel)])
    workers = list(Worker.objects.filter(employer__isnull=False).order_by("pk")
                   .values_list("pk", "employer_id")[:entries_per_event])
    bulk_create_with_history([Entry(event=e, worker_id=w, organization_id=org, bib=bib, created_by=officer)
                              for e in events for bib, (w, org) in enumerate(workers, start=1)],
                             Entry, user=officer, reason="bench")
    work = {}
    for event, panel in zip(events, panels, strict=True):
        entries = list(Entry.objects.filter(event=event).order_by("bib").values_list("pk", flat=True))
        event_parts = [p.pk for p in parts if p.event_id == event.pk]
        for judge in panel:
            work[judge.pk] = (event.pk, entries, event_parts)
    return work


def seed_review(reviewers, nominations: int, officer):
    """NOMINATIONS more nominations under review in the demo's current round, each assigned to every
    bench reviewer. Returns ([assignment pk] per reviewer, [criterion pk])."""
    from django.utils import timezone

    from masters.models import Assignment, Nomination, Reviewer, SelectionRound
    from zhangwan.history import bulk_create_with_history
    from zhangwan.registry.models import Worker

    today = timezone.localdate()
    round_ = SelectionRound.objects.get(review_opens__lte=today, review_closes__gte=today)
    nominated = Nomination.objects.filter(round=round_).values("nominee")
    candidates = list(Worker.objects.filter(employer__isnull=False, trades__isnull=False).exclude(pk__in=nominated)
                      .values_list("pk", "employer_id", "trades__trade_id").order_by("pk").distinct("pk")[:nominations])
    made = bulk_create_with_history([
        Nomination(round=round_, nominee_id=w, organization_id=org, trade_id=trade, source=Nomination.Source.UNION,
                   statement="扎根一线多年，技术过硬。", achievements="主持技术革新多项，带徒多名。",
                   status=Nomination.Status.UNDER_REVIEW, created_by=officer, submitted_at=timezone.now())
        for w, org, trade in candidates], Nomination, user=officer, reason="bench")
    Reviewer.objects.bulk_create([Reviewer(user=u, title="高级工程师") for u in reviewers])
    experts = list(Reviewer.objects.filter(user__in=reviewers).order_by("user__username"))
    bulk_create_with_history([Assignment(nomination=n, reviewer=r, assigned_by=officer) for r in experts for n in made],
                             Assignment, user=officer, reason="bench")
    per_reviewer = {r.user_id: list(Assignment.objects.filter(reviewer=r, nomination__in=made).order_by("pk")
                                    .values_list("pk", flat=True)) for r in experts}
    return per_reviewer, list(round_.criteria.values_list("pk", flat=True))


def role_counts(users: int) -> dict[str, int]:
    """Users per role from MIX, by largest remainder."""
    exact = {role: users * share / 100 for role, share in MIX.items()}
    counts = {role: int(x) for role, x in exact.items()}
    for role in sorted(exact, key=lambda r: exact[r] - counts[r], reverse=True)[:users - sum(counts.values())]:
        counts[role] += 1
    return counts


# --- the simulated users ----------------------------------------------------------------------

class Recorder:
    """Latencies and failures per kind of request, shared by the threads of one phase."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies, self.errors, self.examples = {}, Counter(), []

    def add(self, kind, seconds, error=None):
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.examples) < 10:
                    self.examples.append(f"{kind}: {error}")


class User:
    """One simulated person: a role, a session (none for visitors), their own random numbers, and
    what they were doing when the last phase ended (so the next phase carries on)."""

    def __init__(self, n, role, port, session_key=None, work=None, classes=(), public_classes=()):
        self.n, self.role, self.port = n, role, port
        self.rng = random.Random(f"load/{n}")
        self.csrf = harness.new_csrf_token() if session_key else None
        self.cookies = {"sessionid": session_key, "csrftoken": self.csrf} if session_key else {}
        self.work, self.cursor = work, 0
        self.classes, self.public_classes = list(classes), list(public_classes)
        self.enrolled = None  # the cancel URL of a registration not cancelled yet

    # The phase: set by run() before the thread starts.
    recorder: Recorder = None
    deadline = 0.0
    think_range = (0.0, 0.0)

    def think(self):
        """Between two actions; the phase ends here, never in the middle of an action (a POST and
        the redirect it answers)."""
        if self.think_range[1]:
            time.sleep(self.rng.uniform(*self.think_range))
        if time.perf_counter() >= self.deadline:
            raise PhaseOver

    def _send(self, method, path, body=b""):
        headers = {"Accept-Language": "zh-CN,zh;q=0.9"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            origin = f"http://{harness.HOST}:{self.port}"
            headers.update({"X-CSRFToken": self.csrf, "Origin": origin, "Referer": origin + path,
                            "Content-Type": "application/x-www-form-urlencoded"})
        started = time.perf_counter()
        conn = http.client.HTTPConnection(harness.HOST, self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        taken = time.perf_counter() - started
        messages = None
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            if "messages" in cookie:
                messages = cookie["messages"].value
                if messages:
                    self.cookies["messages"] = messages
                else:
                    self.cookies.pop("messages", None)
        return response.status, taken, response.getheader("Location", ""), data, messages

    def get(self, kind, path, *, badge=True):
        try:
            status, taken, _location, data, _m = self._send("GET", path)
        except OSError as error:
            self.recorder.add(kind, TIMEOUT, f"GET {path}: {type(error).__name__} {error}")
            return None
        ok = status == 200
        self.recorder.add(kind, taken, None if ok else f"GET {path} answered {status}")
        if ok and badge and self.cookies:
            # The page's htmx request for the navigation bar's unread count, as the browser sends it.
            self.get("badge", "/accounts/notifications/badge/", badge=False)
        return data if ok else None

    def post(self, kind, path, fields, follow_kind):
        """POST a form; a success is a 302 with no error message. Follows the redirect (a GET of
        the page it names, counted as FOLLOW_KIND) and returns that page's body, or None."""
        try:
            status, taken, location, _data, messages = self._send("POST", path, urlencode(fields).encode())
        except OSError as error:
            self.recorder.add(kind, TIMEOUT, f"POST {path}: {type(error).__name__} {error}")
            return None
        problem = None if status == 302 else f"POST {path} answered {status}"
        if problem is None and messages and (refused := error_messages(messages)):
            problem = f"POST {path} refused: {refused}"
        self.recorder.add(kind, taken, problem)
        if problem:
            return None
        return self.get(follow_kind, urlsplit(location).path)

    # Roles: each loops until the phase is over.

    def visitor(self):
        while True:
            page = 1 if self.rng.random() < 0.6 else self.rng.randint(2, 10)
            self.get("catalogue", "/training/classes/" + (f"?page={page}" if page > 1 else ""))
            self.think()
            for pk in self.rng.sample(self.public_classes, 2):
                self.get("class detail", f"/training/classes/{pk}/")
                self.think()

    def worker(self):
        while True:
            if self.enrolled:  # left over from the last phase
                self.cancel()
            self.get("catalogue", "/training/classes/")
            self.think()
            pk = self.rng.choice(self.classes)
            self.get("class detail", f"/training/classes/{pk}/")
            self.think()
            page = self.post("register", f"/training/classes/{pk}/register/", {}, "class detail")
            if page is not None:
                found = CANCEL.search(page)
                if found:
                    self.enrolled = found.group(1).decode()
                else:
                    self.recorder.add("class detail", 0.0, f"no cancel button on class {pk} after registering")
            self.think()
            self.get("my classes", "/training/me/")
            self.think()
            self.cancel()
            self.think()

    def cancel(self):
        if self.enrolled:
            path, self.enrolled = self.enrolled, None
            self.post("cancel", path, {}, "my classes")

    def judge(self):
        event, entries, parts = self.work
        while True:
            # Submitting locks a sheet: the last entry is kept for drafts once the others are done.
            entry = entries[min(self.cursor, len(entries) - 1)]
            self.get("judge sheet", f"/competitions/judging/entries/{entry}/")
            self.think()
            marks = {f"part_{p}": f"{self.rng.uniform(55, 100):.1f}" for p in parts}
            self.post("judge marks", f"/competitions/judging/entries/{entry}/", marks, "judge event")
            self.think()
            if self.cursor < len(entries) - 1:
                self.get("judge sheet", f"/competitions/judging/entries/{entry}/")
                self.think()
                self.cursor += 1
                self.post("judge marks", f"/competitions/judging/entries/{entry}/", {**marks, "submit": "1"},
                          "judge event")
                self.think()

    def reviewer(self):
        assignments, criteria = self.work
        while True:
            pk = assignments[min(self.cursor, len(assignments) - 1)]
            self.get("review sheet", f"/masters/review/{pk}/")
            self.think()
            scores = {"comment": "材料翔实，业绩突出。"}
            for c in criteria:
                scores[f"score_{c}"] = f"{self.rng.randint(60, 98)}"
                scores[f"comment_{c}"] = ""
            self.post("review scores", f"/masters/review/{pk}/", scores, "review sheet")
            self.think()
            if self.cursor < len(assignments) - 1:
                self.cursor += 1
                self.post("review scores", f"/masters/review/{pk}/", {**scores, "submit": "1"}, "review home")
                self.think()

    def staff(self):
        while True:
            self.get("dashboard", "/reports/dashboard/" + ("?year=2021" if self.rng.random() < 0.2 else ""))
            self.think()

    def bare(self):
        while True:
            self.get("bare", "/bench/bare/", badge=False)
            self.think()


@functools.cache
def _message_storage():
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    return CookieStorage(HttpRequest())


def error_messages(value: str) -> str:
    """The text of the error-level messages in a messages cookie (Django's signed cookie storage)."""
    from django.contrib.messages import constants

    decoded = _message_storage()._decode(value)  # noqa: SLF001 - the storage's own reader, with its signature check
    if decoded is None:
        return "unreadable messages cookie"
    return "; ".join(str(m.message) for m in decoded if m.level >= constants.ERROR)


def run(users, action, seconds, think_range, server):
    """Every user runs ACTION (a role method name, or None for their own role) in a thread of its own
    for SECONDS. Returns the recorder, the wall time and the CPU meter of the phase."""
    recorder = Recorder()
    deadline = time.perf_counter() + seconds
    crashed = []

    def live(user):
        user.recorder, user.deadline, user.think_range = recorder, deadline, think_range
        # Users start spread over the first think time, not all in the same millisecond.
        time.sleep(user.rng.uniform(0, think_range[1] or 0.05))
        try:
            getattr(user, action or user.role)()
        except PhaseOver:
            pass
        except Exception as error:  # a bug in the client, not an answer of the server: stop loudly
            crashed.append(f"user {user.n} ({user.role}): {type(error).__name__}: {error}")

    with harness.CpuMeter(server) as cpu:
        started = time.perf_counter()
        threads = [threading.Thread(target=live, args=(u,), daemon=True) for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + TIMEOUT + 10)
        wall = time.perf_counter() - started
    if crashed:
        raise RuntimeError("client threads failed:\n  " + "\n  ".join(crashed))
    return recorder, wall, cpu


def report(title, recorder, wall, cpu, kinds):
    harness.say(f"\n{title}")
    harness.say(f"{'kind':<15} {'requests':>8} {'errors':>6} {'p50':>7} {'p95':>7} {'max':>7} {'req/s':>6}")
    everything = []
    for kind in kinds:
        latencies = recorder.latencies.get(kind)
        if not latencies:
            continue
        everything += latencies
        p50, p95, top = (harness.percentile(latencies, p) for p in (50, 95, 100))
        harness.say(f"{kind:<15} {len(latencies):>8} {recorder.errors[kind]:>6} {harness.ms(p50):>7} "
                    f"{harness.ms(p95):>7} {harness.ms(top):>7} {len(latencies) / wall:>6.1f}")
    errors = sum(recorder.errors.values())
    if everything:
        harness.say(f"{'all':<15} {len(everything):>8} {errors:>6} {harness.ms(harness.percentile(everything, 50)):>7} "
                    f"{harness.ms(harness.percentile(everything, 95)):>7} {harness.ms(max(everything)):>7} "
                    f"{len(everything) / wall:>6.1f}")
    harness.say(f"error rate {errors / max(1, len(everything)):.2%}; {cpu.line()}; steal {cpu.cores['steal']:.2f}")
    for example in recorder.examples:
        harness.say(f"  error: {example}")
    return errors


def judge_phases(measured, failures) -> list[str]:
    """The targets, each beside the bare view measured under the same users: every kind's p95 with think
    time (and as a multiple of the bare view's p95), the mix's throughput without think time as a share
    of the bare view's. A phase disturbed by other work judges nothing (harness.judge)."""
    lines = []
    if ("mix", False) in measured and ("bare", False) in measured:
        (mix, _wall, cpu), (bare, _bare_wall, _bare_cpu) = measured["mix", False], measured["bare", False]
        floor = harness.percentile(bare.latencies["bare"], 95)
        p95s = {kind: harness.percentile(latencies, 95) for kind, latencies in mix.latencies.items()}
        lines.append("with think time, p95 as a multiple of the bare view's (" + harness.ms(floor) + "): "
                     + ", ".join(f"{kind} {p95 / floor:.0f}×" for kind, p95 in p95s.items()))
        worst = max(p95s, key=p95s.get)
        over = ", ".join(f"{kind} p95 {harness.ms(p95)}" for kind, p95 in p95s.items() if p95 >= P95_TARGET)
        verdict = harness.judge(failures, cpu, not over, "mix with think time",
                                f"{over} (target < {harness.ms(P95_TARGET)})")
        lines.append(f"mix with think time: the slowest kind {worst}, p95 {harness.ms(p95s[worst])}; target < "
                     f"{harness.ms(P95_TARGET)} for every kind: {verdict}")
    if ("mix", True) in measured and ("bare", True) in measured:
        (mix, wall, cpu), (bare, bare_wall, bare_cpu) = measured["mix", True], measured["bare", True]
        rate, floor = sum(map(len, mix.latencies.values())) / wall, len(bare.latencies["bare"]) / bare_wall
        share = rate / floor
        meter = cpu if cpu.disturbed or not bare_cpu.disturbed else bare_cpu
        verdict = harness.judge(failures, meter, share >= STRESS_RATIO_TARGET, "mix without think time",
                                f"{share:.1%} of the bare view's throughput (target ≥ {STRESS_RATIO_TARGET:.0%})")
        lines.append(f"mix without think time: {rate:.1f} req/s = {share:.1%} of the bare view's {floor:.1f} req/s "
                     f"under the same users; target ≥ {STRESS_RATIO_TARGET:.0%}: {verdict}")
    return lines


def populate(args, port) -> list[User]:
    """The data the load needs, added set-based to the demo, and the simulated users."""
    from training.models import TrainingClass
    from zhangwan.accounts.models import User as Account
    from zhangwan.accounts.roles import Role

    counts = role_counts(args.users)
    # Enough entries and nominations that nobody runs out of sheets to submit (then they keep
    # saving drafts of their last one).
    items = int(args.warmup + args.seconds / 3 + args.stress_seconds) + 20
    officer = Account.objects.get(username="training")
    accounts = {"visitor": [], "worker": seed_workers(counts["worker"]),
                "judge": _accounts("load-judge", counts["judge"], Role.JUDGE),
                "reviewer": _accounts("load-reviewer", counts["reviewer"], Role.REVIEWER),
                "staff": list(Account.objects.filter(username__in=STAFF_LOGINS).order_by("username"))}
    classes = seed_classes(officer)
    judging = seed_competition(accounts["judge"], items, officer)
    reviewing, criteria = seed_review(accounts["reviewer"], items, officer)
    harness.vacuum("accounts_user", "registry_worker", "training_trainingclass", "competitions_entry",
                   "masters_nomination", "masters_assignment", "django_session")
    public = list(TrainingClass.objects.public().order_by("?").values_list("pk", flat=True)[:500]) + classes

    users = []
    for role, count in counts.items():
        for i in range(count):
            account = accounts[role][i % len(accounts[role])] if accounts[role] else None
            work = (judging[account.pk] if role == "judge" else
                    (reviewing[account.pk], criteria) if role == "reviewer" else None)
            users.append(User(len(users), role, port, harness.login(account) if account else None, work=work,
                              classes=classes, public_classes=public))
    mix = ", ".join(f"{count} {role}{'' if role == 'staff' else 's'}" for role, count in counts.items())
    harness.say(f"{args.users} users: {mix}; {len(classes)} open bench classes, {items} entries per judge "
                f"and nominations per reviewer")
    return users


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="the think-time phases (mix, then bare)")
    parser.add_argument("--stress-seconds", type=float, default=30.0,
                        help="the phases without think time (mix, then bare); 0 skips them")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--think", type=float, nargs=2, default=[0.5, 2.0], metavar=("MIN", "MAX"),
                        help="think time between a user's actions, uniform, in seconds")
    harness.server_options(parser)
    args = parser.parse_args()
    if args.users < len(MIX):
        parser.error(f"--users: at least {len(MIX)}, one per role")
    harness.setup(DB_NAME)


    failures = []
    with harness.serving(DB_NAME, args) as server:
        when = harness.stamp()
        harness.load_demo()
        users = populate(args, server.port)
        harness.settle()

        think = tuple(args.think)
        recorder, _wall, _cpu = run(users, None, args.warmup, think, server)
        warm_errors = sum(recorder.errors.values())
        harness.say(f"warm-up: {sum(map(len, recorder.latencies.values()))} requests in {args.warmup:.0f} s, "
                    f"{warm_errors} errors" + "".join(f"\n  error: {e}" for e in recorder.examples))
        if warm_errors:
            failures.append(f"warm-up: {warm_errors} errors")

        phases = [("mix", think, args.seconds), ("bare", think, args.seconds)]
        if args.stress_seconds:
            phases += [("mix", (0.0, 0.0), args.stress_seconds), ("bare", (0.0, 0.0), args.stress_seconds)]
        measured = {}  # (name, stress) → (recorder, wall, cpu)
        for name, think_range, seconds in phases:
            pause = (f"think time {think_range[0]:g}–{think_range[1]:g} s" if think_range[1]
                     else "NO think time (stress, no latency target)")
            title = (f"{'mixed load' if name == 'mix' else 'bare view (the floor)'}, {args.users} users, {pause}, "
                     f"{seconds:.0f} s")
            recorder, wall, cpu = run(users, None if name == "mix" else "bare", seconds, think_range, server)
            measured[name, not think_range[1]] = recorder, wall, cpu
            errors = report(title, recorder, wall, cpu, KINDS if name == "mix" else ["bare"])
            if errors:
                failures.append(f"{title}: {errors} errors")
        verdicts = judge_phases(measured, failures)
        out_of_work = sum(1 for u in users if u.work and u.cursor >= len(u.work[1 if u.role == "judge" else 0]) - 1)
        if out_of_work:
            harness.say(f"\n{out_of_work} judges or reviewers ran out of sheets to submit and saved drafts only")
        harness.say(f"\n{server.description}; {when}\n" + "\n".join(verdicts))
    sys.exit(harness.finish(failures))


if __name__ == "__main__":
    main()
