"""Commands the deployment runs (Terraform provisioners, HCL and plan JSON): SEC-003 and SEC-001.

Exact findings (rule, resource, line, status, message). Fake secrets come from fake_secrets; no
message may hold one. Pulumi command resources: tests/pulumi/test_pulumi_commands.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import fake_secrets as fake
from hcl_scanner import scan
from rulebook.engine import evaluate
from rulebook.rules import REGISTRY

SEC = [REGISTRY["SEC-001"], REGISTRY["SEC-003"]]
FAKES = (fake.DOCKER_PASSWORD, fake.SCRIPT_SECRET, fake.AWS_KEY_ID, fake.PASSWORD)


def findings(tmp_path: Path, files: dict[str, str], plan: dict | None = None, repo_root: bool = True,
             errors: tuple[str, ...] = ()) -> list[tuple]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    root = str(tmp_path) if repo_root else None
    if plan is not None:
        (tmp_path / "plan.json").write_text(json.dumps(plan), "utf-8")
        result = scan([], plans=[str(tmp_path / "plan.json")], repo_root=root)
    else:
        result = scan([str(tmp_path / "root")], repo_root=root)
    assert [e.message for e in result.errors] == list(errors)
    found = sorted((f.rule_id, f.resource, f.line, f.status.value, f.message)
                   for inv in result.inventories for f in evaluate(inv, rules=SEC))
    assert not any(secret in row[4] for row in found for secret in FAKES)
    return found


def _local(command: str) -> str:
    return f'''
resource "null_resource" "publish" {{
  provisioner "local-exec" {{
    command = "{command}"
  }}
}}
'''


DOCKER = "passes a password to docker login (Fake****, 19 characters)"


def test_local_exec_passing_a_password_fails(tmp_path):
    code = _local(f"docker login -u ci -p {fake.DOCKER_PASSWORD} registry.example.com")
    assert findings(tmp_path, {"root/main.tf": code}) == [
        ("SEC-003", "null_resource.publish.provisioner[0]", 3, "failed",
         f"command run on the CI runner {DOCKER} at line 1 of the command")]


def test_local_exec_reading_the_password_at_run_time_passes(tmp_path):
    code = _local('echo \\"$REGISTRY_PASSWORD\\" | docker login -u ci --password-stdin registry.example.com')
    assert findings(tmp_path, {"root/main.tf": code}) == []


REMOTE = '''
resource "aws_instance" "agent" {{
  ami = "ami-1"

  provisioner "remote-exec" {{
    inline = [
      "echo ${{self.private_ip}} > /etc/agent-ip",
      "{login}",
    ]
  }}
}}
'''


def test_remote_exec_inline_fails_at_the_line_of_the_command(tmp_path):
    code = REMOTE.format(login=f"docker login -u ci -p {fake.DOCKER_PASSWORD} registry.example.com")
    assert findings(tmp_path, {"root/main.tf": code}) == [
        ("SEC-003", "aws_instance.agent.provisioner[0]", 5, "failed",
         f"command run on the remote host {DOCKER} at line 2 of the command")]


def test_remote_exec_inline_without_credentials_passes_and_self_is_read_as_a_reference(tmp_path):
    code = REMOTE.format(login="aws ecr get-login-password | docker login -u AWS --password-stdin r.example.com")
    assert findings(tmp_path, {"root/main.tf": code}) == []


def test_a_variable_in_the_credential_position_is_not_a_literal(tmp_path):
    """`-p ${var.x}`: the value is not written in the command; SEC-001/SEC-004 judge the variable."""
    code = 'variable "registry_password" {\n  type = string\n}\n' + _local(
        "docker login -u ci -p ${var.registry_password} registry.example.com")
    assert findings(tmp_path, {"root/main.tf": code}) == []


def test_a_variable_holding_a_literal_credential_is_read_into_the_command(tmp_path):
    code = f'variable "registry_password" {{\n  default = "{fake.DOCKER_PASSWORD}"\n}}\n' + _local(
        "docker login -u ci -p ${var.registry_password} registry.example.com")
    assert findings(tmp_path, {"root/main.tf": code}) == [
        ("SEC-001", "var.registry_password", 1, "failed",
         "variable registry_password holds a literal credential (Fake****, 19 characters)"),
        ("SEC-003", "null_resource.publish.provisioner[0]", 6, "failed",
         f"command run on the CI runner {DOCKER} at line 1 of the command")]


def test_a_command_not_known_at_plan_time_is_unknown(tmp_path):
    code = 'variable "cmd" {\n  type = string\n}\n' + _local("${var.cmd}")
    reason = "variable cmd has no value (no default, not set in tfvars, --var-file or TF_VAR_cmd)"
    assert findings(tmp_path, {"root/main.tf": code}) == [
        ("SEC-003", "null_resource.publish.provisioner[0]", 6, "unknown",
         f"cannot decide whether the command run on the CI runner carries credentials: {reason}")]


def test_an_access_key_in_a_command_is_a_literal_credential_too(tmp_path):
    code = _local(f"AWS_ACCESS_KEY_ID={fake.AWS_KEY_ID} ./deploy.sh")
    assert findings(tmp_path, {"root/main.tf": code}) == [
        ("SEC-001", "null_resource.publish.provisioner[0]", 3, "failed",
         "command holds an AWS access key (AKIA****, 20 characters)"),
        ("SEC-003", "null_resource.publish.provisioner[0]", 3, "failed",
         "command run on the CI runner holds an AWS access key (AKIA****, 20 characters) at line 1 of the command")]


def test_literal_connection_passwords_are_literal_credentials(tmp_path):
    code = f'''
resource "aws_instance" "agent" {{
  ami = "ami-1"
  connection {{
    host     = self.public_ip
    password = "{fake.PASSWORD}"
  }}

  provisioner "remote-exec" {{
    inline = ["./start-agent.sh"]
    connection {{
      host        = self.public_ip
      private_key = file("~/.ssh/id_rsa")
      password    = "{fake.SCRIPT_SECRET}"
    }}
  }}
}}
'''
    assert findings(tmp_path, {"root/main.tf": code}) == [
        ("SEC-001", "aws_instance.agent", 2, "failed",
         "connection[0].password holds a literal credential (Fake****, 17 characters)"),
        ("SEC-001", "aws_instance.agent.provisioner[0]", 9, "failed",
         "connection[0].password holds a literal credential (Fake****, 21 characters)")]


def test_remote_exec_script_files_are_read_inside_the_repository_only(tmp_path):
    code = '''
resource "aws_instance" "agent" {
  ami = "ami-1"
  provisioner "remote-exec" {
    script = "${path.module}/setup.sh"
  }
  provisioner "remote-exec" {
    scripts = ["/etc/setup.sh"]
  }
}
'''
    files = {"root/main.tf": code, "root/setup.sh": f"#!/bin/sh\nexport AWS_SECRET_ACCESS_KEY={fake.SCRIPT_SECRET}\n"}
    refused = "file('/etc/setup.sh') reads outside the repository; not read"
    assert findings(tmp_path, files, errors=(refused,)) == [
        ("SEC-003", "aws_instance.agent.provisioner[0]", 4, "failed",
         "command run on the remote host exports AWS_SECRET_ACCESS_KEY (Fake****, 21 characters) "
         "at line 2 of the command"),
        ("SEC-003", "aws_instance.agent.provisioner[1]", 7, "unknown",
         f"cannot decide whether the command run on the remote host carries credentials: {refused}")]


# --- plan JSON (HashiCorp's format: configuration.root_module.resources[].provisioners) ---------------

PLAN_SOURCES = '''variable "host" {
  type = string
}

resource "null_resource" "deploy" {
  provisioner "local-exec" {
    command = "%s"
  }

  provisioner "remote-exec" {
    inline = [
      "ssh-keyscan ${var.host}",
      "%s",
    ]
  }
}
'''


def _plan(command: str, login: str) -> dict:
    instance = {"address": "null_resource.deploy", "mode": "managed", "type": "null_resource", "name": "deploy",
                "values": {"triggers": None}}
    return {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "variables": {"host": {"value": "build-host.example.com"}},
        "planned_values": {"root_module": {"resources": [instance]}},
        "resource_changes": [],
        "configuration": {"root_module": {
            "variables": {"host": {}},
            "resources": [{
                "address": "null_resource.deploy", "mode": "managed", "type": "null_resource", "name": "deploy",
                "schema_version": 0, "expressions": {},
                "provisioners": [
                    {"type": "local-exec", "expressions": {"command": {"constant_value": command}}},
                    {"type": "remote-exec", "expressions": {"inline": {"references": ["var.host"]}}},
                ]}]}},
    }


def _plan_case(tmp_path: Path, repo_root: bool) -> list[tuple]:
    command = f"aws configure set aws_secret_access_key {fake.SCRIPT_SECRET}"
    login = f"docker login -u ci -p {fake.DOCKER_PASSWORD} registry.example.com"
    return findings(tmp_path, {"main.tf": PLAN_SOURCES % (command, login)}, _plan(command, login), repo_root)


AWS_CONFIGURE = "runs aws configure set aws_secret_access_key (Fake****, 21 characters) at line 1 of the command"


def test_plan_provisioners_read_with_the_sources_agree_with_the_hcl_scan(tmp_path):
    assert _plan_case(tmp_path, repo_root=True) == [
        ("SEC-003", "null_resource.deploy.provisioner[0]", 6, "failed", f"command run on the CI runner {AWS_CONFIGURE}"),
        ("SEC-003", "null_resource.deploy.provisioner[1]", 10, "failed",
         f"command run on the remote host {DOCKER} at line 2 of the command")]


def test_plan_provisioners_without_the_sources(tmp_path):
    assert _plan_case(tmp_path, repo_root=False) == [
        ("SEC-003", "null_resource.deploy.provisioner[0]", None, "failed", f"command run on the CI runner {AWS_CONFIGURE}"),
        ("SEC-003", "null_resource.deploy.provisioner[1]", None, "unknown",
         "cannot decide whether the command run on the remote host carries credentials: inline of the "
         "provisioner is computed from var.host; the plan does not show it (scan the plan with --repo-root to "
         "read it from the .tf sources)")]


def test_each_provisioner_is_a_command_of_its_resource_instance(tmp_path):
    code = '''
resource "null_resource" "node" {
  count = 2

  provisioner "local-exec" {
    command = "echo ${count.index} ${self.id}"
  }

  provisioner "remote-exec" {
    when   = destroy
    inline = ["echo bye"]
  }

  provisioner "file" {
    content     = "x"
    destination = "/tmp/x"
  }
}
'''
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_text(code, "utf-8")
    result = scan([str(tmp_path / "root")])
    assert result.errors == []
    got = [(r.kind, r.address, r.location.line, r.props) for inv in result.inventories for r in inv.resources
           if ".provisioner[" in r.address]
    assert got == [
        ("deploy.command", "null_resource.node[0].provisioner[0]", 5,
         {"script": "echo 0 ${self.id}", "runs_on": "local", "when": "create"}),
        ("deploy.command", "null_resource.node[0].provisioner[1]", 9,
         {"script": "echo bye", "runs_on": "remote", "when": "destroy"}),
        ("unmapped", "null_resource.node[0].provisioner[2]", 14, {}),
        ("deploy.command", "null_resource.node[1].provisioner[0]", 5,
         {"script": "echo 1 ${self.id}", "runs_on": "local", "when": "create"}),
        ("deploy.command", "null_resource.node[1].provisioner[1]", 9,
         {"script": "echo bye", "runs_on": "remote", "when": "destroy"}),
        ("unmapped", "null_resource.node[1].provisioner[2]", 14, {}),
    ]


def test_a_suppression_on_the_resource_covers_its_provisioners(tmp_path):
    code = ('# cicd-guard:ignore=SEC-003 reason="throwaway test registry" expires=2999-01-01'
            + _local(f"docker login -u ci -p {fake.DOCKER_PASSWORD} registry.example.com"))
    assert [row[:4] for row in findings(tmp_path, {"root/main.tf": code})] == [
        ("SEC-003", "null_resource.publish.provisioner[0]", 3, "suppressed")]


def test_a_literal_credential_in_a_commands_environment_is_a_literal_credential(tmp_path):
    code = f'''
resource "null_resource" "publish" {{
  provisioner "local-exec" {{
    command     = "./publish.sh"
    environment = {{ REGISTRY_PASSWORD = "{fake.DOCKER_PASSWORD}" }}
  }}
}}
'''
    assert findings(tmp_path, {"root/main.tf": code}) == [
        ("SEC-001", "null_resource.publish.provisioner[0]", 3, "failed",
         "environment.REGISTRY_PASSWORD holds a literal credential (Fake****, 19 characters)")]
