"""SEC-003: bootstrap scripts (user data, custom data) and the commands a deployment runs (provisioners,
Pulumi command resources) do not write, export or pass credentials."""

from __future__ import annotations

import re
from typing import Any, Iterator

from ...findings import Severity
from ...model import Ref, Resource
from ...secrets import detect, is_placeholder, shown
from ...unknown import Unknown
from ..base import Context, Example, Result, rule

_VALUE = r"""(?P<q>["']?)(?P<value>[^\s"';|&]+)(?P=q)"""
# (what the line does, pattern with a `value` group); a value read at run time (`$VAR`, `$(...)`) is no finding.
_COMMANDS: tuple[tuple[str, re.Pattern], ...] = (
    *((f"exports AWS_{key}", re.compile(
        rf"(?im)^[ \t]*(?:export[ \t]+|set[ \t]+|\$env:)?AWS_{key}[ \t]*=[ \t]*" + _VALUE))
      for key in ("SECRET_ACCESS_KEY", "SESSION_TOKEN")),
    *((f"runs aws configure set {key}", re.compile(
        rf"(?i)\baws[ \t]+configure[ \t]+set[ \t]+(?:[\w.-]+\.)?{key}[ \t]+" + _VALUE))
      for key in ("aws_secret_access_key", "aws_session_token")),
    ("passes a password to docker login", re.compile(
        r"(?i)\b(?:docker|podman|nerdctl|buildah|helm[ \t]+registry)[ \t]+login\b[^\n]*?[ \t](?:-p|--password)"
        r"(?:=|[ \t]+)" + _VALUE)),
    ("passes a password to az login", re.compile(
        r"(?i)\baz[ \t]+login\b[^\n]*?[ \t](?:-p|--password)(?:=|[ \t]+)" + _VALUE)),
    ("writes an AWS credentials file", re.compile(
        r"(?im)^[ \t]*(?:echo[ \t]+[\"']?)?aws_secret_access_key[ \t]*=[ \t]*" + _VALUE)),
    ("writes a registry auth into a Docker config", re.compile(r"""(?i)"auth"[ \t]*:[ \t]*"(?P<value>[A-Za-z0-9+/=]{12,})\"""")),
    ("writes a credential into a file it creates", re.compile(
        r"""(?i)\bdefine\([ \t]*['"]\w*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY)\w*['"][ \t]*,[ \t]*"""
        r"""(?P<q>['"])(?P<value>[^'"\s]{4,})(?P=q)""")),
    ("writes a token into git credentials", re.compile(
        r"(?i)https://[^\s:/@]+:(?P<value>[^\s@/]{8,})@[^\s]*[^\n]*(?:\.git-credentials|\.netrc)")),
)


COMMAND = "deploy.command"
RUNS_ON = {"local": "the CI runner", "remote": "the remote host"}


def _literal(value: str) -> bool:
    """A value written in the script: not read at run time (`$VAR`, `$(...)`, `%VAR%`), not a
    placeholder, and long enough to be a credential rather than an example (`bar`, `xxx`)."""
    return len(value) >= 6 and not value.startswith(("$", "%", "`", "<", "(")) and not is_placeholder(value)


def credential_lines(script: str) -> Iterator[tuple[str, str, int]]:
    """(what the script does, the credential, line in the script) for every credential it writes."""
    seen: set[str] = set()
    for what, pattern in _COMMANDS:
        for match in pattern.finditer(script):
            value = match.group("value")
            if _literal(value) and value not in seen:
                seen.add(value)
                yield what, value, script.count("\n", 0, match.start()) + 1
    for found in detect(script):
        if found.secret not in seen and not any(found.secret in s or s in found.secret for s in seen):
            seen.add(found.secret)
            yield f"holds {found.what}", found.secret, script.count("\n", 0, script.find(found.secret)) + 1


@rule(
    id="SEC-003",
    title="Bootstrap scripts and deployment commands do not carry credentials",
    severity=Severity.CRITICAL,
    practice="P1",
    kinds=("aws.ec2.instance", "aws.ec2.launch_template", "azure.vm", COMMAND),
    rationale="""
User data and custom data are readable by anything on the instance through the metadata service,
by anyone with describe permissions in the account, and sit in plan files and the repository. Build
agents bootstrapped with `export AWS_SECRET_ACCESS_KEY=...` or `docker login -p ...` hand their
registry and cloud credentials to every job, container and process that runs on them, and to
everyone who can read the launch template. Commands the deployment itself runs (Terraform
`local-exec`/`remote-exec` provisioners, Pulumi `command.local.Command`/`command.remote.Command`) are
the same leak one step earlier: a credential in them sits in the repository and the state, runs on
the CI runner or is copied to the host, and shows in process lists and deployment logs.
""",
    remediation="""
A deployment command reads its credential from the runner's environment or a secret store when it
runs (`docker login --password-stdin` fed from a CI secret), never from its own text. Scripts are
read as the instance runs them: plain, heredoc, base64encode(...) and templatefile(...) inside the
scan root; commands as written (remote-exec `inline` lines joined, `script`/`scripts` files read
inside the scan root, nothing executed), a part known only when the command runs
(`${self.public_ip}`, a variable without a value) read as that reference, not as a literal. A script
or command not known at plan time is UNKNOWN.
""",
    fixes={
        "aws": """
Give the instance an instance profile (an IAM role) instead of a key and let the script fetch
short-lived credentials when it runs: `aws ecr get-login-password | docker login --password-stdin`,
a secret read from Secrets Manager.
""",
        "azure": """
Give the VM a managed identity instead of a key and let the script sign in when it runs: `az login
--identity`, `az acr login`, a secret read from Key Vault.
""",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_launch_template" "runner" {
  name_prefix   = "ci-runner-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "m7i.large"
  user_data = base64encode(<<-EOT
    #!/bin/bash
    docker login -u ci -p registry-password-for-ci registry.example.com
    ./start-runner.sh
  EOT
  )
  metadata_options {
    http_tokens = "required"
  }
}
''', resource="aws_launch_template.runner"),
        Example("terraform", True, '''
resource "aws_launch_template" "runner" {
  name_prefix   = "ci-runner-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "m7i.large"
  user_data = base64encode(<<-EOT
    #!/bin/bash
    aws ecr get-login-password | docker login -u AWS --password-stdin 111122223333.dkr.ecr.eu-west-1.amazonaws.com
    ./start-runner.sh
  EOT
  )
  metadata_options {
    http_tokens = "required"
  }
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.ec2.Instance("runner", ami="ami-0123456789abcdef0", instance_type="m7i.large",
                 metadata_options={"http_tokens": "required"},
                 user_data="#!/bin/bash\\naws configure set aws_secret_access_key not-a-real-key-for-docs\\n")
''', resource="runner"),
        Example("pulumi", True, '''
import pulumi_aws as aws

aws.ec2.Instance("runner", ami="ami-0123456789abcdef0", instance_type="m7i.large",
                 iam_instance_profile="ci-runner", metadata_options={"http_tokens": "required"},
                 user_data="#!/bin/bash\\n./start-runner.sh\\n")
'''),
        Example("terraform", False, '''
resource "null_resource" "publish" {
  provisioner "local-exec" {
    command = "docker login -u ci -p registry-password-for-ci registry.example.com && docker push registry.example.com/app"
  }
}
''', resource="null_resource.publish.provisioner[0]"),
        Example("terraform", True, '''
resource "null_resource" "publish" {
  provisioner "local-exec" {
    command = "echo \\"$REGISTRY_PASSWORD\\" | docker login -u ci --password-stdin registry.example.com"
  }
}
'''),
        Example("pulumi", False, '''
import pulumi_command as command

command.local.Command("publish", create="docker login -u ci -p registry-password-for-ci registry.example.com")
''', resource="publish"),
        Example("pulumi", True, '''
import pulumi_command as command

command.local.Command("publish",
                      create='echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin registry.example.com')
'''),
    ),
)
def sec_003(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _bootstrap_credentials(resource, ctx)


def _bootstrap_credentials(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of SEC-003, kept out of the decorated function so it can be mutation tested."""
    if resource.kind == COMMAND:
        yield from _command_results(resource)
        return
    script = _known(resource.get("user_data"))
    if script is None:
        return
    if isinstance(script, Unknown):
        yield Result.undecided(resource, script, "whether the bootstrap script carries credentials")
        return
    for what, secret, line in credential_lines(script):
        yield Result.fail(resource, f"bootstrap script {what} ({shown(secret)}) at line {line} of the script")


def _known(script: Any) -> str | Unknown | None:
    """The script text, Unknown when it is not known at plan time, None when there is none."""
    if isinstance(script, Ref):
        return Unknown(f"the script is {script}, known only after apply")
    return script if isinstance(script, (str, Unknown)) else None


def _command_results(resource: Resource) -> Iterator[Result]:
    """Every script a command resource runs: its own, then the other phases (Pulumi update/delete)."""
    where = RUNS_ON.get(resource.get("runs_on"), "the deployment")
    phases = [("", resource.get("script"))]
    phases += [(f"{p.get('when')} ", p.get("script")) for p in resource.get("other_phases") or []
               if isinstance(p, dict)]
    for phase, value in phases:
        script = _known(value)
        if isinstance(script, Unknown):
            yield Result.undecided(resource, script, f"whether the {phase}command run on {where} carries credentials")
        elif script is not None:
            for what, secret, line in credential_lines(script):
                yield Result.fail(resource, f"command run on {where} {what} ({shown(secret)}) "
                                            f"at line {line} of the {phase}command")
