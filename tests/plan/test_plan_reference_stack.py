"""The AWS reference stack as CI sees it: `terraform show -json` of reference_stacks/aws-terraform.

fixtures/aws-reference/plan.json is written by hand in HashiCorp's format for the stack with its
default variables (for_each repositories and endpoints, counted subnets, policy data sources read
during apply, the SSM AMI value marked sensitive). The tests keep it in step with the .tf files and
check that, read with the stack as repo root, it is as clean as the HCL scan, and that a resource
broken in the plan is reported at its .tf line.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from hcl_scanner import scan
from hcl_scanner.plan import read_plan
from hcl_scanner.plan import SourceIndex
from rulebook.config import Config
from rulebook.roots import evaluate_scan

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "reference_stacks" / "aws-terraform"
PLAN = Path(__file__).parent / "fixtures" / "aws-reference" / "plan.json"


def _plan() -> dict:
    return json.loads(PLAN.read_text("utf-8"))


def _rows(plan_path: Path, repo_root: Path | None) -> list[tuple]:
    result = scan([], plans=[str(plan_path)], repo_root=str(repo_root) if repo_root else None)
    assert [str(e) for e in result.errors] == []
    return sorted((f.rule_id, f.resource, f.file, f.line, f.status.value) for f in evaluate_scan(result, Config()))


def test_plan_configuration_declares_every_block_of_the_stack():
    declared = {(kind, name) for kind, name in SourceIndex(STACK).declared(STACK) if kind in ("resource", "data")}
    configured = {("data" if r["mode"] == "data" else "resource", f"{r['type']}.{r['name']}")
                  for r in _plan()["configuration"]["root_module"]["resources"]}
    assert configured == declared


def test_plan_has_every_instance_of_every_block():
    plan = _plan()
    planned = {r["address"] for r in plan["planned_values"]["root_module"]["resources"]}
    prior = {r["address"] for r in plan["prior_state"]["values"]["root_module"]["resources"]}
    changed = {c["address"] for c in plan["resource_changes"]}
    assert planned == changed
    assert prior.isdisjoint(changed)  # a data source is read either while planning or during apply
    counted = {"aws_subnet.build", "aws_route_table_association.build"}
    expected = {f"{r['type']}.{r['name']}" if r["mode"] == "managed" else f"data.{r['type']}.{r['name']}"
                for r in plan["configuration"]["root_module"]["resources"]} - counted
    expected -= {"aws_vpc_endpoint.interface", "aws_ecr_repository.app", "aws_ecr_repository_policy.app"}
    expected |= {f"{a}[{i}]" for a in counted for i in (0, 1)}
    expected |= {f'aws_vpc_endpoint.interface["{k}"]' for k in ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts")}
    expected |= {'aws_ecr_repository.app["app"]', 'aws_ecr_repository_policy.app["app"]'}
    assert planned | prior == expected


def test_plan_variables_are_the_stack_defaults():
    plan = _plan()
    declared = plan["configuration"]["root_module"]["variables"]
    assert {k: v["value"] for k, v in plan["variables"].items()} == {k: v["default"] for k, v in declared.items()}
    assert set(declared) == {name for kind, name in SourceIndex(STACK).declared(STACK) if kind == "variable"}


def test_plan_with_the_stack_as_repo_root_is_clean_and_every_resource_has_its_line():
    assert _rows(PLAN, STACK) == []
    inventory, errors = read_plan(PLAN, STACK)
    assert errors == [] and inventory is not None and inventory.notes == []
    located = [r for r in inventory.resources if r.address.startswith(("aws_", "data."))]
    assert {r.address for r in located} >= {
        "aws_s3_bucket.artifacts", "aws_s3_bucket_policy.artifacts", "aws_s3_bucket_public_access_block.artifacts",
        'aws_ecr_repository.app["app"]', 'aws_ecr_repository_policy.app["app"]', "aws_iam_role.build",
        "aws_iam_role_policy.deploy", "aws_launch_template.runner", "aws_security_group.runner",
        "aws_iam_openid_connect_provider.github", 'aws_vpc_endpoint.interface["ecr.api"]'}
    assert [r.address for r in located if not (r.location.file.endswith(".tf") and r.location.line)] == []


def test_plan_without_sources_leaves_what_only_apply_knows_unknown():
    """The bucket policy is a jsonencode() of new ARNs and the role policies list repositories through a
    `for` over a for_each resource: the plan alone cannot name them, the .tf sources can."""
    assert [(rule, res, status) for rule, res, _, _, status in _rows(PLAN, None)] == [
        ("BKT-003", "aws_s3_bucket_policy.artifacts", "unknown"),
        ("BKT-004", "aws_s3_bucket.artifacts", "unknown"),
        ("REG-005", "aws_iam_role.build", "unknown"),
        ("REG-005", "aws_iam_role.deploy", "unknown"),
        ("REG-005", "aws_iam_role.runner", "unknown"),
    ]


def _set(plan: dict, address: str, path: list, value) -> None:
    """Change one value of a resource everywhere the plan holds it (planned values and the change)."""
    bodies = [r["values"] for r in plan["planned_values"]["root_module"]["resources"] if r["address"] == address]
    bodies += [c["change"]["after"] for c in plan["resource_changes"] if c["address"] == address]
    assert len(bodies) == 2
    for body in bodies:
        node = body
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value


def _set_constant(plan: dict, address: str, path: list, value) -> None:
    """The configuration's constant for the same argument (what the broken .tf line would say)."""
    local = address.split("[")[0]
    (conf,) = [r for r in plan["configuration"]["root_module"]["resources"] if r["address"] == local]
    node = conf["expressions"]
    for step in path:
        node = node[step]
    node["constant_value"] = value


BROKEN = {
    "mutable tags": ('aws_ecr_repository.app["app"]', ["image_tag_mutability"], "MUTABLE",
                     [("REG-010", 'aws_ecr_repository.app["app"]', "registry.tf", 2, "failed")]),
    "IMDSv1 allowed": ("aws_launch_template.runner", ["metadata_options", 0, "http_tokens"], "optional",
                       [("SEC-005", "aws_launch_template.runner", "runners.tf", 64, "failed")]),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_resource_broken_in_the_plan_is_reported_at_its_tf_line(case, tmp_path):
    address, path, value, expected = BROKEN[case]
    plan = copy.deepcopy(_plan())
    _set(plan, address, path, value)
    _set_constant(plan, address, path, value)
    broken = tmp_path / "plan.json"
    broken.write_text(json.dumps(plan, indent=2), "utf-8")
    assert _rows(broken, STACK) == expected
