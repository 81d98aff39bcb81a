"""No output of any command ever contains a secret the scan found (or was fed).

Fixtures full of fake secrets (fake_secrets, assembled at run time) go through every command and
format: scan of .tf/.tfvars (text, JSON, SARIF, JUnit), a plan JSON, input errors quoting a broken
line, the access map, and the Pulumi gate's report in every format. stdout, stderr and log records
are searched for each secret, its base64 form and the body of the private key.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import fake_secrets as fake
from cicd_guard import cli
from preview_gate import run_gate
from rulebook.reporters import render

PROGRAMS = Path(__file__).resolve().parent / "pulumi" / "programs"
FORMATS = ("text", "json", "sarif", "junit")


def _repo(root: Path) -> Path:
    (root / "infra").mkdir(parents=True)
    (root / "infra" / "main.tf").write_text(f'''
variable "deploy_key" {{
  default = "{fake.AWS_KEY_ID}"
}}

variable "db_password" {{
  type = string
}}

locals {{
  gh = "{fake.GITHUB_TOKEN}"
  pem = <<-EOT
{fake.PRIVATE_KEY}
EOT
}}

resource "aws_ssm_parameter" "p" {{
  name  = "/ci/key"
  type  = "String"
  value = var.deploy_key
}}

resource "aws_instance" "agent" {{
  ami       = "ami-1"
  user_data = "export AWS_SECRET_ACCESS_KEY={fake.SCRIPT_SECRET}\\ndocker login -p {fake.DOCKER_PASSWORD} r"
}}

resource "azurerm_linux_web_app" "w" {{
  app_settings = {{
    STORAGE = "{fake.AZURE_CONNECTION}"
    SLACK_TOKEN = "{fake.SLACK_TOKEN}"
    AUTH = "Bearer {fake.BEARER_TOKEN}"
  }}
}}

resource "aws_codebuild_project" "b" {{
  environment {{
    environment_variable {{
      name  = "GH_PAT"
      value = "{fake.GITHUB_PAT}"
    }}
    environment_variable {{
      name  = "AWS_SECRET_ACCESS_KEY"
      value = "{fake.AWS_SECRET_KEY}"
    }}
  }}
}}

resource "azurerm_linux_virtual_machine" "vm" {{
  admin_password = "{fake.PASSWORD}"
  custom_data    = base64encode("az login -u ci -p {fake.AZ_PASSWORD}")
}}

output "gho" {{
  value = "{fake.GITHUB_OAUTH}-{fake.AWS_SESSION_KEY_ID}"
}}
''', "utf-8")
    (root / "infra" / "terraform.tfvars").write_text(f'db_password = "{fake.PASSWORD}"\n', "utf-8")
    (root / "broken").mkdir()
    (root / "broken" / "main.tf").write_text(
        f'resource "aws_instance" "x" {{\n  user_data = "{fake.AWS_KEY_ID}" "{fake.GITHUB_TOKEN}"\n}}\n', "utf-8")
    plan = {"format_version": "1.2", "terraform_version": "1.9.0",
            "variables": {"token": {"value": fake.GITHUB_TOKEN}},
            "planned_values": {"root_module": {"resources": [
                {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
                 "values": {"environment": [{"variables": {"API_KEY": fake.AWS_SECRET_KEY,
                                                           "ID": fake.AWS_KEY_ID}}]},
                 "sensitive_values": {}}]},
                "outputs": {"token": {"sensitive": False, "value": fake.GITHUB_TOKEN}}},
            "configuration": {"root_module": {"variables": {"token": {"default": fake.GITHUB_TOKEN}},
                                              "outputs": {"token": {"expression": {"references": ["var.token"]}}}}}}
    (root / "plan.json").write_text(json.dumps(plan), "utf-8")
    return root


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return _repo(tmp_path)


def _run(argv: list[str], capsys, caplog) -> str:
    with caplog.at_level(logging.DEBUG):
        cli.main(argv)
    out = capsys.readouterr()
    return out.out + out.err + "\n".join(r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("fmt", FORMATS)
def test_scan_never_prints_a_secret(repo, capsys, caplog, fmt):
    text = _run(["scan", "infra", "broken", "plan.json", "--repo-root", ".", "--format", fmt], capsys, caplog)
    assert "SEC-001" in text and "SEC-003" in text
    assert fake.leaked(text) == []


def test_scan_report_written_to_a_file_and_debug_logs(repo, capsys, caplog, monkeypatch):
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    text = _run(["scan", "infra", "broken", "--format", "sarif", "--output", "out.sarif"], capsys, caplog)
    assert fake.leaked(text + (repo / "out.sarif").read_text("utf-8")) == []


@pytest.mark.parametrize("fmt", ("text", "json", "mermaid"))
def test_access_map_never_prints_a_secret(repo, capsys, caplog, fmt):
    assert fake.leaked(_run(["access-map", "infra", "--format", fmt], capsys, caplog)) == []


def test_gate_report_never_prints_a_secret():
    report = run_gate(str(PROGRAMS / "secrets"))
    assert any(f.rule_id == "SEC-001" for f in report.findings)
    for fmt in FORMATS:
        assert fake.leaked(render(report, fmt)) == [], fmt
