"""IDF-001: no long-lived keys (AWS access keys, Entra ID client secrets, registry token passwords)."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Ref, Resource
from ..base import Context, Example, Result, rule

_KEY_KINDS = {
    "aws.iam.access_key": ("access key", "user"),
    "azure.ad.password": ("Entra ID client secret", "owner"),
    "azure.acr.token_password": ("registry token password", "token"),
}


def _owner_label(resource: Resource, ctx: Context, prop: str) -> str:
    """Name of the user / app / token the key belongs to, resolved through the inventory when possible."""
    value = resource.get(prop)
    target = ctx.inventory.resolve(value)
    if isinstance(target, Resource):
        return target.label()
    if isinstance(value, Ref):
        return value.address
    if isinstance(value, str) and value.strip():
        return value
    return f"an unnamed principal ({prop} is {'not set' if value is None else 'empty'})"


@rule(
    id="IDF-001",
    title="No long-lived cloud keys",
    severity=Severity.CRITICAL,
    practice="P6",
    kinds=tuple(_KEY_KINDS),
    rationale="""
Static access keys and client secrets are the credentials most often leaked from CI/CD: they sit in
pipeline variables, logs and forks for months, and anyone who copies one acts as the pipeline until
someone notices and rotates it. Federated identity (OIDC) gives each job a token that expires in
minutes and can be pinned to one repository and environment.
""",
    remediation="""
Remove the key resource and grant the pipeline's federated identity what the key's owner had.
""",
    fixes={
        "aws": """
Remove the access key. Let the pipeline assume an IAM role trusted by the CI's OIDC provider
(`aws_iam_openid_connect_provider`, a trust policy pinning `<issuer>:sub`) and grant that role what
the key's owner had.
""",
        "azure": """
Remove the password or registry token. Give the pipeline a federated identity credential on a
user-assigned identity or application (subject pinned to the CI's repository and environment) and
grant that identity what the key's owner had.
""",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_iam_user" "ci" {
  name = "ci-bot"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
''', resource="aws_iam_access_key.ci"),
        Example("terraform", True, '''
resource "aws_iam_role" "ci" {
  name = "ci-build"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:environment:prod"
        }
      }
    }]
  })
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

ci = aws.iam.User("ci", name="ci-bot")
aws.iam.AccessKey("ci-key", user=ci.name)
''', resource="ci-key"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

aws.iam.Role("ci", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Condition": {"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod",
        }},
    }],
}))
'''),
    ),
)
def idf_001(resource: Resource, ctx: Context) -> Iterator[Result]:
    what, owner_prop = _KEY_KINDS[resource.kind]
    owner = _owner_label(resource, ctx, owner_prop)
    yield Result.fail(resource, f"a long-lived {what} is created for {owner}; use OIDC federation instead")
