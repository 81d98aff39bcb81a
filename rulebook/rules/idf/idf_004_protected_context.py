"""IDF-004: identities that publish are assumable only from a protected CI context."""

from __future__ import annotations

from typing import Iterator

from ...conditions import Pattern
from ...findings import Severity
from ...oidc_subjects import Reading, covered
from ...oidc_trust import Trust, ci_trusts
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._subjects import Verdict, judge, shown, who
from ._writers import writes

KINDS = ("aws.iam.role", "azure.federated_credential", "azure.role_assignment", "aws.ecr.repository",
         "aws.s3.bucket", "azure.storage.account")


def _protected(trust: Trust, globs: tuple[str, ...]) -> Verdict:
    """Does every subject the trust admits come from a protected context (or a configured deploy subject)?"""
    workflow = trust.claims("job_workflow_ref")
    if workflow.anything is False and workflow.all(lambda p: not p.wildcard) is True:
        return Verdict(True)  # a reusable workflow pinned by its own condition
    sub = trust.claims("sub")
    if sub.anything is True:
        return Verdict(False)
    if isinstance(sub.anything, Unknown):
        return Verdict(sub.anything)

    def test(reading: Reading, pattern: Pattern) -> bool:
        return reading.context is not None or covered(pattern, globs) is not None

    return judge(sub, trust.issuer, test)


def _unprotected(trust: Trust, verdict: Verdict) -> str:
    if verdict.pattern is not None and verdict.reading is not None:
        return f"{verdict.reading.admits} of {verdict.reading.scope} (subject '{shown(verdict.pattern)}')"
    return f"any subject of {trust.issuer} ({trust.claims('sub').why or 'no condition on sub'})"


def protected_context(trust: Trust, ctx: Context) -> Result | None:
    """A failure or UNKNOWN when a publishing identity is reachable from an unprotected context, else None."""
    what = f"whether {who(trust)} is assumable only from a protected context"
    verdict = Verdict(trust.unknown) if trust.unknown is not None else \
        _protected(trust, tuple(getattr(ctx.config, "deploy_subject_patterns", ()) or ()))
    if verdict.ok is True:
        return None
    if trust.identity is None:
        return Result.undecided(trust.resource, f"{trust.resource.address} belongs to an identity not declared "
                                                f"here, so what it may publish is not known", what)
    capability = writes(ctx, trust.identity)
    if capability.capable is False:
        return None
    if isinstance(capability.capable, Unknown):
        return Result.undecided(trust.resource, capability.capable, f"whether {who(trust)} may push images or "
                                                                    f"write artifacts")
    if isinstance(verdict.ok, Unknown):
        return Result.undecided(trust.resource, verdict.ok, what)
    return Result.fail(trust.resource, f"{who(trust)} may {capability.what[0]}, and {trust.where} lets "
                                       f"{_unprotected(trust, verdict)} assume it; pin the subject to a protected "
                                       f"environment or ref")


@rule(
    id="IDF-004",
    title="Publishing identities only from protected contexts",
    severity=Severity.HIGH,
    practice="P6",
    scope="inventory",
    kinds=KINDS,
    rationale="""
An identity that can push images or write artifacts decides what production runs. When its trust
admits `repo:acme/app:pull_request`, `repo:acme/app:ref:refs/heads/*` or `repo:acme/app:*`, any
branch or pull request of the repository (code nobody has reviewed yet) can publish under release
tags. A GitHub environment with required reviewers, a protected branch or a tag, a GitLab protected
ref, Terraform Cloud's apply phase or an Azure DevOps service connection with checks is where the
review happens; only subjects naming one of them may reach a publishing identity. A reusable
workflow pinned by `job_workflow_ref` counts as protected, and so does any subject matching the
configured `oidc.deploy_subject_patterns`. Branch protection itself is not visible at plan time: a
named branch counts as protected.
""",
    remediation="""
Give pull-request and branch builds a separate identity that can only pull. Subjects your
organisation protects otherwise can be listed in `oidc.deploy_subject_patterns`.
""",
    fixes={
        "aws": """
Pin the `<issuer>:sub` condition of the publishing role's trust policy to a protected context:
`repo:ORG/REPO:environment:production` (with required reviewers on the environment) or
`repo:ORG/REPO:ref:refs/heads/main`, with `StringEquals`.
""",
        "azure": """
Give the publishing identity only federated credentials whose subject is a protected context:
`repo:ORG/REPO:environment:production` (with required reviewers on the environment) or
`repo:ORG/REPO:ref:refs/heads/main`.
""",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "deploy" {
  name = "ci-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:pull_request"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "deploy" {
  role = aws_iam_role.deploy.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
      Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"
    }]
  })
}
''', resource="aws_iam_role.deploy"),
        Example("terraform", True, '''
resource "aws_iam_role" "deploy" {
  name = "ci-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:environment:production"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "deploy" {
  role = aws_iam_role.deploy.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
      Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"
    }]
  })
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

deploy = azure_native.managedidentity.UserAssignedIdentity("deploy", resource_name_="id-ci-deploy",
    resource_group_name="rg-ci")
azure_native.managedidentity.FederatedIdentityCredential("github", federated_identity_credential_resource_name="github",
    resource_name_=deploy.name, resource_group_name="rg-ci", issuer="https://token.actions.githubusercontent.com",
    audiences=["api://AzureADTokenExchange"], subject="repo:acme/app:ref:refs/heads/*")
registry = azure_native.containerregistry.Registry("registry", registry_name="acmeci", resource_group_name="rg-ci",
    sku={"name": "Premium"}, admin_user_enabled=False)
azure_native.authorization.RoleAssignment("push", principal_id=deploy.principal_id, principal_type="ServicePrincipal",
    scope=registry.id,
    role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec")
''', resource="github"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

deploy = azure_native.managedidentity.UserAssignedIdentity("deploy", resource_name_="id-ci-deploy",
    resource_group_name="rg-ci")
azure_native.managedidentity.FederatedIdentityCredential("github", federated_identity_credential_resource_name="github",
    resource_name_=deploy.name, resource_group_name="rg-ci", issuer="https://token.actions.githubusercontent.com",
    audiences=["api://AzureADTokenExchange"], subject="repo:acme/app:environment:production")
registry = azure_native.containerregistry.Registry("registry", registry_name="acmeci", resource_group_name="rg-ci",
    sku={"name": "Premium"}, admin_user_enabled=False)
azure_native.authorization.RoleAssignment("push", principal_id=deploy.principal_id, principal_type="ServicePrincipal",
    scope=registry.id,
    role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec")
'''),
    ),
)
def idf_004(ctx: Context) -> Iterator[Result]:
    for trust in ci_trusts(ctx):
        result = protected_context(trust, ctx)
        if result is not None:
            yield result
