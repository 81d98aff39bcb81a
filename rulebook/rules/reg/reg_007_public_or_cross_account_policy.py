"""REG-007: No public or cross-account registry policies."""

from __future__ import annotations

from typing import Iterator

from ...access import Grant, resource_policy_grants
from ...conditions import CallerBound, caller_bound
from ...findings import Severity
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import A, _list, _principal_label, _reason


@rule(
    id="REG-007",
    title="No public or cross-account registry policies",
    severity=Severity.CRITICAL,
    practice="P2",
    scope="inventory",
    kinds=("aws.ecr.repository", "aws.ecr.repository_policy", "aws.ecr.registry_policy"),
    rationale="""
A repository or registry policy is evaluated for callers from any AWS account. Principal `*`
without a condition lets every AWS customer pull (or worse) your images, including the secrets
baked into their layers; a grant to another account trusts everyone that account lets in. Pushing
from another account lets an outside pipeline replace what you run.

A condition restricts only when it admits a known, bounded set of callers (IAM semantics, see
rulebook/conditions): StringNotEquals/ArnNotLike on an Allow admit everyone outside their values,
`...IfExists` and `ForAllValues:` admit callers without the key, and a wildcard such as `o-*` or
`arn:aws:iam::*:*` restricts nothing. Another account is any account but the stack's own: the aws
provider's `allowed_account_ids` (Terraform, every alias; Pulumi `aws:allowedAccountIds`), the
`aws_accounts` setting, and accounts in the ARNs of resources the stack declares. Without any of them
a grant to an explicit account is UNKNOWN.
""",
    remediation="""
Name the principals (role ARNs of this account), or keep Principal `*` only together with a
StringEquals/ArnLike condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceVpce or
aws:PrincipalArn. Grant other accounts pull
only, with a restricting condition; never push. Publish images meant for everyone through ECR
Public instead.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Everyone"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })
}
''', resource="aws_ecr_repository_policy.app"),
        Example("terraform", True, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Organisation"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
aws.ecr.RepositoryPolicy("app-policy", repository=app.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "PartnerPush", "Effect": "Allow",
                   "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                   "Action": ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                              "ecr:PutImage"]}]}))
''', resource="app-policy"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
aws.ecr.RepositoryPolicy("app-policy", repository=app.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Organisation", "Effect": "Allow", "Principal": "*",
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}))
'''),
    ),
)
def reg_007(ctx: Context) -> Iterator[Result]:
    return _public_or_cross_account_policy(ctx)


def _public_or_cross_account_policy(ctx: Context) -> Iterator[Result]:
    """The decision of REG-007, kept out of the decorated function so it can be mutation tested."""
    failed: set[str] = set()
    pending: list[Result] = []
    for g in resource_policy_grants(ctx):
        if g.principal_type not in (None, "AWS") and not g.principal_is_public:
            continue  # services and federated principals are not accounts
        if g.action_class is None:
            pending.append(Result.undecided(g.resource, _reason(g.unknown, "policy not known"),
                                            "whether it opens the registry to other accounts"))
            continue
        who = "everyone (Principal *)" if g.principal_is_public else _principal_label(g.principal)
        cross = g.cross_account()
        if g.action_class is A.PUSH and cross is True:
            failed.add(g.resource.address)
            yield Result.fail(g.resource, f"{who}, another account ({_ours(g)}), may push images "
                                          f"({_list(g.actions)}) through {g.origin}")
            continue
        if not (g.principal_is_public or cross is True or isinstance(cross, Unknown)):
            continue
        bound = _bound(g)
        if bound.bounded is True:
            continue
        if isinstance(bound.bounded, Unknown):
            pending.append(Result.undecided(g.resource, bound.bounded, f"whether {g.origin} restricts {who}"))
        elif isinstance(cross, Unknown):
            pending.append(Result.undecided(g.resource, cross, f"whether {who} is another account"))
        else:
            failed.add(g.resource.address)
            if not g.principal_is_public:
                who += f", another account ({_ours(g)}),"
            why = f" that restricts it ({bound.why})" if bound.why else ""
            yield Result.fail(g.resource, f"{who} is allowed {g.action_class} ({_list(g.actions)}) through "
                                          f"{g.origin} without a condition on {', '.join(RESTRICTING)}{why}")
    yield from (r for r in pending if r.resource.address not in failed)


# conditions that bound who may use a public or cross-account grant (conditions.caller_bound)
RESTRICTING = ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceVpce", "aws:PrincipalArn")


def _bound(grant: Grant) -> CallerBound:
    return caller_bound(grant.statement, RESTRICTING) if grant.statement is not None else CallerBound(False)


def _ours(grant: Grant) -> str:
    """The stack's own accounts and where they were learned, for messages."""
    return f"ours: {grant.own_accounts}"
