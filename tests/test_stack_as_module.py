"""The Terraform reference stacks used as modules: a platform team calls the folder from its own root
(`source = "../../reference_stacks/aws-terraform"`) with its inputs instead of copying it.

The scan follows the call into the stack: with good inputs it is as clean as the stack on its own, and
an insecure input passed through the module is reported on the block inside the stack that uses it,
named with the module address and the line of the call.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

import fake_secrets as fake
from hcl_scanner import scan
from rulebook.config import Config
from rulebook.roots import evaluate_scan

STACKS = Path(__file__).resolve().parents[1] / "reference_stacks"
INPUTS = {
    "aws-terraform": '''
  github_org         = "globex"
  github_repo        = "billing-api"
  deploy_environment = "prod-eu"
  prefix             = "billing-ci"
  image_repositories = ["api", "worker"]
  region             = "us-east-2"
''',
    "azure-terraform": '''
  github_org         = "globex"
  github_repo        = "billing-api"
  deploy_environment = "prod-eu"
  prefix             = "billing-ci"
  location           = "northeurope"
''',
}


def _root(tmp_path: Path, name: str, extra: str = "") -> Path:
    """A repository holding the stack under reference_stacks/ and a root module infra/prod calling it."""
    shutil.copytree(STACKS / name, tmp_path / "reference_stacks" / name)
    root = tmp_path / "infra" / "prod"
    root.mkdir(parents=True)
    (root / "main.tf").write_text(f'module "ci" {{\n  source = "../../reference_stacks/{name}"\n'
                                  f'{textwrap.dedent(INPUTS[name]).strip()}\n{extra}}}\n', "utf-8")
    return root


def _rows(tmp_path: Path, root: Path) -> list[tuple]:
    result = scan([str(root)], repo_root=str(tmp_path))
    assert [str(e) for e in result.errors] == []
    return sorted((f.rule_id, f.resource, f.file, f.line, f.called_from, f.status.value)
                  for f in evaluate_scan(result, Config()))


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_stack_called_as_a_module_is_followed_and_clean(name, tmp_path):
    root = _root(tmp_path, name)
    result = scan([str(root)], repo_root=str(tmp_path))
    assert [str(e) for e in result.errors] == []
    stack_files = {p.relative_to(tmp_path).as_posix() for p in (tmp_path / "reference_stacks" / name).glob("*.tf")}
    assert stack_files <= set(result.scanned)  # the scan went into the module
    [inventory] = result.inventories  # one root: the called stack is not reported again on its own
    assert any(r.address.startswith("module.ci.") for r in inventory.resources)
    assert _rows(tmp_path, root) == []


def test_a_secret_passed_into_the_aws_stack_is_reported_where_the_stack_uses_it(tmp_path):
    script = f"#!/bin/bash\\nexport AWS_SECRET_ACCESS_KEY={fake.AWS_SECRET_KEY}\\n./config.sh --unattended\\n"
    root = _root(tmp_path, "aws-terraform", f'  runner_user_data = "{script}"\n')
    assert _rows(tmp_path, root) == [
        ("SEC-001", "module.ci.var.runner_user_data", "reference_stacks/aws-terraform/variables.tf", 57,
         "infra/prod/main.tf:1", "failed"),  # the literal key, at the input it is passed as
        ("SEC-003", "module.ci.aws_launch_template.runner", "reference_stacks/aws-terraform/runners.tf", 64,
         "infra/prod/main.tf:1", "failed")]  # the runners boot with it
