"""The suite's processor accounting (zhangwan/tests/cpu_account.py) counts a descendant's processor time,
alive or finished, and ranks the groups by it."""

import os
import subprocess
import sys
import time

from zhangwan.tests.cpu_account import children_seconds, summary

# A process of its own (so no other test's processes are in its tree) whose child burns half a second of
# processor and waits; told to, it lets the child end and reaps it. /proc counts in ticks of 10 ms, each
# rounded down: the half second reads as 0.4 s at least.
ROOT = """
import subprocess, sys
burn = "import sys, time\\nend = time.process_time() + 0.5\\nwhile time.process_time() < end: pass\\n"
burn += "sys.stdin.readline()"
child = subprocess.Popen([sys.executable, "-c", burn], stdin=subprocess.PIPE)
print(child.pid, flush=True)
sys.stdin.readline()
child.communicate(b"\\n")
print("reaped", flush=True)
sys.stdin.readline()
"""


def test_a_childs_processor_time_is_counted_while_it_runs_and_after_it_ends():
    root = subprocess.Popen([sys.executable, "-c", ROOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        child = int(root.stdout.readline())
        deadline = time.monotonic() + 60
        while children_seconds(root.pid) < 0.4:
            assert time.monotonic() < deadline, "the child's processor time was never counted"
            time.sleep(0.05)
        os.kill(child, 0)  # still running: counted from /proc
        root.stdin.write("\n")
        root.stdin.flush()
        assert root.stdout.readline() == "reaped\n"
        assert 0.4 <= children_seconds(root.pid) < 1.5  # finished and reaped: counted from its parent
    finally:
        root.communicate("\n")


def test_the_walks_are_ranked_by_test_and_other_modules_as_a_whole():
    rows = [("zhangwan/tests/matrix/test_bad_input.py::test_forms[training]", 10.0, 4.0, 0.0),
            ("zhangwan/tests/matrix/test_bad_input.py::test_forms[masters]", 12.0, 5.0, 0.0),
            ("zhangwan/tests/matrix/test_bad_input.py::test_admin[masters]", 3.0, 1.0, 0.0),
            ("training/tests/test_views.py::test_a", 1.0, 0.5, 0.0),
            ("training/tests/test_views.py::test_b", 1.0, 0.5, 6.0)]
    lines = summary(rows)
    assert lines[0] == "5 tests: wall 27 s, Python 11 core-s, children 6 core-s"
    assert [line.split()[-1] for line in lines[2:]] == [
        "zhangwan/tests/matrix/test_bad_input.py::test_forms", "training/tests/test_views.py",
        "zhangwan/tests/matrix/test_bad_input.py::test_admin"]
    assert lines[2].split()[:5] == ["9.0", "9.0", "0.0", "22.0", "2"]
