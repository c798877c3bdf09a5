"""The staff dashboard and the talent profile with the full demo data: latency (p50, p95) over
gunicorn on loopback and queries per page, beside a bare view.

    .venv/bin/python bench/pages.py [--seconds 15] [--clients 1 4] [--worker-class sync|gthread] [--keep-db]

Needs PostgreSQL and Redis (the servers in $DATABASE_URL and $REDIS_URL, as `make bench` sets them).
Creates its own database ``zhangwan_bench_pages_<pid>``, migrates it, runs ``manage.py load_demo``
(the whole demo: 2021–22, about a minute), starts gunicorn (4 workers, ``bench.settings``) and drops
the database at the end, also on failure.

Pages, each requested for SECONDS by 1 client and then by 4 at once, a fresh connection per request
(after a warm-up):

    /bench/bare/                          the floor: every middleware, no view work
    /reports/dashboard/                   the training officer's dashboard (last year, the district)
    /reports/dashboard/?year=2022         the 2022 figures
    /reports/dashboard/ (liaison)         the liaison's dashboard: their organization only
    /reports/workers/<pk>/                the talent profile of the demo worker with the longest
                                          history (most enrollments, certificates, entries, claims)

Queries per page are counted once with Django's test client in this process. Targets: p95 under
300 ms for each page with 1 client; a constant number of queries is asserted by the tests. Exit
status 1 if a page did not answer 200 or a p95 missed the target.
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

DB_NAME = f"zhangwan_bench_pages_{os.getpid()}"
P95_TARGET = 0.300
MAX_REQUESTS = 100_000


def longest_history():
    """The demo worker with the most rows across the four dimensions."""
    from django.db.models import Count

    from zhangwan.registry.models import Worker

    return (Worker.objects.annotate(n=Count("enrollments", distinct=True) + Count("certificates", distinct=True)
                                    + Count("claims", distinct=True))
            .order_by("-n", "pk").first())


def hammer(port, path, headers, clients, seconds):
    latencies, statuses, lock = [], {}, threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        for _ in range(MAX_REQUESTS):
            if time.perf_counter() >= deadline:
                return
            status, taken, _h, _b = harness.request(port, "GET", path, headers, timeout=30)
            with lock:
                latencies.append(taken)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return latencies, statuses


def queries(user, path):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if user is not None:
        client.force_login(user)
    client.get(path)  # warm: caches, roles
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    return status, len(captured.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--warmup", type=float, default=2.0)
    harness.server_options(parser)
    args = parser.parse_args()
    harness.setup(DB_NAME)


    from zhangwan.accounts.models import User

    failures = []
    with harness.serving(DB_NAME, args) as server:
        when = harness.stamp()
        harness.load_demo()
        officer, liaison = User.objects.get(username="training"), User.objects.get(username="liaison")
        worker = longest_history()
        harness.vacuum("training_enrollment", "subsidies_claim", "certification_certificate", "competitions_entry")
        pages = [
            ("bare", "/bench/bare/", None),
            ("dashboard", "/reports/dashboard/", officer),
            ("dashboard 2022", "/reports/dashboard/?year=2022", officer),
            ("dashboard, liaison", "/reports/dashboard/", liaison),
            ("talent profile", f"/reports/workers/{worker.pk}/", officer),
        ]
        harness.say(f"talent profile of {worker.name} (pk {worker.pk}): {worker.n} enrollments, certificates "
                    f"and claims\n")
        harness.say(f"{'page':<20} {'queries':>7} {'clients':>7} {'requests':>8} {'p50':>7} {'p95':>7} {'max':>7}"
                    f"  cores: gunicorn postgres other")
        for name, path, user in pages:
            status, count = queries(user, path)
            if status != 200:
                failures.append(f"{path} answered {status}")
                continue
            headers = {"Cookie": f"sessionid={harness.login(user)}"} if user else {}
            hammer(server.port, path, headers, 1, args.warmup)
            for clients in args.clients:
                with harness.CpuMeter(server) as cpu:
                    latencies, statuses = hammer(server.port, path, headers, clients, args.seconds)
                p50, p95, top = (harness.percentile(latencies, p) for p in (50, 95, 100))
                c = cpu.cores
                harness.say(f"{name:<20} {count:>7} {clients:>7} {len(latencies):>8} {harness.ms(p50):>7} "
                            f"{harness.ms(p95):>7} {harness.ms(top):>7}  {c['gunicorn']:>14.2f} "
                            f"{c['postgres']:>8.2f} {c['other']:>5.2f}")
                if set(statuses) != {200}:
                    failures.append(f"{path}: answers {statuses}")
                if clients == 1 and name != "bare" and p95 > P95_TARGET:
                    failures.append(f"{name}: p95 {harness.ms(p95)} (target < {harness.ms(P95_TARGET)})")
        harness.say(f"\n{when}")
    sys.exit(harness.finish(failures))


if __name__ == "__main__":
    main()
