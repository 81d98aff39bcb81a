"""Parse workers die with the scan: SIGTERM, SIGINT or SIGKILL of the scanning process leaves no
worker behind (before, they stayed blocked on their task queue forever)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_CHILD = """
import os, signal, sys, time
from hcl_scanner import workers

# Ctrl-C as a terminal delivers it, even when this test runs under a shell that ignores SIGINT
# in background jobs (a process started with SIGINT ignored would otherwise keep ignoring it)
signal.signal(signal.SIGINT, signal.default_int_handler)

def stuck(path):
    with open(os.path.join(sys.argv[1], str(os.getpid())), "w"):
        pass
    time.sleep(600)

workers.parse_in_workers(stuck, [sys.argv[1]] * 4, 2)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
def test_workers_die_with_the_scan(tmp_path, sig):
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path)],
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = [int(p.name) for p in tmp_path.iterdir()]
    assert len(pids) == 2, "both workers started"
    proc.send_signal(sig)
    proc.wait(timeout=20)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if _alive(pid)], "workers outlived the scan"
    assert b"Traceback" not in proc.stderr.read() or sig is signal.SIGINT
