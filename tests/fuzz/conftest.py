"""Hypothesis profiles shared by every fuzz test in this folder.

`make test` runs the bounded "ci" profile (a few dozen examples per test, no example database);
`make fuzz` selects "fuzz" (HYPOTHESIS_PROFILE=fuzz) and repeats the folder for 10 minutes,
under a memory limit so that an input allocating without bound fails the run instead of the machine.
Every fuzz test asserts one invariant: any input ends in a report (findings and/or input errors),
never an exception, a hang or unbounded memory.
"""

from __future__ import annotations

import os
import resource
import signal

import pytest
from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLE_SECONDS = 30  # one example running longer than this is a hang
FUZZ_MEMORY_MB = 2048

settings.register_profile("ci", max_examples=30, deadline=None, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                 HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile("fuzz", parent=settings.get_profile("ci"), max_examples=100, print_blob=True)  # per round
settings.load_profile(PROFILE)

if PROFILE == "fuzz":
    resource.setrlimit(resource.RLIMIT_AS, (FUZZ_MEMORY_MB << 20, FUZZ_MEMORY_MB << 20))


class Hang(Exception):
    """An example ran past EXAMPLE_SECONDS."""


@pytest.fixture
def no_hang():
    """Fail an example that runs too long (SIGALRM), instead of waiting for it forever."""
    def expire(signum, frame):
        raise Hang(f"example ran more than {EXAMPLE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    yield lambda: signal.alarm(EXAMPLE_SECONDS)
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def _no_parse_cache(monkeypatch):
    monkeypatch.setenv("CICD_GUARD_NO_CACHE", "1")
    for name in list(os.environ):
        if name.startswith("TF_VAR_"):
            monkeypatch.delenv(name)
