"""The Pulumi and Terraform insecure twins of each cloud give the same (rule, logical resource) pairs.

Both twins make the same mistakes, so the rulebook must report the same rules on the same logical
resources whichever engine reads them ("same misconfiguration, same rule ID"). Findings come from the
twins' expected.yaml files, which test_demo_stacks.py holds to what the scans report. Every pair only
one engine gives is listed with its reason in reference_stacks/examples/parity.yaml; nothing else may
differ, and no listed exception may be stale.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[1] / "reference_stacks" / "examples"
PARITY = yaml.safe_load((EXAMPLES / "parity.yaml").read_text("utf-8"))
ENGINES = ("terraform", "pulumi")


def expected_pairs(folder: str) -> set[tuple[str, str]]:
    data = yaml.safe_load((EXAMPLES / folder / "expected.yaml").read_text("utf-8"))
    return {(f["rule"], f["resource"]) for f in data["findings"] or []}


def logical(cloud: dict, engine: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(rule, logical resource) pairs of one twin, and its pairs that are listed as engine-only."""
    names = {names[engine]: name for name, names in cloud["resources"].items()}
    only = {(o["rule"], o["resource"]) for o in cloud["only"] if o["engine"] == engine}
    pairs = expected_pairs(cloud[engine])
    return {(rule, names.get(resource, f"unmapped {engine} resource {resource}"))
            for rule, resource in pairs - only}, pairs & only


@pytest.mark.parametrize("cloud", sorted(PARITY))
def test_twins_give_the_same_rules_on_the_same_logical_resources(cloud):
    terraform, _ = logical(PARITY[cloud], "terraform")
    pulumi, _ = logical(PARITY[cloud], "pulumi")
    assert {"terraform only": sorted(terraform - pulumi), "pulumi only": sorted(pulumi - terraform)} \
        == {"terraform only": [], "pulumi only": []}


@pytest.mark.parametrize("cloud", sorted(PARITY))
def test_every_exception_is_a_finding_of_its_twin_and_has_a_reason(cloud):
    spec = PARITY[cloud]
    for engine in ENGINES:
        _, excepted = logical(spec, engine)
        listed = {(o["rule"], o["resource"]) for o in spec["only"] if o["engine"] == engine}
        assert excepted == listed, f"stale {engine} exceptions: {sorted(listed - excepted)}"
    assert all(len(o["reason"].split()) >= 8 for o in spec["only"])


@pytest.mark.parametrize("cloud", sorted(PARITY))
def test_every_mapped_resource_has_a_finding_on_both_engines(cloud):
    spec = PARITY[cloud]
    for engine in ENGINES:
        found = {resource for _, resource in expected_pairs(spec[engine])}
        assert {names[engine] for names in spec["resources"].values()} <= found, engine


def test_a_rule_reported_by_one_twin_only_is_caught():
    cloud = {**PARITY["aws"], "only": []}
    terraform, _ = logical(cloud, "terraform")
    pulumi, _ = logical(cloud, "pulumi")
    assert sorted(terraform - pulumi) == [("SEC-001", "unmapped terraform resource var.registry_password"),
                                          ("SEC-004", "unmapped terraform resource output.ci_secret_access_key"),
                                          ("SEC-004", "unmapped terraform resource var.registry_password")]
    assert sorted(pulumi - terraform) == [("SEC-001", "registry-secret-job")]
