"""List pages: requests per second of the class catalogue and the officer's class list, beside a bare view.

    .venv/bin/python bench/list_pages.py [--classes 300] [--clients 8] [--seconds 10]
                                         [--worker-class sync|gthread] [--threads 4] [--keep-db]

Needs PostgreSQL (the server in $DATABASE_URL, as `make bench` sets it). Creates its own database
``zhangwan_bench_lists_<pid>``, migrates it, starts gunicorn (4 workers, ``bench.settings``) on a free port
of 127.0.0.1, and drops the database at the end, also on failure.

Seeds CLASSES public classes (open, closed, running, finished; with courses across trades, providers,
training bases and two sessions each) plus some drafts, and a training officer with a session made
directly in the database. Then, one after the other, CLIENTS threads request the same URL for
SECONDS (after a short warm-up), a fresh connection per request, each thread bounded in time and
count:

    GET /bench/bare/               the floor: every middleware, no view work (anonymous)
    GET /training/classes/         public catalogue, 20 per page (anonymous)
    GET /training/manage/classes/  the officer's list, 50 per page (training officer's session)

each list with a filter value of its own on every request (filter_value: a search that matches every
class, spelled differently each time, and one of the first three pages), as most real visits are:
nothing is cached, and nothing could be.

Prints requests per second, latency, server CPU per request, the ratio of each list to the bare view
(target ≥ 12 %, p95 < 100 ms with 8 clients) and the CPU the rest of the machine used meanwhile (above
0.2 core no target is judged). Exit status 1 if a page did not answer 200, a target was missed, or
the run was disturbed.
"""

import argparse
import datetime
import os
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

# One database per run (the pid), so that two runs on the same server never touch each other's.
DB_NAME = f"zhangwan_bench_lists_{os.getpid()}"
RATIO_TARGET = 0.12
P95_TARGET = 0.100  # seconds, with CLIENTS clients
MAX_REQUESTS_PER_CLIENT = 100_000  # a bound besides the time: no loop can run away


def seed(classes: int):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from training.models import ClassSession, Course, TrainingBase, TrainingClass
    from zhangwan.accounts.models import User
    from zhangwan.accounts.roles import Role
    from zhangwan.registry.models import Organization, SkillLevel, Trade
    from zhangwan.registry.validators import credit_code_check_char

    providers = []
    for n in range(6):
        code = f"91420303BENCH{n:04d}"
        providers.append(Organization.objects.create(
            name=f"压测培训机构{n}", credit_code=code + credit_code_check_char(code), kind=Organization.Kind.SCHOOL))
    bases = [TrainingBase.objects.create(name=f"压测实训基地{n}", kind=TrainingBase.Kind.WORKER_BASE, host=providers[n],
                                         designated_on=datetime.date(2020, 1, 1)) for n in range(3)]
    trades = list(Trade.objects.order_by("code")[:12])
    levels = [None, *SkillLevel.values]
    courses = [Course.objects.create(title=f"压测课程{n}", trade=trades[n % len(trades)], level=levels[n % len(levels)],
                                     hours=24) for n in range(30)]
    statuses = [TrainingClass.Status.OPEN, TrainingClass.Status.OPEN, TrainingClass.Status.CLOSED,
                TrainingClass.Status.RUNNING, TrainingClass.Status.FINISHED]
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    # The public classes, then a few drafts and cancelled ones the catalogue must leave out.
    for n in range(classes + classes // 10):
        status = statuses[n % len(statuses)] if n < classes else (
            TrainingClass.Status.DRAFT if n % 2 else TrainingClass.Status.CANCELLED)
        starts = today + datetime.timedelta(days=(n * 7) % 360 - 180)
        capacity = 20 + n % 4 * 10
        rows.append(TrainingClass(
            course=courses[n % len(courses)], title=f"压测班{n:04d}", provider=providers[n % len(providers)],
            union_class=n % 3 == 0, base=bases[n % len(bases)] if n % 2 else None, venue=f"压测教室{n % 9}",
            capacity=capacity, confirmed_count=n * 7 % (capacity + 1),
            registration_opens=now - datetime.timedelta(days=30), registration_closes=now + datetime.timedelta(days=30),
            starts_on=starts, ends_on=starts + datetime.timedelta(days=2), status=status,
            description="压测用的培训班。" * 5))
    created = TrainingClass.objects.bulk_create(rows)
    sessions = []
    for cls in created:
        for day in range(2):
            start = timezone.make_aware(datetime.datetime.combine(cls.starts_on + datetime.timedelta(days=day),
                                                                  datetime.time(9)))
            sessions.append(ClassSession(training_class=cls, starts_at=start, hours=4, topic=f"第{day + 1}次课",
                                         ends_at=start + datetime.timedelta(hours=4)))
    ClassSession.objects.bulk_create(sessions)
    officer = User(username="bench-officer", full_name="压测培训专员", is_staff=True)
    officer.set_unusable_password()
    officer.save()
    officer.groups.add(Group.objects.get(name=Role.TRAINING_OFFICER))
    return officer, len(created), len(sessions)


def filter_value(client: int, n: int) -> str:
    """A query string no earlier request of the run had, read by the list's filters: a search word that
    matches every seeded class (压测, in every title) with a different count of spaces around it, and a
    different page of the first three, so that no two requests of a run ask for the same URL (no cache
of any kind could answer them)."""
    return f"q={'+' * (n % 50)}%E5%8E%8B%E6%B5%8B{'+' * (client + 1)}&page={1 + n % 3}&bench={client}.{n}"


def hammer(port, path, headers, clients, seconds, unique=False, first=0):
    """CLIENTS threads requesting PATH until SECONDS have passed; with UNIQUE, each request adds a query
    parameter of its own (``?bench=3.17``), which no filter reads but which defeats any page cache.
    Returns (latencies, statuses, wall)."""
    latencies = [[] for _ in range(clients)]
    statuses = [Counter() for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(i):
        barrier.wait(timeout=30)
        for n in range(MAX_REQUESTS_PER_CLIENT):
            if time.perf_counter() >= deadline[0]:
                break
            url = f"{path}?{filter_value(first + i, n)}" if unique else path
            try:
                status, seconds_taken, _headers, _body = harness.request(port, "GET", url, headers, timeout=30)
            except OSError as error:
                statuses[i][type(error).__name__] += 1
                continue
            statuses[i][status] += 1
            latencies[i].append(seconds_taken)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.perf_counter() - started
    return [x for part in latencies for x in part], sum(statuses, Counter()), wall


def probe(port, path, headers, link):
    """One request: (status, size, how many distinct class links the page holds)."""
    status, _seconds, _headers, body = harness.request(port, "GET", path, headers)
    rows = len(set(re.findall(link, body.decode("utf-8", "replace")))) if link else None
    return status, len(body), rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--classes", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    harness.server_options(parser)
    args = parser.parse_args()
    harness.setup(DB_NAME)

    failures, results, p95s, meters = [], {}, {}, {}
    with harness.serving(DB_NAME, args) as server:
        port = server.port
        when = harness.stamp()
        officer, classes, sessions = seed(args.classes)
        officer_headers = {"Cookie": f"sessionid={harness.login(officer)}"}
        harness.say(f"seeded {classes} classes ({args.classes} public) with {sessions} sessions; "
                    f"{args.clients} clients × {args.seconds:.0f} s per page\n")
        catalogue = ("/training/classes/", {}, r'href="/training/classes/(\d+)/"')
        manage = ("/training/manage/classes/", officer_headers, r'href="/training/manage/classes/(\d+)/"')
        # (name, path, headers, link pattern, unique URLs): the lists with a new filter value on every
        # request, as most visits are (there is no page cache, and none could help them).
        pages = [
            ("bare", "/bench/bare/", {}, None, False),
            ("catalogue", *catalogue, True),
            ("manage list", *manage, True),
        ]
        harness.say(f"{'page':<13} {'status':>6} {'bytes':>7} {'rows':>4}  {'req/s':>7} {'p50':>7} {'p95':>7} "
                    f"{'max':>7} {'vs bare':>7}  {'CPU/req':>7}  cores: gunicorn postgres client other  answers")
        for name, path, headers, link, unique in pages:
            status, size, rows = probe(port, path + ("?" + filter_value(99, 0) if unique else ""), headers, link)
            if status != 200:
                harness.say(f"{name:<13} {status:>6} {size:>7}          not measured: {path} answered {status}")
                failures.append(f"{path} answered {status}")
                continue
            # Warm-up: every worker connected, templates loaded (and, for the plain URLs, cached).
            hammer(port, path, headers, args.clients, args.warmup, unique, first=args.clients)
            with harness.CpuMeter(server) as cpu:
                latencies, answers, wall = hammer(port, path, headers, args.clients, args.seconds, unique)
            ok = answers[200]
            rps = ok / wall
            results[name] = rps
            p95s[name] = harness.percentile(latencies, 95)
            meters[name] = cpu
            ratio = rps / results["bare"] if "bare" in results else None
            p50, p95, top = (harness.percentile(latencies, p) for p in (50, 95, 100))
            c = cpu.cores
            # Server CPU per answered request: gunicorn and PostgreSQL together.
            per_request = (c["gunicorn"] + c["postgres"]) / rps if rps else 0
            harness.say(f"{name:<13} {status:>6} {size:>7} {'' if rows is None else rows:>4}  {rps:>7.1f} "
                        f"{harness.ms(p50):>7} {harness.ms(p95):>7} {harness.ms(top):>7} "
                        f"{f'{ratio:.0%}' if ratio else '':>7}  {per_request * 1000:>4.1f} ms  "
                        f"{c['gunicorn']:>14.2f} {c['postgres']:>8.2f} {c['client']:>6.2f} {c['other']:>5.2f}  "
                        + ", ".join(f"{s}×{n}" for s, n in sorted(answers.items(), key=str)))
            if set(answers) != {200}:
                failures.append(f"{path}: answers {dict(answers)}")


    harness.say(f"\n{server.description}; {when}\n"
                f"{args.clients} client threads in this process. 'other' = CPU used meanwhile by the rest of "
                f"the machine (> 0.1 core: the figures were disturbed)")
    for name in ("catalogue", "manage list"):
        if name in results and "bare" in results:
            ratio = results[name] / results["bare"]
            met = ratio >= RATIO_TARGET and p95s[name] < P95_TARGET
            disturbed = [meters[n] for n in ("bare", name) if meters[n].disturbed]
            verdict = disturbed[0].verdict(met) if disturbed else ("met" if met else "MISSED")
            harness.say(f"{name}: {results[name]:.1f} req/s = {ratio:.0%} of bare ({results['bare']:.1f} req/s), "
                        f"p95 {harness.ms(p95s[name])}; target ≥ {RATIO_TARGET:.0%} and p95 < "
                        f"{P95_TARGET * 1000:.0f} ms: {verdict}")
            if disturbed:
                failures.append(f"{name}: disturbed run, the target is not judged")
            elif not met:
                failures.append(f"{name}: {ratio:.0%} of bare, p95 {harness.ms(p95s[name])}")
    return harness.finish(failures)


if __name__ == "__main__":
    sys.exit(main())
