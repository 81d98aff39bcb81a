"""SEC-002: build and deploy environments take secrets from a secret store, not in plain text."""

from __future__ import annotations

from typing import Any, Iterator

from ...findings import Severity
from ...model import Ref, Resource
from ...secrets import credential_free_connection_string, is_secret_name, is_store_reference, shown
from ...unknown import Unknown
from ..base import Context, Example, Result, rule

_LABELS = {
    "aws.codebuild.project": "CodeBuild environment variable",
    "aws.ecs.task_definition": "ECS container environment variable",
    "aws.lambda.function": "Lambda environment variable",
    "azure.app_service": "app setting",
    "azure.container_app": "container app environment variable",
}
# Attributes of another resource that point at a secret rather than hold it.
_POINTERS = {"arn", "id", "name", "secret_id", "versionless_id", "resource_id", "key_id"}


def _decide(resource: Resource, item: dict[str, Any]) -> Result | None:
    name, value = item.get("name"), item.get("value")
    label = f"{_LABELS[resource.kind]} {name}"
    if item.get("from_store") or item.get("secret") or value is None:
        return None
    if isinstance(value, Unknown):
        return Result.undecided(resource, value, f"whether {label} is a plain-text secret")
    if isinstance(value, Ref):
        if value.attribute.split(".")[-1] in _POINTERS:
            return None
        return Result.fail(resource, f"{label} takes {value} in plain text; reference a secret store instead")
    if isinstance(value, (dict, list)):
        return None
    text = str(value)
    if not text.strip() or text.startswith("$") or is_store_reference(text) or credential_free_connection_string(text):
        return None
    return Result.fail(resource, f"{label} holds a plain-text value ({shown(text)}); "
                                 "reference a secret store instead")


@rule(
    id="SEC-002",
    title="Build and deploy environments take secrets from a secret store",
    severity=Severity.HIGH,
    practice="P7",
    kinds=tuple(_LABELS) + ("github.actions_secret",),
    rationale="""
Environment variables of build projects, task definitions and functions are configuration: they
are shown in consoles, returned by describe calls to anyone with read access, copied into logs and
plan files. A password or token placed there in plain text is readable far beyond the job that
needs it and cannot be rotated centrally. A secret-store reference (SSM Parameter Store, Secrets
Manager, Key Vault) keeps the value out of the configuration and its reads audited.
""",
    remediation="""
github_actions_secret: `encrypted_value`, or a value from a secret store, never a literal
`plaintext_value`. A variable counts as secret-like when its name holds PASSWORD, PASSWD, SECRET,
TOKEN, API_KEY, PRIVATE_KEY, CREDENTIAL(S) or ACCESS_KEY in any case or separator style.
""",
    fixes={
        "aws": """
CodeBuild: `type = "PARAMETER_STORE"` or `"SECRETS_MANAGER"` with the parameter/secret name as value.
ECS: move the variable from `environment` to `secrets` with `valueFrom` = the secret's ARN. Lambda:
pass the secret's ARN and read it at run time (or use the Parameters and Secrets extension).
""",
        "azure": """
App settings as Key Vault references `@Microsoft.KeyVault(SecretUri=...)`; container app env entries
with `secret_name` (a secret that references Key Vault).
""",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_codebuild_project" "build" {
  name         = "app-build"
  service_role = "arn:aws:iam::111122223333:role/codebuild"
  artifacts { type = "NO_ARTIFACTS" }
  source { type = "GITHUB" }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
    environment_variable {
      name  = "NPM_TOKEN"
      value = "npm-publish-token-for-ci"
    }
  }
}
''', resource="aws_codebuild_project.build"),
        Example("terraform", True, '''
resource "aws_codebuild_project" "build" {
  name         = "app-build"
  service_role = "arn:aws:iam::111122223333:role/codebuild"
  artifacts { type = "NO_ARTIFACTS" }
  source { type = "GITHUB" }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
    environment_variable {
      name  = "NPM_TOKEN"
      type  = "SECRETS_MANAGER"
      value = "ci/npm-token"
    }
  }
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.lambda_.Function("deployer", role="arn:aws:iam::111122223333:role/deployer", runtime="python3.12",
                     handler="app.handler", code=None,
                     environment={"variables": {"GITHUB_TOKEN": "github-token-for-deploys"}})
''', resource="deployer"),
        Example("pulumi", True, '''
import pulumi
import pulumi_aws as aws

aws.lambda_.Function("deployer", role="arn:aws:iam::111122223333:role/deployer", runtime="python3.12",
                     handler="app.handler", code=None,
                     environment={"variables": {
                         "GITHUB_TOKEN_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:gh",
                         "GITHUB_TOKEN": pulumi.Output.secret("from-the-stack-config")}})
'''),
    ),
)
def sec_002(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _plaintext_environment(resource, ctx)


def _plaintext_environment(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of SEC-002, kept out of the decorated function so it can be mutation tested."""
    if resource.kind == "github.actions_secret":
        literal = [v for p, v in resource.values if p == "plaintext_value" and isinstance(v, str) and v]
        if literal and not resource.get("secret"):
            yield Result.fail(resource, f"GitHub Actions secret {resource.get('name')} is written in the "
                                        f"configuration as plaintext_value ({shown(literal[0])})")
        return
    environment = resource.get("environment", [])
    if isinstance(environment, Unknown):
        yield Result.undecided(resource, environment, "the environment variables")
        return
    for item in environment:
        name = str(item.get("name") or "")
        if is_secret_name(name.rsplit("/", 1)[-1]):
            result = _decide(resource, item)
            if result is not None:
                yield result
