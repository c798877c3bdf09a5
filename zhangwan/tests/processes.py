"""Helpers for the tests that start processes of their own: real Celery workers, servers on free
ports or in threads, and waiting for them. Plain functions, imported like any module (a conftest is not one);
the fixtures built on them are in the root conftest.py."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, seconds=60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it, so parallel test workers get different ones)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(server):
    """A socketserver (the fake webhook receiver, SMS provider, the browser's origin) answering in a thread of
    this process while the block runs; then stopped and closed. Its loop looks for the stop every 10 ms:
    socketserver's default half second was a half second of idle waiting at the end of every test using one."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def start_worker(queue: str, settings, **env) -> subprocess.Popen:
    """A Celery worker process on the test database, taking tasks from this queue only, returned once
    it answers a ping: a test's own timeouts then time the work, not the worker's start (which takes
    from 2 s to over 20 s, by how fast and how busy the machine is)."""
    from zhangwan.celery import app

    env = {**os.environ, "DATABASE_NAME": settings.DATABASES["default"]["NAME"], **env}
    name = f"{queue}@localhost"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zhangwan", "worker", "-Q", queue, "-n", name, "--pool", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    answered = wait_for(lambda: process.poll() is not None
                        or app.control.ping(destination=[name], timeout=0.5, limit=1), seconds=120)
    if process.poll() is not None or not answered:
        process.kill()
        raise AssertionError("the Celery worker did not start:\n" + process.communicate()[0].decode(errors="replace"))
    return process


def run_with_kill(settings, task, args, *, started, check_killed, done=None, **pause):
    """Run task on a worker slowed by pause (its step-pause variable), SIGKILL the worker once
    started() holds, check_killed(), then run the task again on a normal worker until done()
    (by default: the task finished)."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    slow = start_worker(queue, settings, **pause)
    try:
        task.apply_async(args=args, queue=queue)
        assert wait_for(started), "the job never reached its midpoint"
        os.kill(slow.pid, signal.SIGKILL)
        slow.wait(timeout=30)
    finally:
        slow.kill()
        slow.communicate()
    check_killed()
    again = start_worker(queue, settings)
    try:
        result = task.apply_async(args=args, queue=queue)
        assert wait_for(done or result.ready, seconds=90)
    finally:
        again.terminate()
        again.communicate(timeout=30)


@contextlib.contextmanager
def worker_on_own_queue(settings, **env):
    """A Celery worker (with env) on a queue of its own, which what the code under test queues
    goes to, so a developer's running worker never takes the task."""
    from zhangwan.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    process = start_worker(queue, settings, **env)
    saved = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
        process.terminate()
        output = process.communicate(timeout=30)[0].decode(errors="replace")
        assert "Traceback" not in output, output
