"""No sensitive value reaches any output: unique markers planted in every sensitive position the engines
carry today, and every output of every command searched for them.

Positions: a Pulumi secret (`pulumi.Output.secret`) that a rule message would name, and a plan's
`after_sensitive`/`sensitive_values`. Outputs: text, JSON, SARIF and JUnit reports of `scan --plan` and
`gate`, the access map (text, JSON, Mermaid) of both, and everything on stderr.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from cicd_guard import cli
from preview_gate import inventory_of, run_gate
from rulebook.access_map import build, render as render_map
from rulebook.config import Config
from rulebook.reporters import FORMATS, render

PULUMI_MARKER = "MARKERPLM7f3a"
PLAN_MARKER = "MARKERPLN9c2e"
DEFAULT_MARKER = "MARKERDEF4b1d"  # a sensitive variable's default
TFVARS_MARKER = "MARKERTFV8e0a"  # a sensitive variable's tfvars value
MARKERS = (PULUMI_MARKER, PLAN_MARKER, DEFAULT_MARKER, TFVARS_MARKER)
TERRAFORM = f"""
variable "token" {{
  type      = string
  sensitive = true
  default   = "{DEFAULT_MARKER}"
}}
variable "name" {{
  type      = string
  sensitive = true
}}
resource "aws_iam_role" "r" {{
  name               = "role-${{var.name}}"
  assume_role_policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole",
                                   Principal = {{ Service = "codebuild.amazonaws.com" }} }}] }})
}}
resource "aws_iam_role_policy" "p" {{
  role   = aws_iam_role.r.name
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "ecr:*",
                       Resource = "arn:aws:ecr:us-east-1:111122223333:repository/${{var.token}}" }}] }})
}}
resource "aws_iam_access_key" "k" {{
  for_each = nonsensitive(toset(["u-${{sha1(var.name)}}"]))
  user     = "u-${{var.name}}"
}}
locals {{ n = tonumber(var.token) }}
resource "aws_ecr_repository" "x" {{
  name = "r${{local.n}}"
}}
"""

PROGRAM = f"""
    import pulumi
    import pulumi_aws as aws
    ci = aws.iam.User("ci", name=pulumi.Output.secret("{PULUMI_MARKER}"))
    aws.iam.AccessKey("ci-key", user=ci.name)
    """


def _plan_resource(type_: str, name: str, values: dict, sensitive: dict) -> tuple[dict, dict]:
    address = f"{type_}.{name}"
    planned = {"address": address, "mode": "managed", "type": type_, "name": name, "schema_version": 0,
               "provider_name": "registry.terraform.io/hashicorp/aws", "values": values, "sensitive_values": sensitive}
    change = {"address": address, "mode": "managed", "type": type_, "name": name,
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {},
                         "before_sensitive": False, "after_sensitive": sensitive}}
    return planned, change


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("leak")
    (root / "prog").mkdir()
    (root / "tf").mkdir()
    (root / "tf" / "main.tf").write_text(TERRAFORM)
    (root / "tf" / "terraform.tfvars").write_text(f'name = "{TFVARS_MARKER}"\n')
    (root / "prog" / "Pulumi.yaml").write_text("name: leak\nruntime: python\n")
    (root / "prog" / "__main__.py").write_text(textwrap.dedent(PROGRAM).lstrip("\n"))
    pairs = [_plan_resource("aws_iam_user", "ci", {"name": PLAN_MARKER, "path": "/"}, {"name": True}),
             _plan_resource("aws_iam_access_key", "ci", {"user": PLAN_MARKER}, {"user": True})]
    (root / "plan.json").write_text(json.dumps({
        "format_version": "1.2", "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": [p for p, _ in pairs]}},
        "resource_changes": [c for _, c in pairs], "configuration": {"root_module": {}}}))
    return root


def _cli(capsys, *argv: str) -> str:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    return captured.out + captured.err


def _leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


def test_no_sensitive_value_in_any_output_of_any_command(planted: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(planted)
    outputs: dict[str, str] = {}
    for fmt in FORMATS:
        outputs[f"scan --plan -f {fmt}"] = _cli(capsys, "scan", "--plan", "plan.json", "-f", fmt)
    for fmt in ("text", "json", "mermaid"):
        outputs[f"access-map --plan -f {fmt}"] = _cli(capsys, "access-map", "--plan", "plan.json", "-f", fmt)
    for fmt in FORMATS:
        outputs[f"scan tf -f {fmt}"] = _cli(capsys, "scan", "tf", "--no-cache", "-f", fmt)
    for fmt in ("text", "json", "mermaid"):
        outputs[f"access-map tf -f {fmt}"] = _cli(capsys, "access-map", "tf", "-f", fmt)
    outputs["gate -f sarif -o"] = _cli(capsys, "gate", "prog", "-f", "sarif", "-o", "gate.sarif")
    outputs["gate.sarif"] = (planted / "gate.sarif").read_text()
    report = run_gate(planted / "prog")
    assert [f.rule_id for f in report.findings if f.rule_id == "IDF-001"] == ["IDF-001"]  # the rule did speak
    for fmt in FORMATS:
        outputs[f"gate -f {fmt}"] = render(report, fmt)
    inventory = inventory_of(planted / "prog")
    for fmt in ("text", "json", "mermaid"):
        outputs[f"access-map --gate -f {fmt}"] = render_map([build(inventory, Config(), title="prog")], fmt)
    assert {name: _leaks(text) for name, text in outputs.items() if _leaks(text)} == {}
