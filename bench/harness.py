"""What the HTTP benchmarks share: a throw-away database, gunicorn on loopback, logged-in cookies,
a bounded HTTP client and percentiles.

The benchmark scripts call ``setup(db_name)`` before importing any model, then run their body inside
``serving(...)``, which creates and migrates the database, starts gunicorn, and on the way out (also
on an exception, Ctrl-C or SIGTERM) stops gunicorn and drops the database.
"""

import argparse
import contextlib
import http.client
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SETTINGS = "bench.settings"
HOST = "127.0.0.1"
WORKERS = 4
# Measured on the 2-core machine, see docs/performance.md: sync workers did as well as gthread.
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_THREADS = 4  # per worker, only for gthread


def say(msg):
    print(msg, flush=True)


def setup(db_name: str):
    """Point this process at the bench database and set Django up (no connection is opened yet)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_NAME"] = db_name  # overrides any inherited value: bench.settings checks the prefix
    import django

    django.setup()


def server_options(parser: argparse.ArgumentParser):
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default=DEFAULT_WORKER_CLASS,
                        help=f"gunicorn worker class (default {DEFAULT_WORKER_CLASS})")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help=f"threads per gthread worker (default {DEFAULT_THREADS})")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database at the end")


# --- database ---------------------------------------------------------------------------------

def _admin_connection():
    """psycopg2 connection to the 'postgres' database of the server in the settings (DATABASE_URL)."""
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {"dbname": "postgres", "host": db.get("HOST") or None, "port": db.get("PORT") or None,
              "user": db.get("USER") or None, "password": db.get("PASSWORD") or None, "connect_timeout": 10}
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    conn.autocommit = True  # CREATE / DROP DATABASE cannot run in a transaction
    return conn


def _check_name(name):
    from bench.settings import BENCH_DATABASE_PREFIX

    if not name.startswith(BENCH_DATABASE_PREFIX):
        raise ValueError(f"refusing to touch database {name!r}: not a bench database")


def drop_database(name):
    from django.db import connections
    from psycopg2 import sql

    _check_name(name)
    connections.close_all()
    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cur:
        # FORCE: gunicorn workers keep their connections open (CONN_MAX_AGE) until they exit.
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_database(name):
    from psycopg2 import sql

    _check_name(name)
    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone():
            say(f"database {name} left over from an earlier run: dropping it")
            cur.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate(name):
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_NAME": name},
                            capture_output=True, text=True, timeout=600)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise RuntimeError(f"manage.py migrate failed on {name}")
    say(f"migrated {name} in {time.perf_counter() - started:.1f} s")


class LockWatcher:
    """Samples pg_stat_activity while a burst runs: the most backends of the bench database seen
    waiting on a heavyweight lock at once, and the deadlocks PostgreSQL counted meanwhile."""

    def __init__(self, name, interval=0.02):
        self.name, self.interval = name, interval
        self.max_waiting = 0
        self.samples = self.waiting_samples = 0
        self.deadlocks = 0
        self._stop = threading.Event()

    def _deadlocks(self, cur):
        cur.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [self.name])
        return cur.fetchone()[0]

    def _run(self, conn):
        with conn.cursor() as cur:
            while not self._stop.is_set():
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                            [self.name])
                waiting = cur.fetchone()[0]
                self.samples += 1
                self.waiting_samples += waiting > 0
                self.max_waiting = max(self.max_waiting, waiting)
                self._stop.wait(self.interval)

    def __enter__(self):
        self._conn = _admin_connection()
        with self._conn.cursor() as cur:
            self._deadlocks_before = self._deadlocks(cur)
        self._thread = threading.Thread(target=self._run, args=(self._conn,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        # Backends flush their counters to pg_stat_database within a second or so; a deadlock
        # would also show up as a 500 in the burst, so this is only a cross-check.
        with self._conn.cursor() as cur:
            self.deadlocks = self._deadlocks(cur) - self._deadlocks_before
        self._conn.close()
        return False


# --- CPU ---------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


class ProcessStat(NamedTuple):
    parent: int
    name: str
    seconds: float  # processor time of the process
    reaped: float  # processor time of its children that have ended and been waited for


def process_stat(pid) -> ProcessStat | None:
    """A process's line of /proc, or None if it is gone (also zhangwan/tests/cpu_account.py)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return ProcessStat(int(fields[1]), comm, (int(fields[11]) + int(fields[12])) / _TICK,
                       (int(fields[13]) + int(fields[14])) / _TICK)


def bench_backends(db_name) -> set[int]:
    """The pids of the PostgreSQL backends connected to the bench database (the server is shared:
    other databases' backends are other work)."""
    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db_name])
        return {row[0] for row in cur.fetchall()}


def _machine_busy_and_steal():
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    steal = ticks[7] if len(ticks) > 7 else 0
    # /proc/stat counts guest time inside user time; steal is time the hypervisor gave away.
    return (sum(ticks[:8]) - idle - steal) / _TICK, steal / _TICK


def process_tree(pid) -> set[int]:
    """pid and its descendants, now."""
    children = defaultdict(set)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = process_stat(entry)
            if stat is not None:
                children[stat[0]].add(int(entry))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children[current] - found)
    return found


def _cpu_of(pids) -> float:
    return sum(stat[2] for stat in map(process_stat, pids) if stat is not None)


def _cpu_snapshot(server_pid, backends):
    """CPU seconds so far: the whole machine (busy, steal), gunicorn (master and workers), the
    PostgreSQL backends of the bench database, this process (the client threads)."""
    busy, steal = _machine_busy_and_steal()
    server = process_tree(server_pid) if server_pid else set()
    return {"machine": busy, "steal": steal, "gunicorn": _cpu_of(server), "postgres": _cpu_of(backends),
            "client": _cpu_of(process_tree(os.getpid()) - server)}


DISTURBANCE_LIMIT = 0.2  # cores used by the rest of the machine above which no target is judged


class _BenchBackends(threading.Thread):
    """Every 10 ms: the PostgreSQL server's children that work for the bench database (their title names
    it) and the parallel workers of those ("parallel worker for PID n"), each's CPU as last seen. A
    parallel worker lives for one query (a dashboard's aggregate: 50–100 ms) and a backend may close
    within the measured stretch (a gunicorn worker's connection past CONN_MAX_AGE): read only at the end,
    their CPU would be lost and counted as other work. Those that end are counted whole from the server's
    record of its finished children (``reaped``), less what the ones seen before the stretch had used then
    and less the other databases' ones seen (their CPU as last seen); one that lived and ended between two
    polls is taken for the bench's (a parallel worker: nothing else on the server starts and ends so fast
    while a bench runs)."""

    def __init__(self, db_name, postmaster):
        super().__init__(daemon=True)
        self.db_name, self.postmaster = db_name, postmaster
        self.first, self.last, self.kind = {}, {}, {}  # pid -> CPU at first sight, as last seen; bench or not
        self.stopping = threading.Event()
        self.reaped = self._reaped()
        self._poll()

    def _reaped(self) -> float:
        stat = process_stat(self.postmaster)
        return stat.reaped if stat is not None else 0.0

    def _title(self, pid):
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""

    def _belongs(self, pid) -> bool:
        title = self._title(pid)
        if f" {self.db_name} " in title:
            return True
        _, found, leader = title.partition("parallel worker for PID ")
        leader = leader.split()[0] if leader.split() else ""
        return bool(found) and leader.isdigit() and self.kind.get(int(leader), False)

    def _children(self) -> list[int]:
        try:
            return list(map(int, Path(f"/proc/{self.postmaster}/task/{self.postmaster}/children").read_text().split()))
        except OSError:
            return []

    def _poll(self, everyone=True):
        fresh = not self.kind
        for pid in self._children():
            if pid not in self.kind:
                self.kind[pid] = self._belongs(pid)
            elif not (self.kind[pid] or everyone):
                continue  # another database's, or the server's own: read now and then (what it used in all)
            stat = process_stat(pid)
            if stat is not None:
                # Known at the start: from its CPU then; come later: from zero.
                self.first.setdefault(pid, stat.seconds if fresh else 0.0)
                self.last[pid] = stat.seconds

    def run(self):
        polls = 0
        while not self.stopping.wait(0.01):
            polls += 1
            self._poll(everyone=polls % 50 == 0)

    def cpu(self) -> float:
        self.stopping.set()
        self.join()
        self._poll()
        alive = set(self._children())
        ended = [pid for pid in self.last if pid not in alive]
        total = sum(self.last[pid] - self.first[pid] for pid in self.last if pid in alive and self.kind[pid])
        # The finished ones, whole: the server's reaped time, less the part before the stretch and the others'.
        reaped = self._reaped() - self.reaped
        reaped -= sum(self.first[pid] if self.kind[pid] else self.last[pid] for pid in ended)
        return total + max(0.0, reaped)


class _BackendsWatcher:
    """_BenchBackends run in a process of its own: in this process its thread waits for the lock of Python's
    interpreter behind the client's threads, and under the load's stress (50 threads, no think time) it
    polled seldom, missed most of the dashboard's parallel workers (each one query long) and let 0.2-0.45 core
    of the bench's own PostgreSQL count as other work. Its own processor time counts as the client's."""

    def __init__(self, db_name, postmaster):
        self.proc = subprocess.Popen([sys.executable, __file__, "--watch-backends", db_name, str(postmaster)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "watching":
            raise RuntimeError("the PostgreSQL backends' watcher did not start")

    def start(self):
        return self

    def cpu(self) -> float:
        out, _ = self.proc.communicate("stop\n", timeout=30)
        return float(out.split()[-1])


def _watch_backends(db_name, postmaster):
    """The watcher process: polls until told to stop on its standard input, then prints the CPU seconds."""
    backends = _BenchBackends(db_name, postmaster)
    backends.start()
    print("watching", flush=True)
    sys.stdin.readline()
    print(backends.cpu(), flush=True)


def _postmaster(backends) -> int | None:
    stats = [stat for stat in map(process_stat, backends) if stat is not None]
    return stats[0][0] if stats else None


class CpuMeter:
    """Cores used while the block runs, by gunicorn, the bench database's PostgreSQL backends (with
    their parallel workers and the connections opened or closed meanwhile: _BenchBackends), this process
    tree (the client or the in-process bench) and everything else (`other`: other work on the machine,
    which disturbs the figures; above DISTURBANCE_LIMIT no target is called met).
    CpuMeter(db_name=...) without a server measures an in-process benchmark."""

    def __init__(self, server=None, db_name=None):
        self.server_pid = server.proc.pid if server else None
        self.db_name = db_name or (server.db_name if server else None)
        self.cores = {}

    def __enter__(self):
        postmaster = _postmaster(bench_backends(self.db_name)) if self.db_name else None
        self._backends = _BackendsWatcher(self.db_name, postmaster) if postmaster else None
        if self._backends:
            self._backends.start()
        self._start, self._t = _cpu_snapshot(self.server_pid, set()), time.perf_counter()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self._t
        end = _cpu_snapshot(self.server_pid, set())
        end["postgres"] = self._backends.cpu() if self._backends else 0.0
        used = {k: max(0.0, end[k] - self._start[k]) / wall for k in end}
        used["other"] = max(0.0, used["machine"] - used["gunicorn"] - used["postgres"] - used["client"])
        self.cores = used
        return False

    def start(self):
        """For a measured stretch that is no block: meter = CpuMeter(...).start() … meter.stop()."""
        return self.__enter__()

    def stop(self):
        self.__exit__(None, None, None)
        return self

    @property
    def other(self) -> float:
        return self.cores.get("other", 0.0)

    @property
    def disturbed(self) -> bool:
        return self.other > DISTURBANCE_LIMIT

    def line(self) -> str:
        c = self.cores
        return (f"CPU meanwhile (cores): bench {c['client'] + c['gunicorn']:.2f} (gunicorn {c['gunicorn']:.2f}, "
                f"client {c['client']:.2f}), its PostgreSQL backends "
                f"{c['postgres']:.2f}, rest of the machine {c['other']:.2f}"
                + (f" > {DISTURBANCE_LIMIT}: DISTURBED, no target is judged" if self.disturbed else " (undisturbed)"))

    def verdict(self, met: bool) -> str:
        """'met' / 'MISSED', or 'not judged' when the rest of the machine disturbed the run."""
        if self.disturbed:
            return f"not judged (disturbed: {self.other:.2f} cores of other work)"
        return "met" if met else "MISSED"


def judge(failures: list, meter: CpuMeter, met: bool, target: str, missed: str) -> str:
    """The one way a bench calls a target: 'met', 'MISSED' or 'not judged' (meter.verdict). A missed target
    and a disturbed run each add to failures (the bench exits 1): a figure of a disturbed run is never
    called met, nor missed. target names it in the failure lines; missed says by how much."""
    if meter.disturbed:
        failures.append(f"{target}: not judged, the run was disturbed ({meter.other:.2f} cores of other work)")
    elif not met:
        failures.append(f"{target}: {missed}")
    return meter.verdict(met)


# --- gunicorn ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, db_name, worker_class, threads, workers=WORKERS):
        self.db_name, self.worker_class, self.workers = db_name, worker_class, workers
        self.threads = threads if worker_class == "gthread" else 1
        self.port = free_port()
        self.proc = None
        self.logdir = Path(tempfile.mkdtemp(prefix="zhangwan-bench-"))
        self.log = self.logdir / "gunicorn.log"

    @property
    def description(self):
        threads = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.workers} {self.worker_class} workers{threads} on {HOST}:{self.port}"

    def start(self, timeout=60):
        cmd = [str(BIN / "gunicorn"), "zhangwan.wsgi:application", "--chdir", str(ROOT),
               "--bind", f"{HOST}:{self.port}", "--workers", str(self.workers),
               "--worker-class", self.worker_class, "--threads", str(self.threads),
               "--timeout", "120", "--graceful-timeout", "10", "--log-level", "warning"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_NAME": self.db_name,
               "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}
        with open(self.log, "wb") as log:
            # Its own session, so a Ctrl-C in the terminal reaches only this script, which stops it.
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_text()}")
            with contextlib.suppress(OSError):
                if request(self.port, "GET", "/bench/bare/", timeout=2)[0] == 200:
                    say(f"started {self.description}")
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log_text()}")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # the master: stops its workers gracefully
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group this script created for it
            self.proc.wait(timeout=10)

    def log_text(self, tail=4000):
        try:
            return self.log.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def errors(self):
        """(number of error lines, the first error with its traceback) from the gunicorn log."""
        lines = self.log_text(tail=10**8).splitlines()
        hits = [i for i, line in enumerate(lines)
                if line.startswith("Traceback") or "ERROR" in line or "CRITICAL" in line or "WORKER TIMEOUT" in line]
        if not hits:
            return 0, ""
        # Django logs "Internal Server Error: <path>" and then the (possibly chained) traceback.
        first = hits[0] - 1 if hits[0] and lines[hits[0] - 1].startswith("Internal Server Error") else hits[0]
        end = first + 1
        while end < len(lines) and end - first < 80 and not lines[end].startswith(("Internal Server Error", "[")):
            end += 1
        return len(hits), "\n".join(lines[first:end])

    def cleanup(self):
        shutil.rmtree(self.logdir, ignore_errors=True)


@contextlib.contextmanager
def serving(db_name, args):
    """Create and migrate the database, start gunicorn; always stop it and drop the database."""

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    server = None
    try:
        create_database(db_name)
        say(f"created database {db_name}")
        migrate(db_name)
        server = Gunicorn(db_name, args.worker_class, args.threads)
        server.start()
        yield server
    except Exception:
        if server is not None and server.log_text():
            sys.stderr.write(f"--- end of the gunicorn log ({server.log}) ---\n{server.log_text()}\n")
        raise
    finally:
        if server is not None:
            server.stop()
            count, first = server.errors()
            if count:
                say(f"gunicorn log: {count} errors/tracebacks; the first:\n{first}\n(whole log: {server.log})")
            else:
                server.cleanup()
        if args.keep_db:
            say(f"kept database {db_name}")
        else:
            drop_database(db_name)
            say(f"dropped database {db_name}")
        signal.signal(signal.SIGTERM, previous)


# --- client -----------------------------------------------------------------------------------

def request(port, method, path, headers=None, body=b"", timeout=60):
    """One request on a fresh connection: (status, seconds, headers, body)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, time.perf_counter() - started, dict(response.getheaders()), data
    finally:
        conn.close()


def login(user) -> str:
    """A session for the user, as if they had logged in: returns the session key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "zhangwan.accounts.backends.CachedModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def new_csrf_token() -> str:
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    return get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)  # 32 characters, unmasked


def post_headers(port, session_key, csrf_token):
    origin = f"http://{HOST}:{port}"
    return {"Cookie": f"sessionid={session_key}; csrftoken={csrf_token}", "X-CSRFToken": csrf_token,
            "Origin": origin, "Referer": origin + "/", "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": "0"}


def load_demo():
    """The whole demo data (`manage.py load_demo`) into the bench database; says how long it took."""
    import io

    from django.core.management import call_command

    started = time.perf_counter()
    call_command("load_demo", "--force", stdout=io.StringIO())  # bench.settings: DEBUG off, a throw-away database
    say(f"loaded the demo data in {time.perf_counter() - started:.0f} s")


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def stamp():
    """When and where: UTC time, CPUs, Python, PostgreSQL, gunicorn, Django — for the printed figures."""
    import datetime
    import platform

    import django
    import gunicorn
    from django.db import connection

    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "?"
    connection.ensure_connection()
    pg = connection.pg_version
    return (f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs ({cpu}); "
            f"Python {platform.python_version()}, Django {django.get_version()}, gunicorn {gunicorn.__version__}, "
            f"PostgreSQL {pg // 10000}.{pg % 10000}")


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


@contextlib.contextmanager
def throwaway_database(name: str, *, keep: bool = False):
    """Create and migrate a bench database; drop it on the way out (also on SIGTERM) unless keep."""

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        create_database(name)
        say(f"created database {name}")
        migrate(name)
        yield
    finally:
        if keep:
            say(f"kept database {name}")
        else:
            drop_database(name)
            say(f"dropped database {name}")
        signal.signal(signal.SIGTERM, previous)


def vacuum(*tables):
    from django.db import connection

    with connection.cursor() as cur:  # autocommit: VACUUM cannot run in a transaction
        for table in tables:
            cur.execute(f"VACUUM ANALYZE {table}")


def settle():
    """Writes the seeded data out now (CHECKPOINT): otherwise PostgreSQL's checkpointer flushes the demo's
    hundreds of megabytes during the first measured phases, 0.2-0.45 core counted as other work (the
    2026-12-05 load runs). Needs a superuser; without one the bench says so and goes on."""
    from django.db import DatabaseError, connection

    started = time.perf_counter()
    try:
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")
    except DatabaseError as error:
        say(f"CHECKPOINT refused ({str(error).strip()}): the checkpointer may disturb the first phases")
        return
    say(f"checkpoint after seeding: {time.perf_counter() - started:.1f} s")


def id_numbers(count, *, first_birthday=None, days=12000):
    """Distinct valid resident identity numbers (Zhangwan area code), with their birth dates."""
    import datetime

    from zhangwan.registry.validators import id_number_check_char

    first_birthday = first_birthday or datetime.date(1970, 1, 1)
    for n in range(count):
        born = first_birthday + datetime.timedelta(days=n % days)
        first17 = f"420303{born:%Y%m%d}{n // days + 100:03d}"
        yield born, first17 + id_number_check_char(first17)


def machine_busy():
    """CPU seconds the whole machine has been busy (not idle, not stolen), from /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    steal = ticks[7] if len(ticks) > 7 else 0
    return (sum(ticks[:8]) - ticks[3] - ticks[4] - steal) / os.sysconf("SC_CLK_TCK")


def summary(values):
    """min and median of timings in seconds, as milliseconds."""
    import statistics

    return f"min {min(values) * 1000:7.0f} ms   median {statistics.median(values) * 1000:7.0f} ms"


def finish(failures) -> int:
    """The closing lines and the exit status of a benchmark: 1 when a check or a target failed."""
    if failures:
        say("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    say("all checks passed")
    return 0


# --- a real Celery worker ---------------------------------------------------------------------

def process_memory(pid):
    """(peak, current) resident kB of a process (VmHWM, VmRSS), or (0, 0) if it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    return int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0])


class Worker:
    """`celery -A zhangwan worker --pool=solo` (one process) on a queue of its own, against a bench
    database, with extra environment variables."""

    def __init__(self, db_name: str, label: str, **env):
        import uuid

        self.db_name, self.env = db_name, env
        self.queue = f"bench-{label}-{uuid.uuid4().hex[:10]}"
        self.log = Path(tempfile.mkstemp(prefix=f"zhangwan-bench-{label}-", suffix=".log")[1])
        self.proc = None

    def __enter__(self):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_NAME": self.db_name,
               "PYTHONUNBUFFERED": "1", **self.env}
        cmd = [sys.executable, "-m", "celery", "-A", "zhangwan", "worker", "-Q", self.queue, "--pool", "solo",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info", "-n", f"{self.queue}@%h"]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.proc.returncode}:\n{self.log_text()}")
            if " ready." in self.log_text():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"the Celery worker was not ready within 90 s:\n{self.log_text()}")

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        text = self.log_text()
        if "Traceback" in text:
            say(f"  the worker's log holds errors: {self.log}\n{text[-3000:]}")
        else:
            self.log.unlink(missing_ok=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def memory(self):
        return process_memory(self.proc.pid)

    def log_text(self):
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


if __name__ == "__main__" and sys.argv[1:2] == ["--watch-backends"]:
    _watch_backends(sys.argv[2], int(sys.argv[3]))
