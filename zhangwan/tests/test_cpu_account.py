"""The suite's processor accounting (zhangwan/tests/cpu_account.py) counts a child's processor time, alive
or finished, and ranks the groups by it."""

import os
import subprocess
import sys
import time

from zhangwan.tests.cpu_account import children_seconds, summary

BURN = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\n"


def test_a_childs_processor_time_is_counted_while_it_runs_and_after_it_ends():
    before = children_seconds(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", BURN + "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while children_seconds(os.getpid()) - before < 0.5:  # burning, then waiting on its input
            assert time.monotonic() < deadline, "the child's processor time was never counted"
        assert child.poll() is None
    finally:
        child.communicate(b"")
    assert 0.5 <= children_seconds(os.getpid()) - before < 1.5  # finished and reaped: still counted


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
