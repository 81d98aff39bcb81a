"""Pulumi property dependencies link resources: a name two resources share designates the one the
program passed (the engine's propertyDependencies), not the first of that name."""

from __future__ import annotations

import datetime as dt
import json

from policypack.adapter import to_inventory
from rulebook.engine import evaluate
from rulebook.rules import REGISTRY

_WILDCARD = json.dumps({"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]})


def _stack(deps: dict | None):
    policy = ("aws:iam/rolePolicy:RolePolicy", "p", {"role": "shared", "policy": _WILDCARD}, "urn:p")
    return to_inventory([
        ("aws:iam/role:Role", "first", {"name": "shared"}, "urn:first"),
        ("aws:iam/role:Role", "second", {"name": "shared"}, "urn:second"),
        policy + (deps,) if deps is not None else policy,
    ])


def _reg001(inventory):
    findings = evaluate(inventory, rules=[REGISTRY["REG-001"]], today=dt.date(2026, 11, 25))
    return [(f.status.value, f.resource) for f in findings]


def test_property_dependency_picks_the_resource_among_same_named_ones():
    inventory = _stack({"role": ["urn:second"]})
    assert inventory.by_address("p").props["identity"].targets == ("second",)
    assert inventory.resolve(inventory.by_address("p").props["identity"], ("aws.iam.role",)) is \
        inventory.by_address("second")
    assert _reg001(inventory) == [("failed", "second")]


def test_without_dependencies_a_shared_name_is_unknown():
    assert _reg001(_stack(None)) == [("unknown", "p")]


def test_dependency_on_a_resource_outside_the_stack_falls_back_to_a_unique_name():
    inventory = to_inventory([
        ("aws:iam/role:Role", "only", {"name": "solo"}, "urn:only"),
        ("aws:iam/rolePolicy:RolePolicy", "p", {"role": "solo", "policy": _WILDCARD}, "urn:p",
         {"role": ["urn:elsewhere"]}),
    ])
    assert _reg001(inventory) == [("failed", "only")]
