"""The pack's speed-up of pulumi-policy: applied to the installed SDK, and behaviour unchanged."""

from __future__ import annotations

import inspect
import os

import pulumi
import pytest
from pulumi_policy import policy as sdk

from conftest import HERE, PROGRAMS
from policypack import sdk_speedups
from preview_gate import run_gate


@pytest.fixture
def patched(monkeypatch):
    monkeypatch.setattr(sdk, "signature", inspect.signature)
    assert sdk_speedups.apply()
    return sdk.signature


def test_the_installed_sdk_is_patched_once(patched):
    assert patched is not inspect.signature
    assert sdk_speedups.apply() and sdk.signature is patched  # applying twice wraps once


def test_the_memoized_signature_answers_as_inspect_does(patched):
    assert patched(pulumi.runtime.Settings) is patched(pulumi.runtime.Settings)
    assert patched(pulumi.runtime.Settings) == inspect.signature(pulumi.runtime.Settings)
    assert "organization" in patched(pulumi.runtime.Settings).parameters

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self, a, b=1): ...

    assert str(patched(Unhashable())) == "(a, b=1)"
    assert patched(lambda x: x, follow_wrapped=False) == inspect.signature(lambda x: x)
    with pytest.raises(TypeError):
        patched(42)


def test_an_sdk_without_the_lookup_is_left_alone(monkeypatch):
    monkeypatch.delattr(sdk, "signature")
    assert sdk_speedups.apply() is False


def test_every_call_still_sees_the_stack_settings():
    """60 Analyze calls over the pack's 4 worker threads, each in a fresh gRPC context: the policy
    sees the project, stack, organization and stack config on every one of them."""
    env = {"CICD_GUARD_EXTRA_RULES": "cicd_guard_probe_rules",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH", "")]))}
    report = run_gate(PROGRAMS / "probe", stack="prod", extra_env=env)
    assert report.errors == []
    seen = [(f.resource, f.message) for f in report.findings if f.rule_id == "TST-903"]
    assert seen == sorted((f"repo-{i}", "project=gate-probe stack=prod org=organization config=green")
                          for i in range(60))
