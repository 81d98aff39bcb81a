"""REG-002: No registry admin rights, no mixed pull and push."""

from __future__ import annotations

from typing import Iterable, Iterator

from ...access import Grant, azure_grants, grants_of
from ...findings import Severity
from ...identities import identities
from ...model import Resource
from ..base import Context, Example, Result, rule
from ._common import (
    AWS_KINDS,
    AZURE_KINDS,
    A,
    C,
    _az_admin,
    _az_relevant,
    _az_where,
    _az_who,
    _first_unknown,
    _orphan_results,
    _outsiders,
    _Tally,
    _who,
)


@rule(
    id="REG-002",
    title="No registry admin rights, no mixed pull and push",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    practice="P2",
    scope="inventory",
    kinds=AWS_KINDS + AZURE_KINDS,
    rationale="""
An identity that may delete images, change repository policies or replication (registry
administration) turns one stolen CI token into control over every artifact and who may read it:
high severity. An identity that may both pull and push lets one job read an image, tamper with it
and publish it back; separating read-only (build, test) from write-only (deploy) identities keeps
a compromise of one stage from reaching the other: medium severity.

A role or user that a repository or registry policy names by ARN without the stack declaring it
is judged on what that policy grants it, and reported on the policy.
""",
    remediation="""
Manage the registry from identities listed in `admin_identities`, and split pull and push between
two identities: a build identity that pulls and a deploy identity that pushes.
""",
    fixes={
        "aws": """
Remove administrative registry actions (Create/DeleteRepository, Set/DeleteRepositoryPolicy,
Put*Policy, PutImageTagMutability, BatchDeleteImage, PutReplicationConfiguration, ...) from
automation, and split pull and push: a build role with the pull actions, a deploy role with the push
actions.
""",
        "azure": """
Assign automation AcrPull (build) or AcrPush (deploy) on the registry, never Owner, Contributor or
another role that manages the registry; keep registry administration to identities listed in
`admin_identities`.
""",
    },
    engine_notes={
        "terraform": "Azure (azurerm): only the administration part applies. Every built-in Azure push role "
                     "(AcrPush, Container Registry Repository Writer) includes pull, so pull plus push is not "
                     "reported for Azure role assignments.",
        "pulumi": "Azure (azure-native): only the administration part applies. Every built-in Azure push role "
                  "(AcrPush, Container Registry Repository Writer) includes pull, so pull plus push is not "
                  "reported for Azure role assignments.",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy_attachment" "build" {
  role       = aws_iam_role.build.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
}
''', resource="aws_iam_role.build"),
        Example("terraform", True, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "pull" {
  statement {
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.app.arn]
  }
}

resource "aws_iam_role_policy" "build" {
  role   = aws_iam_role.build.name
  policy = data.aws_iam_policy_document.pull.json
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("build-registry", role=build.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess")
''', resource="build"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-pull", role=build.name, policy=app.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Resource": arn,
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                              "ecr:BatchCheckLayerAvailability"]}]})))
'''),
    ),
)
def reg_002(ctx: Context) -> Iterator[Result]:
    return _admin_or_mixed_access(ctx)


def _admin_or_mixed_access(ctx: Context) -> Iterator[Result]:
    """The decision of REG-002, kept out of the decorated function so it can be mutation tested."""
    for ident in identities(ctx):
        if ident.is_aws and not ident.admin:
            yield from _judge(ident.resource, _who(ident), grants_of(ctx, ident))
    for outsider in _outsiders(ctx):
        if not ctx.config.is_admin_identity(outsider.name):
            yield from _judge(outsider.resource, outsider.who, outsider.grants)
    yield from _orphan_results(ctx, (A.ADMIN, A.PULL, A.PUSH), "may administer, pull or push")
    for a in azure_grants(ctx):
        relevant = _az_relevant(a, (C.ADMIN,), f"whether {_az_who(a)} may administer registries")
        if isinstance(relevant, Result):
            yield relevant
        elif relevant and not _az_admin(a, ctx):
            assert a.role is not None
            yield Result.fail(a.assignment, f"{_az_who(a)} may administer registries through {a.role.label} on "
                                            f"{_az_where(a)} ({a.assignment.address})")


def _judge(resource: Resource, who: str, grants: Iterable[Grant]) -> Iterator[Result]:
    """Admin actions (high), or both pull and push (medium), held by one identity or outside principal."""
    grants = list(grants)
    admin, pull, push = _Tally(), _Tally(), _Tally()
    for g in grants:
        target = {A.ADMIN: admin, A.PULL: pull, A.PUSH: push}.get(g.action_class)  # type: ignore[arg-type]
        if target is not None:
            target.add(g)
    if admin:
        yield Result.fail(resource, f"{who} may administer the registry {admin.text()}")
    elif pull and push:
        yield Result.fail(resource, f"{who} may both pull {pull.text()} and push {push.text()}",
                          severity=Severity.MEDIUM)
    elif (unknown := _first_unknown(grants)) is not None:
        yield Result.undecided(resource, unknown, f"whether {who} may administer the registry or both pull and push")
