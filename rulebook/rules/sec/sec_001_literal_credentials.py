"""SEC-001: no literal credential in configuration (resources, variable defaults, tfvars, locals, program inputs)."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...kinds import KINDS
from ...model import Resource
from ...secrets import DETECTORS, Detection, assignment_secrets, detect, is_secret_name, literal_credential, shown
from ..base import Context, Example, Result, rule
from ._common import last_key, used_by, where

_NAMES_NOT_CHECKED = ("tags.", "tags_all.", "labels.")  # free-form metadata: only key shapes are detected


def findings_in(resource: Resource, path: str, value: str) -> list[Detection]:
    """The secrets one literal leaf holds: known key shapes, a credential attribute's literal value,
    or a high-entropy value assigned to a secret-like name inside the text."""
    found = detect(value)
    if found:
        return found
    if (is_secret_name(last_key(path)) and literal_credential(value) and not path.startswith(_NAMES_NOT_CHECKED)
            and resource.kind != "terraform.output"):
        return [Detection("a literal credential", value)]
    return assignment_secrets(value)


@rule(
    id="SEC-001",
    title="No literal credentials in configuration",
    severity=Severity.CRITICAL,
    practice="P1",
    kinds=tuple(KINDS),
    engine_notes={"pulumi": "The pack sees a program's inputs after the provider SDK has wrapped schema-secret "
                            "arguments (e.g. rds.Instance password) as Pulumi secrets; the engine cannot tell "
                            "them from stack-config secrets, so values marked secret are not scanned. Everything "
                            "else a program passes is read as written."},
    rationale="""
A credential written into configuration is in every clone, fork, CI log and plan file of the
repository, for ever: rotating it is the only remedy, and until then anyone who can read the code
can act as its owner. Build pipelines are where such keys are copied most (a deploy key pasted into a
variable default "for now"), and where attackers look first.
""",
    remediation="""
Remove the value and rotate the credential. Read it at run time from a secret store, generate it
(random_password) or, for cloud access, use an identity (OIDC federation, instance or workload
identity) instead of a key. A variable that must carry a secret has no default and is marked
`sensitive = true`.
"""
    + "\nDetectors that run, in order: " + "; ".join(DETECTORS) + ". Findings show only the first four "
    "characters of a value of 16 characters or more, and its length.",
    fixes={
        "aws": """
Remove the value and rotate the credential. Keep it in Secrets Manager (aws_secretsmanager_secret) or
an SSM SecureString parameter and read it at run time; for AWS access, give the workload an IAM role
(OIDC federation, an instance profile) instead of a key.
""",
        "azure": """
Remove the value and rotate the credential. Keep it in Azure Key Vault and read it at run time; for
Azure access, give the workload a managed identity or a federated identity credential instead of a
key or client secret.
""",
        "pulumi": """
Pass the value as a Pulumi secret read from stack config (`config.require_secret(...)`) or a secret
store, never as a literal in the program.
""",
    },

    examples=(
        Example("terraform", False, '''
resource "aws_db_instance" "ci" {
  identifier     = "ci-metadata"
  engine         = "postgres"
  instance_class = "db.t4g.micro"
  username       = "ci"
  password       = "Winter2024-ci-db"
}
''', resource="aws_db_instance.ci"),
        Example("terraform", True, '''
resource "random_password" "db" {
  length = 32
}

resource "aws_db_instance" "ci" {
  identifier     = "ci-metadata"
  engine         = "postgres"
  instance_class = "db.t4g.micro"
  username       = "ci"
  password       = random_password.db.result
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.lambda_.Function("notifier", role="arn:aws:iam::111122223333:role/notifier", runtime="python3.12",
                     handler="app.handler", code=None,
                     environment={"variables": {"SLACK_API_TOKEN": "slack-token-pasted-here"}})
''', resource="notifier"),
        Example("pulumi", True, '''
import pulumi
import pulumi_aws as aws

aws.lambda_.Function("notifier", role="arn:aws:iam::111122223333:role/notifier", runtime="python3.12",
                     handler="app.handler", code=None,
                     environment={"variables": {"SLACK_API_TOKEN": pulumi.Output.secret("from-stack-config")}})
'''),
    ),
)
def sec_001(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _literal_credentials(resource, ctx)


def _literal_credentials(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of SEC-001, kept out of the decorated function so it can be mutation tested."""
    for path, value in resource.values:
        if not isinstance(value, str):
            continue
        for found in findings_in(resource, path, value):
            yield Result.fail(resource, f"{where(resource, path)} holds {found.what} ({shown(found.secret)})"
                                        f"{used_by(resource)}")
