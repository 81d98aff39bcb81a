"""Resources are linked by what the engine says refers to what, never by a shared name.

Cases from real plans: two module calls creating buckets of the same name (terraform-compliance
`test_multi-module-referencing`) and two roles named MyRDSMonitoringRole in two module instances
(infracost's v0.12 and v0.14 plans), rebuilt here as small plans.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hcl_scanner.plan import read_plan
from rulebook.engine import evaluate
from rulebook.config import Config
from rulebook.identities import build
from rulebook.model import Linked
from rulebook.rules import REGISTRY
from test_plan_links import _change, _conf

TODAY = dt.date(2026, 11, 25)
_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def _read(tmp_path: Path, changes: list[dict], root: dict):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {}},
                                "resource_changes": changes, "configuration": {"root_module": root}}))
    inventory, errors = read_plan(path, None)
    assert errors == []
    return inventory


def _bucket_module(flags: bool) -> dict:
    return {"resources": [
        _conf("aws_s3_bucket", "b", {"bucket": {"constant_value": "same-name"}}),
        _conf("aws_s3_bucket_public_access_block", "b", {
            "bucket": {"references": ["aws_s3_bucket.b.bucket", "aws_s3_bucket.b"]},
            **{f: {"constant_value": flags} for f in _FLAGS}})]}


def _bucket_changes(module: str, flags: bool) -> list[dict]:
    return [_change(f"{module}.aws_s3_bucket.b", {"bucket": "same-name"}, {"arn": True, "id": True}, module=module),
            _change(f"{module}.aws_s3_bucket_public_access_block.b",
                    {"bucket": "same-name", **{f: flags for f in _FLAGS}}, {"id": True}, module=module)]


def test_same_named_buckets_of_two_module_calls_keep_their_own_blocks(tmp_path):
    inventory = _read(tmp_path, _bucket_changes("module.first", True) + _bucket_changes("module.second", False), {
        "module_calls": {"first": {"source": "./m", "module": _bucket_module(True)},
                         "second": {"source": "./m", "module": _bucket_module(False)}}})
    block = inventory.by_address("module.first.aws_s3_bucket_public_access_block.b")
    assert block.props["bucket"] == "same-name"
    assert block.props["bucket"].targets == ("module.first.aws_s3_bucket.b",)
    findings = evaluate(inventory, rules=[REGISTRY["BKT-001"]], today=TODAY)
    assert [(f.rule_id, f.status.value, f.resource, f.message) for f in findings] == [
        ("BKT-001", "failed", "module.second.aws_s3_bucket.b",
         "public access block module.second.aws_s3_bucket_public_access_block.b does not set block_public_acls, "
         "block_public_policy, ignore_public_acls, restrict_public_buckets to true")]


def _role_module() -> dict:
    return {"resources": [
        _conf("aws_iam_role", "monitoring", {"name": {"constant_value": "MyRDSMonitoringRole"}},
              count_expression={"constant_value": 1}),
        _conf("aws_iam_role_policy_attachment", "monitoring", {
            "role": {"references": ["aws_iam_role.monitoring[0].name", "aws_iam_role.monitoring"]},
            "policy_arn": {"references": ["aws_iam_policy.p.arn", "aws_iam_policy.p"]}},
              count_expression={"constant_value": 1}),
        _conf("aws_iam_policy", "p", {"name": {"references": ["var.name"]}})]}


def _role_changes(module: str) -> list[dict]:
    arn = f"arn:aws:iam::123456789012:policy/{module}"
    return [
        _change(f"{module}.aws_iam_role.monitoring[0]", {"name": "MyRDSMonitoringRole"}, {"arn": True},
                module=module, index=0),
        _change(f"{module}.aws_iam_policy.p", {"name": module, "arn": arn,
                                               "policy": '{"Statement": [{"Effect": "Allow", "Action": "s3:*", '
                                                         '"Resource": "*"}]}'}, {}, module=module),
        _change(f"{module}.aws_iam_role_policy_attachment.monitoring[0]",
                {"role": "MyRDSMonitoringRole", "policy_arn": arn}, {"id": True}, module=module, index=0)]


def test_same_named_roles_of_two_module_instances_keep_their_own_attachments(tmp_path):
    # listed in the order that made the name lookup swap them
    changes = _role_changes('module.db["2"]') + _role_changes('module.db["1"]')
    inventory = _read(tmp_path, changes, {"module_calls": {"db": {
        "source": "./db", "for_each_expression": {"constant_value": ["1", "2"]}, "module": _role_module()}}})
    found = build(inventory, Config())
    for key in ("1", "2"):
        ident = found.by_address[f'module.db["{key}"].aws_iam_role.monitoring[0]']
        assert [p.resource.address for p in ident.policies] == [
            f'module.db["{key}"].aws_iam_role_policy_attachment.monitoring[0]']
        assert [p.policy.address for p in ident.policies] == [f'module.db["{key}"].aws_iam_policy.p']


def test_a_role_named_only_by_a_literal_shared_by_two_roles_is_unknown(tmp_path):
    changes = [_change(f"aws_iam_role.r{i}", {"name": "shared"}, {"arn": True}) for i in (1, 2)]
    changes.append(_change("aws_iam_role_policy.p", {"role": "shared", "name": "p", "policy": json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]})}, {"id": True}))
    inventory = _read(tmp_path, changes, {"resources": [
        _conf("aws_iam_role", f"r{i}", {"name": {"constant_value": "shared"}}) for i in (1, 2)] + [
        _conf("aws_iam_role_policy", "p", {"role": {"constant_value": "shared"}})]})
    assert not isinstance(inventory.by_address("aws_iam_role_policy.p").props["identity"], Linked)
    findings = evaluate(inventory, rules=[REGISTRY["REG-001"]], today=TODAY)
    assert [(f.rule_id, f.status.value, f.resource, f.message) for f in findings] == [
        ("REG-001", "unknown", "aws_iam_role_policy.p",
         "cannot decide who holds every registry action through it: aws_iam_role_policy.p applies to an "
         "identity that cannot be resolved: shared may be any of 2 resources (aws_iam_role.r1, aws_iam_role.r2); the "
         "configuration does not say which")]


def _repo_plan(tmp_path: Path, declared: dict[str, str]) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    for folder, text in declared.items():
        (repo / folder).mkdir(parents=True, exist_ok=True)
        (repo / folder / "main.tf").write_text(text)
    changes = [_change(f"aws_iam_user.u{i}", {"name": f"u{i}"}, {"arn": True}) for i in range(4)]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {}},
                                "resource_changes": changes, "configuration": {"root_module": {"resources": [
                                    _conf("aws_iam_user", f"u{i}", {"name": {"constant_value": f"u{i}"}})
                                    for i in range(4)]}}}))
    return path, repo


def test_repo_root_match_that_declares_part_of_the_root_module_is_reported(tmp_path):
    path, repo = _repo_plan(tmp_path, {
        "infra": 'resource "aws_iam_user" "u0" {}\nresource "aws_iam_user" "u1" {}\n',
        "other": 'resource "aws_iam_user" "u3" {}\n'})
    inventory, errors = read_plan(path, repo)
    assert errors == []
    assert inventory.notes == [f"{path}: the plan's root module matches infra/ under the repo root only in part "
                               "(2 of its 4 blocks declared there): the others point at the plan file"]
    assert inventory.by_address("aws_iam_user.u1").location.file == "infra/main.tf"
    assert inventory.by_address("aws_iam_user.u3").location.file == str(path)


def test_repo_root_full_match_adds_no_note(tmp_path):
    path, repo = _repo_plan(tmp_path, {"infra": "".join(f'resource "aws_iam_user" "u{i}" {{}}\n' for i in range(4))})
    inventory, _ = read_plan(path, repo)
    assert inventory.notes == []


def test_repo_root_without_the_root_module_says_so(tmp_path):
    path, repo = _repo_plan(tmp_path, {"infra": 'resource "aws_iam_role" "r" {}\n'})
    inventory, _ = read_plan(path, repo)
    assert inventory.notes == [f"{path}: no folder under the repo root declares the plan's root module blocks "
                               "(0 of 4): findings point at the plan file"]
