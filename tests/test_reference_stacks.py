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
from preview_gate.program import load_project, run_program
from rulebook.config import Config
from rulebook.roots import evaluate_scan

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "reference_stacks"
COMPLIANT = ("aws-terraform", "aws-pulumi", "azure-terraform", "azure-pulumi")
NEW = {"org": "globex", "repo": "billing-api", "environment": "prod-eu", "prefix": "billing-ci"}
PULUMI_CONFIG = {"githubOrg": NEW["org"], "githubRepo": NEW["repo"], "deployEnvironment": NEW["environment"],
                 "prefix": NEW["prefix"]}
AWS_PULUMI = STACKS / "aws-pulumi"
NETWORK_STACK = "acme/cicd-reference-aws-network/dev"  # networkStack of the dev stacks
NETWORK_OUTPUTS = {NETWORK_STACK: AWS_PULUMI / "network" / "outputs.dev.json"}


def _statuses(report) -> list[tuple[str, str, str]]:
    return sorted((f.rule_id, f.resource, f.status.value) for f in report.findings)


def test_the_root_project_runs_the_aws_pulumi_stack_and_passes():
    """`cicd-guard gate .` runs the AWS Pulumi stack, given its network stack's sample outputs."""
    report = run_gate(ROOT, config=Config(), stack_outputs=NETWORK_OUTPUTS)
    assert [str(e) for e in report.errors] == []
    assert report.scanned == ["reference_stacks/aws-pulumi/__main__.py"]
    assert _statuses(report) == []
    assert not [n for n in report.notes if "stack reference" in n or "--stack-outputs" in n]


def test_azure_pulumi_stack_is_decided_in_preview():
    report = run_gate(STACKS / "azure-pulumi", config=Config(), preview=True)
    assert [str(e) for e in report.errors] == []
    assert _statuses(report) == []


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_aws_pulumi_stack_with_its_network_stack_outputs_is_decided(preview):
    """The endpoint IDs the bucket and registry policies name come from the deployed network stack: known
    in every preview, so nothing is left undecided."""
    report = run_gate(AWS_PULUMI, config=Config(), preview=preview, stack_outputs=NETWORK_OUTPUTS)
    assert [str(e) for e in report.errors] == []
    assert _statuses(report) == []
    assert not [n for n in report.notes if "stack reference" in n or "--stack-outputs" in n]


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_aws_pulumi_network_stack_passes(preview):
    report = run_gate(AWS_PULUMI / "network", config=Config(), preview=preview)
    assert [str(e) for e in report.errors] == []
    assert _statuses(report) == []


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_aws_pulumi_stack_without_the_network_outputs_leaves_what_they_feed_unknown(preview):
    """Without the referenced stack's outputs the gate fails closed in both modes: the policies that name
    its endpoint IDs are UNKNOWN, and a note names the stack reference and the option that fills it in."""
    report = run_gate(AWS_PULUMI, config=Config(), preview=preview)
    assert [str(e) for e in report.errors] == []
    assert _statuses(report) == [
        ("BKT-003", "artifacts (aws:s3/bucketPolicy:BucketPolicy)", "unknown"), ("BKT-004", "artifacts", "unknown"),
        ("REG-001", "app (aws:ecr/repositoryPolicy:RepositoryPolicy)", "unknown"),
        ("REG-007", "app (aws:ecr/repositoryPolicy:RepositoryPolicy)", "unknown")]
    waits = f"policy waits on pulumi:pulumi:StackReference {NETWORK_STACK}"
    assert [f.rule_id for f in report.findings if waits in f.message] == ["REG-001", "REG-007", "BKT-004"]
    assert [n for n in report.notes if "stack reference" in n] == [
        f"stack reference {NETWORK_STACK}: its outputs are unknown and so is everything built from them (the "
        f"engine reads them from the deployed stack); give them with --stack-outputs {NETWORK_STACK}=FILE, FILE "
        f"from `pulumi stack output --json --stack {NETWORK_STACK}`"]


def test_aws_pulumi_stack_fails_on_a_missing_network_output(tmp_path):
    """require_output: an output the network stack lacks stops the program, never a None in a policy."""
    outputs = json.loads(NETWORK_OUTPUTS[NETWORK_STACK].read_text("utf-8"))
    del outputs["s3_endpoint_id"]
    (tmp_path / "outputs.json").write_text(json.dumps(outputs), "utf-8")
    report = run_gate(AWS_PULUMI, config=Config(), preview=True, stack_outputs={NETWORK_STACK: tmp_path / "outputs.json"})
    assert [(e.file, e.message.split(";")[0]) for e in report.errors] == [
        (str(AWS_PULUMI / "__main__.py"), "program raised KeyError: 's3_endpoint_id'")]
    assert report.exit_code() == 2


def test_sample_network_outputs_are_exactly_what_the_network_program_exports():
    run = run_program(load_project(AWS_PULUMI / "network", "dev"))
    sample = json.loads((AWS_PULUMI / "network" / "outputs.dev.json").read_text("utf-8"))
    assert sorted(sample) == run.exports
    assert run.exports  # the program exports something: the comparison cannot pass on two empty lists


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


def _rename_pulumi(target: Path, config: dict[str, str]) -> str:
    project = (target / "Pulumi.yaml").read_text("utf-8").split("\n", 1)[0].removeprefix("name: ")
    lines = [f"  {project}:{k}: {v}" for k, v in config.items()]
    (target / "Pulumi.prod.yaml").write_text("config:\n" + "\n".join(lines) + "\n", "utf-8")
    (target / "Pulumi.dev.yaml").unlink()
    return "prod"


def _rename_network(target: Path) -> dict[str, Path]:
    """The copied AWS Pulumi stack's network project, renamed and gated; the stack outputs that the CI
    stack's reference to it reads (its sample outputs stand for the deployed stack's)."""
    network = target / "network"
    stack = _rename_pulumi(network, {"prefix": NEW["prefix"], "vpcCidr": "10.64.0.0/16"})
    report = run_gate(network, config=Config(), stack=stack)
    assert [str(e) for e in report.errors] == []
    assert [(f.rule_id, f.resource, f.status.value) for f in report.findings] == []
    name, outputs = f"{NEW['org']}/cicd-reference-aws-network/{stack}", network / "outputs.dev.json"
    return {name: outputs}


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
        config, stack_outputs = dict(PULUMI_CONFIG), {}
        if name == "aws-pulumi":
            stack_outputs = _rename_network(target)
            config["networkStack"] = next(iter(stack_outputs))
        stack = _rename_pulumi(target, config)
        report = run_gate(target, config=Config(), stack=stack, stack_outputs=stack_outputs)
        assert [str(e) for e in report.errors] == []
        findings = report.findings
        map_args = ["--gate", str(target), "--stack", stack,
                    *(arg for ref, path in stack_outputs.items() for arg in ("--stack-outputs", f"{ref}={path}"))]
    assert [(f.rule_id, f.resource, f.status.value) for f in findings] == []
    # The new names reached the identities: the deploy identity trusts the new repository's environment.
    assert cli.main(["access-map", *map_args, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert f"repo:{NEW['org']}/{NEW['repo']}:environment:{NEW['environment']}" in out
    assert "acme" not in out
