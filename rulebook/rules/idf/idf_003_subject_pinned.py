"""IDF-003: a CI OIDC trust pins the subject to one organisation and repository."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...oidc_trust import Trust, ci_trusts
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._subjects import judge, shown, who

KINDS = ("aws.iam.role", "azure.federated_credential")


def pins_repository(trust: Trust) -> Result | None:
    """A failure or UNKNOWN when the trust admits subjects of more than one repository, else None."""
    what = f"whether {trust.where} pins one repository"
    if trust.unknown is not None:
        return Result.undecided(trust.resource, trust.unknown, what)
    sub = trust.claims("sub")
    if sub.anything is True:
        return Result.fail(trust.resource, f"{trust.where} lets any workflow of any repository using "
                                           f"{trust.issuer} assume {who(trust)}: {sub.why}")
    if isinstance(sub.anything, Unknown):
        return Result.undecided(trust.resource, sub.anything, what)
    verdict = judge(sub, trust.issuer, lambda reading, _: reading.repository is not None)
    if isinstance(verdict.ok, Unknown):
        return Result.undecided(trust.resource, verdict.ok, what)
    if verdict.ok is False and verdict.pattern is not None and verdict.reading is not None:
        return Result.fail(trust.resource, f"{trust.where} lets {verdict.reading.scope} on {trust.issuer} assume "
                                           f"{who(trust)} (subject '{shown(verdict.pattern)}')")
    return None


@rule(
    id="IDF-003",
    title="CI OIDC trust pins one repository",
    severity=Severity.CRITICAL,
    practice="P6",
    scope="inventory",
    kinds=KINDS,
    rationale="""
A CI OIDC issuer signs tokens for every repository it serves: token.actions.githubusercontent.com
for all of GitHub, gitlab.com for all of GitLab. The `sub` claim says which repository (project,
workspace) a token comes from, so a trust without a `sub` condition, or with `*`, `repo:*` or
`repo:acme/*`, lets a workflow in any repository (a fork, a new repository anyone in the
organisation can create, or a stranger's) assume the role. Azure federated credentials with a
wildcard subject or a flexible claims expression such as `claims['sub'] matches 'repo:acme/*'` are
the same hole. Each admitted subject must name one organisation and one repository, at its start: a
repository chooses which claims its subject carries, so `workflow:deploy:repo:acme/app:...` is
matched by any repository whose workflow is named `deploy:repo:acme/app`. A list of exact subjects
of several repositories passes, a pattern spanning several does not.
""",
    remediation="""
Each admitted subject names one organisation and one repository, at its start: GitHub
`repo:ORG/REPO:environment:NAME` or `repo:ORG/REPO:ref:refs/heads/main`, GitLab
`project_path:GROUP/PROJECT:ref_type:branch:ref:main`, Terraform Cloud
`organization:ORG:project:P:workspace:W:run_phase:apply`.
""",
    fixes={
        "aws": """
Add a condition on `<issuer>:sub` that names the repository: `StringEquals` (or `StringLike` whose
wildcards come after the repository) with `repo:ORG/REPO:environment:NAME` or
`repo:ORG/REPO:ref:refs/heads/main`.
""",
        "azure": """
Give each repository its own federated credential with an exact subject
(`repo:ORG/REPO:environment:NAME`) instead of a wildcard or a flexible claims expression.
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
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:acme/*" }
      }
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
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

deploy = azure_native.managedidentity.UserAssignedIdentity("deploy", resource_name_="id-ci-deploy",
    resource_group_name="rg-ci")
azure_native.managedidentity.FederatedIdentityCredential("github", federated_identity_credential_resource_name="github",
    resource_name_=deploy.name, resource_group_name="rg-ci", issuer="https://token.actions.githubusercontent.com",
    audiences=["api://AzureADTokenExchange"], subject="repo:acme/*")
''', resource="github"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

deploy = azure_native.managedidentity.UserAssignedIdentity("deploy", resource_name_="id-ci-deploy",
    resource_group_name="rg-ci")
azure_native.managedidentity.FederatedIdentityCredential("github", federated_identity_credential_resource_name="github",
    resource_name_=deploy.name, resource_group_name="rg-ci", issuer="https://token.actions.githubusercontent.com",
    audiences=["api://AzureADTokenExchange"], subject="repo:acme/app:environment:production")
'''),
    ),
)
def idf_003(ctx: Context) -> Iterator[Result]:
    for trust in ci_trusts(ctx):
        result = pins_repository(trust)
        if result is not None:
            yield result
