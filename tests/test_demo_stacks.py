"""Every reference stack and insecure example gives exactly the findings its expected.yaml lists.

The same check as `make demo` (reference_stacks/demo.py), one test per stack folder, so a change that
moves, adds or loses a finding fails the suite and names the stack. Each stack takes well under 5 s
(Pulumi programs run offline through the gate), so Pulumi stacks are included.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from rulebook.config import Config
from rulebook.findings import Status

ROOT = Path(__file__).resolve().parents[1]


def _load_demo():
    spec = importlib.util.spec_from_file_location("reference_stacks_demo", ROOT / "reference_stacks" / "demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the module's annotations through sys.modules
    spec.loader.exec_module(module)
    return module


demo = _load_demo()
STACKS = demo.stacks()
PLAN_EXAMPLE = next(s for s in STACKS if s.path.name == "aws-terraform-plan")
MODULE_ROLES = ('module.ci_identity["build"].aws_iam_role.this', 'module.ci_identity["test"].aws_iam_role.this')


def _name(stack) -> str:
    return stack.path.relative_to(demo.HERE).as_posix()


def test_stacks_of_every_engine_are_found():
    assert {s.engine for s in STACKS} == {"terraform", "terraform-plan", "pulumi"}
    assert {_name(s) for s in STACKS} >= {"aws-terraform", "examples/aws-terraform-insecure",
                                          "examples/aws-terraform-plan", "examples/aws-pulumi-insecure",
                                          "aws-pulumi", "aws-pulumi/network"}


def test_the_aws_pulumi_stack_is_gated_with_its_network_stack_outputs():
    """The CI stack reads its network through a stack reference: the demo gives it the network stack's
    sample outputs, so its endpoint conditions are decided (zero UNKNOWNs, test_reference_stacks.py)."""
    assert [(_name(s), s.stack_outputs) for s in STACKS if s.stack_outputs] == [
        ("aws-pulumi", (("acme/cicd-reference-aws-network/dev", "network/outputs.dev.json"),))]


def test_stack_outputs_that_are_not_a_mapping_are_refused(tmp_path, monkeypatch):
    (tmp_path / "expected.yaml").write_text("engine: pulumi\nstack_outputs: [network.json]\nfindings: []\n", "utf-8")
    monkeypatch.setattr(demo, "HERE", tmp_path)
    with pytest.raises(ValueError, match="expected.yaml: stack_outputs must map a referenced stack to its outputs file"):
        demo.stacks()


@pytest.mark.parametrize("stack", STACKS, ids=[_name(s) for s in STACKS])
def test_stack_gives_exactly_its_expected_findings(stack):
    report = demo.run(stack, Config())
    assert [str(e) for e in report.errors] == []
    got = demo.observed(stack, report.findings)
    assert {"missing": sorted(stack.expected - got, key=str), "extra": sorted(got - stack.expected, key=str)} \
        == {"missing": [], "extra": []}
    for fmt in ("text", "json", "sarif", "junit"):  # the examples' fake secrets all end in -not-real
        assert "-not-real" not in demo.render(report, fmt, repo_root=str(stack.path)), fmt


KNOWN_IN_PLAN = {("REG-002", "aws_iam_user.jenkins"), ("REG-003", "aws_iam_user.jenkins"),
                 ("REG-005", "aws_iam_user.jenkins"), ("REG-006", "aws_iam_user.jenkins"),
                 ("IDF-001", "aws_iam_access_key.jenkins"), ("REG-010", "aws_ecr_repository.app"),
                 ("BKT-001", "aws_s3_bucket.artifacts"), ("BKT-004", "aws_s3_bucket.artifacts")}


def _by_status(findings) -> dict:
    return {status: {(f.rule_id, f.resource) for f in findings if f.status is status} for status in Status}


def test_plan_example_without_sources_fails_what_the_plan_knows_and_reports_the_rest_unknown():
    from hcl_scanner import scan

    result = scan([], plans=[str(PLAN_EXAMPLE.path / PLAN_EXAMPLE.plan)])
    findings = [f for inv in result.inventories for f in demo.evaluate(inv, Config())]
    by_status = _by_status(findings)
    assert by_status[Status.FAILED] == KNOWN_IN_PLAN
    # The stage roles' policy is a jsonencode() holding the repository ARN: unknown in the whole plan; so is
    # whether the test stage's role, reachable from pull requests, can push (IDF-004).
    assert by_status[Status.UNKNOWN] == {(f"REG-00{n}", role) for n in range(1, 7) for role in MODULE_ROLES} | {
        ("IDF-004", MODULE_ROLES[1])}
    unknown = [f for f in findings if f.status is Status.UNKNOWN]
    reason = "known after apply (computed from var.repository_arn (aws_ecr_repository.app.arn))"
    assert all(reason in f.message for f in unknown)


def test_plan_example_with_sources_decides_the_unknown_policies_from_the_tf_files():
    by_status = _by_status(demo.run(PLAN_EXAMPLE, Config()).findings)
    assert by_status[Status.UNKNOWN] == set()
    assert by_status[Status.FAILED] == KNOWN_IN_PLAN | {(rule, role) for rule in ("REG-002", "REG-004", "REG-006")
                                                        for role in MODULE_ROLES} | {("IDF-004", MODULE_ROLES[1])}


def test_plan_example_reports_everything_its_hcl_sources_fail():
    """With the repo root, plan and HCL engines give the same findings, lines and statuses."""
    hcl = demo.Stack(PLAN_EXAMPLE.path, "terraform", frozenset())
    from_hcl = demo.observed(hcl, demo.run(hcl, Config()).findings)
    from_plan = demo.observed(PLAN_EXAMPLE, demo.run(PLAN_EXAMPLE, Config()).findings)
    assert from_plan == from_hcl


def test_plan_stack_without_plan_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "expected.yaml").write_text("engine: terraform-plan\nfindings: []\n", "utf-8")
    monkeypatch.setattr(demo, "HERE", tmp_path)
    with pytest.raises(ValueError, match="expected.yaml: engine terraform-plan needs `plan: FILE`"):
        demo.stacks()


def _stack(name: str):
    return next(s for s in STACKS if _name(s) == name)


def test_summary_rows_count_failed_findings_by_severity_and_unknowns():
    rows = [demo.summary_row(s, demo.run(s, Config())) for s in map(_stack, ("aws-terraform",
                                                                             "examples/aws-terraform-insecure"))]
    assert rows == [
        demo.Row("aws-terraform", "terraform", {"critical": 0, "high": 0, "medium": 0, "low": 0}, 0, True),
        demo.Row("examples/aws-terraform-insecure", "terraform", {"critical": 7, "high": 12, "medium": 6, "low": 0},
                 0, True)]


def test_summary_row_of_a_stack_that_is_not_as_expected():
    stack = _stack("aws-terraform")
    report = demo.run(_stack("examples/aws-terraform-plan"), Config())  # another stack's findings
    row = demo.summary_row(stack, report)
    assert (row.failed, row.unknown, row.as_expected) == ({"critical": 4, "high": 4, "medium": 7, "low": 0}, 0, False)
    assert demo.check(stack, report)[0].startswith("  REPORTED but not expected: ('BKT-001', 'aws_s3_bucket.artifacts'")


def test_summary_table_layout():
    rows = [demo.Row("aws-terraform", "terraform", {"critical": 0, "high": 0, "medium": 0, "low": 0}, 0, True),
            demo.Row("examples/x", "pulumi", {"critical": 12, "high": 1, "medium": 0, "low": 3}, 2, False)]
    assert demo.summary_table(rows).splitlines() == [
        "stack          engine     critical  high  medium  low  unknown  result",
        "-------------  ---------  --------  ----  ------  ---  -------  ---------------",
        "aws-terraform  terraform         0     0       0    0        0  as expected",
        "examples/x     pulumi           12     1       0    3        2  NOT AS EXPECTED",
    ]


def test_access_map_of_the_aws_reference_stack_names_who_pulls_and_pushes():
    text = demo.access_map(Config())
    assert text.startswith("== aws-terraform\n")
    grants = sorted((line.split("role ")[1].split()[0], line.split("role ")[1].split()[1],
                     line.split("statement '")[1].split("'")[0]) for line in text.splitlines() if "role ci-" in line)
    assert grants == [("ci-build", "pull", "PullAppImages"), ("ci-build", "read", "ReadArtifacts"),
                      ("ci-deploy", "push", "PushAppImages"), ("ci-deploy", "write", "WriteArtifacts"),
                      ("ci-runner", "pull", "PullAppImages"), ("ci-runner", "read", "ReadArtifacts")]
    assert "S3 bucket ci-acme-app-artifacts-eu-west-1: VPC endpoint aws_vpc_endpoint.s3" in text
