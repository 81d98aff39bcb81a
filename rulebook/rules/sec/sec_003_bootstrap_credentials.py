"""SEC-003: bootstrap scripts (user data, custom data) do not write or export credentials."""

from __future__ import annotations

import re
from typing import Iterator

from ...findings import Severity
from ...model import Ref, Resource
from ...secrets import detect, is_placeholder, shown
from ...unknown import Unknown
from ..base import Context, Example, Result, rule

_VALUE = r"""(?P<q>["']?)(?P<value>[^\s"';|&]+)(?P=q)"""
# (what the line does, pattern with a `value` group); a value read at run time (`$VAR`, `$(...)`) is no finding.
_COMMANDS: tuple[tuple[str, re.Pattern], ...] = (
    ("exports AWS_SECRET_ACCESS_KEY", re.compile(
        r"(?im)^[ \t]*(?:export[ \t]+|set[ \t]+|\$env:)?AWS_(?:SECRET_ACCESS_KEY|SESSION_TOKEN)[ \t]*=[ \t]*" + _VALUE)),
    ("runs aws configure set aws_secret_access_key", re.compile(
        r"(?i)\baws[ \t]+configure[ \t]+set[ \t]+(?:[\w.-]+\.)?(?:aws_secret_access_key|aws_session_token)[ \t]+"
        + _VALUE)),
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
    title="Bootstrap scripts do not carry credentials",
    severity=Severity.CRITICAL,
    practice="P1",
    kinds=("aws.ec2.instance", "aws.ec2.launch_template", "azure.vm"),
    rationale="""
User data and custom data are readable by anything on the instance through the metadata service,
by anyone with describe permissions in the account, and sit in plan files and the repository. Build
agents bootstrapped with `export AWS_SECRET_ACCESS_KEY=...` or `docker login -p ...` hand their
registry and cloud credentials to every job, container and process that runs on them, and to
everyone who can read the launch template.
""",
    remediation="""
Give the instance an identity instead of a key (an instance profile / IAM role, a managed identity)
and let the script fetch short-lived credentials at run time: `aws ecr get-login-password | docker
login --password-stdin`, `az login --identity`, a secret read from Secrets Manager or Key Vault when
the script runs. Scripts are read as the instance runs them: plain, heredoc, base64encode(...) and
templatefile(...) inside the scan root; a script not known at plan time is UNKNOWN.
""",
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
    ),
)
def sec_003(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _bootstrap_credentials(resource, ctx)


def _bootstrap_credentials(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of SEC-003, kept out of the decorated function so it can be mutation tested."""
    script = resource.get("user_data")
    if script is None:
        return
    if isinstance(script, Ref):
        script = Unknown(f"the script is {script}, known only after apply")
    if isinstance(script, Unknown):
        yield Result.undecided(resource, script, "whether the bootstrap script carries credentials")
        return
    if not isinstance(script, str):
        return
    for what, secret, line in credential_lines(script):
        yield Result.fail(resource, f"bootstrap script {what} ({shown(secret)}) at line {line} of the script")
