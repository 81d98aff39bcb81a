"""REG-004: CI/CD identities explicitly deny repository listing."""

from __future__ import annotations

from typing import Iterator

from ... import ci_principals
from ...access import enumeration_deny, grants_of
from ...findings import Severity
from ...identities import identities
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import AWS_KINDS, _first_unknown, _orphan_listing_denies, _reason, _who


@rule(
    id="REG-004",
    title="CI/CD identities explicitly deny repository listing",
    severity=Severity.MEDIUM,
    practice="P3",
    scope="inventory",
    kinds=AWS_KINDS,
    rationale="""
Allow lists drift: a managed policy attached later, a wildcard added in a hurry or a permissions
boundary removed brings repository listing back without anyone noticing. An explicit Deny of
ecr:DescribeRepositories on every repository in the CI/CD identity's own policies wins over any
Allow, so listing stays impossible whatever is attached afterwards (the hardening guide's required
deny).

""" + ci_principals.describe(),
    remediation="""
Add to each CI/CD role or user with registry access a statement
`{"Effect": "Deny", "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry"], "Resource": "*"}`
without conditions, in an inline or attached policy (a repository policy does not count: it only
speaks for its own repository).
""",
    engine_notes={
        "terraform": "Azure (azurerm): not applicable. Azure RBAC has no user-authored deny assignment, so "
                     "listing is kept away by REG-003 (no catalog-listing or Reader role on registries).",
        "pulumi": "Azure (azure-native): not applicable. Azure RBAC has no user-authored deny assignment, so "
                  "listing is kept away by REG-003 (no catalog-listing or Reader role on registries).",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "build" {
  name = "ci-build"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" } }
    }]
  })
}

resource "aws_iam_role_policy" "build" {
  role = aws_iam_role.build.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "ecr:BatchGetImage", Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/app" },
      { Effect = "Deny", Action = "ecr:DescribeRepositories", Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/app" },
    ]
  })
}
''', resource="aws_iam_role.build"),
        Example("terraform", True, '''
resource "aws_iam_role" "build" {
  name = "ci-build"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" } }
    }]
  })
}

data "aws_iam_policy_document" "deny_listing" {
  statement {
    effect    = "Deny"
    actions   = ["ecr:DescribeRepositories", "ecr:DescribeRegistry"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "build" {
  source_policy_documents = [data.aws_iam_policy_document.deny_listing.json]
  statement {
    actions   = ["ecr:BatchGetImage"]
    resources = ["arn:aws:ecr:eu-west-1:111122223333:repository/app"]
  }
}

resource "aws_iam_role_policy" "build" {
  role   = aws_iam_role.build.name
  policy = data.aws_iam_policy_document.build.json
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-pull", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecr:BatchGetImage",
         "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/app"},
        {"Effect": "Deny", "Action": "ecr:DescribeImages", "Resource": "*"},
    ]}))
''', resource="build"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-pull", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecr:BatchGetImage",
         "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/app"},
        {"Effect": "Deny", "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry"], "Resource": "*"},
    ]}))
'''),
    ),
)
def reg_004(ctx: Context) -> Iterator[Result]:
    return _explicit_listing_deny(ctx)


def _explicit_listing_deny(ctx: Context) -> Iterator[Result]:
    """The decision of REG-004, kept out of the decorated function so it can be mutation tested."""
    for ident in identities(ctx):
        if not ident.is_aws:
            continue
        grants = grants_of(ctx, ident)
        if not grants:
            continue
        decided = [g for g in grants if g.action_class is not None]
        if ident.cicd is False:
            continue
        verdict = enumeration_deny(ctx, ident)
        if verdict.present is True:
            continue
        if isinstance(ident.cicd, Unknown):
            yield Result.undecided(ident.resource, ident.cicd, f"whether {_who(ident)} is a CI/CD identity")
        elif isinstance(verdict.present, Unknown):
            yield Result.undecided(ident.resource, verdict.present,
                                   f"whether {_who(ident)} denies repository listing")
        elif not decided:
            yield Result.undecided(ident.resource, _reason(_first_unknown(grants), "policy not known"),
                                   f"whether {_who(ident)} has registry access")
        elif maybe := _orphan_listing_denies(ctx):
            holder, reason = maybe[0]
            yield Result.undecided(ident.resource, Unknown(f"{holder.address} may deny it, but whom it applies to "
                                                           f"cannot be resolved: {reason}"),
                                   f"whether {_who(ident)} denies repository listing")
        else:
            why = ident.cicd_reasons[0]  # cicd is True: it has a reason; the first says enough
            yield Result.fail(ident.resource, f"CI/CD {_who(ident)} ({why}) has registry access but {verdict.reason}")

