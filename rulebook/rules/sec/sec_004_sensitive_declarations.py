"""SEC-004: Terraform variables and outputs that carry secrets are marked sensitive."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...secrets import is_secret_name, words
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule


def secret_attribute(reference: str) -> bool:
    """`aws_iam_access_key.ci.secret`, `aws_db_instance.x.password`: an attribute that holds a secret
    (PGP-encrypted forms such as encrypted_secret are meant to be shown: is_secret_name excludes them)."""
    return is_secret_name(reference.rsplit(".", 1)[-1])


@rule(
    id="SEC-004",
    title="Secret variables and outputs are sensitive",
    severity=Severity.MEDIUM,
    practice="P7",
    kinds=("terraform.variable", "terraform.output"),
    engine_notes={"pulumi": "Pulumi has no variable or output declarations for a policy pack to read: stack "
                            "config secrets and exported outputs are encrypted by the engine when marked secret "
                            "(`config.require_secret`, `pulumi.Output.secret`); SEC-001 and SEC-002 cover the "
                            "values a program passes to resources in plain text."},
    rationale="""
Terraform prints variables and outputs in plan and apply logs, in `terraform output` and in CI job
logs unless they are marked sensitive. A pipeline that outputs a new access key's secret, or takes a
token through an unmarked variable, publishes it to everyone who can read the job log.
""",
    remediation="""
Add `sensitive = true` to the variable or output. Better still, do not output secrets at all: write
them to a secret store (aws_secretsmanager_secret_version, azurerm_key_vault_secret) and output its
ARN or ID. A variable or output counts as secret-like by its name (PASSWORD, SECRET, TOKEN, API_KEY,
PRIVATE_KEY, CREDENTIAL(S), ACCESS_KEY, ...) or, for outputs, when it exposes such an attribute of a
resource (aws_iam_access_key.*.secret, a password attribute).
""",
    examples=(
        Example("terraform", False, '''
resource "aws_iam_user" "deployer" {
  name = "deployer"
}

resource "aws_iam_access_key" "deployer" {
  user = aws_iam_user.deployer.name
}

output "deployer_key" {
  value = aws_iam_access_key.deployer.secret
}
''', resource="output.deployer_key"),
        Example("terraform", True, '''
variable "registry_token" {
  type      = string
  sensitive = true
}

output "registry_url" {
  value = "registry.example.com"
}
'''),
    ),
)
def sec_004(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _sensitive_declarations(resource, ctx)


def _sensitive_declarations(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of SEC-004, kept out of the decorated function so it can be mutation tested."""
    name = resource.get("name", "")
    sensitive = resource.get("sensitive")
    if sensitive is True:
        return
    what = "variable" if resource.kind == "terraform.variable" else "output"
    if resource.kind == "terraform.variable":
        if isinstance(resource.get("value"), (bool, int, float)) or not is_secret_name(name):
            return
        attributes = resource.get("attributes")
        if attributes is not None and not any(is_secret_name(a) for a in attributes):
            return  # an object of references (username_secret_id, password_secret_id), not a secret
        reason = "has a secret-like name"
    else:
        exposes = resource.get("exposes") or []
        exposed = [r for r in exposes if secret_attribute(r)]
        if exposed:
            reason = f"exposes {', '.join(exposed[:3])}"
        elif is_secret_name(name) and not any("encrypted" in words(r.rsplit(".", 1)[-1]) for r in exposes):
            reason = "has a secret-like name"
        else:
            return
    if isinstance(sensitive, Unknown):
        yield Result.undecided(resource, sensitive, f"whether {what} {name} is sensitive")
        return
    yield Result.fail(resource, f"{what} {name} {reason} but is not marked sensitive = true; "
                                "its value is printed in plans, logs and terraform output")
