"""The pack's speed-ups of pulumi-policy: applied to the installed SDK, and behaviour unchanged."""

from __future__ import annotations

import inspect
import os
import types

import pulumi
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi_policy import policy as sdk

from conftest import HERE, PROGRAMS
from policypack import sdk_speedups
from preview_gate import run_gate


@pytest.fixture
def patched(monkeypatch):
    monkeypatch.setattr(sdk, "signature", inspect.signature)
    monkeypatch.setattr(sdk, "json_format", json_format)
    assert sdk_speedups.apply() == ["signature", "json_format"]
    return sdk


def _struct(data: dict) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out


def test_the_installed_sdk_is_patched_once(patched):
    signature, converter = patched.signature, patched.json_format
    assert signature is not inspect.signature and isinstance(converter, sdk_speedups.MemoizedJsonFormat)
    assert sdk_speedups.apply() == ["signature", "json_format"]
    assert (patched.signature, patched.json_format) == (signature, converter)  # applying twice wraps once


def test_the_memoized_signature_answers_as_inspect_does(patched):
    signature = patched.signature
    assert signature(pulumi.runtime.Settings) is signature(pulumi.runtime.Settings)
    assert signature(pulumi.runtime.Settings) == inspect.signature(pulumi.runtime.Settings)
    assert "organization" in signature(pulumi.runtime.Settings).parameters

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self, a, b=1): ...

    assert str(signature(Unhashable())) == "(a, b=1)"
    assert signature(lambda x: x, follow_wrapped=False) == inspect.signature(lambda x: x)
    with pytest.raises(TypeError):
        signature(42)


def test_memoized_message_to_dict_gives_equal_fresh_values(patched):
    converter = patched.json_format
    data = {"name": "ci", "tags": {"cicd-stage": "build"}, "count": 3, "ratio": 0.5, "on": True, "none": None,
            "policy": [{"Effect": "Allow", "Action": ["ecr:BatchGetImage"]}]}
    message = _struct(data)
    first, second = converter.MessageToDict(message), converter.MessageToDict(_struct(data))
    assert first == second == json_format.MessageToDict(message)
    assert first is not second and first["tags"] is not second["tags"]  # a caller's mutation stays its own
    first["tags"]["cicd-stage"] = "deploy"
    assert converter.MessageToDict(message)["tags"] == {"cicd-stage": "build"}
    other = _struct({**data, "name": "deploy"})
    assert converter.MessageToDict(other)["name"] == "deploy"
    assert converter.MessageToDict(message, preserving_proto_field_name=True) == json_format.MessageToDict(message)
    assert converter.ParseDict is json_format.ParseDict  # everything else is the real module


def test_the_cache_is_bounded_and_skips_what_it_cannot_copy():
    converter = sdk_speedups.MemoizedJsonFormat(json_format, limit=200)
    for i in range(20):
        assert converter.MessageToDict(_struct({"name": f"repo-{i}", "pad": "x" * 40})) == {
            "name": f"repo-{i}", "pad": "x" * 40}
        assert converter._size <= 200
    odd = types.ModuleType("fake")
    odd.MessageToDict = lambda message: {"value": object()}
    converter = sdk_speedups.MemoizedJsonFormat(odd)
    assert converter.MessageToDict(_struct({})) is not converter.MessageToDict(_struct({}))
    assert converter._cache == {}


def test_an_sdk_without_those_names_is_left_alone(monkeypatch):
    monkeypatch.delattr(sdk, "signature")
    monkeypatch.delattr(sdk, "json_format")
    assert sdk_speedups.apply() == []


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
