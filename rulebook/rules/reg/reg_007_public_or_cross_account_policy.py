"""REG-007: No public or cross-account registry policies."""

from __future__ import annotations

from typing import Iterator

from ...access import RESTRICTING_KEYS, resource_policy_grants
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
""",
    remediation="""
Name the principals (role ARNs of this account), or keep Principal `*` only together with a
condition on aws:PrincipalOrgID, aws:SourceVpce or aws:PrincipalArn. Grant other accounts pull
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
        conditions_unknown = any(c.key == "<unknown>" for c in g.conditions)
        cross = g.cross_account()
        what = f"{g.action_class} ({_list(g.actions)})"
        if g.action_class is A.PUSH and cross is True:
            failed.add(g.resource.address)
            yield Result.fail(g.resource, f"{who}, another account, may push images ({_list(g.actions)}) through "
                                          f"{g.origin}")
            continue
        if not (g.principal_is_public or cross is True or isinstance(cross, Unknown)):
            continue
        if g.has_condition(*RESTRICTING_KEYS):
            continue
        if conditions_unknown:
            pending.append(Result.undecided(g.resource, "its conditions are not known at plan time",
                                            f"whether {g.origin} restricts {who}"))
        elif isinstance(cross, Unknown):
            pending.append(Result.undecided(g.resource, cross, f"whether {who} is another account"))
        else:
            failed.add(g.resource.address)
            if not g.principal_is_public:
                who += ", another account,"
            yield Result.fail(g.resource, f"{who} is allowed {what} through {g.origin} without a condition on "
                                          f"{', '.join(RESTRICTING_KEYS)}")
    yield from (r for r in pending if r.resource.address not in failed)

