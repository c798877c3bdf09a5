"""List pages in-process: Python function calls, SQL queries and CPU time per uncached request.

    .venv/bin/python bench/list_cpu.py [--requests 50] [--profile catalogue|officer] [--keep-db]

The figures of bench/list_pages.py depend on how busy the machine is; these do not (function calls,
queries) or much less (CPU time of this process, `time.process_time`). Seeds the same classes as
bench/list_pages.py into a database of its own (dropped at the end), then sends REQUESTS requests
to each list through the Django test client (every middleware, DEBUG off), each with a filter value
of its own, and prints per request: calls (cProfile), queries, CPU ms, bytes. --profile prints the
cProfile of one list, by cumulative time (SORT=tottime and LINES=N change the order and length;
PROFILE_FILE=path also writes the profile for pstats).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

DB_NAME = f"zhangwan_bench_listcpu_{os.getpid()}"


def measure(client, path, requests, first, profile_out=None):
    from django.db import connection

    from bench.list_pages import filter_value

    client.get(f"{path}?{filter_value(first + 1, 0)}")  # warm: templates, translations, connection
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: (queries.append(sql), execute(sql, *args))[1]):
        client.get(f"{path}?{filter_value(first + 2, 0)}")
    started = time.process_time()
    for n in range(requests):
        response = client.get(f"{path}?{filter_value(first, n)}")
        assert response.status_code == 200, (path, response.status_code)
    cpu = (time.process_time() - started) / requests
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(10):
        client.get(f"{path}?{filter_value(first + 3, n)}")
    profiler.disable()
    stats = pstats.Stats(profiler, stream=profile_out or io.StringIO())
    if profile_out and os.environ.get("PROFILE_FILE"):
        stats.dump_stats(os.environ["PROFILE_FILE"])
    if profile_out:
        stats.sort_stats(os.environ.get("SORT", "cumulative")).print_stats(int(os.environ.get("LINES", "40")))
    return stats.total_calls / 10, len(queries), cpu, len(response.content)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--profile", choices=["catalogue", "officer"])
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    harness.setup(DB_NAME)
    from django.conf import settings
    from django.test import Client

    from bench.list_pages import seed

    settings.ALLOWED_HOSTS.append("testserver")
    with harness.throwaway_database(DB_NAME, keep=args.keep_db):
        officer, _classes, _sessions = seed(300)
        anonymous, officer_client = Client(), Client()
        officer_client.force_login(officer)
        harness.say(f"{'page':<10} {'calls':>8} {'queries':>7} {'CPU ms':>7} {'bytes':>7}")
        with harness.CpuMeter(db_name=DB_NAME) as cpu:
            for n, (name, client, path) in enumerate([("bare", anonymous, "/bench/bare/"),
                                                      ("catalogue", anonymous, "/training/classes/"),
                                                      ("officer", officer_client, "/training/manage/classes/")]):
                out = sys.stdout if args.profile == name else None
                calls, queries, seconds, size = measure(client, path, args.requests, 100 * n, out)
                harness.say(f"{name:<10} {calls:>8.0f} {queries:>7} {seconds * 1000:>7.1f} {size:>7}")
        harness.say(cpu.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
