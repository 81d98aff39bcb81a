"""Fixtures of the Pulumi pack and preview gate tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
EXTRA_ENV = {"CICD_GUARD_EXTRA_RULES": "cicd_guard_test_rules",
             "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH", "")]))}


@pytest.fixture
def test_rules():
    """TST-901/902 registered in this process for the duration of a test."""
    import cicd_guard_test_rules as module

    module.register()
    yield module
    module.unregister()


def children() -> set[int]:
    """PIDs of this process's live children (to prove no pack or program process is left behind)."""
    out: set[int] = set()
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == me and stat[0] != "Z":
            out.add(int(entry.name))
    return out
