"""scan(): paths, plan routing, and the pipeline end to end through the rulebook engine."""

from __future__ import annotations

import datetime as dt
import json

import hcl_scanner
from hcl_scanner.modules import display_path
from rulebook.engine import evaluate
from rulebook.findings import Status
from rulebook.model import InputError
from rulebook.rules import all_rules

from hcl_helpers import FIXTURES, evaluated

E2E = FIXTURES / "e2e"


def _findings(result, **kwargs):
    """Findings of the two rules this pipeline test is about (other families have their own tests)."""
    rules = [r for r in all_rules() if r.id in ("IDF-001", "BKT-001")]
    out = []
    for inventory in result.inventories:
        for f in evaluate(inventory, rules=rules, today=dt.date(2026, 1, 1), **kwargs):
            out.append((f.rule_id, f.status, f.resource, f.file, f.line, f.called_from))
    return out


def test_end_to_end_idf001_bkt001_with_inline_suppression():
    result = hcl_scanner.scan([str(E2E)])
    main = display_path(E2E / "main.tf")
    assert result.errors == []
    assert _findings(result) == [
        ("IDF-001", Status.SUPPRESSED, "aws_iam_access_key.ci", main, 6, None),
        ("IDF-001", Status.FAILED, "aws_iam_access_key.other", main, 10, None),
        ("BKT-001", Status.FAILED, "aws_s3_bucket.artifacts", main, 14, None),
    ]
    assert sorted(result.scanned) == sorted([main, display_path(E2E / "store" / "main.tf")])


def test_strict_suppressions_refuse_inline_comments():
    result = hcl_scanner.scan([str(E2E)], strict_suppressions=True)
    assert result.strict_suppressions is True
    statuses = {(r, s) for r, s, *_ in _findings(result, strict_suppressions=True)}
    assert ("IDF-001", Status.FAILED) in statuses and ("IDF-001", Status.SUPPRESSED) not in statuses


def test_module_bucket_linked_to_its_public_access_block():
    result = hcl_scanner.scan([str(E2E)])
    assert not [f for f in _findings(result) if f[2].startswith("module.store")]
    pab = evaluated(result)["module.store.aws_s3_bucket_public_access_block.b"]
    assert pab.location.called_from.line == 18


def test_tf_file_path_means_its_directory():
    result = hcl_scanner.scan([str(E2E / "main.tf")])
    assert sorted(evaluated(result)) == [
        "aws_iam_access_key.ci", "aws_iam_access_key.other", "aws_iam_user.ci", "aws_s3_bucket.artifacts",
        "module.store.aws_s3_bucket.b", "module.store.aws_s3_bucket_public_access_block.b"]


def test_plan_json_path_is_routed_to_the_plan_reader(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "format_version": "1.2",
        "terraform_version": "1.7.0",
        "planned_values": {"root_module": {"resources": [{
            "address": "aws_iam_access_key.k", "mode": "managed", "type": "aws_iam_access_key", "name": "k",
            "provider_name": "registry.terraform.io/hashicorp/aws", "values": {"user": "ci"}}]}},
        "resource_changes": [{
            "address": "aws_iam_access_key.k", "mode": "managed", "type": "aws_iam_access_key", "name": "k",
            "change": {"actions": ["create"], "before": None, "after": {"user": "ci"},
                       "after_unknown": {"id": True}}}],
    }))
    other = tmp_path / "notes.json"
    other.write_text('{"hello": 1}')
    result = hcl_scanner.scan([str(plan), str(other)])
    assert [r.address for inv in result.inventories for r in inv.resources] == ["aws_iam_access_key.k"]
    assert result.errors == [InputError(str(other), None, "not a directory, .tf file or Terraform plan JSON")]


def test_repo_root_makes_paths_relative_and_json_config_is_noted(tmp_path):
    root = tmp_path / "infra" / "app"
    root.mkdir(parents=True)
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    (root / "extra.tf.json").write_text('{"resource": {}}')
    result = hcl_scanner.scan([str(root)], repo_root=str(tmp_path))
    assert evaluated(result)["aws_s3_bucket.b"].location.file == "infra/app/main.tf"
    assert result.scanned == ["infra/app/main.tf"]
    assert result.notes == ["infra/app/extra.tf.json: Terraform JSON configuration is not scanned "
                            "(use a plan JSON for it)"]


def test_missing_var_file_is_an_input_error(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('variable "v" {\n  default = "d"\n}\nresource "x" "a" {\n  v = var.v\n}\n')
    missing = tmp_path / "nope.tfvars"
    result = hcl_scanner.scan([str(root)], var_files=[str(missing)])
    assert result.errors == [InputError(str(missing), None, "cannot read: No such file or directory")]
    assert evaluated(result)["x.a"].attrs == {"v": "d"}


def test_utf16_and_bom_plans_are_detected(tmp_path):
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [{
        "address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
        "values": {"bucket": "b"}}]}}}
    utf16 = tmp_path / "plan16.json"
    utf16.write_bytes(json.dumps(plan).encode("utf-16"))
    bom = tmp_path / "planbom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(plan).encode())
    assert hcl_scanner._is_plan_json(utf16) and hcl_scanner._is_plan_json(bom)
    result = hcl_scanner.scan([str(utf16), str(bom)])
    assert [[r.address for r in inv.resources] for inv in result.inventories] == [["aws_s3_bucket.b"]] * 2
