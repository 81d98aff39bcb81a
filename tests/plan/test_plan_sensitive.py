"""Values a plan marks sensitive (after_sensitive, sensitive_values, sensitive variables) appear in no
output of any command: markers planted in every sensitive position are searched in every format."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from cicd_guard.cli import main
from test_plan_links import _change, _conf

MARKERS = ("MARKER1role", "MARKER2policy", "MARKER3bucket", "MARKER4tag", "MARKER5var", "MARKER6data")


def _sensitive_plan(tmp_path: Path) -> Path:
    role = _change("aws_iam_role.r", {"name": "MARKER1role", "tags": {"owner": "MARKER4tag"},
                                      "assume_role_policy": json.dumps({"Statement": [{
                                          "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})},
                   {"arn": True})
    role["change"]["after_sensitive"] = {"name": True, "tags": {"owner": True}}
    policy = _change("aws_iam_role_policy.p", {"role": "MARKER1role", "name": "p", "policy": json.dumps({
        "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "arn:aws:ecr:::MARKER2policy"}]})},
        {"id": True})
    policy["change"]["after_sensitive"] = {"policy": True, "role": True}
    bucket = _change("aws_s3_bucket.b", {"bucket": "MARKER3bucket"}, {"arn": True, "id": True})
    bucket["change"]["after_sensitive"] = {"bucket": True}
    data = {"format_version": "1.2", "terraform_version": "1.9.0",
            "variables": {"secret": {"value": "MARKER5var"}},
            "prior_state": {"values": {"root_module": {"resources": [{
                "address": "data.aws_iam_policy.d", "mode": "data", "type": "aws_iam_policy", "name": "d",
                "values": {"name": "MARKER6data", "arn": "arn:aws:iam::1:policy/MARKER6data"},
                "sensitive_values": {"name": True, "arn": True}}]}}},
            "planned_values": {"root_module": {}}, "resource_changes": [role, policy, bucket],
            "configuration": {"root_module": {
                "variables": {"secret": {"sensitive": True}},
                "resources": [_conf("aws_iam_role", "r", {"name": {"references": ["var.secret"]}}),
                              _conf("aws_iam_role_policy", "p", {"role": {"references": ["var.secret"]},
                                                                 "policy": {"references": ["var.secret"]}}),
                              _conf("aws_s3_bucket", "b", {"bucket": {"references": ["var.secret"]}})]}}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    return path


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("argv", [
    ("scan", "--format", "text"), ("scan", "--format", "json"), ("scan", "--format", "sarif"),
    ("scan", "--format", "junit"), ("access-map", "--format", "text"), ("access-map", "--format", "json"),
    ("access-map", "--format", "mermaid"),
], ids=lambda a: "-".join(a))
def test_no_sensitive_value_in_any_output(tmp_path, argv):
    path = _sensitive_plan(tmp_path)
    code, output = _run(argv[0], "--plan", str(path), *argv[1:])
    assert code in (0, 1)
    assert [m for m in MARKERS if m in output] == []


def test_sensitive_values_are_not_decided_from_and_the_paths_are_named(tmp_path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["scan", "--plan", str(_sensitive_plan(tmp_path)), "--format", "json"])
    findings = {(f["rule_id"], f["resource"], f["status"]): f["message"] for f in json.loads(out.getvalue())["findings"]}
    assert findings[("BKT-001", "aws_s3_bucket.b", "failed")] == (
        "bucket has no public access block; public ACLs and policies are not refused (plan marks sensitive: bucket)")
    assert findings[("REG-001", "aws_iam_role_policy.p", "unknown")].endswith("(plan marks sensitive: policy, role)")
    assert "the plan marks this value sensitive" in findings[("REG-001", "aws_iam_role_policy.p", "unknown")]
