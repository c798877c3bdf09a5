"""Where the suite's processor time goes, test by test (docs/performance.md §10):

    make test ARGS=--cpu-account

Each pytest process (each xdist worker) notes around every test its wall time, its own processor time and
that of its child processes (Chromium, the Celery workers and gunicorn that tests start: the live ones read
from /proc with their own reaped children, the finished ones from this process's reaped-children counters),
and writes them to test-output/cpu/<worker>.json. At the end the controller prints the groups that took the
most: a module, or for the matrix walks and browser tests each test function. PostgreSQL's share is not per
test (its backends serve every worker): read its processes before and after a run. Reading /proc twice a
test costs a few milliseconds, so a run measured with this plugin is not one to time."""

import json
import os
import time
from collections import defaultdict
from pathlib import Path

import pytest

from bench.harness import process_stat, process_tree

OUT = Path(__file__).resolve().parents[2] / "test-output" / "cpu"


def children_seconds(root: int) -> float:
    """Processor seconds of every descendant of root, alive or finished."""
    descendants = [process_stat(pid) for pid in process_tree(root) - {root}]
    return process_stat(root).reaped + sum(s.seconds + s.reaped for s in descendants if s is not None)


def group_of(nodeid: str) -> str:
    path, _, rest = nodeid.partition("::")
    if "/matrix/" in path or "browser" in path:
        return f"{path}::{rest.split('[')[0]}"
    return path


def summary(rows, top: int = 25) -> list[str]:
    """rows: (nodeid, wall, own CPU, children's CPU) → lines of the groups by processor time, largest first."""
    groups = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for nodeid, wall, own, children in rows:
        group = groups[group_of(nodeid)]
        group[0] += 1
        group[1] += wall
        group[2] += own
        group[3] += children
    totals = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    lines = [f"{len(rows)} tests: wall {totals[0]:.0f} s, Python {totals[1]:.0f} core-s, "
             f"children {totals[2]:.0f} core-s",
             f"{'core-s':>7} {'Python':>7} {'child':>7} {'wall s':>7} {'tests':>5}  group"]
    ranked = sorted(groups.items(), key=lambda item: -(item[1][2] + item[1][3]))[:top]
    lines += [f"{own + child:7.1f} {own:7.1f} {child:7.1f} {wall:7.1f} {count:5}  {name}"
              for name, (count, wall, own, child) in ranked]
    return lines


class Accounting:
    def __init__(self, name: str):
        self.name, self.rows, self.started = name, [], None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.started = (time.perf_counter(), time.process_time(), children_seconds(os.getpid()))

    def pytest_runtest_logfinish(self, nodeid, location):
        if self.started is None:
            return
        wall, own, children = self.started
        self.rows.append((nodeid, time.perf_counter() - wall, time.process_time() - own,
                          children_seconds(os.getpid()) - children))
        self.started = None

    def pytest_sessionfinish(self, session):
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"{self.name}.json").write_text(json.dumps(self.rows))


def pytest_configure(config):
    """Every process that runs tests (each xdist worker, or the only one) keeps accounts; the process that
    starts the run first clears the last run's."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    if not worker:
        for old in OUT.glob("*.json"):
            old.unlink()
    if worker or not config.getoption("numprocesses", None):
        config.pluginmanager.register(Accounting(worker or "main"), "cpu-accounting")


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput"):
        return
    rows = [tuple(row) for path in sorted(OUT.glob("*.json")) for row in json.loads(path.read_text())]
    if rows:
        terminalreporter.section("processor time by test group (zhangwan/tests/cpu_account.py)")
        for line in summary(rows):
            terminalreporter.write_line(line)
