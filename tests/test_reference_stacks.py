"""The compliant reference stacks are templates: they pass from the repository root, in preview, and
copied elsewhere under other names.

test_demo_stacks.py checks each folder as it is; these check what a user does with them: run the root
Pulumi project, preview before anything exists, copy a stack out of the repository and rename it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cicd_guard import cli
from hcl_scanner import scan
from preview_gate import run_gate
from rulebook.config import Config
from rulebook.roots import evaluate_scan

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "reference_stacks"
COMPLIANT = ("aws-terraform", "aws-pulumi", "azure-terraform", "azure-pulumi")
NEW = {"org": "globex", "repo": "billing-api", "environment": "prod-eu", "prefix": "billing-ci"}


def _statuses(report) -> list[tuple[str, str, str]]:
    return sorted((f.rule_id, f.resource, f.status.value) for f in report.findings)


def test_the_root_project_runs_the_aws_pulumi_stack_and_passes():
    report = run_gate(ROOT, config=Config())
    assert [str(e) for e in report.errors] == []
    assert report.scanned == ["reference_stacks/aws-pulumi/__main__.py"]
    assert _statuses(report) == []


def test_azure_pulumi_stack_is_decided_in_preview():
    report = run_gate(STACKS / "azure-pulumi", config=Config(), preview=True)
    assert [str(e) for e in report.errors] == []
    assert _statuses(report) == []


def test_aws_pulumi_stack_in_preview_leaves_only_the_vpc_endpoint_conditions_unknown():
    """The deny-outside-the-CI-network conditions name VPC endpoint IDs that exist only after apply;
    every other policy is built from config and invokes and is decided in preview."""
    report = run_gate(STACKS / "aws-pulumi", config=Config(), preview=True)
    assert [str(e) for e in report.errors] == []
    assert {(rule, resource.split(" ")[0], status) for rule, resource, status in _statuses(report)} == {
        ("REG-001", "app", "unknown"), ("REG-007", "app", "unknown"),
        ("BKT-004", "artifacts", "unknown"), ("BKT-003", "artifacts", "unknown")}
    assert all("aws:ec2/vpcEndpoint:VpcEndpoint" in f.message or "depends on" in f.message
               for f in report.findings)


@pytest.mark.parametrize("name", COMPLIANT)
def test_stack_reaches_nothing_outside_its_folder(name):
    for path in (STACKS / name).rglob("*"):
        if path.is_file() and path.suffix != ".md":  # READMEs may link to the twin; programs may not
            assert "../" not in path.read_text("utf-8"), path


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(STACKS / name, target)
    assert not target.resolve().is_relative_to(ROOT)
    return target


def _rename_terraform(target: Path, name: str) -> None:
    if name == "aws-terraform":
        values = {"github_org": NEW["org"], "github_repo": NEW["repo"], "deploy_environment": NEW["environment"],
                  "prefix": NEW["prefix"], "image_repositories": ["api", "worker"], "region": "us-east-2"}
    else:
        values = {"github_org": NEW["org"], "github_repo": NEW["repo"], "deploy_environment": NEW["environment"],
                  "prefix": NEW["prefix"], "location": "northeurope"}
    (target / "terraform.tfvars").write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()), "utf-8")


def _rename_pulumi(target: Path) -> str:
    project = (target / "Pulumi.yaml").read_text("utf-8").split("\n", 1)[0].removeprefix("name: ")
    config = {"githubOrg": NEW["org"], "githubRepo": NEW["repo"], "deployEnvironment": NEW["environment"],
              "prefix": NEW["prefix"]}
    lines = [f"  {project}:{k}: {v}" for k, v in config.items()]
    (target / "Pulumi.prod.yaml").write_text("config:\n" + "\n".join(lines) + "\n", "utf-8")
    (target / "Pulumi.dev.yaml").unlink()
    return "prod"


@pytest.mark.parametrize("name", COMPLIANT)
def test_copied_and_renamed_stack_still_passes(name, tmp_path, capsys):
    target = _copy(name, tmp_path)
    if name.endswith("terraform"):
        _rename_terraform(target, name)
        result = scan([str(target)], repo_root=str(target))
        assert [str(e) for e in result.errors] == []
        findings = evaluate_scan(result, Config())
        map_args = [str(target)]
    else:
        stack = _rename_pulumi(target)
        report = run_gate(target, config=Config(), stack=stack)
        assert [str(e) for e in report.errors] == []
        findings = report.findings
        map_args = ["--gate", str(target), "--stack", stack]
    assert [(f.rule_id, f.resource, f.status.value) for f in findings] == []
    # The new names reached the identities: the deploy identity trusts the new repository's environment.
    assert cli.main(["access-map", *map_args, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert f"repo:{NEW['org']}/{NEW['repo']}:environment:{NEW['environment']}" in out
    assert "acme" not in out
